//! Go's `time` for goroutines: `sleep`, `nanotime`, and the timer
//! channels `after` and `tick` (`Ticker`).

use super::Chan;
use crate::time;
use core::time::Duration;

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// Parks the calling goroutine for at least `d` (Go's `time.Sleep`).
///
/// ```no_run
/// let t0 = runtime::nanotime();
/// runtime::sleep(core::time::Duration::from_millis(10));
/// assert!(runtime::nanotime() - t0 >= 10_000_000);
/// ```
pub fn sleep(d: Duration) {
    let _rt = crate::preempt::enter();
    time::sleep(nanos(d))
}

/// Monotonic time in nanoseconds.
///
/// ```no_run
/// let t0 = runtime::nanotime();
/// // ... the work to time ...
/// runtime::println!("took {} µs", (runtime::nanotime() - t0) / 1000);
/// ```
pub fn nanotime() -> i64 {
    let _rt = crate::preempt::enter();
    time::nanotime()
}

/// A channel that receives the time (`nanotime`) once, after `d` (Go's
/// `time.After`).
///
/// ```no_run
/// use core::time::Duration;
/// let results: runtime::Chan<u32> = runtime::Chan::new(1);
/// runtime::select! {
///     recv(results) -> r => runtime::println!("result {r:?}"),
///     recv(runtime::after(Duration::from_millis(100))) -> _ => runtime::println!("gave up"),
/// }
/// ```
pub fn after(d: Duration) -> Chan<i64> {
    let _rt = crate::preempt::enter();
    Chan::from_raw(time::timer_chan(nanos(d), false).0, false)
}

/// Receives the time every period until dropped (Go's `time.Ticker`).
///
/// ```no_run
/// let t = runtime::tick(core::time::Duration::from_millis(100));
/// for _ in 0..3 {
///     let at = t.c.recv();
///     runtime::println!("tick at {at:?}");
/// }
/// drop(t); // stops the ticker
/// ```
pub struct Ticker {
    /// The ticks; a slow receiver misses some, as in Go.
    pub c: Chan<i64>,
    timer: *mut time::Timer,
}

// SAFETY: the timer is only touched through `time::stop`.
unsafe impl Send for Ticker {}

/// A `Ticker` firing every `d` (Go's `time.NewTicker`).
///
/// # Panics
/// When `d` is zero, with Go's message `non-positive interval for
/// NewTicker`: a ticker that fires every instant is never what was meant.
///
/// ```no_run
/// let t = runtime::tick(core::time::Duration::from_secs(1));
/// while let Some(now) = t.c.recv() {
///     runtime::println!("{now}");
/// }
/// ```
#[track_caller]
pub fn tick(d: Duration) -> Ticker {
    let _rt = crate::preempt::enter();
    if d.is_zero() {
        panic!("non-positive interval for NewTicker");
    }
    let (c, timer) = time::timer_chan(nanos(d), true);
    Ticker {
        c: Chan::from_raw(c, false),
        timer,
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        let _rt = crate::preempt::enter();
        // SAFETY: a periodic timer from timer_chan, stopped once.
        unsafe { time::stop(self.timer) }
    }
}
