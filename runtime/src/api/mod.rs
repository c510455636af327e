//! The Rust API for channels, select, sync and time, over the core.
//!
//! ```ignore
//! let ch = runtime::Chan::new(0);
//! let tx = ch.clone();
//! runtime::go(move || tx.send(42));
//! assert_eq!(ch.recv(), Some(42));
//!
//! runtime::select! {
//!     recv(ch) -> v => handle(v),          // v: Option<T>, None when closed
//!     send(other, 7) => sent(),
//!     recv(runtime::after(Duration::from_millis(5))) -> _ => timeout(),
//!     default => nothing_ready(),          // optional: do not block
//! }
//! ```
//!
//! Channel handles are reference counted: the channel is freed, and the
//! values still buffered in it dropped, when the last handle goes.
//!
//! This file holds the process: arguments, environment, output, exit.
//! The others: `chan.rs` the channel handle; `select.rs` the `select!`
//! macro and its cases; `sync.rs` Mutex, WaitGroup, Once; `time.rs`
//! sleeping, the clock, timer channels; `proc.rs` goroutines, CPUs and
//! GOMAXPROCS.

mod chan;
mod proc;
mod select;
mod sync;
mod time;

pub use self::chan::Chan;
pub use self::proc::{
    go, go_with_stack, goexit, goid, gomaxprocs, gosched, lock_os_thread, num_cpu, num_goroutine, unlock_os_thread,
};
pub use self::select::{select_raw, RecvArm, SendArm};
pub use self::sync::{Mutex, MutexGuard, Once, WaitGroup};
pub use self::time::{after, nanotime, sleep, tick, Ticker};
pub use crate::select::Scase;

/// The command-line arguments, as bytes without their NUL.
///
/// ```no_run
/// for (i, a) in runtime::args().enumerate() {
///     runtime::println!("argv[{i}] = {}", core::str::from_utf8(a).unwrap_or("(not UTF-8)"));
/// }
/// ```
pub fn args() -> impl Iterator<Item = &'static [u8]> {
    let _rt = crate::preempt::enter();
    let st = crate::os::linux::startup();
    (0..st.argc).filter_map(move |i| st.arg(i))
}

/// The value of environment variable `name`, if set.
///
/// ```no_run
/// let home = runtime::getenv("HOME").unwrap_or(b"/");
/// runtime::println!("HOME is {}", core::str::from_utf8(home).unwrap_or("?"));
/// ```
pub fn getenv(name: &str) -> Option<&'static [u8]> {
    let _rt = crate::preempt::enter();
    crate::os::linux::startup().getenv(name.as_bytes())
}

/// Writes all of `buf` to `fd`, retrying short writes and EINTR.
///
/// A broken pipe on standard output or standard error ends the program as
/// killed by SIGPIPE, as in Go (a pipeline like `prog | head` stops `prog`
/// quietly); on any other descriptor it is the error `EPIPE`.
///
/// ```no_run
/// if runtime::write(2, b"no input given\n").is_err() {
///     runtime::exit(1);
/// }
/// ```
pub fn write(fd: i32, buf: &[u8]) -> Result<(), syscalls::Errno> {
    let _rt = crate::preempt::enter();
    let r = crate::fd::write_all(fd, buf);
    epipecheck(fd, &r);
    r
}

/// Go's `os.epipecheck`: EPIPE on fd 1 or 2 is the end of the program.
pub(crate) fn epipecheck(fd: i32, r: &Result<(), syscalls::Errno>) {
    if (fd == 1 || fd == 2) && *r == Err(syscalls::Errno::EPIPE) {
        crate::signal_unix::die_from_signal(crate::signal_unix::SIGPIPE)
    }
}

/// Ends the process with `code`, whatever other goroutines are doing.
///
/// ```no_run
/// if runtime::args().count() < 2 {
///     runtime::eprintln!("usage: prog FILE");
///     runtime::exit(2);
/// }
/// ```
pub fn exit(code: i32) -> ! {
    let _rt = crate::preempt::enter();
    crate::os::exit_group(code)
}
