//! Go's `sync` for goroutines: `Mutex` (and its guard), `WaitGroup`,
//! `Once`.

use crate::lock::{Guard, Locked};
use crate::sync::{RawGoMutex, RawOnce, RawWaitGroup};

/// A mutex for goroutines (Go's `sync.Mutex`) around the data it guards:
/// waiting parks the goroutine, not the thread.
///
/// ```no_run
/// static COUNT: runtime::Mutex<u64> = runtime::Mutex::new(0);
/// let wg = alloc::sync::Arc::new(runtime::WaitGroup::new());
/// for _ in 0..10 {
///     wg.add(1);
///     let wg = wg.clone();
///     runtime::go(move || {
///         *COUNT.lock() += 1;
///         wg.done();
///     });
/// }
/// wg.wait();
/// assert_eq!(*COUNT.lock(), 10);
/// ```
pub type Mutex<T> = Locked<RawGoMutex, T>;
/// Holds a `Mutex` locked; unlocks when dropped.
///
/// ```no_run
/// let m = runtime::Mutex::new(alloc::vec::Vec::new());
/// {
///     let mut g: runtime::MutexGuard<'_, _> = m.lock();
///     g.push(1);
/// } // unlocked here
/// assert!(m.try_lock().is_some());
/// ```
pub type MutexGuard<'a, T> = Guard<'a, RawGoMutex, T>;

impl<T> Locked<RawGoMutex, T> {
    /// An unlocked mutex around `v` (usable in a `static`).
    pub const fn new(v: T) -> Self {
        Locked::with(RawGoMutex::new(), v)
    }

    /// Locks if that can be done without waiting.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let _rt = crate::preempt::enter();
        // SAFETY: the lock was just taken.
        self.raw()
            .try_lock()
            .then(|| unsafe { self.guard_locked() })
    }
}

/// Go's `sync.WaitGroup`.
///
/// ```no_run
/// use alloc::sync::Arc;
/// let wg = Arc::new(runtime::WaitGroup::new());
/// for i in 0..4 {
///     wg.add(1);
///     let wg = wg.clone();
///     runtime::go(move || {
///         runtime::println!("worker {i}");
///         wg.done();
///     });
/// }
/// wg.wait(); // all four have printed
/// ```
#[derive(Default)]
pub struct WaitGroup(RawWaitGroup);

impl WaitGroup {
    /// A counter of 0.
    pub const fn new() -> WaitGroup {
        WaitGroup(RawWaitGroup::new())
    }
    /// Adds `delta` to the counter; a negative counter panics.
    pub fn add(&self, delta: i64) {
        let _rt = crate::preempt::enter();
        self.0.add(delta)
    }
    /// Subtracts one from the counter.
    pub fn done(&self) {
        let _rt = crate::preempt::enter();
        self.0.done()
    }
    /// Waits until the counter is zero.
    pub fn wait(&self) {
        let _rt = crate::preempt::enter();
        self.0.wait()
    }
}

/// Go's `sync.Once`.
///
/// ```no_run
/// static INIT: runtime::Once = runtime::Once::new();
/// for _ in 0..3 {
///     INIT.call_once(|| runtime::println!("only once"));
/// }
/// ```
#[derive(Default)]
pub struct Once(RawOnce);

impl Once {
    /// A `Once` that has not run yet.
    pub const fn new() -> Once {
        Once(RawOnce::new())
    }
    /// Runs `f` the first time any caller gets here; every caller returns
    /// after it has finished.
    pub fn call_once(&self, f: impl FnOnce()) {
        let _rt = crate::preempt::enter();
        self.0.call(f)
    }
}
