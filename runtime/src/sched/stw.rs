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


use super::{acquirep, pidleget, pidleput, releasep};
use super::m::{startm, stopm, wakep};
use crate::chaos::{self, Site};
use crate::env::MAX_GOMAXPROCS;
use crate::panic::throw;
use crate::runtime2::{allp, allp_slot, getm, gomaxprocs, set_gomaxprocs_value, GQueue, Pstatus, M, P, SCHED};
use crate::sema::{semacquire, semrelease};
use alloc::boxed::Box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicU32, Ordering};

/// Go's `procresize`: makes `nprocs` Ps usable, wires the current M to
/// one of them, puts empty ones on the idle list and returns the ones with
/// work (linked through `link`) for the caller to start Ms on. Called
/// during boot and with the world stopped.
///
/// # Safety
/// Only one thread may run it, with every other P stopped.
pub unsafe fn procresize(nprocs: i32) -> *mut P {
    let old = gomaxprocs();
    for i in 0..nprocs {
        let slot = allp_slot(i);
        let mut pp = slot.load(Ordering::Acquire);
        if pp.is_null() {
            pp = Box::into_raw(Box::new(P::new(i)));
            slot.store(pp, Ordering::Release);
        }
        if (*pp).status() == Pstatus::_Pdead {
            (*pp).set_status(Pstatus::_Pgcstop);
        }
    }
    let mp = getm();
    let mut s = SCHED.lock.lock();
    // Ps beyond nprocs die: their Gs go to the head of the global queue
    // (in order), their dead Gs to the global free list.
    for i in nprocs..old {
        let pp = allp(i);
        let mut moved = GQueue::new();
        (*pp).runq.drain(|gp| moved.push_back(gp));
        s.runq.prepend(&mut moved);
        while let Some(gp) = (*pp).gfree.pop() {
            s.gfree.push_back(gp);
        }
        crate::time::move_timers(pp, allp(0));
        (*pp).set_status(Pstatus::_Pdead);
        (*pp).m = null_mut();
    }
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
    // The current M keeps its P if it survives, else takes P0.
    if !(*mp).p.is_null() && (*(*mp).p).id < nprocs {
        (*(*mp).p).set_status(Pstatus::_Prunning);
    } else {
        if !(*mp).p.is_null() {
            (*(*mp).p).m = null_mut();
        }
        (*mp).p = null_mut();
        acquirep(mp, allp(0));
    }
    // Rebuild the idle list from scratch.
    while !pidleget(&mut s).is_null() {}
    let mut runnable: *mut P = null_mut();
    for i in (0..nprocs).rev() {
        let pp = allp(i);
        if pp == (*mp).p {
            continue;
        }
        (*pp).set_status(Pstatus::_Pidle);
        (*pp).m = null_mut();
        if (*pp).runq.is_empty() {
            pidleput(&mut s, pp);
        } else {
            (*pp).link = runnable;
            runnable = pp;
        }
    }
    set_gomaxprocs_value(nprocs);
    runnable
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
    semacquire(&WORLDSEMA, false, "stop the world");
    // Another resize may have run while we waited: the previous value is
    // the one we replace.
    let prev = gomaxprocs();
    if n != prev {
        stop_the_world();
        // SAFETY: the world is stopped: only this M runs, holding its P.
        unsafe {
            let runnable = procresize(n);
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
        let wait = s.stopwait > 0;
        drop(s);
        chaos::point(Site::StopTheWorld);
        // Idle Ms hold no P; each running one stops its P at its next
        // scheduling point (`gcstopm`) and the last one wakes us.
        if wait {
            SCHED.stopnote.sleep();
        }
        if SCHED.lock.lock().stopwait != 0 {
            throw("stopTheWorld: not stopped");
        }
    }
}

/// Restarts the world after `procresize`: Ms for the Ps with work.
unsafe fn start_the_world(mut runnable: *mut P) {
    SCHED.gcwaiting.store(false, Ordering::SeqCst);
    chaos::point(Site::StopTheWorld);
    while !runnable.is_null() {
        let pp = runnable;
        runnable = (*pp).link;
        (*pp).link = null_mut();
        startm(pp, false);
    }
    wakep();
}

/// Go's `gcstopm`: a P reaching the scheduler during a stop-the-world
/// stops, and the last one wakes the stopper.
pub(super) unsafe fn gcstopm(mp: *mut M) {
    SCHED.nmspinning.end(mp);
    let pp = releasep(mp);
    (*pp).set_status(Pstatus::_Pgcstop);
    chaos::point(Site::StopTheWorld);
    let mut s = SCHED.lock.lock();
    s.stopwait -= 1;
    if s.stopwait == 0 {
        SCHED.stopnote.wakeup();
    }
    drop(s);
    stopm(mp);
}

