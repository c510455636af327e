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

use crate::arch;
use crate::chan::Hchan;
use crate::os::{self, linux};
use crate::runtime2::{getg, setg, Stack, G, M};
use core::ptr::addr_of_mut;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use syscalls::Errno;

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

/// The signals asked for on some channel (`notify`), ignored by `ignore`,
/// delivered but not yet handed to the channels, and given the runtime's
/// handler after boot.
static WANTED: AtomicU64 = AtomicU64::new(0);
static IGNORED: AtomicU64 = AtomicU64::new(0);
static PENDING: AtomicU64 = AtomicU64::new(0);
static HANDLING: AtomicU64 = AtomicU64::new(0);
/// The receiver's futex word: bumped after each `PENDING` update.
static RECV_NOTE: AtomicU32 = AtomicU32::new(0);

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

/// Where a traceback of the interrupted code starts.
///
/// # Safety
/// `ctx` is a live `ucontext_t` of this thread (the kernel's).
unsafe fn sigctx(ctx: *mut u8) -> crate::panic::SigCtx {
    let word = |off: usize| {
        // SAFETY: an aligned word of the ucontext at the kernel's offset
        // (caller).
        unsafe { (ctx.add(off) as *const usize).read() }
    };
    crate::panic::SigCtx {
        pc: word(arch::UC_PC),
        fp: word(arch::UC_FP),
        arm_fp: arch::UC_ARM_FP.map_or(0, word),
        link: word(arch::UC_LINK),
    }
}

/// A synchronous fault: stack overflow, Go's panic in user code, or a
/// fatal error inside the runtime.
///
/// # Safety
/// As `sighandler`'s.
unsafe fn fault(sig: i32, code: i32, info: *mut u8, ctx: *mut u8) -> ! {
    // SAFETY: the kernel passed a live siginfo_t at info and ucontext_t at
    // ctx (caller); si_addr and the arch's saved pc and sp lie at these
    // offsets inside them, aligned for their types.
    let addr = unsafe { (info.add(SI_ADDR) as *const usize).read() };
    // SAFETY: as above.
    let pc = unsafe { (ctx.add(arch::UC_PC) as *const usize).read() };
    // SAFETY: as above.
    let sp = unsafe { (ctx.add(arch::UC_SP) as *const usize).read() };
    // SAFETY: as above.
    let regs = unsafe { sigctx(ctx) };
    let gp = if crate::proc::tls_ready() {
        getg()
    } else {
        core::ptr::null_mut()
    };
    // In user code: the M's current G, outside every runtime call.
    let mut user = false;
    if !gp.is_null() {
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
        // SAFETY: as above.
        user = !mp.is_null()
            && unsafe { (*mp).curg } == gp
            && unsafe { (*gp).in_runtime.load(Ordering::Relaxed) } == 0
            && unsafe { (*arch::tcb()).locks } == 0;
        // A fault anywhere in the guard region, or with sp already below
        // the stack (within a guard's reach of it), is an overflow.
        // SAFETY: g is null or a live G (as above).
        if sig == SIGSEGV && !g.is_null() && unsafe { (*g).stacksize } > 0 {
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
    let name = name(sig);
    let detail = |l: &mut crate::print::Line| {
        l.s("[signal ")
            .s(name)
            .kx(" code=", code as u32 as u64)
            .kx(" addr=", addr as u64)
            .kx(" pc=", pc as u64)
            .s("]");
    };
    if !user {
        crate::panic::fatal_signal(regs, &detail)
    }
    // Go's `sigpanic`.
    const SEGV_MAPERR: i32 = 1;
    const FPE_INTDIV: i32 = 1;
    const FPE_INTOVF: i32 = 2;
    let what = match sig {
        SIGSEGV if code == SEGV_MAPERR && addr < 0x1000 => {
            Some("invalid memory address or nil pointer dereference")
        }
        SIGFPE if code == FPE_INTDIV => Some("integer divide by zero"),
        SIGFPE if code == FPE_INTOVF => Some("integer overflow"),
        SIGFPE => Some("floating point error"),
        _ => None,
    };
    match what {
        Some(w) => crate::panic::runtime_error_signal(w, regs, &detail),
        None => crate::panic::fault_signal(addr, regs, &detail),
    }
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

// ---- os/signal: delivery to channels -----------------------------------

/// A channel that asked for signals: the set, and what keeps a Rust
/// channel alive while it is registered (`release` drops it).
struct Reg {
    c: *mut Hchan,
    mask: u64,
    keep: *mut u8,
    release: Option<unsafe fn(*mut u8)>,
}

// SAFETY: the registry is only touched under its lock; the channel and the
// keep-alive are shared objects meant for any thread.
unsafe impl Send for Reg {}

static REGS: spin::Mutex<alloc::vec::Vec<Reg>> = spin::Mutex::new(alloc::vec::Vec::new());
static LOOP_STARTED: spin::Once<()> = spin::Once::new();

/// A signal a program may name: 1–64 but SIGKILL and SIGSTOP.
pub fn valid(sig: i32) -> Result<(), Errno> {
    if (1..=NSIG).contains(&sig) && sig != SIGKILL && sig != SIGSTOP {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// Recomputes `WANTED` from the registry (held) and gives the signals no
/// longer wanted back their runtime disposition.
fn rewant(regs: &[Reg]) {
    let want = regs.iter().fold(0, |m, r| m | r.mask);
    let before = WANTED.swap(want, Ordering::SeqCst);
    for sig in 1..=NSIG {
        if before & !want & bit(sig) != 0 {
            // rt_sigaction fails only for a number it does not know, and
            // these were all installed before.
            let _ = restore(sig);
        }
    }
}

/// The runtime's own disposition of `sig`: its handler, or the default.
fn restore(sig: i32) -> Result<(), Errno> {
    HANDLING.fetch_and(!bit(sig), Ordering::SeqCst);
    if installed_at_boot(sig) || (sig == SIGURG && crate::preempt::hooks().is_some()) {
        linux::setsig(sig, sighandler, true)
    } else {
        linux::setsig_default(sig)
    }
}

/// Go's `signal.Notify` for one signal: `sig` is sent, as an `i32`, on
/// channel `c` (of 4-byte elements) without blocking. `keep` and
/// `release` let a Rust channel stay alive while registered.
///
/// # Safety
/// `c` is a live channel until `stop(c)`; `release(keep)` may be called
/// once, from any thread, when it is unregistered.
pub unsafe fn notify(
    c: *mut Hchan,
    sig: i32,
    keep: *mut u8,
    release: Option<unsafe fn(*mut u8)>,
) -> Result<(), Errno> {
    valid(sig)?;
    // SAFETY: c is null or live (caller).
    if c.is_null() || unsafe { (*c).elemsize } != 4 {
        return Err(Errno::EINVAL);
    }
    LOOP_STARTED.call_once(|| {
        crate::preempt::install();
        crate::proc::newproc(
            sigloop,
            core::ptr::null_mut(),
            crate::stack::DEFAULT_STACK_SIZE,
            // The runtime's own goroutine: no `created by` line.
            0,
        );
    });
    {
        let mut regs = REGS.lock();
        match regs.iter_mut().find(|r| r.c == c) {
            Some(r) => {
                r.mask |= bit(sig);
                if let Some(f) = release {
                    // SAFETY: one keep-alive per registration: the extra
                    // one goes now (the caller's contract allows it).
                    unsafe { f(keep) };
                }
            }
            None => regs.push(Reg {
                c,
                mask: bit(sig),
                keep,
                release,
            }),
        }
        WANTED.fetch_or(bit(sig), Ordering::SeqCst);
    }
    // The handler is (re)installed for a signal `ignore` set to SIG_IGN,
    // and for one that had no runtime handler (`installed_at_boot`).
    let was_ignored = IGNORED.fetch_and(!bit(sig), Ordering::SeqCst) & bit(sig) != 0;
    let new = !installed_at_boot(sig) && HANDLING.fetch_or(bit(sig), Ordering::SeqCst) & bit(sig) == 0;
    if was_ignored || new {
        linux::setsig(sig, sighandler, true)?;
    }
    Ok(())
}

/// Go's `signal.Stop`: no more signals on `c`. When it returns, none is
/// being sent to it either (delivery holds the registry's lock).
pub fn stop(c: *mut Hchan) {
    let gone = {
        let mut regs = REGS.lock();
        let gone = regs
            .iter()
            .position(|r| r.c == c)
            .map(|i| regs.swap_remove(i));
        rewant(&regs);
        gone
    };
    if let Some(Reg {
        keep,
        release: Some(f),
        ..
    }) = gone
    {
        // SAFETY: the registration's keep-alive, released once (notify's
        // contract).
        unsafe { f(keep) };
    }
}

/// Go's `signal.Ignore`: `sig` is asked for by no channel and discarded.
pub fn ignore(sig: i32) -> Result<(), Errno> {
    valid(sig)?;
    if flags(sig) & NOTIFY == 0 {
        // Go ignores only the signals a program may ask for.
        return Ok(());
    }
    forget(sig);
    IGNORED.fetch_or(bit(sig), Ordering::SeqCst);
    linux::setsig_ignore(sig)
}

/// Go's `signal.Reset`: `sig` is asked for by no channel and does what it
/// does by default (the table above).
pub fn reset(sig: i32) -> Result<(), Errno> {
    valid(sig)?;
    // A signal asked for gets its disposition back as the last channel
    // lets go of it (`forget`); one `ignore` set to SIG_IGN, here.
    forget(sig);
    if IGNORED.fetch_and(!bit(sig), Ordering::SeqCst) & bit(sig) != 0 {
        restore(sig)?;
    }
    Ok(())
}

/// Takes `sig` out of every registration.
fn forget(sig: i32) {
    let mut regs = REGS.lock();
    for r in regs.iter_mut() {
        r.mask &= !bit(sig);
    }
    rewant(&regs);
}

/// The receiving goroutine (Go's `signal.loop` over `signal_recv`): waits
/// in a blocking system call (its P handed off) until a handler records a
/// signal, then sends each one on the channels that asked.
///
/// # Safety
/// Only as a goroutine's function (`newproc`).
unsafe extern "C" fn sigloop(_: *mut u8) {
    // Runtime code throughout (its locks, its channel sends).
    let _rt = crate::preempt::enter();
    loop {
        // Pairs with the handler's fetch_or then fetch_add (SeqCst): a
        // signal recorded after our swap bumps RECV_NOTE after our load,
        // so the futex wait below returns at once.
        let seen = RECV_NOTE.load(Ordering::SeqCst);
        let bits = PENDING.swap(0, Ordering::SeqCst);
        if bits == 0 {
            const FUTEX_WAIT_PRIVATE: usize = 128;
            // Woken, EAGAIN (RECV_NOTE moved) or EINTR: the loop looks
            // again either way, so the result needs no check. The P is
            // handed off for the wait (entersyscallblock).
            // SAFETY: futex wait on a static word, no timeout.
            unsafe {
                crate::sched::syscall6_blocking(
                    syscalls::Sysno::futex as usize,
                    [
                        RECV_NOTE.as_ptr() as usize,
                        FUTEX_WAIT_PRIVATE,
                        seen as usize,
                        0,
                        0,
                        0,
                    ],
                )
            };
            continue;
        }
        let regs = REGS.lock();
        for sig in 1..=NSIG {
            if bits & bit(sig) == 0 {
                continue;
            }
            for r in regs.iter().filter(|r| r.mask & bit(sig) != 0) {
                // SAFETY: registered channels are live until `stop`, which
                // waits for this lock; 4-byte elements (checked by notify).
                unsafe { crate::chan::chansend(r.c, &sig as *const i32 as *const u8, false) };
            }
        }
    }
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
