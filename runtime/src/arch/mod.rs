//! Per-architecture glue: the only home of assembly in the runtime.
//!
//! Each architecture file provides the same items in the same order:
//!
//! 1. the entry point `_start`, from `rt0/<triple>.s` (not in host tests,
//!    where the C library owns `_start`);
//! 2. the thread control block layout, `set_thread_pointer`, `getg`, `setg`;
//! 3. the context switch: `gogo` (resume a saved stack) and `mcall_switch`
//!    (save the current stack and call a function on another);
//! 4. `prepare_frame`: the initial frame of a new goroutine's stack, laid
//!    out so that `gogo` "returns" into the goroutine's entry function;
//! 5. `current_sp`;
//! 6. threads and signals: `clone` (a new thread calling a function on its
//!    own stack with its own thread pointer), the signal return trampoline,
//!    and where the kernel's `ucontext` keeps pc and sp.
//!
//! No M ever ends here (an idle one parks, as Go's do unless locked to a
//! goroutine), so there is no `mexit`/`exitThread`; they come with
//! LockOSThread.
//!
//! A saved context is only a stack pointer: `mcall_switch` pushes exactly the
//! registers the ABI makes callee-saved (and the return address) onto the
//! stack it leaves, and `gogo` pops them. Caller-saved registers are already
//! dead at the call, so nothing else needs saving.
//!
//! The thread pointer points at the running M's `Tcb`, the first field of
//! `M`. The current G lives in one word of it, so `getg()` is two
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
        save: *mut usize,
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
}

/// The thread control block: two words at the thread pointer.
///
/// x86_64 (TLS variant II) requires the first word to hold its own address,
/// so the G goes in the second; on arm and aarch64 (variant I) the G is the
/// first word. `G_SLOT` gives the index.
#[repr(C)]
pub struct Tcb {
    pub words: [usize; 2],
}

impl Tcb {
    pub const fn new() -> Tcb {
        Tcb { words: [0; 2] }
    }
}
