//! Goroutine stacks: page-granular mmap'd regions with a guard page below.
//!
//! Rust code cannot have its stack moved (it holds raw addresses into it),
//! so Go's growable, copied 2 KiB stacks are not an option. A goroutine
//! gets a fixed-size stack reserved with MAP_NORESERVE: only the pages it
//! touches cost memory, so a 64 KiB stack that never goes deeper than a few
//! frames costs one or two pages of RSS.
//!
//! Default sizes: 64 KiB on 64-bit targets, 16 KiB on armv7, where 100,000
//! goroutines must fit in a 32-bit address space (100,000 × 20 KiB with the
//! guard page = 2 GB). The main goroutine gets `MAIN_STACK_SIZE`, like a
//! thread's main stack. `rt_go_stack` asks for any other size.
//!
//! # Guard pages and the kernel's mapping limit
//!
//! A PROT_NONE page below each stack turns running off the end into a
//! fault, which the signal handler reports as Go's `stack overflow`. But
//! each guard splits the mapping: two kernel VMAs per stack, and Linux
//! allows 65,530 per process by default, so guards for 100,000 goroutines
//! cannot exist. The first `GUARD_BUDGET` stacks get a real guard page;
//! past that, each time a goroutine leaves the CPU (`mcall`) its stack
//! pointer is checked against the stack's bounds, so an overflow that is
//! still under way when the goroutine next blocks or yields is reported as
//! `stack overflow`; one that dips below and comes back between two
//! switches is not seen. (A canary word at the bottom would see more, but
//! would cost a resident page per goroutine.)
//!
//! Default-size stacks are carved from chunks of `CHUNK_STACKS` slots (one
//! mmap each) and recycled with their G (`gfget`/`gfput`), so a warm spawn
//! makes no system call and a cold one rarely does.

use crate::os;
use crate::runtime2::Stack;
use core::sync::atomic::{AtomicUsize, Ordering};

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

/// Stacks that get a PROT_NONE guard page (see the module comment).
pub const GUARD_BUDGET: usize = 16384;
/// Default-size stack slots per mapping.
const CHUNK_STACKS: usize = 32;

static GUARDED: AtomicUsize = AtomicUsize::new(0);

/// Free default-size slots and the unused end of the current chunk.
struct SlotCache {
    /// Singly linked through the first word of each free slot's stack.
    free: usize,
    next: usize,
    end: usize,
}

static SLOTS: crate::lock::Mutex<SlotCache> = crate::lock::Mutex::new(SlotCache {
    free: 0,
    next: 0,
    end: 0,
});

/// Rounds a requested size to whole pages, at least `MIN_STACK_SIZE`.
pub fn round_stack_size(n: usize) -> Option<usize> {
    let page = crate::proc::physpagesize();
    let n = core::cmp::max(n, MIN_STACK_SIZE);
    n.checked_add(page - 1).map(|v| v & !(page - 1))
}

/// Makes the page below `lo` a guard, within the budget.
fn finish(lo: usize, size: usize) -> Stack {
    let guard = crate::proc::physpagesize();
    if GUARDED.fetch_add(1, Ordering::Relaxed) < GUARD_BUDGET {
        // SAFETY: the page below lo belongs to this stack's slot.
        if unsafe { os::mprotect((lo - guard) as *mut u8, guard, os::PROT_NONE) }.is_err() {
            GUARDED.fetch_sub(1, Ordering::Relaxed);
        }
    } else {
        GUARDED.fetch_sub(1, Ordering::Relaxed);
    }
    Stack { lo, hi: lo + size }
}

/// A stack of `size` bytes (a multiple of the page size) with a guard page
/// below it while the budget lasts.
pub fn stackalloc(size: usize) -> Result<Stack, syscalls::Errno> {
    let guard = crate::proc::physpagesize();
    let slot = size.checked_add(guard).ok_or(syscalls::Errno::ENOMEM)?;
    let flags = os::MAP_NORESERVE | os::MAP_STACK;
    if size != DEFAULT_STACK_SIZE {
        // SAFETY: a fresh mapping of our own.
        let base = unsafe { os::mmap_anon(slot, os::PROT_READ | os::PROT_WRITE, flags)? } as usize;
        return Ok(finish(base + guard, size));
    }
    let mut c = SLOTS.lock();
    if c.free != 0 {
        let base = c.free;
        // SAFETY: free slots keep the next free slot in their first stack word.
        c.free = unsafe { ((base + guard) as *const usize).read() };
        drop(c);
        return Ok(finish(base + guard, size));
    }
    if c.next == c.end {
        // SAFETY: a fresh mapping of our own, carved into slots below.
        let base =
            unsafe { os::mmap_anon(slot * CHUNK_STACKS, os::PROT_READ | os::PROT_WRITE, flags)? }
                as usize;
        c.next = base;
        c.end = base + slot * CHUNK_STACKS;
    }
    let base = c.next;
    c.next += slot;
    drop(c);
    Ok(finish(base + guard, size))
}

/// Gives a stack from `stackalloc` back.
///
/// # Safety
/// No one may run on the stack or keep pointers into it.
pub unsafe fn stackfree(s: Stack) {
    let guard = crate::proc::physpagesize();
    let base = s.lo - guard;
    let size = s.hi - s.lo;
    // A default-size slot keeps its guard page (if it has one) for its
    // next stack.
    if size == DEFAULT_STACK_SIZE {
        let mut c = SLOTS.lock();
        (s.lo as *mut usize).write(c.free);
        c.free = base;
    } else if os::munmap(base as *mut u8, size + guard).is_err() {
        crate::panic::throw("stackfree: munmap failed");
    }
}

/// True while `sp` is inside `s` (checked at every switch away).
#[inline]
pub fn sp_within(s: &Stack, sp: usize) -> bool {
    sp >= s.lo
}
