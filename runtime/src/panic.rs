//! Panics and fatal errors, reported as Go reports them.
//!
//! - `throw(msg)`: a broken runtime invariant or an unrecoverable condition:
//!   `fatal error: <msg>` on stderr, exit code 2.
//! - `gopanic(msg)`: an unrecovered panic: `panic: <msg>`, a blank line,
//!   `goroutine <id> [running]:`, exit code 2. A Rust `panic!` anywhere in
//!   the process and the C API's `rt_panic` both end here.
//!
//! The runtime never unwinds (it is built with panic=abort), so nothing is
//! recovered: the process ends. Only the first failure is reported; a
//! failure while reporting one prints `panic during panic` and exits with 4,
//! as Go's nested-failure path does.

use crate::os;
use crate::print::Line;
use core::sync::atomic::{AtomicU32, Ordering};

static PANICKING: AtomicU32 = AtomicU32::new(0);

/// Claims the right to report; a second failure (another thread, or a fault
/// inside the report) is cut short.
fn start_dying() {
    if PANICKING.fetch_add(1, Ordering::AcqRel) != 0 {
        let _ = os::write_all(2, b"panic during panic\n");
        os::exit_group(4);
    }
}

/// Go's `throw`: prints `fatal error: <msg>` and exits with status 2.
#[cold]
pub fn throw(msg: &str) -> ! {
    start_dying();
    Line::stderr().s("fatal error: ").s(msg).end();
    os::exit_group(2)
}

/// Like `throw`, after `runtime: ` diagnostic lines the caller printed.
#[cold]
pub fn throw_with(diag: impl FnOnce(&mut Line), msg: &str) -> ! {
    start_dying();
    let mut l = Line::stderr();
    l.s("runtime: ");
    diag(&mut l);
    l.end();
    Line::stderr().s("fatal error: ").s(msg).end();
    os::exit_group(2)
}

/// The id of the running goroutine, 0 before there is one.
fn current_goid() -> i64 {
    if !crate::proc::tls_ready() {
        return 0;
    }
    let gp = crate::arch::getg();
    // SAFETY: with the thread pointer set, getg is this thread's live G.
    unsafe { (*gp).goid }
}

/// Prints the tail of a panic report and exits with 2.
fn finish_panic(l: &mut Line, location: Option<(&str, u32)>) -> ! {
    l.end();
    let mut l = Line::stderr();
    l.s("\ngoroutine ").i(current_goid()).s(" [running]:");
    if let Some((file, line)) = location {
        l.s("\n\t").s(file).s(":").u(line as u64);
    }
    l.end();
    os::exit_group(2)
}

/// An unrecovered panic with a plain message.
#[cold]
pub fn gopanic(msg: &[u8]) -> ! {
    start_dying();
    let mut l = Line::stderr();
    l.s("panic: ").bytes(msg);
    finish_panic(&mut l, None)
}

#[cfg(not(test))]
#[panic_handler]
fn rust_panic(info: &core::panic::PanicInfo) -> ! {
    start_dying();
    let mut l = Line::stderr();
    l.s("panic: ");
    let msg = info.message();
    match msg.as_str() {
        Some(s) => {
            l.s(s);
        }
        None => {
            let _ = core::fmt::write(&mut l, format_args!("{msg}"));
        }
    }
    finish_panic(&mut l, info.location().map(|loc| (loc.file(), loc.line())))
}

/// Memory exhausted: Go's two lines, exit 2.
#[cold]
pub fn throw_oom(size: usize, in_use: usize) -> ! {
    throw_with(
        |l| {
            l.s("out of memory: cannot allocate ")
                .u(size as u64)
                .s("-byte block (")
                .u(in_use as u64)
                .s(" in use)");
        },
        "out of memory",
    )
}
