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

use crate::chan::{self, Hchan};
pub use crate::select::Scase;
use crate::lock::{Guard, Locked};
use crate::sync::{RawGoMutex, RawOnce, RawWaitGroup};
use crate::time;
use alloc::sync::Arc;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::time::Duration;

struct ChanBox<T> {
    c: *mut Hchan,
    /// Timer channels outlive their handles: a timer may still send.
    free_on_drop: bool,
    _t: PhantomData<T>,
}

// SAFETY: the channel's state is behind its lock; values of T cross
// goroutines (threads), hence T: Send.
unsafe impl<T: Send> Send for ChanBox<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for ChanBox<T> {}

impl<T> Drop for ChanBox<T> {
    fn drop(&mut self) {
        let _rt = crate::preempt::enter();
        // Drop what is still buffered.
        loop {
            let mut slot = MaybeUninit::<T>::uninit();
            // SAFETY: no other handle exists; slot has room for one T.
            let (selected, ok) =
                unsafe { chan::chanrecv(self.c, slot.as_mut_ptr() as *mut u8, false) };
            if !selected || !ok {
                break;
            }
            // SAFETY: a value was received into slot.
            unsafe { slot.assume_init_drop() };
        }
        if self.free_on_drop {
            // SAFETY: the last handle: nobody can use or wait on c.
            unsafe { chan::freechan(self.c) };
        }
    }
}

/// A channel of `T` (Go's `chan T`): clone the handle to share it.
///
/// ```no_run
/// let ch: runtime::Chan<u32> = runtime::Chan::new(0);
/// let tx = ch.clone();
/// runtime::go(move || {
///     for i in 0..3 {
///         tx.send(i);
///     }
///     tx.close();
/// });
/// while let Some(v) = ch.recv() {
///     runtime::println!("{v}");
/// }
/// ```
pub struct Chan<T> {
    inner: Arc<ChanBox<T>>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Send> Chan<T> {
    /// A channel with room for `cap` values (0: unbuffered).
    pub fn new(cap: usize) -> Chan<T> {
        let _rt = crate::preempt::enter();
        Chan::from_raw(chan::makechan(core::mem::size_of::<T>(), cap), true)
    }

    fn from_raw(c: *mut Hchan, free_on_drop: bool) -> Chan<T> {
        Chan {
            inner: Arc::new(ChanBox {
                c,
                free_on_drop,
                _t: PhantomData,
            }),
        }
    }

    pub(crate) fn raw(&self) -> *mut Hchan {
        self.inner.c
    }

    /// Sends `v`, waiting for a receiver or room. Panics (Go's `send on
    /// closed channel`) if the channel is closed.
    pub fn send(&self, v: T) {
        let _rt = crate::preempt::enter();
        let v = ManuallyDrop::new(v);
        // SAFETY: the channel is live; v is moved into it (or the program
        // ends with the panic).
        unsafe { chan::chansend(self.raw(), &*v as *const T as *const u8, true) };
    }

    /// Sends `v` if that can be done without waiting; gives it back if not.
    pub fn try_send(&self, v: T) -> Result<(), T> {
        let _rt = crate::preempt::enter();
        let v = ManuallyDrop::new(v);
        // SAFETY: as in `send`; when it fails nothing was copied.
        if unsafe { chan::chansend(self.raw(), &*v as *const T as *const u8, false) } {
            Ok(())
        } else {
            Err(ManuallyDrop::into_inner(v))
        }
    }

    /// Receives a value, waiting for one; `None` once the channel is
    /// closed and drained.
    pub fn recv(&self) -> Option<T> {
        let _rt = crate::preempt::enter();
        let mut slot = MaybeUninit::<T>::uninit();
        // SAFETY: slot has room for one T.
        let (_, ok) = unsafe { chan::chanrecv(self.raw(), slot.as_mut_ptr() as *mut u8, true) };
        // SAFETY: ok means a value was moved into slot.
        ok.then(|| unsafe { slot.assume_init() })
    }

    /// Receives a value if one is ready now.
    pub fn try_recv(&self) -> Option<T> {
        let _rt = crate::preempt::enter();
        let mut slot = MaybeUninit::<T>::uninit();
        // SAFETY: as in `recv`.
        let (selected, ok) =
            unsafe { chan::chanrecv(self.raw(), slot.as_mut_ptr() as *mut u8, false) };
        // SAFETY: as in `recv`.
        (selected && ok).then(|| unsafe { slot.assume_init() })
    }

    /// Closes the channel (Go's `close`); closing twice panics.
    pub fn close(&self) {
        let _rt = crate::preempt::enter();
        // SAFETY: the channel is live.
        unsafe { chan::closechan(self.raw()) }
    }

    /// Values buffered now.
    pub fn len(&self) -> usize {
        let _rt = crate::preempt::enter();
        // SAFETY: the channel is live.
        unsafe { chan::chanlen(self.raw()) }
    }

    /// No value is buffered now.
    pub fn is_empty(&self) -> bool {
        let _rt = crate::preempt::enter();
        self.len() == 0
    }

    /// The buffer's size, as given to `new`.
    pub fn cap(&self) -> usize {
        let _rt = crate::preempt::enter();
        // SAFETY: the channel is live.
        unsafe { chan::chancap(self.raw()) }
    }
}

/// A receive case of `select!` (used by the macro).
#[doc(hidden)]
pub struct RecvArm<T> {
    ch: Chan<T>,
    slot: MaybeUninit<T>,
}

impl<T: Send> RecvArm<T> {
    /// Holds a handle of its own, so `recv(after(d))` may name a
    /// temporary.
    pub fn new(ch: &Chan<T>) -> Self {
        let _rt = crate::preempt::enter();
        RecvArm {
            ch: ch.clone(),
            slot: MaybeUninit::uninit(),
        }
    }
    pub fn scase(&mut self) -> Scase {
        let _rt = crate::preempt::enter();
        Scase {
            c: self.ch.raw(),
            send: false,
            elem: self.slot.as_mut_ptr() as *mut u8,
        }
    }
    /// # Safety
    /// Only for the case select chose, with its `ok`, and once.
    pub unsafe fn take(&mut self, ok: bool) -> Option<T> {
        let _rt = crate::preempt::enter();
        // SAFETY: select chose this case and ok says a value was moved into
        // the slot (caller), so it is initialised; it is read only once.
        ok.then(|| unsafe { self.slot.assume_init_read() })
    }
}

/// A send case of `select!` (used by the macro); drops its value if
/// another case was chosen.
#[doc(hidden)]
pub struct SendArm<T> {
    ch: Chan<T>,
    val: ManuallyDrop<T>,
    sent: bool,
}

impl<T: Send> SendArm<T> {
    pub fn new(ch: &Chan<T>, v: T) -> Self {
        let _rt = crate::preempt::enter();
        SendArm {
            ch: ch.clone(),
            val: ManuallyDrop::new(v),
            sent: false,
        }
    }
    pub fn scase(&mut self) -> Scase {
        let _rt = crate::preempt::enter();
        Scase {
            c: self.ch.raw(),
            send: true,
            elem: &mut *self.val as *mut T as *mut u8,
        }
    }
    pub fn mark_sent(&mut self) {
        let _rt = crate::preempt::enter();
        self.sent = true;
    }
}

impl<T> Drop for SendArm<T> {
    fn drop(&mut self) {
        let _rt = crate::preempt::enter();
        if !self.sent {
            // SAFETY: the value was not moved into a channel.
            unsafe { ManuallyDrop::drop(&mut self.val) }
        }
    }
}

/// Runs a select over prepared cases (used by the macro).
#[doc(hidden)]
pub fn select_raw(cases: &mut [Scase], block: bool) -> (isize, bool) {
    let _rt = crate::preempt::enter();
    // SAFETY: outside this crate a Scase comes only from `RecvArm::scase`
    // or `SendArm::scase` (its fields are private), which point at a live
    // channel of the arm's type and at the arm's own slot on the caller's
    // stack, alive for this call.
    unsafe { crate::select::selectgo(cases, block) }
}

/// Go's `select`: `recv(ch) -> v => expr` (v: `Option<T>`, `None` when
/// the channel is closed), `send(ch, value) => expr`, and an optional
/// `default => expr`, separated by commas. One ready case is chosen
/// uniformly at random; without `default` the goroutine waits for one.
///
/// ```no_run
/// use core::time::Duration;
/// let (work, quit) = (runtime::Chan::<u32>::new(1), runtime::Chan::<()>::new(0));
/// work.send(7);
/// runtime::select! {
///     recv(work) -> v => runtime::println!("got {v:?}"),
///     recv(quit) -> _ => runtime::println!("told to stop"),
///     recv(runtime::after(Duration::from_secs(1))) -> _ => runtime::println!("timeout"),
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($t:tt)*) => { $crate::__select_parse!([] [] $($t)*) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    ([$($arms:tt)*] [$($def:tt)*] recv($ch:expr) -> $v:pat => $body:expr $(, $($rest:tt)*)?) => {{
        let mut __arm = $crate::api::RecvArm::new(&$ch);
        $crate::__select_parse!([$($arms)* (__arm, recv, $v, $body)] [$($def)*] $($($rest)*)?)
    }};
    ([$($arms:tt)*] [$($def:tt)*] send($ch:expr, $val:expr) => $body:expr $(, $($rest:tt)*)?) => {{
        let mut __arm = $crate::api::SendArm::new(&$ch, $val);
        $crate::__select_parse!([$($arms)* (__arm, send, _, $body)] [$($def)*] $($($rest)*)?)
    }};
    ([$($arms:tt)*] [] default => $body:expr $(, $($rest:tt)*)?) => {
        $crate::__select_parse!([$($arms)*] [$body] $($($rest)*)?)
    };
    ([$(($arm:ident, $kind:ident, $v:pat, $body:expr))*] [$($def:expr)?]) => {{
        let mut __cases: [$crate::api::Scase; 0 $(+ $crate::__select_parse!(@one $arm))*] = [$($arm.scase()),*];
        let (__i, __ok) = $crate::api::select_raw(&mut __cases, $crate::__select_parse!(@block $($def)?));
        let mut __k: isize = -1;
        #[allow(unreachable_code)]
        '__select: {
            $(
                __k += 1;
                if __i == __k {
                    break '__select $crate::__select_parse!(@run $arm, $kind, $v, $body, __ok);
                }
            )*
            $( break '__select $def; )?
            unreachable!()
        }
    }};
    (@one $arm:ident) => { 1 };
    (@block) => { true };
    (@block $d:expr) => { false };
    (@run $arm:ident, recv, $v:pat, $body:expr, $ok:ident) => {{
        // SAFETY: this is the case select chose, with its ok.
        let $v = unsafe { $arm.take($ok) };
        $body
    }};
    (@run $arm:ident, send, $v:pat, $body:expr, $ok:ident) => {{
        $arm.mark_sent();
        $body
    }};
}

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

// ---- goroutines, the process, output ------------------------------------

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
