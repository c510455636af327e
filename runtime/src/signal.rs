//! Signals: turning faults into Go-style reports.
//!
//! Every M has a signal stack (`gsignal`, installed with sigaltstack), so a
//! handler runs even when the faulting goroutine has no stack left. The
//! runtime handles the synchronous faults:
//!
//! - SIGSEGV in the guard region below a goroutine's stack (or with sp
//!   already below the stack, within a guard's size) is a stack overflow:
//!   `runtime: goroutine stack exceeds N-byte limit`, the sp and bounds,
//!   `fatal error: stack overflow`, exit 2;
//! - any other SIGSEGV, SIGBUS, SIGFPE or SIGILL is
//!   `fatal error: unexpected signal during runtime execution` with Go's
//!   `[signal SIGSEGV: segmentation violation code=… addr=… pc=…]` line,
//!   exit 2.
//!
//! Both name the goroutine that faulted. `exit_group` stops every thread.
//! m0's signal stack is static so that a program that never starts a
//! thread needs no mapping for it.

use crate::arch;
use crate::os::{self, linux};
use crate::runtime2::{getg, setg, Stack, G, M};
use core::ptr::addr_of_mut;

const SIGILL: i32 = 4;
const SIGBUS: i32 = 7;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;
pub const SIGPIPE: i32 = 13;
pub const SIGQUIT: i32 = 3;

/// Go's gsignal stack size.
const GSIGNAL_SIZE: usize = 32 << 10;

#[repr(C, align(16))]
struct SigStackMem([u8; GSIGNAL_SIZE]);

/// m0's signal stack.
static mut M0_GSIGNAL: SigStackMem = SigStackMem([0; GSIGNAL_SIZE]);

/// A signal stack for a new M (with a guard).
pub fn alloc_gsignal() -> Stack {
    match crate::stack::stackalloc(GSIGNAL_SIZE) {
        Ok(s) => s,
        Err(_) => crate::panic::throw("cannot allocate a signal stack"),
    }
}

/// m0's signal stack, in .bss.
pub fn m0_gsignal() -> Stack {
    let lo = addr_of_mut!(M0_GSIGNAL) as usize;
    Stack {
        lo,
        hi: lo + GSIGNAL_SIZE,
    }
}

/// Go's `minit`: per-thread signal state. Installs the M's signal stack.
///
/// # Safety
/// On the thread of `mp`, with `mp.gsignal` allocated.
pub unsafe fn minit(mp: *mut M) {
    // SAFETY: mp is this thread's M (caller), live, and its gsignal is
    // only written before the M starts.
    let gs = unsafe { (*mp).gsignal };
    if linux::minit(gs.lo, gs.hi - gs.lo).is_err() {
        crate::panic::throw("minit: sigaltstack failed");
    }
}

/// Go's `initsig`: the process-wide handlers, installed once by m0.
pub fn initsig() {
    for sig in [SIGSEGV, SIGBUS, SIGFPE, SIGILL] {
        if linux::setsig(sig, sighandler, false).is_err() {
            crate::panic::throw("initsig: rt_sigaction failed");
        }
    }
    // SIGPIPE is caught and ignored, as in Go, so that a write to a broken
    // pipe fails with EPIPE; the write path (`crate::write`, `rt_write`)
    // then ends the program by `die_from_signal` when the descriptor is 1
    // or 2. A handler rather than SIG_IGN, which children would inherit
    // across exec; installed over an inherited SIG_IGN too, as Go does.
    if linux::setsig(SIGPIPE, sigignore, true).is_err() {
        crate::panic::throw("initsig: rt_sigaction failed");
    }
    // SIGQUIT (^\ or kill -QUIT) ends the program with every goroutine
    // and what it waits for, exit 2, as in Go.
    if linux::setsig(SIGQUIT, sigquit, false).is_err() {
        crate::panic::throw("initsig: rt_sigaction failed");
    }
}

/// SIGQUIT's handler: Go's `SIGQUIT: quit` report.
///
/// # Safety
/// Nothing to uphold (unsafe only to have the type of a `setsig` handler).
unsafe extern "C" fn sigquit(_sig: i32, _info: *mut u8, _ctx: *mut u8) {
    crate::panic::fatal_report("SIGQUIT: quit")
}

/// SIGPIPE's handler: nothing to do; the write that raised it returns EPIPE.
///
/// # Safety
/// Nothing to uphold: it touches nothing (unsafe only to have the type of
/// a `setsig` handler).
unsafe extern "C" fn sigignore(_sig: i32, _info: *mut u8, _ctx: *mut u8) {}

/// Go's `dieFromSignal`: ends the process as killed by `sig`, so that the
/// parent sees the signal in the wait status (for SIGPIPE, a shell's 141).
pub fn die_from_signal(sig: i32) -> ! {
    // Failures here only mean the signal does not kill us; the exit below
    // is the answer to that.
    let _ = linux::setsig_default(sig);
    let _ = os::unblock_signal(sig);
    let _ = os::raise(sig);
    // The signal is pending for this thread and unblocked: it is delivered
    // on the way back from the system call. Should it somehow not be, give
    // it a moment, then exit with the wrong status rather than run on.
    for _ in 0..3 {
        os::sched_yield();
    }
    os::exit_group(2)
}

fn signame(sig: i32) -> (&'static str, &'static str) {
    match sig {
        SIGSEGV => ("SIGSEGV", "segmentation violation"),
        SIGBUS => ("SIGBUS", "bus error"),
        SIGFPE => ("SIGFPE", "floating-point exception"),
        SIGILL => ("SIGILL", "illegal instruction"),
        _ => ("SIG?", "signal"),
    }
}

/// Offset of `si_addr` in `siginfo_t`: after three ints, pointer-aligned.
const SI_ADDR: usize = if cfg!(target_pointer_width = "64") {
    16
} else {
    12
};
const SI_CODE: usize = 8;

/// The handler of the synchronous faults (`initsig`).
///
/// # Safety
/// Only as an SA_SIGINFO handler called by the kernel: `info` is a live
/// `siginfo_t` and `ctx` a live `ucontext_t` of this thread.
unsafe extern "C" fn sighandler(sig: i32, info: *mut u8, ctx: *mut u8) {
    // SAFETY: the kernel passed a live siginfo_t at info and ucontext_t at
    // ctx (caller); si_addr, si_code and the arch's saved pc and sp lie at
    // these offsets inside them, aligned for their types.
    let addr = unsafe { (info.add(SI_ADDR) as *const usize).read() };
    // SAFETY: as above.
    let code = unsafe { (info.add(SI_CODE) as *const i32).read() };
    // SAFETY: as above.
    let pc = unsafe { (ctx.add(arch::UC_PC) as *const usize).read() };
    // SAFETY: as above.
    let sp = unsafe { (ctx.add(arch::UC_SP) as *const usize).read() };
    let gp = if crate::proc::tls_ready() {
        getg()
    } else {
        core::ptr::null_mut()
    };
    if !gp.is_null() && sig == SIGSEGV {
        // On g0 (no stacksize) the overflow may be the M's curg's: `mcall`
        // makes g0 current just before it saves registers on the
        // goroutine's stack.
        // SAFETY: gp is this thread's G (tls_ready: the thread pointer is
        // set); Gs and Ms are never freed, so gp, its M (when not null) and
        // that M's curg (when not null) are live.
        let mp = unsafe { (*gp).m };
        // SAFETY: as above.
        let g = if unsafe { (*gp).stacksize } == 0 && !mp.is_null() {
            // SAFETY: as above.
            unsafe { (*mp).curg }
        } else {
            gp
        };
        // A fault anywhere in the guard region, or with sp already below
        // the stack (within a guard's reach of it), is an overflow.
        // SAFETY: g is null or a live G (as above).
        if !g.is_null() && unsafe { (*g).stacksize } > 0 {
            // SAFETY: as above.
            let s = unsafe { (*g).stack };
            let reach = crate::stack::guard_size();
            let below = |a: usize| a < s.lo && a >= s.lo.saturating_sub(reach);
            if below(addr) || below(sp) {
                // The report names the goroutine that overflowed.
                // SAFETY: the thread pointer is set (tls_ready) and g is gp
                // or the curg of gp's M, a G of this M (setg's contract);
                // g is the live G that overflowed (stack_overflow's).
                unsafe {
                    setg(g);
                    stack_overflow(g, sp);
                }
            }
        }
    }
    let (name, desc) = signame(sig);
    crate::panic::fatal_signal(&|l| {
        l.s("[signal ")
            .s(name)
            .s(": ")
            .s(desc)
            .kx(" code=", code as u32 as u64)
            .kx(" addr=", addr as u64)
            .kx(" pc=", pc as u64)
            .s("]");
    });
}

/// Go's stack overflow report for goroutine `gp` at stack pointer `sp`.
///
/// # Safety
/// `gp` is the live G that overflowed.
pub unsafe fn stack_overflow(gp: *mut G, sp: usize) -> ! {
    // SAFETY: gp is the live G that overflowed.
    let (size, s) = unsafe { ((*gp).stacksize, (*gp).stack) };
    crate::panic::throw_with(
        &|l| {
            l.ku("goroutine stack exceeds ", size as u64)
                .s("-byte limit");
            l.end();
            l.kx("runtime: sp=", sp as u64)
                .kx(" stack=[", s.lo as u64)
                .kx(", ", s.hi as u64)
                .s("]");
        },
        "stack overflow",
    )
}
