//! Goroutines (Go's `proc.go`): `go`, yielding, exiting, locking to a
//! thread, ids and counts; CPUs and GOMAXPROCS.

/// CPUs this process may run on (`runtime.NumCPU`).
///
/// ```no_run
/// runtime::println!("{} CPUs, {} Ps", runtime::num_cpu(), runtime::gomaxprocs(0));
/// ```
pub fn num_cpu() -> i32 {
    let _rt = crate::preempt::enter();
    crate::os::linux::ncpu()
}

/// `runtime.GOMAXPROCS`: sets the number of Ps when `n > 0`; returns the
/// previous value.
///
/// ```no_run
/// let before = runtime::gomaxprocs(1); // one P from now on
/// // ... run something single-threaded ...
/// runtime::gomaxprocs(before);
/// ```
pub fn gomaxprocs(n: i32) -> i32 {
    let _rt = crate::preempt::enter();
    crate::sched::set_gomaxprocs(n)
}

/// Starts a goroutine running `f` (Go's `go f()`), with the default stack
/// size. Returns its id.
///
/// ```no_run
/// let done: runtime::Chan<i64> = runtime::Chan::new(0);
/// let tx = done.clone();
/// let id = runtime::go(move || tx.send(runtime::goid()));
/// assert_eq!(done.recv(), Some(id));
/// ```
// Not inlined (it would be, generic, into the caller), and its frame
// pointer read first: its frame record's return address is the `go`
// statement's pc (see `proc::gopc`).
#[inline(never)]
pub fn go<F: FnOnce() + Send + 'static>(f: F) -> i64 {
    let gopc = crate::proc::gopc(crate::arch::caller_fp());
    let _rt = crate::preempt::enter();
    spawn(crate::stack::DEFAULT_STACK_SIZE, f, gopc)
}

/// Like `go`, on a stack of `stack_bytes` (rounded up to pages, at least
/// 8 KiB): for goroutines that recurse deeply or keep big buffers.
///
/// ```no_run
/// fn depth(n: u32) -> u32 {
///     if n == 0 { 0 } else { 1 + depth(n - 1) }
/// }
/// runtime::go_with_stack(1 << 20, || runtime::println!("{}", depth(10_000)));
/// ```
// As `go`.
#[inline(never)]
pub fn go_with_stack<F: FnOnce() + Send + 'static>(stack_bytes: usize, f: F) -> i64 {
    let gopc = crate::proc::gopc(crate::arch::caller_fp());
    let _rt = crate::preempt::enter();
    spawn(stack_bytes, f, gopc)
}

/// `go` and `go_with_stack`, with the `go` statement's pc.
fn spawn<F: FnOnce() + Send + 'static>(stack_bytes: usize, f: F, gopc: usize) -> i64 {
    // Two goroutines now: one may need the other's P back.
    crate::preempt::install();
    crate::traceback::enable_created_by();
    crate::stack::enable_slots();
    crate::runtime2::enable_ring_growth();
    /// Runs the boxed closure that `go` handed over.
    ///
    /// # Safety
    /// `arg` is the `Box<F>` leaked below, and this runs once with it.
    unsafe extern "C" fn run<F: FnOnce()>(arg: *mut u8) {
        // SAFETY: arg is the Box<F> leaked below, used exactly once.
        let f = unsafe { alloc::boxed::Box::from_raw(arg as *mut F) };
        f()
    }
    let arg = alloc::boxed::Box::into_raw(alloc::boxed::Box::new(f)) as *mut u8;
    crate::proc::newproc(run::<F>, arg, stack_bytes, gopc)
}

/// Yields the processor to other goroutines (`runtime.Gosched`).
///
/// ```no_run
/// static FLAG: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
/// runtime::go(|| FLAG.store(true, core::sync::atomic::Ordering::Release));
/// while !FLAG.load(core::sync::atomic::Ordering::Acquire) {
///     runtime::gosched(); // let the other goroutine run
/// }
/// ```
pub fn gosched() {
    let _rt = crate::preempt::enter();
    crate::sched::gosched()
}

/// Ends the calling goroutine (`runtime.Goexit`). In `main_main`, the
/// program goes on until the other goroutines end, then reports a deadlock,
/// as Go does.
///
/// ```no_run
/// runtime::go(|| {
///     runtime::println!("leaving early");
///     runtime::goexit();
/// });
/// ```
pub fn goexit() -> ! {
    let _rt = crate::preempt::enter();
    crate::proc::goexit1()
}

/// Wires the calling goroutine to the thread it runs on
/// (`runtime.LockOSThread`): until as many `unlock_os_thread` calls, it
/// runs on that thread only and the thread runs nothing else. A goroutine
/// that ends while locked ends its thread too, as in Go: use it for thread
/// state (`unshare`, `setns`, a per-thread signal mask, a thread-bound
/// library) that must not leak to other goroutines.
///
/// ```no_run
/// runtime::lock_os_thread();
/// // ... system calls that change this thread's state ...
/// runtime::unlock_os_thread();
/// ```
pub fn lock_os_thread() {
    let _rt = crate::preempt::enter();
    crate::sched::lock_os_thread()
}

/// Undoes one `lock_os_thread` (`runtime.UnlockOSThread`); without a
/// matching lock it does nothing.
///
/// ```no_run
/// runtime::lock_os_thread();
/// runtime::lock_os_thread(); // nested: two unlocks free the thread
/// runtime::unlock_os_thread();
/// runtime::unlock_os_thread();
/// ```
pub fn unlock_os_thread() {
    let _rt = crate::preempt::enter();
    crate::sched::unlock_os_thread()
}

/// The calling goroutine's id; main's is 1.
///
/// ```no_run
/// runtime::println!("main is goroutine {}", runtime::goid()); // 1
/// runtime::go(|| runtime::println!("this one is {}", runtime::goid()));
/// ```
pub fn goid() -> i64 {
    let _rt = crate::preempt::enter();
    crate::proc::goid()
}

/// Goroutines that exist now (`runtime.NumGoroutine`).
///
/// ```no_run
/// runtime::go(|| runtime::sleep(core::time::Duration::from_secs(1)));
/// runtime::println!("{} goroutines", runtime::num_goroutine()); // 2
/// ```
pub fn num_goroutine() -> i64 {
    let _rt = crate::preempt::enter();
    crate::proc::gcount()
}
