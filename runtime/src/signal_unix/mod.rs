//! Signals, as Go's `signal_unix.go` and the `os/signal` package document
//! them.
//!
//! Every M has a signal stack (`gsignal`, installed with sigaltstack), so a
//! handler runs even when the faulting goroutine has no stack left. What
//! each signal does is Go's table (`SIGTABLE`, Go's `sigtable`):
//!
//! - SIGHUP, SIGINT, SIGTERM end the program, killed by that signal (Go's
//!   `dieFromSignal`). SIGHUP and SIGINT are left at their inherited
//!   disposition until the program asks for them, so an inherited SIG_IGN
//!   (`nohup`, a shell's background job) stays, as in Go; SIGTERM gets the
//!   runtime's handler at boot.
//! - SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGSTKFLT, SIGSYS end it with Go's
//!   report: `SIGQUIT: quit`, `PC=… m=… sigcode=…`, every goroutine,
//!   exit 2.
//! - Synchronous SIGSEGV, SIGBUS, SIGFPE become Go's panics in user code
//!   (`panic: runtime error: invalid memory address or nil pointer
//!   dereference`, `integer divide by zero`; `unexpected fault address` +
//!   `fatal error: fault` for other addresses) and `fatal error:
//!   unexpected signal during runtime execution` inside the runtime; each
//!   with Go's `[signal SIGSEGV: segmentation violation code=… addr=…
//!   pc=…]` line, exit 2. A fault in a guard region is `fatal error: stack
//!   overflow`. Sent from outside (`kill -SEGV`), they are reports as
//!   SIGQUIT's.
//! - SIGPIPE: a write to a broken pipe fails with EPIPE; on fd 1 and 2 the
//!   write path then ends the program by SIGPIPE (Go's rule).
//! - Everything else whose default would kill (SIGUSR1, SIGUSR2, SIGALRM,
//!   SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGXCPU, SIGXFSZ, the real-time
//!   signals) is caught and ignored; those whose default is to do nothing
//!   or stop the process (SIGCHLD, SIGWINCH, SIGURG, SIGCONT, SIGTSTP,
//!   SIGTTIN, SIGTTOU) keep it.
//!
//! A program can ask for any of them on channels (`notify`, Go's
//! `signal.Notify`): the handler records the signal in `PENDING` and wakes
//! the receiving goroutine (Go's `signal_recv` loop), which sends it on
//! each channel that asked, without blocking (a full channel drops it).
//! No user code runs in a handler. `ignore` and `reset` are Go's
//! `signal.Ignore` and `signal.Reset`.
//!
//! m0's signal stack is static so that a program that never starts a
//! thread needs no mapping for it. `exit_group` stops every thread.
//!
//! This file holds the table, the signal stacks, the handlers' set-up
//! (`minit`, `initsig`) and the handler itself with its dispatch. The
//! others: `fault.rs` the synchronous faults and Go's reports of them
//! (`sigpanic`, `unexpected signal`, stack overflow); `sigqueue.rs` Go's
//! `sigqueue.go` and `os/signal`: what the handler records, the channels
//! that asked, and the goroutine that sends on them.

mod fault;
mod sigqueue;

pub use self::fault::stack_overflow;
pub use self::sigqueue::{ignore, notify, reset, stop, valid};

use self::fault::{fault, sigctx};
use self::sigqueue::{IGNORED, PENDING, RECV_NOTE, WANTED};
use crate::os::{self, linux};
use crate::runtime2::{getg, Stack, M};
use core::ptr::addr_of_mut;
use core::sync::atomic::Ordering;

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
const SIGFPE: i32 = 8;
const SIGKILL: i32 = 9;
const SIGSEGV: i32 = 11;
pub const SIGPIPE: i32 = 13;
pub const SIGTERM: i32 = 15;
const SIGSTOP: i32 = 19;
const SIGURG: i32 = 23;
/// The highest signal number.
pub const NSIG: i32 = 64;

// Go's `_Sig*` flags.
/// A program may ask for it (`notify`).
const NOTIFY: u8 = 1;
/// Not asked for: end the program by it.
const KILL: u8 = 2;
/// Not asked for: Go's report and exit 2.
const THROW: u8 = 4;
/// Synchronous: a panic or fatal error.
const PANIC: u8 = 8;
/// Left at its default until asked for (its default does no harm).
const DEFAULT: u8 = 16;

/// Go's `sigtable` for Linux, by signal number (1–31; above, NOTIFY):
/// HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM
/// STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO
/// PWR SYS. The names, which only reports print, are in `name`.
const SIGTABLE: [u8; 32] = [
    0,
    NOTIFY | KILL | DEFAULT,
    NOTIFY | KILL | DEFAULT,
    NOTIFY | THROW,
    THROW,
    THROW,
    NOTIFY | THROW,
    PANIC,
    PANIC,
    0,
    NOTIFY,
    PANIC,
    NOTIFY,
    NOTIFY,
    NOTIFY,
    NOTIFY | KILL,
    THROW,
    NOTIFY | DEFAULT,
    NOTIFY | DEFAULT,
    0,
    NOTIFY | DEFAULT,
    NOTIFY | DEFAULT,
    NOTIFY | DEFAULT,
    NOTIFY | DEFAULT,
    NOTIFY,
    NOTIFY,
    NOTIFY,
    NOTIFY,
    NOTIFY | DEFAULT,
    NOTIFY,
    NOTIFY,
    THROW,
];

/// Go's name line of the signals a report names (THROW and PANIC ones).
fn name(sig: i32) -> &'static str {
    match sig {
        3 => "SIGQUIT: quit",
        4 => "SIGILL: illegal instruction",
        5 => "SIGTRAP: trace trap",
        6 => "SIGABRT: abort",
        7 => "SIGBUS: bus error",
        8 => "SIGFPE: floating-point exception",
        11 => "SIGSEGV: segmentation violation",
        16 => "SIGSTKFLT: stack fault",
        31 => "SIGSYS: bad system call",
        _ => "signal",
    }
}

fn flags(sig: i32) -> u8 {
    match sig {
        1..=31 => SIGTABLE[sig as usize],
        32..=NSIG => NOTIFY,
        _ => 0,
    }
}

fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

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
    // A thread of ours starts with every signal blocked (`newosproc`);
    // m0's mask is the parent process's, left as inherited, as in Go.
    if !core::ptr::eq(mp, crate::proc::m0()) && linux::minit_signal_mask().is_err() {
        crate::panic::throw("minit: rt_sigprocmask failed");
    }
}

/// The signals the runtime's handler owns from boot (`initsig`): those
/// whose default action would kill the process where Go's does not, or
/// would not report. Others get it when a program asks for them.
fn installed_at_boot(sig: i32) -> bool {
    let f = flags(sig);
    sig != SIGKILL && sig != SIGSTOP && f & DEFAULT == 0 && (f & (NOTIFY | THROW | PANIC) != 0)
}

/// Go's `initsig`: the process-wide handlers, installed once by m0. Every
/// handled signal restarts interrupted system calls.
pub fn initsig() {
    for sig in 1..=NSIG {
        if !installed_at_boot(sig) {
            continue;
        }
        // The real-time signals are ours only if the kernel (or qemu-user,
        // which keeps a few for itself) lets us have them.
        if linux::setsig(sig, sighandler, true).is_err() && sig < 32 {
            crate::panic::throw("initsig: rt_sigaction failed");
        }
    }
}

/// Go's `sigFromUser`: sent by `kill`/`tgkill`, not raised by a fault.
fn from_user(code: i32) -> bool {
    const SI_USER: i32 = 0;
    const SI_TKILL: i32 = -6;
    code == SI_USER || code == SI_TKILL
}

/// The handler of every signal the runtime owns (Go's `sighandler`).
///
/// # Safety
/// Only as an SA_SIGINFO handler called by the kernel: `info` is a live
/// `siginfo_t` and `ctx` a live `ucontext_t` of this thread.
pub unsafe extern "C" fn sighandler(sig: i32, info: *mut u8, ctx: *mut u8) {
    // SAFETY: the kernel passed a live siginfo_t (caller); si_code is an
    // aligned int at this offset.
    let code = unsafe { (info.add(SI_CODE) as *const i32).read() };
    if sig == SIGURG {
        // SAFETY: the kernel's info and ctx (caller).
        unsafe { crate::preempt::on_sigurg(info, ctx) };
    }
    let f = flags(sig);
    if f & PANIC != 0 && !from_user(code) {
        // SAFETY: as above.
        unsafe { fault(sig, code, info, ctx) }
    }
    if (f & NOTIFY != 0 || from_user(code)) && WANTED.load(Ordering::SeqCst) & bit(sig) != 0 {
        // Go's `sigsend`: the two SeqCst updates pair with the receiver's
        // load of RECV_NOTE then swap of PENDING (see `sigloop`).
        PENDING.fetch_or(bit(sig), Ordering::SeqCst);
        RECV_NOTE.fetch_add(1, Ordering::SeqCst);
        let _ = os::futex_wake(&RECV_NOTE, 1);
        return;
    }
    if IGNORED.load(Ordering::Relaxed) & bit(sig) != 0 {
        return;
    }
    if f & KILL != 0 {
        die_from_signal(sig)
    }
    if f & (THROW | PANIC) != 0 {
        // SAFETY: the kernel's ctx (caller).
        let regs = unsafe { sigctx(ctx) };
        let mut mid = -1;
        if crate::proc::tls_ready() {
            // SAFETY: with the thread pointer set, getg() is this thread's
            // live G, bound to a live M (never freed).
            mid = unsafe { (*(*getg()).m).id };
        }
        crate::panic::signal_report(name(sig), regs, &|l| {
            l.kx("PC=", regs.pc as u64)
                .ki(" m=", mid)
                // Go's sigcode(): si_code as an unsigned machine word
                // (SI_TKILL, -6, is 18446744073709551610 on 64-bit).
                .ku(" sigcode=", code as isize as usize as u64);
        })
    }
    // Caught and ignored (Go's handler returns for the others).
}

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

/// Offset of `si_addr` in `siginfo_t`: after three ints, pointer-aligned.
const SI_ADDR: usize = if cfg!(target_pointer_width = "64") {
    16
} else {
    12
};
const SI_CODE: usize = 8;
