//! The network poller (Go's `netpoll.go` and `netpoll_epoll.go`): pipes,
//! terminals and sockets are non-blocking and registered, edge-triggered,
//! with one epoll instance; a goroutine whose read or write would block
//! parks on the descriptor's `PollDesc` instead of blocking its M, and the
//! scheduler readies it when epoll reports the descriptor ready.
//!
//! # Waiting without losing a wake-up
//!
//! Each `PollDesc` has one waiter word per direction (`rg`, `wg`, Go's
//! names): `NIL`, `READY` (an event came and nobody has consumed it),
//! `WAIT` (a goroutine is about to park) or the parked `G`. The waiter
//! moves `NIL → WAIT`, then parks; its commit (on g0, after the switch)
//! moves `WAIT → G`. The notifier (`unblock`) swaps the word to `READY`
//! (an event) or `NIL` (a deadline or a close) and readies a `G` it found.
//! If the notifier came between `WAIT` and the commit, the commit's
//! compare-and-swap fails and the goroutine does not sleep. All are
//! compare-and-swaps on one word, so every interleaving ends with the
//! goroutine running or the event recorded.
//!
//! A deadline or a close publishes its bit in `info` (SeqCst) and *then*
//! loads the waiter word in `unblock`; a waiter stores `WAIT` (SeqCst) and
//! *then* loads `info` before parking. One of the two sees the other's
//! store: either the waiter does not park, or the notifier finds `WAIT` or
//! the `G` and wakes it.
//!
//! # Who polls
//!
//! The scheduler reaches this module through `Poller` hooks, installed the
//! first time a descriptor is registered, so a program that never does
//! I/O links none of it. Then: `findrunnable` polls without blocking
//! before it steals; the last M with nothing to do blocks in `epoll_wait`
//! until the earliest timer (it takes over the timer watch, see
//! `sched::m`), and a new earlier timer interrupts it through an eventfd
//! (`netpoll_break`); sysmon polls when nobody has for 10 ms.
//!
//! # Descriptors
//!
//! A table maps descriptor numbers to their `PollDesc`. Every operation
//! holds a reference (Go's `fdMutex` count): `close` marks the descriptor
//! closed, wakes its waiters (they fail with `EBADF`, Go's "use of closed
//! network connection") and the last reference closes the number, so it
//! is not reused while an operation on it is in flight; `close` waits for
//! that (Go's `csema`) and returns `close(2)`'s result. `PollDesc`s are
//! kept on a free list and never returned to the allocator: a stale epoll
//! event or deadline timer may still name one (it then finds nothing to do
//! or a spurious readiness, which the next `read` attempt resolves).
//!
//! **The waker's rule** holds here as everywhere: `unblock` takes the G
//! out of the word, and it is readied only after every `PollDesc` field
//! has been read and the lock released.

use crate::lock::{Mutex, Rank};
use crate::os::{self, EpollEvent, EpollFlags};
use crate::panic::throw;
use crate::runtime2::{GQueue, Gstatus, WaitReason, G};
use crate::sched;
use crate::sync::RawGoMutex;
use crate::time::{self, Timer};
use alloc::boxed::Box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use syscalls::Errno;

/// A direction of I/O.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Read,
    Write,
}

const NIL: usize = 0;
const READY: usize = 1;
const WAIT: usize = 2;

/// `PollDesc::info` bits (Go's `pollClosing`, `pollExpiredReadDeadline`,
/// `pollExpiredWriteDeadline`).
const CLOSING: u32 = 1;
const RD_EXPIRED: u32 = 2;
const WD_EXPIRED: u32 = 4;

/// `PollDesc::refs`: closed, and the count of operations in flight.
const CLOSED: u32 = 1 << 31;

/// One direction's deadline: 0 none, -1 expired, else the `nanotime` it
/// expires at; the timer armed for it (heap-owned, live while named here)
/// and the sequence number that timer carries.
struct Deadline {
    at: i64,
    timer: *mut Timer,
    when: i64,
    seq: usize,
}

impl Deadline {
    const fn new() -> Deadline {
        Deadline { at: 0, timer: null_mut(), when: 0, seq: 0 }
    }

    /// Stops the armed timer, if any. A timer that is firing right now
    /// finds its sequence number out of date and does nothing.
    fn cancel(&mut self) {
        if !self.timer.is_null() {
            // SAFETY: a timer named here is live: the heap frees it only
            // after it fires (its function clears this field first, under
            // the same lock we hold) or after `deleted` is seen.
            unsafe { (*self.timer).deleted.store(true, Ordering::Release) };
            time::timer_deleted();
            self.timer = null_mut();
        }
        self.seq = self.seq.wrapping_add(1);
    }
}

struct Deadlines {
    r: Deadline,
    w: Deadline,
}

impl Deadlines {
    fn of(&mut self, mode: Mode) -> &mut Deadline {
        match mode {
            Mode::Read => &mut self.r,
            Mode::Write => &mut self.w,
        }
    }
}

/// Go's `pollDesc`, with the descriptor's reference count.
#[repr(align(64))]
pub struct PollDesc {
    fd: AtomicI32,
    /// Registered with epoll (a pipe, terminal or socket); a regular file
    /// is not, and its operations block in a system call instead.
    pollable: AtomicBool,
    /// A byte stream (a pipe, a TCP or unix stream socket: `register_stream`),
    /// where a short read means the kernel's buffer was empty.
    stream: AtomicBool,
    /// The poller reported the stream's end or an error: a short read no
    /// longer means that nothing is left (`note_read`).
    ended: AtomicBool,
    /// The last read of this stream was short (`read_drained`): its
    /// reader's hint, written under the read lock only.
    drained: AtomicBool,
    rg: AtomicUsize,
    wg: AtomicUsize,
    info: AtomicU32,
    refs: AtomicU32,
    deadlines: Mutex<Deadlines>,
    /// One reader and one writer at a time (Go's `fdMutex` read and write
    /// locks): the waiter words hold one goroutine each, and a read is
    /// not interleaved with another's. Others wait here, as goroutines.
    rlock: RawGoMutex,
    wlock: RawGoMutex,
    /// `close` waits here for the last operation in flight to close the
    /// number (Go's `fdMutex` `csema`), and finds its result in
    /// `close_err` (an errno, 0 for none).
    csema: AtomicU32,
    close_err: AtomicI32,
    /// The free list's link (under `CACHE`).
    next: *mut PollDesc,
}

// SAFETY: every field is an atomic, under `deadlines`' lock, or (`next`)
// under the free list's lock.
unsafe impl Sync for PollDesc {}
unsafe impl Send for PollDesc {}

impl PollDesc {
    fn waiter(&self, mode: Mode) -> &AtomicUsize {
        match mode {
            Mode::Read => &self.rg,
            Mode::Write => &self.wg,
        }
    }

    pub fn fd(&self) -> i32 {
        self.fd.load(Ordering::Relaxed)
    }

    pub fn pollable(&self) -> bool {
        self.pollable.load(Ordering::Relaxed)
    }

    /// A read of `want` bytes returned `got` (under the read lock). On a
    /// stream, a short count means the kernel's buffer was empty once the
    /// data was copied out, so the next read waits for the poller first
    /// instead of trying a system call that would say EAGAIN: one system
    /// call fewer per message for a server reading requests. That loses
    /// nothing with edge-triggered epoll: data (or a hang-up) arriving
    /// after the copy is a new edge, which `unblock` records as READY for
    /// `wait` to find. Not for datagrams or terminals, where one read
    /// takes one message and others may be queued behind it.
    pub fn note_read(&self, want: usize, got: usize) {
        if got > 0 && got < want && self.stream.load(Ordering::Relaxed) && !self.ended.load(Ordering::Relaxed) {
            self.drained.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the last read was short (see `note_read`), clearing it.
    pub fn read_drained(&self) -> bool {
        self.drained.load(Ordering::Relaxed) && self.drained.swap(false, Ordering::Relaxed)
    }

    /// Go's `netpollcheckerr`: why an operation in `mode` must not start
    /// (or go on waiting), if it must not.
    pub fn check(&self, mode: Mode) -> Result<(), Errno> {
        let info = self.info.load(Ordering::SeqCst);
        if info & CLOSING != 0 {
            return Err(Errno::EBADF);
        }
        let expired = match mode {
            Mode::Read => RD_EXPIRED,
            Mode::Write => WD_EXPIRED,
        };
        if info & expired != 0 {
            return Err(Errno::ETIMEDOUT);
        }
        Ok(())
    }

    /// Go's `netpollunblock`: takes the waiter out of `mode`'s word, if
    /// one is parked; with `ioready` an event is recorded for the next
    /// waiter too. The caller readies the G returned (after unlocking).
    fn unblock(&self, mode: Mode, ioready: bool) -> *mut G {
        let w = self.waiter(mode);
        loop {
            let old = w.load(Ordering::SeqCst);
            if old == READY || (old == NIL && !ioready) {
                return null_mut();
            }
            let new = if ioready { READY } else { NIL };
            if w.compare_exchange(old, new, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                if old == NIL || old == WAIT {
                    return null_mut();
                }
                WAITERS.fetch_sub(1, Ordering::SeqCst);
                return old as *mut G;
            }
        }
    }

    /// Go's `netpollblock`: parks the calling goroutine until `mode` is
    /// ready, the deadline passes or the descriptor closes. True when it
    /// is ready (try the operation again); false when `check` says why not.
    pub fn wait(&self, mode: Mode) -> bool {
        let w = self.waiter(mode);
        loop {
            if w.compare_exchange(READY, NIL, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                return true;
            }
            if w.compare_exchange(NIL, WAIT, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                break;
            }
            let v = w.load(Ordering::SeqCst);
            if v != READY && v != NIL {
                throw("runtime: double wait");
            }
        }
        // The waiter's half of the handshake in the module comment: WAIT
        // is stored, now look at `info`.
        if self.check(mode).is_ok() {
            // SAFETY: we run on a user goroutine; `unblock` finds it
            // through the word the commit stores it in.
            unsafe {
                sched::gopark(
                    Some(block_commit),
                    w as *const AtomicUsize as *mut u8,
                    WaitReason::IoWait,
                )
            };
        }
        let old = w.swap(NIL, Ordering::SeqCst);
        if old > WAIT {
            throw("runtime: corrupted polldesc");
        }
        old == READY
    }
}

/// `wait`'s unlock function (Go's `netpollblockcommit`): on g0, with the
/// goroutine parked, `WAIT → G`; false (run on) if a notifier came first.
///
/// # Safety
/// `w` is the waiter word of a live `PollDesc`, and `gp` the parked G.
unsafe fn block_commit(gp: *mut G, w: *mut u8) -> bool {
    // SAFETY: w is a waiter word of a PollDesc, which is never freed.
    let w = unsafe { &*(w as *const AtomicUsize) };
    if w.compare_exchange(WAIT, gp as usize, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
        // Counted before anyone can decide to stop polling: the M that
        // parked `gp` goes on to `findrunnable`, which sees it.
        WAITERS.fetch_add(1, Ordering::SeqCst);
        true
    } else {
        false
    }
}

// ---- The epoll instance and the scheduler's hooks ------------------------

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
static WAITERS: AtomicI32 = AtomicI32::new(0);
/// When someone last polled (Go's `sched.lastpoll`), for sysmon.
static LASTPOLL: AtomicI64 = AtomicI64::new(0);
/// An M is blocked in `epoll_wait`.
static BLOCKED: AtomicBool = AtomicBool::new(false);
/// An interrupt is written and not yet consumed (Go's `netpollWakeSig`).
static BREAK_PENDING: AtomicBool = AtomicBool::new(false);
static EPFD: AtomicI32 = AtomicI32::new(-1);
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
fn init() -> Result<(), Errno> {
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
        // readiness, see the module comment).
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

// ---- The descriptor table and the free list -------------------------------

const CHUNK: usize = 1024;
/// Descriptors beyond `CHUNK * CHUNK` (above any usual `RLIMIT_NOFILE`)
/// are not registered: they block in system calls.
static TABLE: [AtomicPtr<[AtomicPtr<PollDesc>; CHUNK]>; CHUNK] =
    [const { AtomicPtr::new(null_mut()) }; CHUNK];

struct Cache(*mut PollDesc);
// SAFETY: the list is only touched under its lock.
unsafe impl Send for Cache {}
static CACHE: spin::Mutex<Cache> = spin::Mutex::new(Cache(null_mut()));

fn slot(fd: i32) -> Option<&'static AtomicPtr<PollDesc>> {
    let fd = usize::try_from(fd).ok()?;
    let (hi, lo) = (fd / CHUNK, fd % CHUNK);
    let chunks = TABLE.get(hi)?;
    let mut c = chunks.load(Ordering::Acquire);
    if c.is_null() {
        // Zeroed memory is a chunk of nulls; allocated in place (a Box of
        // the array would build its 4-8 KiB on the stack first, more than
        // armv7's frame limit allows).
        let layout = core::alloc::Layout::new::<[AtomicPtr<PollDesc>; CHUNK]>();
        // SAFETY: the layout has a non-zero size.
        let fresh = unsafe { alloc::alloc::alloc_zeroed(layout) } as *mut [AtomicPtr<PollDesc>; CHUNK];
        if fresh.is_null() {
            alloc::alloc::handle_alloc_error(layout);
        }
        match chunks.compare_exchange(null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => c = fresh,
            Err(other) => {
                // SAFETY: fresh is ours, never published.
                drop(unsafe { Box::from_raw(fresh) });
                c = other;
            }
        }
    }
    // SAFETY: chunks are never freed once published.
    unsafe { (*c).get(lo) }
}

/// The registration of `fd`, or null.
pub fn lookup(fd: i32) -> *mut PollDesc {
    let Ok(u) = usize::try_from(fd) else { return null_mut() };
    let Some(chunks) = TABLE.get(u / CHUNK) else { return null_mut() };
    let c = chunks.load(Ordering::Acquire);
    if c.is_null() {
        return null_mut();
    }
    // SAFETY: chunks are never freed once published.
    unsafe { (*c)[u % CHUNK].load(Ordering::Acquire) }
}

fn alloc_pd() -> *mut PollDesc {
    let mut c = CACHE.lock();
    let pd = c.0;
    if !pd.is_null() {
        // SAFETY: on the free list, so a PollDesc no one else holds.
        c.0 = unsafe { (*pd).next };
        return pd;
    }
    drop(c);
    crate::malloc::leak(PollDesc {
        fd: AtomicI32::new(-1),
        pollable: AtomicBool::new(false),
        stream: AtomicBool::new(false),
        ended: AtomicBool::new(false),
        drained: AtomicBool::new(false),
        rg: AtomicUsize::new(NIL),
        wg: AtomicUsize::new(NIL),
        info: AtomicU32::new(0),
        refs: AtomicU32::new(0),
        deadlines: Mutex::new(Rank::PollDesc, Deadlines { r: Deadline::new(), w: Deadline::new() }),
        rlock: RawGoMutex::new(),
        wlock: RawGoMutex::new(),
        csema: AtomicU32::new(0),
        close_err: AtomicI32::new(0),
        next: null_mut(),
    })
}

/// `register` for a byte stream (a pipe, a stream socket): see
/// `PollDesc::note_read`.
pub fn register_stream(fd: i32) -> Result<*mut PollDesc, Errno> {
    let pd = register(fd, true)?;
    // SAFETY: registrations are PollDescs, never freed; the flag is set
    // before any read of the new descriptor (this thread's, or another's
    // after it learns the number, which takes a reference with Acquire).
    if let Some(p) = unsafe { pd.as_ref() } {
        p.stream.store(true, Ordering::Release);
    }
    Ok(pd)
}

/// Whether `fd` is registered as a byte stream (`register_stream`).
pub fn is_stream(fd: i32) -> bool {
    // SAFETY: registrations are PollDescs, never freed.
    unsafe { lookup(fd).as_ref() }.map_or(false, |p| p.stream.load(Ordering::Acquire))
}

/// Registers `fd` (which must already be non-blocking if `pollable`); a
/// stale registration of the same number (a descriptor closed behind the
/// runtime's back) is evicted. With `pollable`, epoll watches it; if it
/// cannot (a regular file), it is registered as not pollable.
pub fn register(fd: i32, pollable: bool) -> Result<*mut PollDesc, Errno> {
    if pollable {
        init()?;
    }
    let Some(slot) = slot(fd) else { return Ok(null_mut()) };
    let pd = alloc_pd();
    // SAFETY: pd is fresh or off the free list: ours until published.
    let p = unsafe { &*pd };
    p.fd.store(fd, Ordering::Relaxed);
    p.stream.store(false, Ordering::Relaxed);
    p.ended.store(false, Ordering::Relaxed);
    p.drained.store(false, Ordering::Relaxed);
    p.rg.store(NIL, Ordering::Relaxed);
    p.wg.store(NIL, Ordering::Relaxed);
    {
        // A timer of the previous life may still be due: new sequence
        // numbers make it find nothing to do, and `info` is cleared under
        // the same lock its expiry would take.
        let mut d = p.deadlines.lock();
        d.r.cancel();
        d.w.cancel();
        d.r.at = 0;
        d.w.at = 0;
        p.info.store(0, Ordering::SeqCst);
    }
    let mut watched = false;
    if pollable {
        let ev = EpollEvent {
            events: (EpollFlags::IN | EpollFlags::OUT | EpollFlags::RDHUP | EpollFlags::ET).bits(),
            data: pd as usize as u64,
        };
        watched = match os::epoll_ctl(EPFD.load(Ordering::Relaxed), os::EPOLL_CTL_ADD, fd, &ev) {
            Ok(()) => true,
            // A regular file or directory: not pollable.
            Err(Errno::EPERM) => false,
            // Another goroutine registered it first (two reads of an
            // inherited non-blocking descriptor both saw EAGAIN): use its
            // registration rather than fail the second read.
            Err(Errno::EEXIST) if !lookup(fd).is_null() => {
                free_pd(pd);
                return Ok(lookup(fd));
            }
            Err(e) => {
                free_pd(pd);
                return Err(e);
            }
        };
    }
    p.pollable.store(watched, Ordering::Relaxed);
    // Last, with Release: a reference taken (`FdRef::get`'s Acquire
    // compare-and-swap reads this 0; before it, CLOSED from the previous
    // life refuses) sees every field above, `fd` included, on weak memory
    // too.
    p.refs.store(0, Ordering::Release);
    let old = slot.swap(pd, Ordering::AcqRel);
    // SAFETY: registrations are PollDescs, never freed.
    if let Some(old) = unsafe { old.as_ref() } {
        // A stale registration (its number was closed behind the
        // runtime's back): wake its waiters. One being closed (`close_number`
        // closes the number before it leaves the table) is left
        // alone: it may already be another descriptor's.
        if old.refs.load(Ordering::Acquire) & CLOSED == 0 && old.fd() == fd {
            evict(old);
        }
    }
    Ok(pd)
}

fn free_pd(pd: *mut PollDesc) {
    let mut c = CACHE.lock();
    // SAFETY: pd is no longer registered: ours.
    unsafe { (*pd).next = c.0 };
    c.0 = pd;
}

/// Marks `pd` closing and wakes its waiters (Go's `pollDesc.evict`).
fn evict(pd: &PollDesc) {
    let (r, w) = {
        let mut d = pd.deadlines.lock();
        pd.info.fetch_or(CLOSING, Ordering::SeqCst);
        d.r.cancel();
        d.w.cancel();
        (pd.unblock(Mode::Read, false), pd.unblock(Mode::Write, false))
    };
    readyg(r);
    readyg(w);
}

fn readyg(gp: *mut G) {
    if !gp.is_null() {
        // SAFETY: gp came out of a waiter word: parked with gopark, and
        // only we hold it.
        unsafe { sched::ready(gp) };
    }
}

/// A reference to a registered descriptor held for one operation (Go's
/// `fdMutex` `incref`/`decref`): the number stays open until it drops.
pub struct FdRef(&'static PollDesc);

impl FdRef {
    /// The registration of `fd` with a reference taken; `Ok(None)` when
    /// `fd` is not registered; `EBADF` once it is closing.
    pub fn get(fd: i32) -> Result<Option<FdRef>, Errno> {
        let pd = lookup(fd);
        if pd.is_null() {
            return Ok(None);
        }
        // SAFETY: registrations are PollDescs, never freed.
        let p = unsafe { &*pd };
        let mut v = p.refs.load(Ordering::Relaxed);
        loop {
            if v & CLOSED != 0 || p.fd() != fd {
                return Err(Errno::EBADF);
            }
            match p.refs.compare_exchange_weak(v, v + 1, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break,
                Err(x) => v = x,
            }
        }
        let r = FdRef(p);
        // Closed and registered again for another number between the
        // lookup and the reference: not ours (dropping gives it back).
        if p.fd() != fd {
            return Err(Errno::EBADF);
        }
        Ok(Some(r))
    }

    pub fn pd(&self) -> &'static PollDesc {
        self.0
    }

    /// Takes `mode`'s lock for one operation (the goroutine waits while
    /// another reads, or writes); released when the guard drops. A closed
    /// descriptor wakes the holder (`EBADF`), which lets the next one in
    /// to see the same.
    pub fn lock(&self, mode: Mode) -> IoLock {
        let m = match mode {
            Mode::Read => &self.0.rlock,
            Mode::Write => &self.0.wlock,
        };
        m.lock();
        IoLock(m)
    }
}

/// `FdRef::lock`'s guard.
pub struct IoLock(&'static RawGoMutex);

impl Drop for IoLock {
    fn drop(&mut self) {
        self.0.unlock();
    }
}

impl Drop for FdRef {
    fn drop(&mut self) {
        if self.0.refs.fetch_sub(1, Ordering::AcqRel) == CLOSED | 1 {
            // The last operation of a closed descriptor: close the number,
            // then let `close`, waiting, have the result (and the
            // PollDesc: it frees it, so nothing here touches it after the
            // release).
            let e = match close_number(self.0) {
                Ok(()) => 0,
                Err(e) => e.into_raw(),
            };
            self.0.close_err.store(e, Ordering::Relaxed);
            crate::sema::semrelease(&self.0.csema);
        }
    }
}

/// The last reference of a closed descriptor is gone: unregister it and
/// close the number.
///
/// The number is closed *before* it leaves the table: until then a lookup
/// finds it closed (`EBADF`). Were it the other way round, a goroutine
/// starting a read could miss the registration, take the blocking path on
/// the still-open non-blocking descriptor and wait in `ppoll`, which its
/// close does not wake. A registration of the reused number meanwhile
/// replaces ours in the table (the compare-and-swap then leaves it).
fn close_number(pd: &'static PollDesc) -> Result<(), Errno> {
    let fd = pd.fd();
    if pd.pollable() {
        // Go's netpollclose: were the open file shared (a dup, a fork, an
        // inherited descriptor), its events would go on naming this
        // PollDesc, reused by then.
        let ev = EpollEvent { events: 0, data: 0 };
        let _ = os::epoll_ctl(EPFD.load(Ordering::Relaxed), os::EPOLL_CTL_DEL, fd, &ev);
    }
    let r = crate::fd::close_raw(fd);
    if let Some(s) = slot(fd) {
        let me = pd as *const PollDesc as *mut PollDesc;
        let _ = s.compare_exchange(me, null_mut(), Ordering::AcqRel, Ordering::Relaxed);
    }
    pd.fd.store(-1, Ordering::Relaxed);
    r
}

/// Go's `FD.Close`: closes a registered descriptor. Waiters wake with
/// `EBADF`; the number itself is closed when the last operation in flight
/// ends (at once if none), and `close` returns only then, with the result
/// of `close(2)` (so a listener's address is free, and its peers see end
/// of file, by the time it returns). `Ok(None)` if `fd` is not registered.
pub fn close(fd: i32) -> Result<Option<()>, Errno> {
    let pd = lookup(fd);
    if pd.is_null() {
        return Ok(None);
    }
    // SAFETY: registrations are PollDescs, never freed.
    let p: &'static PollDesc = unsafe { &*pd };
    let mut v = p.refs.load(Ordering::Relaxed);
    loop {
        if v & CLOSED != 0 || p.fd() != fd {
            return Err(Errno::EBADF);
        }
        match p.refs.compare_exchange_weak(v, v | CLOSED, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => break,
            Err(x) => v = x,
        }
    }
    evict(p);
    let r = if v == 0 {
        close_number(p)
    } else {
        // The woken waiters drop their references; the last one closes
        // the number and releases us.
        crate::sema::semacquire(&p.csema, false, crate::runtime2::WaitReason::Semacquire);
        match p.close_err.load(Ordering::Relaxed) {
            0 => Ok(()),
            e => Err(Errno::new(e)),
        }
    };
    free_pd(p as *const PollDesc as *mut PollDesc);
    r.map(Some)
}

// ---- Deadlines -------------------------------------------------------------

/// Sets the deadline of `modes` on `pd` (Go's
/// `poll_runtime_pollSetDeadline`): `at` in `nanotime` ns, 0 for none; one
/// already past expires at once, waking the waiters, which fail with
/// `ETIMEDOUT`.
pub fn set_deadline(pd: &'static PollDesc, at: i64, modes: &[Mode]) {
    let now = time::nanotime();
    let at = if at != 0 && at <= now { -1 } else { at };
    let mut ready = [null_mut(); 2];
    {
        let mut d = pd.deadlines.lock();
        // Closed meanwhile (the caller's reference keeps it from being
        // reused, not from being closed): arm nothing (Go: errClosing).
        if pd.info.load(Ordering::SeqCst) & CLOSING != 0 {
            return;
        }
        for (i, &mode) in modes.iter().enumerate() {
            let dl = d.of(mode);
            dl.at = at;
            if at <= 0 {
                dl.cancel();
            } else if dl.timer.is_null() || dl.when > at {
                // (A later deadline keeps the armed timer: when it fires it
                // re-arms for the new one, so resetting a deadline before
                // every read keeps one timer per descriptor.)
                dl.cancel();
                arm(pd, mode, dl, at);
            }
            let bit = match mode {
                Mode::Read => RD_EXPIRED,
                Mode::Write => WD_EXPIRED,
            };
            if at < 0 {
                pd.info.fetch_or(bit, Ordering::SeqCst);
                if let Some(r) = ready.get_mut(i) {
                    *r = pd.unblock(mode, false);
                }
            } else {
                pd.info.fetch_and(!bit, Ordering::SeqCst);
            }
        }
    }
    for gp in ready {
        readyg(gp);
    }
}

/// Arms a timer for `dl` at `at`.
fn arm(pd: &'static PollDesc, mode: Mode, dl: &mut Deadline, at: i64) {
    let f = match mode {
        Mode::Read => read_deadline as crate::timers::TimerFn,
        Mode::Write => write_deadline,
    };
    let mut t = Timer::new(at, 0, f, pd as *const PollDesc as *mut u8, true);
    t.seq = dl.seq;
    let t = Box::into_raw(Box::new(t));
    dl.timer = t;
    dl.when = at;
    // SAFETY: an owned one-shot timer: the heap frees it.
    unsafe { time::addtimer(t) };
}

/// # Safety
/// `arg` is the `PollDesc` the timer was armed for.
unsafe fn read_deadline(arg: *mut u8, seq: usize, now: i64) {
    // SAFETY: our caller's promise; PollDescs are never freed.
    deadline_fired(unsafe { &*(arg as *const PollDesc) }, Mode::Read, seq, now);
}

/// # Safety
/// As for `read_deadline`.
unsafe fn write_deadline(arg: *mut u8, seq: usize, now: i64) {
    // SAFETY: as for read_deadline.
    deadline_fired(unsafe { &*(arg as *const PollDesc) }, Mode::Write, seq, now);
}

/// A deadline timer fired (Go's `netpolldeadlineimpl`).
fn deadline_fired(pd: &'static PollDesc, mode: Mode, seq: usize, now: i64) {
    let gp = {
        let mut d = pd.deadlines.lock();
        let dl = d.of(mode);
        if dl.seq != seq {
            // Replaced or cancelled since it was armed.
            return;
        }
        // This timer is done; the heap frees it after we return.
        dl.timer = null_mut();
        if dl.at <= 0 {
            return;
        }
        if dl.at > now {
            // The deadline moved later: wait for it.
            let at = dl.at;
            dl.seq = dl.seq.wrapping_add(1);
            arm(pd, mode, dl, at);
            return;
        }
        dl.at = -1;
        let bit = match mode {
            Mode::Read => RD_EXPIRED,
            Mode::Write => WD_EXPIRED,
        };
        pd.info.fetch_or(bit, Ordering::SeqCst);
        pd.unblock(mode, false)
    };
    readyg(gp);
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
