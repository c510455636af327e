//! Per-architecture glue: the only home of assembly in the runtime, and the
//! only module that knows which architecture it is built for. It imports
//! nothing from the rest of the runtime (level 1 of the layers in
//! `lib.rs`): the G is a word here (`load_g`/`store_g`), typed by
//! `runtime2::getg`.
//!
//! Each architecture file provides the same items in the same order:
//!
//! 1. the entry point `_start`, from `rt0/<triple>.s` (not in host tests,
//!    where the C library owns `_start`);
//! 2. the thread control block layout, `set_thread_pointer`, `tcb`,
//!    `load_g`, `store_g`;
//! 3. the context switch: `gogo` (resume a saved `Context`) and
//!    `mcall_switch` (save the current one and call a function on another
//!    stack);
//! 4. `prepare_frame`: the initial frame of a new goroutine's stack, laid
//!    out so that `gogo` "returns" into the goroutine's entry function;
//! 5. `current_sp`;
//! 6. threads and signals: `clone` (a new thread calling a function on its
//!    own stack with its own thread pointer), the signal return trampoline,
//!    and where the kernel's `ucontext` keeps pc and sp;
//! 7. constants the layers above need: the stack guard size (`stack`), the
//!    vDSO clock's symbol (`os`), and the CPU check at boot (`checkgoarm`).
//!
//! No M ever ends here (an idle one parks, as Go's do unless locked to a
//! goroutine), so there is no `mexit`/`exitThread`; they come with
//! LockOSThread.
//!
//! A saved `Context` is only a stack pointer: `mcall_switch` pushes exactly the
//! registers the ABI makes callee-saved (and the return address) onto the
//! stack it leaves, and `gogo` pops them. Caller-saved registers are already
//! dead at the call, so nothing else needs saving.
//!
//! The thread pointer points at the running M's `Tcb`, the first field of
//! `M`. The current G lives in one word of it, so `load_g()` is two
//! instructions on every thread.

#[cfg(target_arch = "aarch64")]
#[path = "aarch64.rs"]
mod imp;
#[cfg(target_arch = "arm")]
#[path = "arm.rs"]
mod imp;
#[cfg(target_arch = "riscv64")]
#[path = "riscv64.rs"]
mod imp;
#[cfg(target_arch = "x86_64")]
#[path = "x86_64.rs"]
mod imp;

pub use imp::*;

use core::sync::atomic::{AtomicBool, Ordering};

// The assembly routines each architecture file defines, with one Rust
// signature for all.
extern "C" {
    /// Resumes the context saved at `sp` by `mcall_switch` or
    /// `prepare_frame`: pops the callee-saved registers and returns into it.
    #[link_name = "rt_gogo"]
    pub fn gogo(sp: usize) -> !;
    /// Saves the current context in `*save` and calls `f(arg)` on the stack
    /// `new_sp` (16-byte aligned; 8 on armv7). `f` must not return; the
    /// call returns when someone `gogo`s the saved context.
    #[link_name = "rt_mcall_switch"]
    pub fn mcall_switch(
        save: *mut Context,
        new_sp: usize,
        f: unsafe extern "C" fn(*mut u8),
        arg: *mut u8,
    );
    /// Starts a thread (raw `clone`) on `stack` with thread pointer `tls`,
    /// calling `f(arg)`, which must not return; returns the child's tid or
    /// -errno.
    #[link_name = "rt_clone"]
    pub fn clone(
        flags: usize,
        stack: usize,
        tls: usize,
        f: unsafe extern "C" fn(*mut u8) -> !,
        arg: *mut u8,
    ) -> isize;
    /// The signal return trampoline (`SA_RESTORER`).
    #[link_name = "rt_sigreturn_tramp"]
    pub fn sigreturn_tramp();
    /// Returns into the signal frame at `frame` (a copy of one the kernel
    /// built, see `SIGFRAME_UC`) through `rt_sigreturn`: every register,
    /// integer, floating point and vector, as the frame holds them.
    #[link_name = "rt_sigreturn_to"]
    pub fn sigreturn_to(frame: usize) -> !;
    /// Go's `exitThread`: stores 0 to `*wait` with release ordering, then
    /// ends the calling thread (`exit`, not `exit_group`) without touching
    /// its stack after the store, so that whoever sees the 0 may reuse the
    /// stack at once. The caller has blocked signals and left its signal
    /// stack.
    #[link_name = "rt_exit_thread"]
    pub fn exit_thread(wait: *mut u32) -> !;
}

// SAFETY: `rt_caller_fp` reads a register and returns, touching nothing.
unsafe extern "C" {
    /// The frame pointer of the function that calls it, as `current_fp`
    /// reads it, but never before that function's prologue has set it:
    /// the compiler may sink a prologue past a plain register read, never
    /// past a call. Only a function that keeps a frame record (one that
    /// calls another) has one there.
    #[link_name = "rt_caller_fp"]
    pub safe fn caller_fp() -> usize;
}

/// A saved goroutine context (Go's `gobuf`): the stack pointer at which
/// `mcall_switch` left the callee-saved registers and the resume address.
/// `G::sched` embeds it; `mcall_switch` stores `sp`, the first word.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct Context {
    pub sp: usize,
}

/// The thread control block: two words at the thread pointer, then one
/// for the layers above.
///
/// x86_64 (TLS variant II) requires the first word to hold its own address,
/// so the G goes in the second; on arm and aarch64 (variant I) the G is the
/// first word. `G_SLOT` gives the index. `held` belongs to `lock`: the
/// record of the locks this thread holds (checked in debug builds);
/// `locks` counts them in every build (Go's `m.locks`), so that a
/// preemption signal never stops a thread inside one.
#[repr(C)]
pub struct Tcb {
    pub words: [usize; 2],
    pub held: usize,
    pub locks: usize,
}

impl Tcb {
    pub const fn new() -> Tcb {
        Tcb {
            words: [0; 2],
            held: 0,
            locks: 0,
        }
    }
}

static TLS_READY: AtomicBool = AtomicBool::new(false);

/// True once m0's thread pointer is set (every later thread starts with
/// its own): `tcb()` and `load_g()` may be called.
pub fn tls_ready() -> bool {
    TLS_READY.load(Ordering::Acquire)
}

/// Records that m0's thread pointer is set (`rt0_go`, once).
pub fn set_tls_ready() {
    TLS_READY.store(true, Ordering::Release)
}

/// The kernel's `struct sigaction` where it has a `sa_restorer` field
/// (arm, aarch64, x86_64): handler, flags, restorer, 64-bit mask. Each
/// architecture file names its own layout `KernelSigaction`.
#[repr(C)]
pub struct SigactionWithRestorer {
    handler: usize,
    flags: usize,
    restorer: usize,
    mask: u64,
}

impl SigactionWithRestorer {
    pub fn new(handler: usize, flags: usize, restorer: usize, mask: u64) -> SigactionWithRestorer {
        SigactionWithRestorer {
            handler,
            flags,
            restorer,
            mask,
        }
    }
}

/// Moves, in a signal frame copied `delta` bytes away (wrapping) from
/// `[lo, hi)`, the one pointer into the frame that an extension record
/// holds (aarch64's `extra_context`, riscv64's vector state): the records
/// are {magic u32, size u32, …} from `first`, within `limit` bytes, ended
/// by magic 0; the record with `magic` has the pointer `ptr_at` bytes in.
/// Only records that lie inside the copy (which ends at `hi + delta`) are
/// read: qemu-user's frames are shorter than the kernel's.
///
/// # Safety
/// `first` is inside a writable copy ending at `hi + delta`.
pub unsafe fn relocate_record(
    first: *mut u8,
    limit: usize,
    magic: u32,
    ptr_at: usize,
    (lo, hi, delta): (usize, usize, usize),
) {
    let end = hi.wrapping_add(delta);
    let mut off = 0;
    while off + ptr_at + 8 <= limit && first as usize + off + ptr_at + 8 <= end {
        // SAFETY: the record's header and pointer word lie inside the copy
        // (loop bound, caller); records are aligned for u32 and usize.
        unsafe {
            let rec = first.add(off);
            let (m, size) = ((rec as *const u32).read(), (rec as *const u32).add(1).read());
            if m == 0 || size < 8 {
                return;
            }
            if m == magic {
                let p = rec.add(ptr_at) as *mut usize;
                if (lo..hi).contains(&*p) {
                    *p = (*p).wrapping_add(delta);
                }
            }
            off += size as usize;
        }
    }
}

/// `SA_RESTORER` where it exists: the handler returns through `restorer`.
pub const SA_RESTORER_FLAG: usize = 0x0400_0000;
