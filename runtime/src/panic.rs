//! Panics and fatal errors, reported as Go reports them.
//!
//! - `throw(msg)`: a broken runtime invariant or an unrecoverable condition:
//!   `fatal error: <msg>`, then the goroutine that was running, exit 2.
//!   `throw_with` first prints `runtime: …` diagnostic lines, as Go does
//!   before a throw.
//! - `fatal_with_goroutines(msg)`: `fatal error: <msg>` and every live
//!   goroutine with its state (the deadlock report).
//! - `gopanic(msg)`: an unrecovered panic: `panic: <msg>`, a blank line,
//!   `goroutine <id> [running]:`, exit 2. A Rust `panic!` anywhere in the
//!   process and the C API's `rt_panic` both end here.
//!
//! Each goroutine a report shows comes with its frames (`traceback`,
//! through `Hooks`), at the `GOTRACEBACK` level read at boot
//! (`set_traceback`): `none` shows no goroutine, `single` the failing one,
//! `all` and above every one; `crash` then dies by SIGABRT instead of
//! exiting 2. Reports that list every goroutine (deadlock, SIGQUIT) do so
//! at `single` too.
//!
//! The runtime never unwinds (it is built with panic=abort), so nothing is
//! recovered: the process ends, every thread with it (`exit_group`). Only
//! the first failure is reported; a failure while reporting one (another
//! thread, or a fault inside the report) prints `panic during panic` and
//! exits with 4, as Go's nested-failure path does.

use crate::os;
use crate::print::Line;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU8, Ordering};

static PANICKING: AtomicU32 = AtomicU32::new(0);

/// What a report needs from the scheduler, which sits above this module:
/// `proc` registers its hooks at boot (`set_hooks`), as soon as `getg()`
/// works. Before that, reports name no goroutine.
pub struct Hooks {
    /// Prints the goroutines a report shows (`traceback::tracebacks`);
    /// true if it printed any frame.
    pub tracebacks: fn(&Trace) -> bool,
}

/// What a report asks the traceback hook to print.
pub struct Trace<'a> {
    /// Every live goroutine, not only the running one.
    pub all: bool,
    /// A report from a signal handler: where the running goroutine's
    /// frames start.
    pub ctx: Option<SigCtx>,
    /// armv7: the ARM-state frame pointer (r11) where the report began
    /// (`arch::current_arm_fp`), 0 if unknown.
    pub arm_fp: usize,
    /// Printed after the running goroutine's header (a Rust panic's
    /// location).
    pub location: Option<(&'a str, u32)>,
}

/// The registers of an interrupted context that a traceback starts from.
#[derive(Clone, Copy)]
pub struct SigCtx {
    pub pc: usize,
    pub fp: usize,
    /// armv7's second frame pointer (`arch::UC_ARM_FP`), else 0.
    pub arm_fp: usize,
    /// `arch::UC_LINK`: the link register (where an interrupted leaf
    /// function returns to), or on x86_64 the sp, whose word that is.
    pub link: usize,
}

pub use crate::env::Traceback;

/// The `GOTRACEBACK` level (`set_traceback`, at boot).
static LEVEL: AtomicU8 = AtomicU8::new(Traceback::Single as u8);

/// Sets the `GOTRACEBACK` level.
pub fn set_traceback(t: Traceback) {
    LEVEL.store(t as u8, Ordering::Relaxed);
}

fn level() -> Traceback {
    const LEVELS: [Traceback; 5] = [
        Traceback::None,
        Traceback::Single,
        Traceback::All,
        Traceback::System,
        Traceback::Crash,
    ];
    LEVELS[(LEVEL.load(Ordering::Relaxed) as usize).min(4)]
}

static HOOKS: AtomicPtr<Hooks> = AtomicPtr::new(core::ptr::null_mut());

/// Registers the scheduler's hooks (once, during boot).
pub fn set_hooks(h: &'static Hooks) {
    HOOKS.store(h as *const Hooks as *mut Hooks, Ordering::Release);
}

fn hooks() -> Option<&'static Hooks> {
    // SAFETY: null or the `&'static Hooks` stored by `set_hooks`.
    unsafe { HOOKS.load(Ordering::Acquire).as_ref() }
}

/// Claims the right to report; a second failure is cut short.
fn start_dying() {
    if PANICKING.fetch_add(1, Ordering::AcqRel) != 0 {
        let _ = os::write_all(2, b"panic during panic\n");
        os::exit_group(4);
    }
}

/// The goroutines at the `GOTRACEBACK` level (the running one, every one
/// with `all` or at level `all` and above, none at `none`), the line that
/// says how to name their frames, then exit 2 (at `crash`, death by
/// SIGABRT). `runtime`: a runtime failure, whose runtime frames matter.
fn finish(location: Option<(&str, u32)>, ctx: Option<SigCtx>, runtime: bool, all: bool) -> ! {
    finish_with(location, ctx, 0, runtime, all)
}

/// `finish`, from a Rust panic handler entered with ARM-state frame
/// pointer `arm_fp` (armv7).
fn finish_with(location: Option<(&str, u32)>, ctx: Option<SigCtx>, arm_fp: usize, runtime: bool, all: bool) -> ! {
    let lv = level();
    if lv > Traceback::None {
        if let Some(h) = hooks() {
            let t = Trace {
                all: all || lv >= Traceback::All,
                ctx,
                arm_fp,
                location,
            };
            if (h.tracebacks)(&t) {
                // Go shows runtime frames for runtime failures; symbolize
                // hides them otherwise, as Go's levels below `system` do.
                let shown = if runtime || lv >= Traceback::System { "shown" } else { "hidden" };
                Line::stderr()
                    .s("\n[frames as addresses: `cargo xtask symbolize EXE < report` names them; runtime frames ")
                    .s(shown)
                    .s("]")
                    .end();
            }
        }
    }
    if lv == Traceback::Crash {
        crash()
    }
    os::exit_group(2)
}

/// GOTRACEBACK=crash: die by SIGABRT at its default action (a core dump,
/// where the system keeps them), as Go's `crash` does. The signal, pending
/// and unblocked, is delivered on the way back from `raise`.
fn crash() -> ! {
    const SIGABRT: i32 = 6;
    // Failures only mean the signal does not kill us: the exit below is
    // the answer to that.
    let _ = os::linux::setsig_default(SIGABRT);
    let _ = os::unblock_signal(SIGABRT);
    let _ = os::raise(SIGABRT);
    os::exit_group(2)
}

/// Go's `throw`: prints `fatal error: <msg>` and exits with status 2.
#[cold]
pub fn throw(msg: &str) -> ! {
    start_dying();
    Line::stderr().s("fatal error: ").s(msg).end();
    finish(None, None, true, false)
}

/// Like `throw`, after a `runtime: ` diagnostic line written by `diag`
/// (which may end lines itself to print several).
#[cold]
pub fn throw_with(diag: &dyn Fn(&mut Line), msg: &str) -> ! {
    start_dying();
    let mut l = Line::stderr();
    l.s("runtime: ");
    diag(&mut l);
    l.end();
    Line::stderr().s("fatal error: ").s(msg).end();
    finish(None, None, true, false)
}

/// A fault the runtime cannot attribute to a goroutine's stack: Go's
/// `unexpected signal` report, with the `[signal …]` line from `detail`.
#[cold]
pub fn fatal_signal(ctx: SigCtx, detail: &dyn Fn(&mut Line)) -> ! {
    start_dying();
    Line::stderr()
        .s("fatal error: unexpected signal during runtime execution")
        .end();
    let mut l = Line::stderr();
    detail(&mut l);
    l.end();
    finish(None, Some(ctx), true, false)
}

/// `fatal error: <msg>` followed by every live goroutine and its state.
#[cold]
pub fn fatal_with_goroutines(msg: &str) -> ! {
    report_with_goroutines("fatal error: ", msg)
}

/// `<line>` (Go's `SIGQUIT: quit`) followed by every live goroutine and
/// its state; exit 2.
#[cold]
pub fn fatal_report(line: &str) -> ! {
    report_with_goroutines("", line)
}

/// Go's report of a signal that ends the program (SIGQUIT and the
/// others of its kind, or a fault signal sent from outside): its name,
/// `PC=… m=… sigcode=…` (from `detail`), every goroutine, exit 2.
#[cold]
pub fn signal_report(name: &str, ctx: SigCtx, detail: &dyn Fn(&mut Line)) -> ! {
    start_dying();
    Line::stderr().s(name).end();
    let mut l = Line::stderr();
    detail(&mut l);
    l.end();
    finish(None, Some(ctx), true, true)
}

/// Go's panic for a fault in user code (`sigpanic`): `panic: runtime
/// error: <what>`, the signal line, the goroutine, exit 2.
#[cold]
pub fn runtime_error_signal(what: &str, ctx: SigCtx, detail: &dyn Fn(&mut Line)) -> ! {
    start_dying();
    Line::stderr().s("panic: runtime error: ").s(what).end();
    let mut l = Line::stderr();
    detail(&mut l);
    l.end();
    finish(None, Some(ctx), false, false)
}

/// Go's report of a fault at an address that is not nil's: `unexpected
/// fault address`, `fatal error: fault`, the signal line, the goroutine.
#[cold]
pub fn fault_signal(addr: usize, ctx: SigCtx, detail: &dyn Fn(&mut Line)) -> ! {
    start_dying();
    Line::stderr()
        .kx("unexpected fault address ", addr as u64)
        .end();
    Line::stderr().s("fatal error: fault").end();
    let mut l = Line::stderr();
    detail(&mut l);
    l.end();
    finish(None, Some(ctx), false, false)
}

fn report_with_goroutines(prefix: &str, msg: &str) -> ! {
    start_dying();
    Line::stderr().s(prefix).s(msg).end();
    finish(None, None, true, true)
}

/// An unrecovered panic with a plain message.
#[cold]
pub fn gopanic(msg: &[u8]) -> ! {
    start_dying();
    Line::stderr().s("panic: ").bytes(msg).end();
    finish(None, None, false, false)
}

#[cfg(not(test))]
#[panic_handler]
fn rust_panic(info: &core::panic::PanicInfo) -> ! {
    // First, before the body can reuse r11: the frame of the ARM-state
    // caller (core's `panic_fmt`) on armv7.
    let arm_fp = crate::arch::current_arm_fp();
    start_dying();
    let mut l = Line::stderr();
    l.s("panic: ");
    let msg = info.message();
    match msg.as_str() {
        Some(s) => {
            l.s(s);
        }
        // A message with arguments. The C library (`libruntime.a`, built
        // with `--cfg rt_c_program`) leaves Rust's formatting machinery
        // out (700 bytes and more of every C executable): in a C program a
        // Rust panic can only come from inside the runtime, and the
        // location printed next says where.
        #[cfg(not(rt_c_program))]
        None => {
            let _ = core::fmt::write(&mut l, format_args!("{msg}"));
        }
        #[cfg(rt_c_program)]
        None => {
            l.s("runtime error (formatted message not kept in C builds)");
        }
    }
    l.end();
    finish_with(info.location().map(|loc| (loc.file(), loc.line())), None, arm_fp, false, false)
}

/// Memory exhausted: Go's two lines, exit 2.
#[cold]
pub fn throw_oom(size: usize, in_use: usize) -> ! {
    throw_with(
        &|l| {
            l.ku("out of memory: cannot allocate ", size as u64)
                .ku("-byte block (", in_use as u64)
                .s(" in use)");
        },
        "out of memory",
    )
}
