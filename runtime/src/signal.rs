//! Go's `os/signal` for Rust programs: signals delivered to channels.
//!
//! ```no_run
//! use runtime::{signal, Chan};
//! let c: Chan<i32> = Chan::new(1);
//! signal::notify(&c, &[signal::SIGINT, signal::SIGTERM]).unwrap();
//! let sig = c.recv(); // the first SIGINT or SIGTERM
//! ```
//!
//! A signal is sent on every channel that asked for it, without blocking:
//! if the channel is full, that channel misses it (Go's rule: give it
//! room for one). The runtime's handler only records it; a goroutine of
//! the runtime does the sending. What a signal does when nobody asked is
//! Go's rule, listed in `include/runtime.h` under "Signals": SIGHUP, SIGINT
//! and SIGTERM end the program, SIGQUIT prints every goroutine, SIGPIPE
//! fails the write (and ends the program on standard output or error).

use crate::api::Chan;
use crate::signal_unix as imp;
pub use crate::signal_unix::{NSIG, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM};
use syscalls::Errno;

/// User-defined signal 1 (ignored unless asked for).
pub const SIGUSR1: i32 = 10;
/// User-defined signal 2 (ignored unless asked for).
pub const SIGUSR2: i32 = 12;
/// A timer's alarm (ignored unless asked for).
pub const SIGALRM: i32 = 14;
/// A child process stopped or ended.
pub const SIGCHLD: i32 = 17;
/// The terminal's window size changed.
pub const SIGWINCH: i32 = 28;

/// Go's `signal.Notify(c, sigs...)`: each signal in `sigs` is sent on `c`
/// from now on. `EINVAL` for a number outside 1–64, SIGKILL or SIGSTOP
/// (nothing is registered then).
///
/// ```no_run
/// use runtime::{signal, Chan};
/// let c: Chan<i32> = Chan::new(1);
/// signal::notify(&c, &[signal::SIGHUP]).expect("SIGHUP is a signal");
/// while let Some(_) = c.recv() {
///     runtime::println!("reloading the configuration");
/// }
/// ```
pub fn notify(c: &Chan<i32>, sigs: &[i32]) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    sigs.iter().try_for_each(|&s| imp::valid(s))?;
    for &s in sigs {
        // One keep-alive per call of imp::notify; it drops the extra ones.
        let keep = crate::malloc::leak(c.clone()) as *mut u8;
        // SAFETY: the channel stays alive through `keep` until `release`
        // drops it (on `stop`, or at once when already registered).
        unsafe { imp::notify(c.raw(), s, keep, Some(release)) }?;
    }
    Ok(())
}

/// Drops a keep-alive made by `notify`.
///
/// # Safety
/// `keep` is one of `notify`'s, released once.
unsafe fn release(keep: *mut u8) {
    // SAFETY: a leaked Box<Chan<i32>> (the caller's promise).
    drop(unsafe { alloc::boxed::Box::from_raw(keep as *mut Chan<i32>) });
}

/// Go's `signal.Stop(c)`: no more signals on `c`; when it returns, none is
/// on its way to `c` either.
///
/// ```no_run
/// use runtime::{signal, Chan};
/// let c: Chan<i32> = Chan::new(1);
/// signal::notify(&c, &[signal::SIGINT]).unwrap();
/// // ... a phase where Ctrl-C is handled ...
/// signal::stop(&c); // SIGINT ends the program again
/// ```
pub fn stop(c: &Chan<i32>) {
    let _rt = crate::preempt::enter();
    imp::stop(c.raw())
}

/// Go's `signal.Ignore(sigs...)`: each is asked for by no channel and
/// discarded by the kernel from now on.
///
/// ```no_run
/// runtime::signal::ignore(&[runtime::signal::SIGHUP]).unwrap(); // as nohup does
/// ```
pub fn ignore(sigs: &[i32]) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    sigs.iter().try_for_each(|&s| imp::ignore(s))
}

/// Go's `signal.Reset(sigs...)`: each is asked for by no channel and does
/// what it does by default again.
///
/// ```no_run
/// use runtime::signal;
/// signal::ignore(&[signal::SIGINT]).unwrap();
/// // ... a section that must not be interrupted ...
/// signal::reset(&[signal::SIGINT]).unwrap(); // Ctrl-C ends the program again
/// ```
pub fn reset(sigs: &[i32]) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    sigs.iter().try_for_each(|&s| imp::reset(s))
}
