//! Ms (OS threads): creating them (`newm`, `mstart`), parking and waking
//! them (`stopm`, `startm`, `wakep`), and the one idle M that sleeps until
//! the next timer (`stopm_timed`, or `stopm_netpoll` in the poller).

use super::checkdead::checkdead;
use super::{acquirep, injectglist, pidleget, schedule};
use crate::arch;
use crate::netpoll;
use crate::os;
use crate::panic::throw;
use crate::runtime2::{allmadd, getg, GQueue, SchedLocked, G, M, P, SCHED};
use crate::stack;
use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{fence, AtomicPtr, Ordering};

/// Go's `sched.maxmcount`.
const MAX_MCOUNT: i64 = 10000;
/// Stack of a new M's g0 (its scheduler stack).
const G0_STACK_SIZE: usize = 64 << 10;

/// Puts `mp` on the idle list; with no M left running, `checkdead`.
///
/// # Safety
/// `mp` is the calling thread's M, on no idle list, about to sleep on its
/// `park` note; `s` is `SCHED.lock`'s state, held.
unsafe fn mput(s: &mut SchedLocked, mp: *mut M) {
    // SAFETY: mp is the calling thread's M and on no list (our contract):
    // its `schedlink` is the idle list's, guarded by sched.lock, held (s).
    unsafe { (*mp).schedlink = s.midle };
    s.midle = mp;
    s.nmidle += 1;
    // SAFETY: sched.lock is held (s), as checkdead requires.
    unsafe { checkdead(s) };
}

/// Takes an idle M, or null. The caller then owns its wake-up: it sets
/// the M's `nextp` (and `spinning`) and wakes its note.
///
/// # Safety
/// `s` is `SCHED.lock`'s state, held, and its idle list holds only Ms put
/// there by `mput`.
unsafe fn mget(s: &mut SchedLocked) -> *mut M {
    let mp = s.midle;
    if !mp.is_null() {
        // SAFETY: mp is on the idle list, so it is an M put there by mput
        // (our contract) and Ms are never freed; its `schedlink` is the
        // list's, guarded by sched.lock, held (s).
        unsafe {
            s.midle = (*mp).schedlink;
            (*mp).schedlink = null_mut();
        }
        s.nmidle -= 1;
    }
    mp
}

/// Go's `stopm`: parks the M until `startm` hands it a P.
///
/// # Safety
/// `mp` is the calling thread's M, on its g0, with no P and not spinning.
pub(super) unsafe fn stopm(mp: *mut M) {
    // SAFETY: mp is the calling thread's M (our contract): only this thread
    // writes its `p`.
    if unsafe { !(*mp).p.is_null() } {
        throw("stopm holding p");
    }
    // SAFETY: as above, for `spinning`.
    if unsafe { (*mp).spinning } {
        throw("stopm spinning");
    }
    let mut s = SCHED.lock.lock();
    // SAFETY: mp is the calling thread's M, on no idle list and about to
    // sleep; sched.lock is held (s), as mput requires.
    unsafe { mput(&mut s, mp) };
    drop(s);
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // `blocked`, and its note is shared with its waker through atomics.
    unsafe {
        (*mp).blocked = true;
        (*mp).park.sleep();
        (*mp).blocked = false;
        (*mp).park.clear();
    }
    // SAFETY: mp is the calling thread's M and has no P (checked above);
    // its `nextp` is the P the startm that woke us took off the idle list,
    // wired to no M, and published by the note's wake-up, as acquirep
    // requires.
    unsafe {
        acquirep(mp, (*mp).nextp);
        (*mp).nextp = null_mut();
    }
}

/// Go's `startm`: runs `pp` (an idle P if null) on an idle M, or a new
/// one. With `spinning`, the caller has already counted the M in
/// `nmspinning`.
///
/// # Safety
/// `pp` is null, or a P wired to no M and on no list, which the caller
/// hands over; with `spinning`, the caller holds an `nmspinning` claim.
pub(super) unsafe fn startm(mut pp: *mut P, spinning: bool) {
    let mut s = SCHED.lock.lock();
    if pp.is_null() {
        // SAFETY: sched.lock is held (s); the idle list holds only Ps put
        // there by pidleput.
        pp = unsafe { pidleget(&mut s) };
        if pp.is_null() {
            drop(s);
            if spinning {
                SCHED.nmspinning.unclaim();
            }
            return;
        }
    }
    // SAFETY: sched.lock is held (s); the idle list holds only Ms put there
    // by mput.
    let nmp = unsafe { mget(&mut s) };
    if nmp.is_null() {
        let id = mreserveid(&mut s);
        drop(s);
        // SAFETY: pp is a P wired to no M and on no list (our contract, or
        // fresh off the idle list), handed to the new M; id was just
        // reserved with mreserveid, as newm requires.
        unsafe { newm(pp, spinning, id, None) };
        return;
    }
    drop(s);
    // SAFETY: we took nmp off the idle list, so we own its wake-up: it
    // sleeps (or is about to) in stopm or stopm_timed and reads `spinning`
    // and `nextp` only after the note's wake-up, which publishes them; Ms
    // are never freed.
    unsafe {
        (*nmp).spinning = spinning;
        (*nmp).nextp = pp;
        (*nmp).park.wakeup();
    }
}

/// Go's `mReserveID`: the id of a new M, counted in `mcount` (every M,
/// sysmon's too), refused past `MAX_MCOUNT` as Go does.
pub fn mreserveid(s: &mut SchedLocked) -> i64 {
    let id = s.mnext;
    s.mnext += 1;
    if s.mcount() > MAX_MCOUNT {
        crate::panic::throw_with(
            &|l| {
                l.ki("program exceeds ", MAX_MCOUNT).s("-thread limit");
            },
            "thread exhaustion",
        );
    }
    id
}

/// Counts m0 (already running) as an M.
pub fn register_m0() {
    let mut s = SCHED.lock.lock();
    let _ = mreserveid(&mut s);
}

/// Go's `wakep`: wakes one M to spin, if a P is idle and none spins.
pub fn wakep() {
    // The submitter's half of the spinning handshake (module comment): the
    // caller has just queued work; the fence orders that store before the
    // loads below, against the fence in `findrunnable` after a spinner's
    // decrement of `nmspinning`.
    fence(Ordering::SeqCst);
    if SCHED.npidle.load(Ordering::SeqCst) == 0 {
        return;
    }
    if !SCHED.nmspinning.claim() {
        return;
    }
    // SAFETY: startm only touches scheduler structures.
    unsafe { startm(null_mut(), true) };
}

/// A spinning M found work: it stops spinning and lets another M search.
///
/// # Safety
/// `mp` is the calling thread's M.
pub(super) unsafe fn resetspinning(mp: *mut M) {
    // SAFETY: mp is the calling thread's M (our contract), as `end`
    // requires.
    unsafe { SCHED.nmspinning.end(mp) };
    wakep();
}

/// Go's `newm` + `newosproc`: a new M (thread) that will run `pp`, or
/// `startfn` without a P.
///
/// # Safety
/// `pp` is null (with `startfn`) or an idle P handed to the new M; `id` was
/// reserved with `mreserveid`.
pub unsafe fn newm(pp: *mut P, spinning: bool, id: i64, startfn: Option<fn() -> !>) {
    let mp = super::locked::installed()
        .and_then(|o| (o.reuse_freem)())
        .unwrap_or_else(allocm);
    // SAFETY: mp is new or reset (allocm, reuse_freem), on no list and
    // without a thread: no other thread can see it.
    unsafe { (*mp).id = id };
    // SAFETY: mp is a new M not yet running, as mcommoninit requires.
    unsafe { crate::proc::mcommoninit(mp) };
    // SAFETY: mp and its g0 are not shared yet (mp is not on allm and its
    // thread does not exist).
    unsafe {
        (*(*mp).g0).m = mp;
        (*mp).nextp = pp;
        (*mp).spinning = spinning;
        (*mp).mstartfn = startfn;
    }
    // SAFETY: mp.tls is a field of a live, unshared M, so valid for
    // writes, as init_tcb requires.
    unsafe { arch::init_tcb(addr_of_mut!((*mp).tls)) };
    // SAFETY: mp is still unshared.
    unsafe { (*mp).tls.words[arch::G_SLOT] = (*mp).g0 as usize };
    // SAFETY: mp is a live M (never freed) not yet on allm, as allmadd
    // requires.
    unsafe { allmadd(mp) };
    // SAFETY: g0's stack and mp's tls are never freed, so they stay valid
    // for the life of the thread, and mstart never returns, as newosproc
    // requires; the thread starts on g0's stack with its thread pointer at
    // mp.tls, whose G slot is g0, so mstart's contract (its M, on its g0)
    // holds too.
    let r = unsafe {
        os::linux::newosproc(
            (*(*mp).g0).stack.hi,
            addr_of_mut!((*mp).tls) as usize,
            mstart,
            mp as *mut u8,
        )
    };
    match r {
        // For sysmon's preemption signals (`preempt::preemptone`).
        // SAFETY: mp is live (never freed); procid is atomic.
        Ok(tid) => unsafe { (*mp).procid.store(tid, Ordering::Release) },
        Err(e) => newosproc_failed(e.into_raw()),
    }
}

/// A new M with its g0, their stacks and its signal stack (Go's `allocm`).
fn allocm() -> *mut M {
    let mp = crate::malloc::leak(M::new());
    let g0 = crate::malloc::leak(G::new());
    match stack::stackalloc(G0_STACK_SIZE) {
        Ok(st) => {
            // SAFETY: g0 was just allocated and is not shared yet.
            unsafe {
                (*g0).stack = st;
                (*g0).stackguard0 = st.lo + stack::STACK_GUARD;
                (*g0).stackguard1 = (*g0).stackguard0;
            }
        }
        Err(_) => throw("newm: cannot allocate g0 stack"),
    }
    // SAFETY: mp was just allocated (a leaked Box, never freed) and is not
    // shared yet.
    unsafe {
        (*mp).g0 = g0;
        (*mp).gsignal = crate::signal_unix::alloc_gsignal();
    }
    mp
}

#[cold]
fn newosproc_failed(errno: i32) -> ! {
    crate::panic::throw_with(
        &|l| {
            l.ki(
                "failed to create new OS thread (have ",
                SCHED.lock.lock().mcount() - 1,
            )
            .ki(" already; errno=", errno as i64)
            .s(")");
            if errno == 11 {
                l.s("\nruntime: may need to increase max user processes (ulimit -u)");
            }
        },
        "newosproc",
    )
}

/// Go's `mstart`/`mstart1`, for m0 (called by `rt0_go`) and every new M
/// (its thread's first function, on its g0 stack, with the thread pointer
/// set by `clone`): g0's resumption point becomes the top of the current
/// stack, the signal stack is installed, and the scheduler takes over. m0
/// also installs the process's signal handlers (Go's `mstartm0`) and
/// already holds P0; other Ms take the P they were started with, or run
/// `mstartfn` (sysmon) without one.
///
/// # Safety
/// `arg` is the calling thread's M, on its g0.
pub unsafe extern "C" fn mstart(arg: *mut u8) -> ! {
    let mp = arg as *mut M;
    let g0 = getg();
    // SAFETY: mp is the calling thread's M (our contract), and Ms are never
    // freed; its `g0` was set before the thread started.
    if g0 != unsafe { (*mp).g0 } {
        throw("bad runtime·mstart");
    }
    // Everything g0 runs from now on (schedule, mcall targets) starts here;
    // this frame and the ones above it stay untouched.
    // SAFETY: g0 is this thread's g0 (checked above): only this thread
    // writes its context.
    unsafe { (*g0).sched.sp = (arch::current_sp() - 256) & !15 };
    // SAFETY: we run on mp's thread (our contract), and mp.gsignal was
    // allocated before it started (newm; m0's in schedinit), as minit
    // requires.
    unsafe { crate::signal_unix::minit(mp) };
    // SAFETY: mp is the calling thread's M: its `id` was set before the
    // thread started.
    let m0 = unsafe { (*mp).id } == 0;
    if m0 {
        crate::signal_unix::initsig();
        if let Some(mut l) = crate::proc::bt("mstart") {
            l.f(
                "m%d g0.sched.sp=%x sigaltstack=[%x, %x) -> schedule",
                // SAFETY: mp and g0 are this thread's M and g0 (checked
                // above): only this thread writes these fields now.
                &unsafe {
                    [
                        (*mp).id as u64,
                        (*g0).sched.sp as u64,
                        (*mp).gsignal.lo as u64,
                        (*mp).gsignal.hi as u64,
                    ]
                },
            )
            .end();
        }
    }
    // SAFETY: mp is the calling thread's M: its `mstartfn` was set before
    // the thread started.
    if let Some(f) = unsafe { (*mp).mstartfn } {
        f();
    }
    if !m0 {
        // SAFETY: mp is the calling thread's M, which has no P yet; its
        // `nextp` is the P its starter (startm, start_the_world) handed
        // over, wired to no M, as acquirep requires.
        unsafe {
            acquirep(mp, (*mp).nextp);
            (*mp).nextp = null_mut();
        }
    }
    schedule()
}

/// `stopm` for the M that waits for the next timer (it has just become
/// `timer_sleeper`): it sleeps until a `startm` hands it a P, or until the
/// earliest deadline (which a new, earlier timer may lower, see
/// `wake_for_timer`); then it takes an idle P itself to run the due timers.
///
/// # The timer-watch handshake
///
/// An adder stores its P's `timer0` and then loads `timer_sleeper`; the
/// sleeper stores `timer_sleeper` (the CAS in `findrunnable`) and then
/// loads every `timer0` (`next_deadline` below). All four are SeqCst, so
/// at least one side sees the other: either the sleeper's deadline covers
/// the new timer, or the adder sees the sleeper and lowers `sleep_until`
/// with `fetch_min` and pokes it. The sleeper only ever lowers
/// `sleep_until` too (after resetting it once it owns the role), so no
/// store can raise a deadline an adder has just lowered. The poke comes
/// after the adder's `fetch_min`; the sleeper observes its note before it
/// loads `sleep_until`, so a poke it has not seen makes its futex wait
/// return at once.
///
/// # Safety
/// `mp` is the calling thread's M, on its g0, with no P and not spinning,
/// and it has just become `timer_sleeper`.
unsafe fn stopm_timed(mp: *mut M) {
    SCHED.sleep_until.store(i64::MAX, Ordering::SeqCst);
    SCHED
        .sleep_until
        .fetch_min(crate::time::next_deadline_or_max(), Ordering::SeqCst);
    let mut s = SCHED.lock.lock();
    // SAFETY: mp is the calling thread's M, on no idle list and about to
    // sleep; sched.lock is held (s), as mput requires.
    unsafe { mput(&mut s, mp) };
    drop(s);
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // `blocked`.
    unsafe { (*mp).blocked = true };
    loop {
        // SAFETY: mp is the calling thread's M (never freed); its note is
        // shared with its wakers through atomics.
        let seen = unsafe { (*mp).park.observe() };
        // SAFETY: as above.
        if unsafe { (*mp).park.is_set() } {
            break;
        }
        let deadline = SCHED.sleep_until.load(Ordering::SeqCst);
        // The network poller came into being while we slept: come round
        // and watch from epoll_wait instead (`poller_installed` pokes us).
        if os::nanotime() >= deadline || netpoll::poller().is_some() {
            let mut s = SCHED.lock.lock();
            // SAFETY: sched.lock is held (s); the idle list holds only Ms
            // put there by mput.
            if unsafe { mremove(&mut s, mp) } {
                // SAFETY: sched.lock is held (s); the idle list holds only
                // Ps put there by pidleput.
                let pp = unsafe { pidleget(&mut s) };
                if !pp.is_null() {
                    drop(s);
                    // SAFETY: mp is the calling thread's M: only this
                    // thread writes its `blocked`.
                    unsafe { (*mp).blocked = false };
                    // SAFETY: mp is the calling thread's M with no P (our
                    // contract), off the idle list so no startm hands it
                    // one; pp came off the idle list, wired to no M, as
                    // acquirep requires.
                    unsafe { acquirep(mp, pp) };
                    return;
                }
                // Every P is busy: they run the timers when they next
                // schedule, and the next M to go idle watches the clock.
                // Stop watching (or no one else could), and wait to be
                // needed.
                let _ = SCHED.timer_sleeper.compare_exchange(
                    mp,
                    null_mut(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                // SAFETY: mp is the calling thread's M, off the idle list
                // (mremove above) and about to sleep; sched.lock is held
                // (s), as mput requires.
                unsafe { mput(&mut s, mp) };
                drop(s);
                // SAFETY: mp is the calling thread's M; its note is atomic.
                unsafe { (*mp).park.sleep() };
                break;
            }
            // A startm took us off the idle list: its wakeup is coming.
            drop(s);
            // SAFETY: as above.
            unsafe { (*mp).park.sleep() };
            break;
        }
        // SAFETY: mp is the calling thread's M; its note is atomic.
        unsafe { (*mp).park.sleep_until(seen, deadline) };
    }
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // `blocked`, and its note is shared with its waker through atomics.
    unsafe {
        (*mp).blocked = false;
        (*mp).park.clear();
    }
    // SAFETY: mp is the calling thread's M and has no P; its `nextp` is the
    // P the startm that woke us took off the idle list, wired to no M, and
    // published by the note's wake-up, as acquirep requires.
    unsafe {
        acquirep(mp, (*mp).nextp);
        (*mp).nextp = null_mut();
    }
}

/// The timer watch from `epoll_wait` (Go's blocking `netpoll` in
/// `findrunnable`; `netpoll::Poller::park`): the M sleeps in the poller until the earliest timer,
/// an event on a descriptor, or an interrupt for a new earlier timer
/// (`wake_for_timer`, the handshake at `stopm_timed`: the interrupt's
/// eventfd stays readable, so one written before we block is not lost).
/// It is not on the idle list meanwhile, as in Go: it counts as running,
/// and `startm` does not pick it. Then it gives up the watch and takes an
/// idle P for what it found (or, with none idle, queues it globally for
/// the busy Ps and stops).
///
/// # Safety
/// As for `stopm_timed`.
pub(crate) unsafe fn stopm_netpoll(mp: *mut M) {
    let list = loop {
        SCHED.sleep_until.store(i64::MAX, Ordering::SeqCst);
        SCHED
            .sleep_until
            .fetch_min(crate::time::next_deadline_or_max(), Ordering::SeqCst);
        let until = SCHED.sleep_until.load(Ordering::SeqCst);
        let now = os::nanotime();
        if until <= now {
            break GQueue::new();
        }
        let delay = if until == i64::MAX { -1 } else { until - now };
        let list = netpoll::netpoll(delay);
        if !list.is_empty() {
            break list;
        }
        // Woken early (epoll's milliseconds round down), interrupted for
        // an earlier timer, or a signal: look again. With nothing left to
        // watch, become an ordinary idle M.
        if netpoll::waiters() == 0 && crate::time::next_deadline() == 0 {
            break list;
        }
    };
    let _ =
        SCHED
            .timer_sleeper
            .compare_exchange(mp, null_mut(), Ordering::SeqCst, Ordering::SeqCst);
    let mut s = SCHED.lock.lock();
    // SAFETY: sched.lock is held (s); the idle list holds only Ps put there
    // by pidleget.
    let pp = unsafe { pidleget(&mut s) };
    if pp.is_null() {
        drop(s);
        // SAFETY: on g0 without a P: the list goes to the global queue,
        // for the busy Ps.
        unsafe { injectglist(list) };
        // SAFETY: mp is the calling thread's M, on g0, without a P and not
        // spinning (our contract), as stopm requires.
        unsafe { stopm(mp) };
        return;
    }
    drop(s);
    // SAFETY: mp is the calling thread's M without a P (our contract); pp
    // came off the idle list, wired to no M, as acquirep requires.
    unsafe { acquirep(mp, pp) };
    // SAFETY: on g0 holding a P; the list came from the poller.
    unsafe { injectglist(list) };
}

/// The network poller has just been installed: a timer watcher asleep on
/// its futex comes round to watch from `epoll_wait` (the installer stored
/// the poller before this load, the watcher loads it after its `observe`).
pub fn poller_installed() {
    let sleeper = SCHED.timer_sleeper.load(Ordering::SeqCst);
    if !sleeper.is_null() {
        // SAFETY: Ms are never freed; poking only wakes the futex.
        unsafe { (*sleeper).park.poke() };
    }
}

/// `stopm_timed`, installed by the first timer (`timers_in_use`), so that
/// a program without timers does not link it.
static TIMED_WATCH: AtomicPtr<()> = AtomicPtr::new(null_mut());

/// The futex timer watch, once a timer exists.
pub(super) fn timed_watch() -> Option<unsafe fn(*mut M)> {
    let f = TIMED_WATCH.load(Ordering::SeqCst);
    // SAFETY: null or `stopm_timed`, stored by `timers_in_use`.
    (!f.is_null()).then(|| unsafe { core::mem::transmute::<*mut (), unsafe fn(*mut M)>(f) })
}

/// A timer is about to be added: installs the futex timer watch (before
/// the timer is published, so an M that sees the timer sees the watch:
/// both are SeqCst). Opaque to the optimiser, which would otherwise call
/// `stopm_timed` directly and link it into every program.
pub fn timers_in_use() {
    if TIMED_WATCH.load(Ordering::Relaxed).is_null() {
        let f = core::hint::black_box(stopm_timed as unsafe fn(*mut M) as *mut ());
        TIMED_WATCH.store(f, Ordering::SeqCst);
    }
}

/// Removes `mp` from the idle list; false if it is not there.
///
/// # Safety
/// `s` is `SCHED.lock`'s state, held, and its idle list holds only Ms put
/// there by `mput`.
unsafe fn mremove(s: &mut SchedLocked, mp: *mut M) -> bool {
    let mut link: *mut *mut M = &mut s.midle;
    // SAFETY: link points at s.midle or at the `schedlink` of an M on the
    // idle list (our contract; Ms are never freed), and the list is ours
    // while sched.lock is held (s).
    while unsafe { !(*link).is_null() } {
        // SAFETY: as above.
        if unsafe { *link } == mp {
            // SAFETY: as above; mp is on the list, so its `schedlink` is
            // the list's too.
            unsafe {
                *link = (*mp).schedlink;
                (*mp).schedlink = null_mut();
            }
            s.nmidle -= 1;
            return true;
        }
        // SAFETY: as above: *link is a listed M.
        link = unsafe { &mut (**link).schedlink };
    }
    false
}

/// A timer due at `when` was added (its P's `timer0` already stored):
/// make sure an M wakes for it. See the handshake at `stopm_timed`.
pub fn wake_for_timer(when: i64) {
    let sleeper = SCHED.timer_sleeper.load(Ordering::SeqCst);
    if sleeper.is_null() {
        wakep();
    } else if when < SCHED.sleep_until.fetch_min(when, Ordering::SeqCst) {
        // SAFETY: Ms are never freed; poking only wakes the futex (a
        // sleeper that has already left ignores it).
        unsafe { (*sleeper).park.poke() };
        // A watcher in epoll_wait needs the poller's interrupt instead.
        if let Some(p) = netpoll::poller() {
            (p.interrupt)();
        }
    }
}
