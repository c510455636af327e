//! The scheduler: Ms running Gs on Ps (Go's `proc.go`, second half).
//!
//! # Design
//!
//! GOMAXPROCS Ps exist. An M (OS thread) must hold a P to run goroutines;
//! an M without one sleeps on its `park` note in `sched.midle`. Each P has
//! a local run queue (`runq`), so most scheduling decisions touch only the
//! P; a global queue under `sched.lock` takes overflow, yielded Gs and the
//! work of destroyed Ps.
//!
//! `schedule()` runs on an M's g0 stack and never returns: it picks a G
//! (`findrunnable`) and jumps to it (`execute`). A G comes back to the
//! scheduler through `mcall`: `gosched_m`, `park_m` and `goexit0` each end
//! in `schedule()`.
//!
//! ## Spinning Ms
//!
//! Waking an M is a futex system call and a context switch, so we wake as
//! few as possible without leaving work unrun: the protocol is written at
//! `runtime2::Spinning`, and `m.rs` (`wakep`, `resetspinning`) and
//! `findrunnable` follow it. Its one store-then-load handshake: an M that
//! stops spinning and gives up its P decrements `nmspinning` and *then*
//! looks at every P's queue once more. The two sides: the submitter's
//! run-queue store (a Release store of the queue's tail, or the global
//! queue under `sched.lock`), then a SeqCst fence, then its loads of
//! `npidle`/`nmspinning` in `wakep`; against the spinner's SeqCst decrement
//! of `nmspinning`, a SeqCst fence, then its loads of every queue
//! (`check_runqs_no_p`). The two fences are ordered one way or the other,
//! so at least one side sees the other's store: the submitter wakes an M,
//! or the spinner finds the G. (A Release store alone may be overtaken by
//! the later load on ARMv7, ARMv8 with LDR, and x86's store buffer;
//! `handshake.rs` has loom models of both variants.)
//!
//! ## Stealing
//!
//! An M out of local and global work steals half of another P's queue
//! (`runqgrab`), visiting the Ps in a random order (a random start and a
//! stride coprime with their number), four times round; only the last
//! round takes a victim's `runnext`, and only after a 3 µs pause if the
//! victim is running, because a G just readied there (a channel hand-off)
//! is usually about to run on it.
//!
//! ## Files
//!
//! - this file: Ps (`acquirep`, `releasep`, the idle list) and
//!   `schedule`/`findrunnable`/`execute`;
//! - `queues.rs`: run queues (local with overflow, global) and stealing;
//! - `park.rs`: `mcall`, parking (`gopark`, `goparkunlock`), `gosched`,
//!   `ready`;
//! - `m.rs`: Ms — `newm`, `mstart`, `startm`/`stopm`, `wakep`, and the
//!   M that sleeps until the next timer (in `epoll_wait` once the network
//!   poller exists, `netpoll`);
//! - `stw.rs`: stopping the world, `worldsema`, `procresize`, GOMAXPROCS;
//! - `syscall.rs`: system calls that may block (`entersyscall`,
//!   `exitsyscall`) and `handoffp`;
//! - `sysmon.rs`: sysmon, which takes Ps back from blocked system calls
//!   and polls the network when nobody has for 10 ms;
//! - `checkdead.rs`: deadlock detection;
//! - `locked.rs`: goroutines locked to their thread (`LockOSThread`), and
//!   threads that end with them (`mexit`).

mod checkdead;
mod locked;
mod m;
mod park;
mod queues;
mod stw;
mod syscall;
mod sysmon;

pub use m::{
    mreserveid, mstart, newm, poller_installed, register_m0, timers_in_use, wake_for_timer, wakep,
};
pub use locked::{lock_os_thread, unlock_os_thread};
pub(crate) use locked::exit_locked;
pub use park::{dropg, gopark, goparkunlock, gosched, mcall, ready};
use queues::{globrunqget, injectglist, steal_work};
pub use queues::{globrunqput, runqput};
pub use stw::{procresize, set_gomaxprocs};
use syscall::handoffp;
pub use syscall::{entersyscall, entersyscallblock, exitsyscall, syscall6, syscall6_blocking};
pub(crate) use sysmon::poll_overdue;
pub use sysmon::{start_sysmon, wake_sysmon};

use crate::arch;
use crate::chaos::{self, Site};
use crate::lock::RawMutex;
use crate::netpoll;
use crate::os;
use crate::panic::throw;
use crate::runq::RUNQ_SIZE;
pub use crate::runtime2::{allp, gomaxprocs};
use crate::runtime2::{
    getg, getm, setg, GQueue, Gstatus, Pstatus, SchedLocked, WaitReason, G, M, P, SCHED,
};
use crate::stack;
use checkdead::checkdead;
use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{fence, Ordering};
pub(crate) use m::stopm_netpoll;
use m::{startm, stopm};
use stw::{gcstopm, stopped_one};

/// The most Gs that run in a row from `runnext` on one time slice. A G
/// readied by the running one (a channel hand-off) runs next and inherits
/// the slice, so that a ping-pong pair does not wait behind the queue; Go
/// ends that slice after 10 ms (sysmon preempts). Without that, a pair
/// handing off forever at GOMAXPROCS=1 would starve every other goroutine
/// of its P, and the global queue (looked at every 61 ticks) too. So the
/// slice ends after this many hand-offs instead: the G from `runnext` goes
/// to the tail of the local queue and the head runs on a new tick.
const RUNNEXT_SLICE: u32 = 4096;

// ---- Ps ----------------------------------------------------------------

/// Go's `acquirep`: wires `pp` to `mp`.
///
/// # Safety
/// `mp` has no P; `pp` is not wired to any M.
pub unsafe fn acquirep(mp: *mut M, pp: *mut P) {
    // SAFETY: Ms and Ps are never freed (runtime2); `mp` has no P and `pp`
    // no M (our contract), so no other thread owns the fields written here.
    unsafe {
        (*mp).p = pp;
        (*pp).m = mp;
        (*pp).set_status(Pstatus::_Prunning);
    }
}

/// Go's `releasep`: unwires the M's P and returns it.
///
/// # Safety
/// `mp` is the calling thread's M and holds a P.
pub(super) unsafe fn releasep(mp: *mut M) -> *mut P {
    // SAFETY: mp is the calling thread's M (our contract): only this thread
    // writes its fields; its P is ours, held in _Prunning, and Ps are never
    // freed (runtime2).
    unsafe {
        let pp = (*mp).p;
        (*pp).m = null_mut();
        (*pp).set_status(Pstatus::_Pidle);
        (*mp).p = null_mut();
        pp
    }
}

/// Puts `pp` on the idle list.
///
/// # Safety
/// `pp` is a live P wired to no M and on no list (neither the idle list nor
/// a `procresize` list); `s` is `SCHED.lock`'s state, held.
pub(super) unsafe fn pidleput(s: &mut SchedLocked, pp: *mut P) {
    // SAFETY: pp is live, owned by no M and on no list (our contract), so
    // its `link` is the idle list's, which sched.lock, held (s), guards.
    unsafe { (*pp).link = s.pidle };
    s.pidle = pp;
    SCHED.npidle.fetch_add(1, Ordering::SeqCst);
}

/// Takes an idle P, or null; the caller then owns it (it must wire it to
/// an M or put it back).
///
/// # Safety
/// `s` is `SCHED.lock`'s state, held, and its idle list holds only Ps put
/// there by `pidleput`.
pub(super) unsafe fn pidleget(s: &mut SchedLocked) -> *mut P {
    let pp = s.pidle;
    if !pp.is_null() {
        // SAFETY: pp is on the idle list, so it is a P put there by
        // pidleput (our contract) and Ps are never freed; its `link` is
        // the list's, guarded by sched.lock, held (s).
        unsafe {
            s.pidle = (*pp).link;
            (*pp).link = null_mut();
        }
        SCHED.npidle.fetch_sub(1, Ordering::SeqCst);
    }
    pp
}

// ---- Scheduling --------------------------------------------------------

/// Go's `schedule`: one round of the scheduler. Never returns.
///
/// An M with a locked G runs that G only (`locked.rs`); a G picked here
/// that is locked to another M goes to that M, with our P.
pub fn schedule() -> ! {
    // SAFETY: runs on g0 of an M that holds a P.
    unsafe {
        let mp = getm();
        if (*mp).p.is_null() {
            throw("schedule: no p");
        }
        if !(*mp).lockedg.is_null() {
            // SAFETY: mp is this thread's M on g0, its locked G not running
            // (it came here through mcall), as stoplockedm requires; it
            // returns holding a P with the G runnable and handed to us.
            (locked::ops().stoplockedm)(mp);
            execute((*mp).lockedg, false)
        }
        loop {
            let (gp, inherit) = findrunnable(mp);
            if (*mp).spinning {
                m::resetspinning(mp);
            }
            if !(*gp).lockedm.is_null() {
                // SAFETY: on g0 holding a P, no longer spinning; gp came
                // off a run queue, locked to another M (ours has no locked
                // G, checked above), as startlockedm requires. It returns
                // with a new P.
                (locked::ops().startlockedm)(gp);
                continue;
            }
            execute(gp, inherit)
        }
    }
}

/// `findrunnable`'s local pick `(gp, inherit)`, with the inherited time
/// slice bounded by `RUNNEXT_SLICE`; `None` when the slice ended, `gp` went
/// to the ring, and thieves emptied the ring before we could take its head
/// (gp is theirs then): the caller looks elsewhere.
///
/// # Safety
/// `pp` is the calling M's P.
unsafe fn end_inherited_slice(pp: *mut P, (gp, inherit): (*mut G, bool)) -> Option<(*mut G, bool)> {
    // SAFETY: pp is ours (caller): only this thread touches `inherited`
    // and puts to its queue.
    unsafe {
        if !inherit {
            (*pp).inherited = 0;
            return Some((gp, false));
        }
        (*pp).inherited += 1;
        if (*pp).inherited < RUNNEXT_SLICE {
            return Some((gp, true));
        }
        (*pp).inherited = 0;
        // Nobody waits locally: a new tick is enough (it brings the global
        // queue's turn closer).
        if (*pp).runq.is_empty() {
            return Some((gp, false));
        }
        // Behind the others. Thieves may take the ring (gp included)
        // between the put and the get: then there is nothing here to run.
        runqput(pp, gp, false);
        (*pp).runq.get().map(|(g, _)| (g, false))
    }
}

/// Go's `findrunnable`: a G to run, blocking (parking the M) until there
/// is one.
///
/// # Safety
/// `mp` is the calling thread's M, on its g0, holding a P.
unsafe fn findrunnable(mp: *mut M) -> (*mut G, bool) {
    loop {
        if SCHED.gcwaiting.load(Ordering::SeqCst) {
            // SAFETY: mp is the calling thread's M, on g0, holding a P (our
            // contract), as gcstopm requires.
            unsafe { gcstopm(mp) };
            continue;
        }
        // SAFETY: mp is the calling thread's M: only this thread writes its
        // `p`.
        let pp = unsafe { (*mp).p };
        crate::time::checktimers();
        // Fairness: every 61st tick look at the global queue first (its
        // size first: usually 0, and cheaper to read than the division).
        // SAFETY: pp is ours (we hold it in _Prunning; Ps are never
        // freed): only we write its `schedtick`.
        if SCHED.runqsize.load(Ordering::Relaxed) > 0
            && unsafe { (*pp).schedtick.load(Ordering::Relaxed) } % 61 == 0
        {
            // SAFETY: sched.lock is held (the guard lives to the end of the
            // `if let`) and pp is our own P, as globrunqget requires.
            if let Some(gp) = unsafe { globrunqget(&mut SCHED.lock.lock(), pp, 1) } {
                return (gp, false);
            }
        }
        // SAFETY: pp is ours (as above); `get` is the owner's operation.
        if let Some(r) = unsafe { (*pp).runq.get() } {
            // SAFETY: as above.
            if let Some(r) = unsafe { end_inherited_slice(pp, r) } {
                return r;
            }
        }
        if SCHED.runqsize.load(Ordering::Relaxed) > 0 {
            // SAFETY: as for the fairness check above.
            if let Some(gp) = unsafe { globrunqget(&mut SCHED.lock.lock(), pp, 0) } {
                return (gp, false);
            }
        }
        // Poll the network without blocking (`poll_find`).
        if let Some(poller) = netpoll::poller() {
            // SAFETY: on g0 of the calling thread's M, holding a P, as the
            // hook requires.
            if let Some(gp) = unsafe { (poller.find)() } {
                return (gp, false);
            }
        }
        // Steal, unless enough Ms spin already.
        let procs = gomaxprocs();
        // SAFETY: mp is the calling thread's M: only this thread (or its
        // starter, before it ran) writes its `spinning`.
        if unsafe { (*mp).spinning }
            || 2 * SCHED.nmspinning.count() < procs - SCHED.npidle.load(Ordering::SeqCst)
        {
            // SAFETY: mp is the calling thread's M (as above), and `begin`
            // runs only when it is not spinning, as `begin` requires.
            unsafe {
                if !(*mp).spinning {
                    SCHED.nmspinning.begin(mp);
                }
            }
            // SAFETY: mp is the calling thread's M and pp its P, as
            // steal_work requires.
            if let Some(gp) = unsafe { steal_work(mp, pp) } {
                return (gp, false);
            }
        }
        // Nothing: give up the P.
        let mut s = SCHED.lock.lock();
        if SCHED.gcwaiting.load(Ordering::SeqCst) {
            continue;
        }
        if s.runq.len > 0 {
            // SAFETY: sched.lock is held (s) and pp is our own P, as
            // globrunqget requires.
            let gp = unsafe { globrunqget(&mut s, pp, 0) };
            if let Some(gp) = gp {
                return (gp, false);
            }
        }
        // SAFETY: mp is the calling thread's M and holds pp, as releasep
        // requires.
        unsafe { releasep(mp) };
        // SAFETY: sched.lock is held (s); pp was just unwired from mp and is
        // on no list, as pidleput requires.
        unsafe { pidleput(&mut s, pp) };
        drop(s);
        chaos::point(Site::Idle);
        // SAFETY: mp is the calling thread's M: only this thread writes its
        // `spinning` now.
        let was_spinning = unsafe { (*mp).spinning };
        if was_spinning {
            // SAFETY: mp is the calling thread's M, as `end` requires.
            unsafe { SCHED.nmspinning.end(mp) };
            // Work queued while we spun, whose submitter saw us spinning
            // and woke no one: look once more. The spinner's half of the
            // handshake in the module comment, paired with `wakep`'s fence.
            fence(Ordering::SeqCst);
            // SAFETY: mp has no P now (released above), as
            // check_runqs_no_p requires: the P it returns is ours.
            if let Some(pp) = unsafe { check_runqs_no_p(procs) } {
                // SAFETY: mp is the calling thread's M and has no P; pp came
                // off the idle list, so no M holds it, as acquirep requires.
                unsafe { acquirep(mp, pp) };
                // SAFETY: mp is the calling thread's M and stopped spinning
                // above, as `begin` requires.
                unsafe { SCHED.nmspinning.begin(mp) };
                continue;
            }
        }
        // Someone must watch the clock, and the descriptors goroutines
        // wait on: the first M here does (`timer_sleeper`), in epoll_wait
        // once a descriptor was ever registered, else on its futex.
        let poller = netpoll::poller();
        let polled = poller.is_some() && netpoll::waiters() > 0;
        if (polled || crate::time::next_deadline() != 0)
            && SCHED
                .timer_sleeper
                .compare_exchange(null_mut(), mp, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            match poller {
                // SAFETY: mp is the calling thread's M, on g0, without a P
                // (released above), not spinning (`end` above, or never
                // was), and it has just become `timer_sleeper`, as
                // stopm_netpoll requires. It gives up the role itself and
                // wakes no other M to take it over, as Go's netpoll M
                // does not: the next M to go idle does, and sysmon polls
                // and wakes an M for an overdue timer meanwhile. (Waking
                // one on every event would cost a futex wake-up and a
                // context switch per request: one connection's echo ran at
                // a fifth of Go's speed so.)
                Some(poller) => unsafe { (poller.park)(mp) },
                // SAFETY: as just said, as stopm_timed requires. (A
                // deadline means a timer was added, which installed the
                // watch first: see `m::timers_in_use`.)
                None => {
                    match m::timed_watch() {
                        Some(watch) => unsafe { watch(mp) },
                        None => throw("findrunnable: a timer without its watch"),
                    }
                    // Give up the role unless stopm_timed already did
                    // (another M may hold it by now). This M may go on to
                    // run a goroutine that never yields: if timers remain,
                    // let another M take the watch (a spinning M that finds
                    // nothing becomes the watcher).
                    let _ = SCHED.timer_sleeper.compare_exchange(
                        mp,
                        null_mut(),
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                    if crate::time::next_deadline() != 0 {
                        wakep();
                    }
                }
            }
        } else {
            // SAFETY: mp is the calling thread's M, on g0, without a P
            // (released above) and not spinning, as stopm requires.
            unsafe { stopm(mp) };
        }
    }
}

/// `findrunnable`'s poll of the network without blocking, once the poller
/// exists (`netpoll::Poller::find`): only a shortcut before stealing (Go's
/// words), so skipped while an M blocks in epoll (it gets the events).
/// Returns a G to run; the others it found go on this P's queue.
///
/// # Safety
/// On g0 of an M holding a P.
pub(crate) unsafe fn poll_find() -> Option<*mut G> {
    if netpoll::waiters() == 0 || netpoll::blocked() {
        return None;
    }
    let mut list = netpoll::netpoll(0);
    let gp = list.pop()?;
    // SAFETY: gp and the rest come out of a poll list, and we are on g0 of
    // an M holding a P (our contract), as make_runnable and injectglist
    // require.
    unsafe {
        netpoll::make_runnable(gp);
        injectglist(list);
    }
    Some(gp)
}

/// If some P has queued work, an idle P to go and steal it with.
///
/// # Safety
/// The caller is an M without a P: a P returned is taken off the idle list
/// and becomes the caller's, to `acquirep`.
unsafe fn check_runqs_no_p(procs: i32) -> Option<*mut P> {
    for i in 0..procs {
        let p = allp(i);
        // SAFETY: p is a non-null entry of allp, and Ps are never freed;
        // `is_empty` reads atomics only.
        if !p.is_null() && unsafe { !(*p).runq.is_empty() } {
            // SAFETY: sched.lock is held (the guard lives to the end of the
            // statement); the idle list holds only Ps put there by pidleput.
            let pp = unsafe { pidleget(&mut SCHED.lock.lock()) };
            return if pp.is_null() { None } else { Some(pp) };
        }
    }
    if SCHED.runqsize.load(Ordering::SeqCst) > 0 {
        // SAFETY: as above.
        let pp = unsafe { pidleget(&mut SCHED.lock.lock()) };
        if !pp.is_null() {
            return Some(pp);
        }
    }
    None
}

/// Go's `execute`: runs `gp` on the current M. With `inherit`, `gp`
/// continues the current time slice (it came from runnext).
///
/// # Safety
/// On g0 of the calling thread's M, which holds a P; `gp` is `_Grunnable`,
/// just taken off a run queue (so no other M can run it), with its context
/// saved in `gp.sched`.
unsafe fn execute(gp: *mut G, inherit: bool) -> ! {
    let mp = getm();
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // `curg`; gp came off a run queue (our contract), so it is ours alone,
    // and Gs are never freed.
    unsafe {
        (*mp).curg = gp;
        (*gp).m = mp;
        (*gp).casgstatus(Gstatus::_Grunnable, Gstatus::_Grunning);
        // A request to yield was for the time slice that has ended (Go's
        // execute clears `preempt` too).
        (*gp).preempt.store(false, Ordering::Relaxed);
        // A fresh slot's guard, made before anything runs on its stack
        // (`stack::stackalloc_lazy`: the goroutine that said `go` left it to us).
        if (*gp).guard_pending {
            (*gp).guard_pending = false;
            crate::stack::make_guard((*gp).stack.lo);
        }
    }
    if !inherit {
        // SAFETY: the M's P is ours (we hold it in _Prunning; Ps are never
        // freed): only we write its `schedtick`.
        unsafe {
            let t = &(*(*mp).p).schedtick;
            t.store(t.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
        }
    }
    // SAFETY: the thread pointer is set (we run on g0 of a started M) and gp
    // is now a G of this M (its `m` is set above), as setg requires.
    unsafe { setg(gp) };
    // SAFETY: gp.sched.sp is the context gp saved (mcall_switch) or was
    // given (prepare_frame), per our contract; gp is ours, so no one else
    // resumes it.
    unsafe { arch::gogo((*gp).sched.sp) }
}
