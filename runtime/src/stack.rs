//! Goroutine stacks: page-granular mmap'd regions with a guard region below.
//!
//! Rust code cannot have its stack moved (it holds raw addresses into it),
//! so Go's growable, copied 2 KiB stacks are not an option. A goroutine
//! gets a fixed-size stack reserved with MAP_NORESERVE: only the pages it
//! touches cost memory, so a 64 KiB stack that never goes deeper than a few
//! frames costs one or two pages of RSS.
//!
//! Default sizes: 64 KiB on 64-bit targets, 16 KiB on armv7, where 100,000
//! goroutines must fit in a 32-bit address space (100,000 × 24 KiB with the
//! 8 KiB guard = 2.4 GB). The main goroutine gets `MAIN_STACK_SIZE`, like a
//! thread's main stack. `rt_go_stack` asks for any other size.
//!
//! # Guards
//!
//! Below every stack lies a guard region of `GUARD_SIZE` bytes that faults
//! on any access; the signal handler reports a fault there as Go's
//! `stack overflow`. A guard only catches a frame that touches it, so what
//! is guaranteed depends on how far one function can move the stack
//! pointer without touching memory:
//!
//! - x86_64: Rust (inline stack probes) and C (clang
//!   `-fstack-clash-protection`, added by `cargo xtask cc`) touch every
//!   page of a large frame in order, so one page of guard suffices.
//! - aarch64: Rust probes; clang 14 ignores `-fstack-clash-protection`
//!   there, so C frames are limited at compile time to `MAX_FRAME`.
//! - armv7 and riscv64: neither rustc nor clang probes there, so every
//!   frame, Rust and C, is limited to `MAX_FRAME` (xtask refuses larger
//!   ones).
//!
//! Why half the guard: a function entered with its stack pointer inside its
//! stack writes no lower than `lo - MAX_FRAME`, inside the guard. Its frame
//! may leave the stack pointer in the guard without having touched it, and
//! a leaf function called from there writes no lower than
//! `lo - 2 * MAX_FRAME = lo - GUARD_SIZE`: still the guard. A non-leaf
//! function called there saves its return address first, inside the guard,
//! and faults before calling anything.
//!
//! # Guards and the kernel's mapping limit
//!
//! A PROT_NONE guard made with mprotect splits its mapping: two kernel VMAs
//! per stack, and Linux allows `vm.max_map_count` (65,530 by default) per
//! process. Linux 6.13 added `MADV_GUARD_INSTALL`, which keeps guards in
//! the page tables and splits nothing, so every stack gets one. qemu-user
//! (and an older kernel) accepts or rejects that advice without installing
//! anything, so the first guard installed that way is checked by asking
//! the kernel to read it (`os::kernel_reads`): EFAULT means it is real.
//! Otherwise guards are made with mprotect, as many as
//! `max_map_count` leaves room for (half of it, less an eighth kept for
//! other mappings: 28,669 by default); past that, each time a goroutine
//! leaves the CPU (`mcall`) its stack pointer is checked against its
//! stack's bounds, so an overflow still under way at the next switch is
//! reported as `stack overflow`, and one that writes below and comes back
//! between two switches is not seen.
//!
//! The first guard of a process (the main goroutine's) is always made with
//! mprotect, so that a program that starts no goroutine makes no system
//! call for the check.
//!
//! Default-size stacks are carved from chunks of `CHUNK_STACKS` slots (one
//! mmap each, each slot a guard and a stack) and recycled with their G
//! (`gfget`/`gfput`), keeping their guard, so a warm spawn makes no system
//! call.
//!
//! # Fresh slots
//!
//! A fresh slot costs the kernel its guard (a `madvise`, ~0.5 µs natively)
//! and the fault of its top page, where `malg` puts the G (~1.3 µs). Both
//! are moved off the goroutine that says `go`, which would otherwise pay
//! them one after the other while the other CPUs wait for work:
//!
//! - `stackalloc_lazy` leaves the guard to the G's first `execute`
//!   (`make_guard`), on whichever M runs it, before anything runs on the
//!   stack;
//! - from the second group of `GROUP_STACKS` slots carved on, top pages
//!   are populated a group at a time, in one
//!   `process_madvise(MADV_POPULATE_WRITE)` (Linux 6.14; without it they
//!   fault one at a time): the first `PREPARE_AHEAD` groups of a chunk by
//!   the carver as it enters each, the others by the next M to start a
//!   fresh goroutine (`PREPARE`), asked `PREPARE_AHEAD` groups ahead of
//!   the carving (so the first chunk's group `PREPARE_AHEAD`, which its
//!   unpopulated first group would have asked for, faults page by page).
//!
//! A program that never carves more than `GROUP_STACKS` slots populates
//! nothing ahead; one that has more keeps at most
//! `(PREPARE_AHEAD + 1) * GROUP_STACKS` populated top pages that no G has
//! used yet (640 KiB with 4 KiB pages). With the global run queue's ring,
//! this took `parked` from 1.16 to 0.79 × Go's time (README).
//! The slot allocator is switched on by the first API call that starts a
//! goroutine (`enable_slots`), so that hello links none of it.

use crate::os;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// A goroutine stack: `[lo, hi)`, with a guard region below `lo` on
/// mmap'd stacks.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct Stack {
    pub lo: usize,
    pub hi: usize,
}

/// Go's `_StackGuard`: the stack guards sit this far above `stack.lo`.
pub const STACK_GUARD: usize = 928;

#[cfg(target_pointer_width = "64")]
pub const DEFAULT_STACK_SIZE: usize = 64 << 10;
#[cfg(target_pointer_width = "32")]
pub const DEFAULT_STACK_SIZE: usize = 16 << 10;

#[cfg(target_pointer_width = "64")]
pub const MAIN_STACK_SIZE: usize = 8 << 20;
#[cfg(target_pointer_width = "32")]
pub const MAIN_STACK_SIZE: usize = 1 << 20;

/// The smallest stack a goroutine may ask for: room for the context
/// switch frame and a few calls.
pub const MIN_STACK_SIZE: usize = 8 << 10;

/// The guard region below every stack (rounded up to whole pages), chosen
/// per architecture by what its compilers probe (`arch`).
pub const GUARD_SIZE: usize = crate::arch::GUARD_SIZE;

/// The largest stack frame allowed where the compiler does not probe
/// (`c_max_frame` and `rust_max_frame` in `targets/<triple>.toml` say the
/// same on aarch64 and armv7; see the module comment).
pub const MAX_FRAME: usize = GUARD_SIZE / 2;

/// Default-size stack slots per mapping.
const CHUNK_STACKS: usize = 256;

/// Slots whose top pages are populated in one call (`populate_tops`); a
/// chunk holds a whole number of groups, so that groups found by counting
/// slots carved stay inside their chunk.
const GROUP_STACKS: usize = 32;
const _: () = assert!(CHUNK_STACKS % GROUP_STACKS == 0);

/// How many groups ahead of the carving the next fresh goroutine's M
/// populates a group (module comment).
const PREPARE_AHEAD: usize = 4;

/// The first slot of a group whose top pages the next M to start a fresh
/// goroutine is to populate (0: none): set by the carver, taken by
/// `make_guard`. Only a hint: a request overwritten or never taken leaves
/// the pages to fault one at a time, and populating pages already in use
/// changes nothing in them.
static PREPARE: AtomicUsize = AtomicUsize::new(0);

/// The slot allocator (free slots, chunks, populating), reached through
/// `SLOTS_ON` once `enable_slots` has set it: every API that starts a
/// goroutine calls that, so a program that starts none (hello) links none
/// of it. A default-size stack asked for before (on 64-bit targets, the
/// g0 stacks of the Ms started until then, sysmon's among them) gets a
/// mapping of its own, laid out as a slot is (a guard, then the stack), so
/// `stackfree` may put it with the free slots.
struct SlotFns {
    /// `slot_alloc`.
    alloc: fn() -> Result<(Stack, bool), syscalls::Errno>,
    /// Populates the group `PREPARE` asks for, if any.
    take_request: fn(),
}

static SLOT_FNS: SlotFns = SlotFns {
    alloc: slot_alloc,
    take_request,
};
static SLOTS_ON: AtomicPtr<SlotFns> = AtomicPtr::new(core::ptr::null_mut());

/// The slot allocator, once enabled.
#[inline]
fn slot_fns() -> Option<&'static SlotFns> {
    // SAFETY: null or `&SLOT_FNS`, a static.
    unsafe { SLOTS_ON.load(Ordering::Relaxed).as_ref() }
}

/// `process_madvise` populates here; cleared when the kernel (or qemu-user)
/// says it has no such call or advice (`populate_tops`).
static POPULATE: AtomicBool = AtomicBool::new(true);

/// How guards are made, decided at the second guard.
const MODE_UNKNOWN: u32 = 0;
const MODE_MADVISE: u32 = 1;
const MODE_MPROTECT: u32 = 2;
static MODE: AtomicU32 = AtomicU32::new(MODE_UNKNOWN);
/// mprotect guards alive, and how many may be (set with the mode).
static GUARDED: AtomicUsize = AtomicUsize::new(0);
static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Free default-size slots and the unused end of the current chunk.
struct SlotCache {
    /// Singly linked through the first word of each free slot's stack.
    free: usize,
    next: usize,
    /// Slots left to carve at `next`, in the current chunk.
    left: usize,
    /// Slots carved from chunks so far.
    carved: usize,
}

static SLOTS: crate::lock::Mutex<SlotCache> = crate::lock::Mutex::new(crate::lock::Rank::StackSlots, SlotCache {
    free: 0,
    next: 0,
    left: 0,
    carved: 0,
});

/// Rounds a requested size to whole pages, at least `MIN_STACK_SIZE`.
pub fn round_stack_size(n: usize) -> Option<usize> {
    let page = os::linux::physpagesize();
    let n = core::cmp::max(n, MIN_STACK_SIZE);
    n.checked_add(page - 1).map(|v| v & !(page - 1))
}

/// The guard size in bytes: `GUARD_SIZE` in whole pages.
pub fn guard_size() -> usize {
    let page = os::linux::physpagesize();
    (GUARD_SIZE + page - 1) & !(page - 1)
}

/// Half of `vm.max_map_count`, less an eighth of it for other mappings.
fn mprotect_budget() -> usize {
    let mut buf = [0u8; 16];
    let n = os::read_file(b"/proc/sys/vm/max_map_count\0", &mut buf);
    let text = buf.get(..n).unwrap_or(&[]);
    // The leading digits, at most 9 (no overflow on 32-bit), parsed by the
    // GOMAXPROCS parser.
    let digits = text
        .iter()
        .take(9)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let mut max = text.get(..digits).and_then(crate::env::atoi32).unwrap_or(0) as usize;
    if max == 0 {
        max = 65530;
    }
    max.saturating_sub(core::cmp::max(max / 8, 1024)) / 2
}

/// Makes `[base, base + len)`, the bottom of a fresh slot, fault on any
/// access, unless past the mprotect budget.
fn install_guard(base: usize, len: usize) {
    let mode = MODE.load(Ordering::Acquire);
    // The first guard (mode unknown, none made yet) is made with mprotect;
    // the second decides. Racing threads may both decide; they decide the
    // same.
    let probing = mode == MODE_UNKNOWN && GUARDED.load(Ordering::Relaxed) != 0;
    if probing || mode == MODE_MADVISE {
        // SAFETY: [base, base + len) is the unused guard part of our slot.
        let advised = unsafe { os::madvise(base as *mut u8, len, os::MADV_GUARD_INSTALL) }.is_ok();
        if advised && (!probing || os::kernel_reads(base) == Err(syscalls::Errno::EFAULT)) {
            MODE.store(MODE_MADVISE, Ordering::Release);
            return;
        }
        if probing {
            BUDGET.store(mprotect_budget(), Ordering::Relaxed);
            MODE.store(MODE_MPROTECT, Ordering::Release);
        }
    }
    if GUARDED.fetch_add(1, Ordering::Relaxed) < BUDGET.load(Ordering::Relaxed) {
        // SAFETY: [base, base + len) is the unused guard part of our slot.
        if unsafe { os::mprotect(base as *mut u8, len, os::PROT_NONE) }.is_ok() {
            return;
        }
    }
    GUARDED.fetch_sub(1, Ordering::Relaxed);
}

/// A stack of `size` bytes (a multiple of the page size) with a guard
/// region below it (see the module comment for when there is none).
pub fn stackalloc(size: usize) -> Result<Stack, syscalls::Errno> {
    let (s, fresh) = stackalloc_lazy(size)?;
    if fresh {
        make_guard(s.lo);
    }
    Ok(s)
}

/// As `stackalloc`, but a fresh stack comes without its guard (true): the
/// caller makes it with `make_guard` before anything runs on the stack.
/// Default-size stacks come from the slot allocator (`slot_alloc`).
pub fn stackalloc_lazy(size: usize) -> Result<(Stack, bool), syscalls::Errno> {
    if size == DEFAULT_STACK_SIZE {
        if let Some(f) = slot_fns() {
            return (f.alloc)();
        }
    }
    let guard = guard_size();
    let slot = size.checked_add(guard).ok_or(syscalls::Errno::ENOMEM)?;
    let flags = os::MAP_NORESERVE | os::MAP_STACK;
    // SAFETY: a fresh mapping of our own.
    let base = unsafe { os::mmap_anon(slot, os::PROT_READ | os::PROT_WRITE, flags)? } as usize;
    Ok((Stack { lo: base + guard, hi: base + slot }, true))
}

/// A default-size stack from the free slots (guarded already: false) or
/// carved from a chunk (true: its guard is still to be made). Entering a
/// group (groups are aligned within their chunk) from the second one
/// carved on, the carver populates the group itself when no M was asked
/// to, and asks for the group `PREPARE_AHEAD` further on in the chunk.
fn slot_alloc() -> Result<(Stack, bool), syscalls::Errno> {
    let guard = guard_size();
    let size = DEFAULT_STACK_SIZE;
    let slot = size + guard;
    let mut c = SLOTS.lock();
    if c.free != 0 {
        let lo = c.free;
        // SAFETY: a free slot keeps the next free slot in its first word.
        c.free = unsafe { (lo as *const usize).read() };
        drop(c);
        return Ok((Stack { lo, hi: lo + size }, false));
    }
    if c.left == 0 {
        let flags = os::MAP_NORESERVE | os::MAP_STACK;
        // SAFETY: a fresh mapping of our own, carved into slots below.
        c.next =
            unsafe { os::mmap_anon(slot * CHUNK_STACKS, os::PROT_READ | os::PROT_WRITE, flags)? }
                as usize;
        c.left = CHUNK_STACKS;
    }
    let base = c.next;
    c.next += slot;
    c.left -= 1;
    c.carved += 1;
    let group = c.carved > GROUP_STACKS && (c.carved - 1) % GROUP_STACKS == 0;
    let index = (CHUNK_STACKS - 1 - c.left) / GROUP_STACKS;
    drop(c);
    if group {
        if index < PREPARE_AHEAD {
            populate_tops(base);
        }
        if index + PREPARE_AHEAD < CHUNK_STACKS / GROUP_STACKS {
            PREPARE.store(base + PREPARE_AHEAD * GROUP_STACKS * slot, Ordering::Relaxed);
        }
    }
    Ok((Stack { lo: base + guard, hi: base + slot }, true))
}

/// Makes the guard below the fresh stack that starts at `lo`, and
/// populates the group `PREPARE` asks for, if any: called as a goroutine
/// with a fresh stack first runs (`execute`), by whichever M runs it.
pub fn make_guard(lo: usize) {
    let guard = guard_size();
    install_guard(lo - guard, guard);
    if let Some(f) = slot_fns() {
        (f.take_request)();
    }
}

/// Switches the slot allocator on (`SlotFns`); called by every API that
/// starts a goroutine.
pub fn enable_slots() {
    if SLOTS_ON.load(Ordering::Relaxed).is_null() {
        // Opaque to the optimiser, which would otherwise call the
        // functions directly and link them into every program (as
        // `preempt::install`).
        let p = core::hint::black_box(&SLOT_FNS as *const SlotFns as *mut SlotFns);
        SLOTS_ON.store(p, Ordering::Relaxed);
    }
}

/// Populates the group `PREPARE` asks for, if any.
fn take_request() {
    if PREPARE.load(Ordering::Relaxed) != 0 {
        let group = PREPARE.swap(0, Ordering::Relaxed);
        if group != 0 {
            populate_tops(group);
        }
    }
}

/// Faults in the top page of each slot of the group starting at `base`
/// (a group inside a chunk), writable, in one system call.
fn populate_tops(base: usize) {
    if !POPULATE.load(Ordering::Relaxed) {
        return;
    }
    let slot = DEFAULT_STACK_SIZE + guard_size();
    let page = os::linux::physpagesize();
    let mut iov = [os::IoVec { base: 0, len: 0 }; GROUP_STACKS];
    for (i, v) in iov.iter_mut().enumerate() {
        *v = os::IoVec {
            base: base + i * slot + slot - page,
            len: page,
        };
    }
    // A kernel or emulator without it says so in one of these; others
    // (ENOMEM, EINTR) concern this call only.
    // SAFETY: each range is the top page of a slot of one of our chunks,
    // never a guard; populating changes nothing in a page already present
    // (one a goroutine may be using), and makes the others zero pages, as
    // the first write would.
    let r = unsafe { os::madvise_each(&iov, os::MADV_POPULATE_WRITE) };
    if let Err(syscalls::Errno::ENOSYS | syscalls::Errno::EBADF | syscalls::Errno::EINVAL | syscalls::Errno::EPERM) = r {
        POPULATE.store(false, Ordering::Relaxed);
    }
}

/// Gives a stack from `stackalloc` back.
///
/// # Safety
/// No one may run on the stack or keep pointers into it.
pub unsafe fn stackfree(s: Stack) {
    let guard = guard_size();
    let size = s.hi - s.lo;
    // A default-size slot keeps its guard (if it has one) for its next
    // stack.
    if size == DEFAULT_STACK_SIZE {
        let mut c = SLOTS.lock();
        // SAFETY: s is a default-size slot's stack from stackalloc, mapped
        // and writable, that no one runs on or points into (caller): its
        // first word may hold the free list's link.
        unsafe { (s.lo as *mut usize).write(c.free) };
        c.free = s.lo;
        return;
    }
    // An mprotect guard freed here is not given back to the budget (it
    // cannot be told from a stack that had none): a program that keeps
    // freeing odd-sized stacks under qemu runs out of guards sooner,
    // never out of mappings.
    let base = s.lo - guard;
    // SAFETY: [s.lo - guard, s.hi) is the whole mapping stackalloc made for
    // this odd-sized stack (its guard, then the stack), and nothing uses
    // it any more (caller).
    if unsafe { os::munmap(base as *mut u8, size + guard) }.is_err() {
        crate::panic::throw("stackfree: munmap failed");
    }
}

/// False once `sp` is below `s` (checked at every switch away: a stack
/// pointer above `hi` cannot come from running on `s`, so only the lower
/// bound is compared).
#[inline]
pub fn sp_within(s: &Stack, sp: usize) -> bool {
    sp >= s.lo
}
