//! Stopping the world (Go's `stopTheWorld`/`startTheWorld`), `worldsema`,
//! and `procresize`, which changes the number of Ps.
//!
//! `rt_gomaxprocs(n)` changes the number of Ps with every P stopped. Only
//! one goroutine stops the world at a time: it holds `worldsema` (a
//! goroutine semaphore, as in Go), so a second one parks instead of
//! waiting for a P that is waiting for it. `stop_the_world` sets
//! `gcwaiting`, takes the idle Ps, and waits until
//! each running P reaches the scheduler (`gcstopm`); `procresize` then
//! rebuilds the P set and `start_the_world` hands Ps with work to Ms.
//! Goroutines only stop at scheduling points (no asynchronous preemption),
//! so a goroutine that never yields delays a resize.

use super::m::{startm, stopm, wakep};
use super::{acquirep, pidleget, pidleput, releasep};
use crate::chaos::{self, Site};
use crate::env::MAX_GOMAXPROCS;
use crate::panic::throw;
use crate::runtime2::WaitReason;
use crate::runtime2::{
    allp, allp_slot, getm, gomaxprocs, set_gomaxprocs_value, GQueue, Pstatus, SchedLocked, M, P,
    SCHED,
};
use crate::sema::{semacquire, semrelease};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicU32, Ordering};

/// Go's `procresize`: makes `nprocs` Ps usable, wires the current M to
/// one of them, puts empty ones on the idle list and returns the ones with
/// work (linked through `link`) for the caller to start Ms on. Called
/// during boot and with the world stopped.
///
/// `destroy` is `destroy_p` where the count may go down (`set_gomaxprocs`).
///
/// # Safety
/// Only one thread may run it, with every other P stopped.
pub unsafe fn procresize(
    nprocs: i32,
    destroy: Option<unsafe fn(&mut SchedLocked, *mut P)>,
) -> *mut P {
    let old = gomaxprocs();
    for i in 0..nprocs {
        let slot = allp_slot(i);
        let mut pp = slot.load(Ordering::Acquire);
        if pp.is_null() {
            pp = crate::malloc::leak(P::new(i));
            slot.store(pp, Ordering::Release);
        }
        // SAFETY: pp is in allp, and Ps are never freed; every other P is
        // stopped (our contract), so no other thread changes its status.
        unsafe {
            if (*pp).status() == Pstatus::_Pdead {
                (*pp).set_status(Pstatus::_Pgcstop);
            }
        }
    }
    debug_assert!(destroy.is_some() || nprocs >= old);
    let mp = getm();
    let mut s = SCHED.lock.lock();
    // Ps beyond nprocs die (`destroy_p`; only `set_gomaxprocs` lowers the
    // count, so boot's call links none of it).
    if let Some(destroy) = destroy {
        for i in nprocs..old {
            // SAFETY: allp(i) is a live P, stopped (our contract).
            unsafe { destroy(&mut s, allp(i)) };
        }
    }
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
    SCHED.ngfree.store(s.gfree.len as i32, Ordering::Relaxed);
    // The current M keeps its P if it survives, else takes P0.
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // `p`; that P, if any, is ours (every other P is stopped, our
    // contract), and Ps are never freed.
    if unsafe { !(*mp).p.is_null() && (*(*mp).p).id < nprocs } {
        // SAFETY: as above.
        unsafe { (*(*mp).p).set_status(Pstatus::_Prunning) };
    } else {
        // SAFETY: as above.
        unsafe {
            if !(*mp).p.is_null() {
                (*(*mp).p).m = null_mut();
            }
            (*mp).p = null_mut();
        }
        // SAFETY: mp now has no P; P0 is wired to no M: every other M has
        // released its P (stopped world, our contract) or, at boot, P0 is
        // new, as acquirep requires.
        unsafe { acquirep(mp, allp(0)) };
    }
    // Rebuild the idle list from scratch.
    // SAFETY: sched.lock is held (s); the idle list holds only Ps put there
    // by pidleput.
    while !unsafe { pidleget(&mut s) }.is_null() {}
    let mut runnable: *mut P = null_mut();
    for i in (0..nprocs).rev() {
        let pp = allp(i);
        // SAFETY: mp is the calling thread's M: only this thread writes its
        // `p`.
        if pp == unsafe { (*mp).p } {
            continue;
        }
        // SAFETY: pp is a live P (never freed), stopped and not the current
        // M's: only this thread runs (our contract), so it is ours to reset.
        unsafe {
            (*pp).set_status(Pstatus::_Pidle);
            (*pp).m = null_mut();
        }
        // SAFETY: as above.
        if unsafe { (*pp).runq.is_empty() } {
            // SAFETY: sched.lock is held (s); pp is wired to no M and on no
            // list (the idle list was emptied above), as pidleput requires.
            unsafe { pidleput(&mut s, pp) };
        } else {
            // SAFETY: as above: pp is ours, on no list, so its `link` is
            // free for the list returned to the caller.
            unsafe { (*pp).link = runnable };
            runnable = pp;
        }
    }
    set_gomaxprocs_value(nprocs);
    // The stop ends here, under the same hold of sched.lock that put Ps
    // back on the idle list (Go's startTheWorldWithSema clears gcwaiting
    // under sched.lock too). Cleared later, an M could take an idle P in
    // between (a wakep, sysmon, an exitsyscall), see gcwaiting and stop
    // it, uncounted: the P stayed `_Pgcstop` off every list, and the next
    // stop of the world waited for it forever (all Ps stopped,
    // stopwait=1; found by the riscv64 stress runs under load).
    SCHED.gcwaiting.store(false, Ordering::SeqCst);
    drop(s);
    runnable
}

/// A P beyond the new count dies: its Gs go to the head of the global
/// queue (in order), its dead Gs to the global free list, its timers to P0.
///
/// # Safety
/// `pp` is a live P, stopped; the world is stopped and `s` is
/// `sched.lock`'s state, held.
unsafe fn destroy_p(s: &mut SchedLocked, pp: *mut P) {
    let mut moved = GQueue::new();
    // SAFETY: pp is a live P (never freed) and stopped (our contract), so
    // no M takes from its queue; each G drained off it is live and
    // on no other queue, as push_back requires.
    unsafe { (*pp).runq.drain(|gp| moved.push_back(gp)) };
    s.runq.prepend(&mut moved);
    // SAFETY: as above, for its free list: only we touch it while it is
    // stopped, and each G popped off it is on no other queue.
    unsafe {
        while let Some(gp) = (*pp).gfree.pop() {
            s.gfree.push_back(gp);
        }
    }
    // SAFETY: the world is stopped (our contract), as move_timers
    // requires.
    unsafe { crate::time::move_timers(pp, allp(0)) };
    // SAFETY: pp is stopped, and only this thread runs (our contract).
    unsafe {
        (*pp).set_status(Pstatus::_Pdead);
        (*pp).m = null_mut();
    }
}

/// `runtime.GOMAXPROCS(n)`: n ≤ 0 only queries; otherwise the number of Ps
/// becomes `min(n, MAX_GOMAXPROCS)`, with the world stopped. Returns the
/// previous value.
pub fn set_gomaxprocs(n: i32) -> i32 {
    let prev = gomaxprocs();
    let n = core::cmp::min(n, MAX_GOMAXPROCS);
    if n <= 0 || n == prev {
        return prev;
    }
    semacquire(&WORLDSEMA, false, WaitReason::StopTheWorld);
    // Another resize may have run while we waited: the previous value is
    // the one we replace.
    let prev = gomaxprocs();
    if n != prev {
        stop_the_world();
        // SAFETY: the world is stopped: only this M runs, holding its P.
        unsafe {
            let runnable = procresize(n, Some(destroy_p));
            start_the_world(runnable);
        }
    }
    semrelease(&WORLDSEMA);
    prev
}

/// Go's `worldsema`: held by the goroutine that stops the world, from
/// before `stop_the_world` to after `start_the_world`.
static WORLDSEMA: AtomicU32 = AtomicU32::new(1);

// ---- Stop the world ----------------------------------------------------

/// Stops every P but the caller's. Called on a user G holding a P.
fn stop_the_world() {
    // SAFETY: the current M holds a P; Ps are never freed.
    unsafe {
        let mp = getm();
        let mut s = SCHED.lock.lock();
        SCHED.stopnote.clear();
        SCHED.gcwaiting.store(true, Ordering::SeqCst);
        s.stopwait = gomaxprocs() - 1;
        (*(*mp).p).set_status(Pstatus::_Pgcstop);
        loop {
            let pp = pidleget(&mut s);
            if pp.is_null() {
                break;
            }
            (*pp).set_status(Pstatus::_Pgcstop);
            s.stopwait -= 1;
        }
        // Ps whose goroutine is in a system call stop now: whoever wins
        // the compare-and-swap (we, or the M entering or leaving the call)
        // counts the P (the handshake in `syscall`).
        for i in 0..gomaxprocs() {
            let pp = allp(i);
            if (*pp).cas_status(Pstatus::_Psyscall, Pstatus::_Pgcstop) {
                s.stopwait -= 1;
            }
        }
        let wait = s.stopwait > 0;
        drop(s);
        chaos::point(Site::StopTheWorld);
        // Idle Ms hold no P; each running one stops its P at its next
        // scheduling point (`gcstopm`) and the last one wakes us. Running
        // goroutines are asked to get there (preemption), again every
        // 100 µs until they all have, as in Go.
        // (Without preemption installed only this goroutine exists.)
        match crate::preempt::hooks() {
            Some(h) if wait => {
                while !SCHED.stopnote.is_set() {
                    (h.preemptall)();
                    let seen = SCHED.stopnote.observe();
                    if !SCHED.stopnote.is_set() {
                        SCHED.stopnote.sleep_until(seen, crate::os::nanotime() + 100_000);
                    }
                }
            }
            None if wait => SCHED.stopnote.sleep(),
            _ => {}
        }
        if SCHED.lock.lock().stopwait != 0 {
            throw("stopTheWorld: not stopped");
        }
    }
}

/// Restarts the world after `procresize`: Ms for the Ps with work.
///
/// # Safety
/// The caller stopped the world; `runnable` is the list `procresize`
/// returned: Ps wired to no M and on no other list.
unsafe fn start_the_world(mut runnable: *mut P) {
    // (gcwaiting was cleared by procresize, under sched.lock.)
    chaos::point(Site::StopTheWorld);
    while !runnable.is_null() {
        let pp = runnable;
        // SAFETY: pp is on procresize's list (our contract): a live P
        // (never freed) wired to no M, whose `link` only this list uses.
        unsafe {
            runnable = (*pp).link;
            (*pp).link = null_mut();
        }
        // SAFETY: pp is now wired to no M and on no list, handed over to
        // the M startm runs it on; not spinning, so no claim is needed.
        unsafe { startm(pp, false) };
    }
    wakep();
    if SCHED.sysmonwait.load(Ordering::SeqCst) {
        super::wake_sysmon();
    }
}

/// One more P has stopped for the stop-the-world under way: the last
/// one wakes the stopper. `s` is `sched.lock`'s state, held.
pub(super) fn stopped_one(s: &mut SchedLocked) {
    s.stopwait -= 1;
    if s.stopwait == 0 {
        SCHED.stopnote.wakeup();
    }
}

/// Go's `gcstopm`: a P reaching the scheduler during a stop-the-world
/// stops, and the last one wakes the stopper.
///
/// # Safety
/// `mp` is the calling thread's M, on its g0, holding a P, while a
/// stop-the-world waits (`gcwaiting`).
pub(super) unsafe fn gcstopm(mp: *mut M) {
    // SAFETY: mp is the calling thread's M (our contract), as `end`
    // requires.
    unsafe { SCHED.nmspinning.end(mp) };
    // SAFETY: mp is the calling thread's M and holds a P (our contract), as
    // releasep requires.
    let pp = unsafe { releasep(mp) };
    // SAFETY: pp was ours until just now and is on no list, so no other
    // thread owns it until the stopper takes over; Ps are never freed.
    unsafe { (*pp).set_status(Pstatus::_Pgcstop) };
    chaos::point(Site::StopTheWorld);
    stopped_one(&mut SCHED.lock.lock());
    // SAFETY: mp is the calling thread's M, on g0, now without a P
    // (released above) and not spinning (`end` above), as stopm requires.
    unsafe { stopm(mp) };
}
