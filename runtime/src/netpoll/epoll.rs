//! The epoll instance (Go's `netpoll_epoll.go`): its setup, the
//! scheduler's hooks into the poller, the interrupt eventfd
//! (`netpoll_break`) and the poll itself, `netpoll`.

use super::{Mode, PollDesc};
use crate::os::{self, EpollEvent, EpollFlags};
use crate::panic::throw;
use crate::runtime2::{GQueue, Gstatus, WaitReason, G};
use crate::sched;
use crate::time;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicPtr, Ordering};
use syscalls::Errno;

/// What the scheduler and `fd` call once a descriptor has been registered
/// (through this table, so that a program that never registers one links
/// none of the poller).
pub struct Poller {
    /// `findrunnable`'s non-blocking poll (`sched::poll_find`): on g0 of
    /// an M holding a P; a G to run.
    pub find: unsafe fn() -> Option<*mut G>,
    /// The idle M's wait in `epoll_wait` (`sched::stopm_netpoll`): on g0
    /// of an M without a P that has just become the timer watcher.
    pub park: unsafe fn(*mut crate::runtime2::M),
    /// sysmon's poll (`sched::poll_overdue`): true if it found work.
    pub sysmon: fn(i64) -> bool,
    /// Go's `netpollBreak`: interrupts a blocked `netpoll`.
    pub interrupt: fn(),
    /// `fd::io` once descriptors can be registered (`fd::io_polled`).
    pub io: unsafe fn(i32, Mode, syscalls::Sysno, [usize; 6], bool) -> Result<usize, Errno>,
}

static POLLER: AtomicPtr<Poller> = AtomicPtr::new(null_mut());
static HOOKS: Poller = Poller {
    find: sched::poll_find,
    park: sched::stopm_netpoll,
    sysmon: sched::poll_overdue,
    interrupt: netpoll_break,
    io: crate::fd::io_polled,
};

/// Goroutines parked on a descriptor (Go's `netpollWaiters`).
pub(super) static WAITERS: AtomicI32 = AtomicI32::new(0);
/// When someone last polled (Go's `sched.lastpoll`), for sysmon.
static LASTPOLL: AtomicI64 = AtomicI64::new(0);
/// An M is blocked in `epoll_wait`.
static BLOCKED: AtomicBool = AtomicBool::new(false);
/// An interrupt is written and not yet consumed (Go's `netpollWakeSig`).
static BREAK_PENDING: AtomicBool = AtomicBool::new(false);
pub(super) static EPFD: AtomicI32 = AtomicI32::new(-1);
static BREAKFD: AtomicI32 = AtomicI32::new(-1);
/// The epoll event whose data is this marks the interrupt eventfd.
const BREAK_TAG: u64 = 1;

/// The installed poller, if any descriptor was ever registered.
pub fn poller() -> Option<&'static Poller> {
    // SAFETY: null or `&HOOKS`, stored by `init`.
    unsafe { POLLER.load(Ordering::SeqCst).as_ref() }
}

/// Goroutines parked on descriptors.
pub fn waiters() -> i32 {
    WAITERS.load(Ordering::SeqCst)
}

/// Whether sysmon should poll: nobody has for `ns` and nobody is blocked
/// in `epoll_wait`.
pub fn overdue(now: i64, ns: i64) -> bool {
    !BLOCKED.load(Ordering::SeqCst) && LASTPOLL.load(Ordering::Relaxed) + ns < now
}

/// An M is blocked in `epoll_wait` (a non-blocking poll would only take
/// its events).
pub fn blocked() -> bool {
    BLOCKED.load(Ordering::SeqCst)
}

/// Held while the poller is set up (once it exists, never again).
static INIT: spin::Mutex<()> = spin::Mutex::new(());

/// Go's `netpollGenericInit`: the epoll instance, its interrupt eventfd,
/// and the hooks. Then pokes a timer-watching M asleep on its futex, which
/// comes round and watches in `epoll_wait` instead. A failure (out of
/// descriptors) is reported to this caller only: the next registration
/// tries again.
pub(super) fn init() -> Result<(), Errno> {
    if poller().is_some() {
        return Ok(());
    }
    let _once = INIT.lock();
    if poller().is_some() {
        return Ok(());
    }
    {
        let ep = os::epoll_create()?;
        let ev = match os::eventfd() {
            Ok(ev) => ev,
            Err(e) => {
                let _ = os::close(ep);
                return Err(e);
            }
        };
        let e = EpollEvent { events: EpollFlags::IN.bits(), data: BREAK_TAG };
        if let Err(e) = os::epoll_ctl(ep, os::EPOLL_CTL_ADD, ev, &e) {
            let _ = os::close(ev);
            let _ = os::close(ep);
            return Err(e);
        }
        EPFD.store(ep, Ordering::SeqCst);
        BREAKFD.store(ev, Ordering::SeqCst);
        LASTPOLL.store(time::nanotime(), Ordering::Relaxed);
        // Opaque to the optimiser: seeing that POLLER can only hold
        // `&HOOKS`, it would call the hooks directly wherever the
        // scheduler checks for a poller, and every program would link
        // the poller.
        let hooks = core::hint::black_box(&HOOKS as *const Poller as *mut Poller);
        POLLER.store(hooks, Ordering::SeqCst);
        sched::poller_installed();
        Ok(())
    }
}

fn netpoll_break() {
    if BREAK_PENDING
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        let one = 1u64.to_ne_bytes();
        // EAGAIN (the counter is full) still leaves it readable.
        let _ = os::write(BREAKFD.load(Ordering::Relaxed), &one);
    }
}

/// The most events taken per `epoll_wait` (Go: 128).
const EVENTS: usize = 128;

/// Go's `netpoll(delay)`: waits up to `delay` ns (0: not at all, negative:
/// without limit) and returns the goroutines made ready, still
/// `_Gwaiting`.
pub fn netpoll(delay: i64) -> GQueue {
    let ms: i32 = match delay {
        d if d < 0 => -1,
        0 => 0,
        // Go's rounding: below a millisecond wait one; else round down
        // (the caller loops until its deadline).
        d if d < 1_000_000 => 1,
        d if d < 1_000_000_000_000_000 => (d / 1_000_000).min(i32::MAX as i64) as i32,
        _ => i32::MAX,
    };
    let mut evs = [EpollEvent { events: 0, data: 0 }; EVENTS];
    let mut list = GQueue::new();
    if ms != 0 {
        BLOCKED.store(true, Ordering::SeqCst);
    }
    let n = os::epoll_wait(EPFD.load(Ordering::Relaxed), &mut evs, ms);
    if ms != 0 {
        BLOCKED.store(false, Ordering::SeqCst);
    }
    LASTPOLL.store(time::nanotime(), Ordering::Relaxed);
    let n = match n {
        Ok(n) => n,
        // A signal: the caller comes round again.
        Err(Errno::EINTR) => 0,
        Err(_) => throw("runtime: netpoll failed"),
    };
    for ev in evs.iter().take(n) {
        let (events, data) = (ev.events, ev.data);
        if data == BREAK_TAG {
            // Only a blocking poll consumes an interrupt: it was meant
            // for the M that blocks.
            if ms != 0 {
                let mut buf = [0u8; 8];
                let _ = os::read(BREAKFD.load(Ordering::Relaxed), &mut buf);
                BREAK_PENDING.store(false, Ordering::SeqCst);
            }
            continue;
        }
        let e = EpollFlags::from_bits_retain(events);
        let pd = data as usize as *const PollDesc;
        // SAFETY: the data of a descriptor's event is its PollDesc, and
        // PollDescs are never freed (a stale one gives a spurious
        // readiness, see `netpoll`'s module comment).
        let pd = unsafe { &*pd };
        let err = e.intersects(EpollFlags::ERR | EpollFlags::HUP);
        if err || e.contains(EpollFlags::RDHUP) {
            // The end of the stream (or an error) is queued behind any
            // data still unread, and comes with no later edge: a short
            // read no longer means that nothing is left (`note_read`).
            // Stored before `unblock`'s SeqCst update of the waiter
            // word, which the reader's `wait` reads.
            pd.ended.store(true, Ordering::Relaxed);
        }
        for (mode, bits) in [
            (Mode::Read, EpollFlags::IN | EpollFlags::RDHUP),
            (Mode::Write, EpollFlags::OUT),
        ] {
            if err || e.intersects(bits) {
                let gp = pd.unblock(mode, true);
                if !gp.is_null() {
                    // SAFETY: gp came out of a waiter word: parked and now
                    // ours alone, on no queue.
                    unsafe { list.push_back(gp) };
                }
            }
        }
    }
    list
}

/// Marks a G from `poll` runnable (for the scheduler's injection).
///
/// # Safety
/// `gp` came out of a `Poller::poll` list.
pub unsafe fn make_runnable(gp: *mut G) {
    // SAFETY: gp came out of a waiter word: parked, ours alone.
    unsafe {
        (*gp).set_waitreason(WaitReason::None);
        (*gp).casgstatus(Gstatus::_Gwaiting, Gstatus::_Grunnable);
    }
}
