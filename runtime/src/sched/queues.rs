//! Run queues and stealing: a P's local queue with its overflow into the
//! global one (`runqput`), the global queue (`globrunqput`,
//! `globrunqget`), and work stealing (`steal_work`, `runqsteal`).

use super::*;

/// Stealing passes over all Ps (Go's `stealTries`).
const STEAL_TRIES: u32 = 4;

/// Go's `runqput`; overflow goes to the global queue.
///
/// # Safety
/// `pp` is the caller's own P.
pub unsafe fn runqput(pp: *mut P, gp: *mut G, next: bool) {
    // SAFETY: pp is the caller's own P (our contract), and Ps are never
    // freed; `put` is the owner's operation.
    let runq = unsafe { &(*pp).runq };
    runq.put(gp, next, &mut |batch| {
        let mut s = SCHED.lock.lock();
        for &g in batch {
            // `put` has just taken g off pp's local queue (or it is the G
            // being put): on no other queue.
            s.runq.push_back(g);
        }
        SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
    });
}

/// Puts `gp` at the tail of the global queue.
///
/// # Safety
/// `gp` is runnable and on no other queue.
pub unsafe fn globrunqput(gp: *mut G) {
    let mut s = SCHED.lock.lock();
    // gp is runnable and on no other queue (our contract).
    s.runq.push_back(gp);
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
}

/// Go's `injectglist`: makes the goroutines of a poll list runnable and
/// queues them: on this M's P (and wakes a spinning M to share them when
/// there are several), or, from an M without a P (sysmon), on the global
/// queue with an M started for each idle P that can take one.
///
/// # Safety
/// On g0; `list` came from `netpoll::Poller::poll`.
pub(super) unsafe fn injectglist(mut list: GQueue) {
    let n = list.len;
    if n == 0 {
        return;
    }
    let mp = getm();
    // SAFETY: mp is the calling thread's M: only this thread writes its `p`.
    let pp = unsafe { (*mp).p };
    if pp.is_null() {
        let mut s = SCHED.lock.lock();
        while let Some(gp) = list.pop() {
            // SAFETY: gp came out of a poll list (our contract): parked, ours
            // alone, on no queue, as make_runnable and push_back require.
            unsafe {
                crate::netpoll::make_runnable(gp);
                s.runq.push_back(gp);
            }
        }
        SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
        drop(s);
        let idle = SCHED.npidle.load(Ordering::SeqCst).max(0) as usize;
        for _ in 0..n.min(idle) {
            // SAFETY: no P is handed over (null: startm takes an idle one)
            // and no spinning claim.
            unsafe { startm(null_mut(), false) };
        }
        return;
    }
    while let Some(gp) = list.pop() {
        // SAFETY: as above; pp is our own P, as runqput requires.
        unsafe {
            crate::netpoll::make_runnable(gp);
            runqput(pp, gp, false);
        }
    }
    if n > 1 {
        wakep();
    }
}

/// Go's `globrunqget`: a fair share of the global queue — at most `max`
/// (0: no limit) — the first returned, the rest onto the local queue.
///
/// # Safety
/// `s` is `SCHED.lock`'s state, held; `pp` is the caller's own P.
pub(super) unsafe fn globrunqget(s: &mut SchedLocked, pp: *mut P, max: usize) -> Option<*mut G> {
    let size = s.runq.len;
    if size == 0 {
        return None;
    }
    // gomaxprocs is at least 1; `max` says so to the compiler, which
    // would otherwise keep a division-by-zero panic here.
    let mut n = core::cmp::min(size, size / gomaxprocs().max(1) as usize + 1);
    if max > 0 {
        n = core::cmp::min(n, max);
    }
    n = core::cmp::min(n, RUNQ_SIZE / 2);
    let first = s.runq.pop();
    for _ in 1..n {
        let Some(g) = s.runq.pop() else { break };
        // SAFETY: pp is the caller's own P (our contract), and Ps are never
        // freed; `put` is the owner's operation.
        unsafe {
            (*pp).runq.put(g, false, &mut |_| {
                throw("globrunqget: local run queue overflow")
            })
        };
    }
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
    first
}

/// Steals half of `victim`'s queue into `pp`'s; returns one G to run.
///
/// # Safety
/// `pp` is the caller's own P; `victim` is another P from `allp`.
unsafe fn runqsteal(pp: *mut P, victim: *mut P, steal_runnext: bool) -> Option<*mut G> {
    let mut batch = [null_mut(); RUNQ_SIZE / 2];
    if steal_runnext
        // SAFETY: victim is a P from allp (our contract), and Ps are never
        // freed; its status and queue length are atomics, read as hints.
        && unsafe {
            (*victim).status() == Pstatus::_Prunning
                && (*victim).runq.len() == 0
                && (*victim).runq.has_next()
        }
    {
        // Give the victim a moment to run the G it just readied (Go's
        // runqgrab: only when there is one; a victim with nothing to steal
        // costs the thief no sleep).
        os::usleep_ns(3000);
    }
    chaos::point(Site::Steal);
    // SAFETY: as above; `grab` is the thieves' operation, safe against the
    // owner and other thieves.
    let n = unsafe { (*victim).runq.grab(&mut batch, steal_runnext) };
    if n == 0 {
        return None;
    }
    // `grab` took at most `batch.len()`; `get` instead of indexing keeps
    // a panic path out of the scheduler.
    let (&last, rest) = batch.get(..n)?.split_last()?;
    for &g in rest {
        // SAFETY: pp is the caller's own P (our contract), and Ps are never
        // freed; `put` is the owner's operation.
        unsafe {
            (*pp).runq.put(g, false, &mut |_| {
                throw("runqsteal: local run queue overflow")
            })
        };
    }
    Some(last)
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Go's `stealWork`.
///
/// # Safety
/// `mp` is the calling thread's M and `pp` its P.
pub(super) unsafe fn steal_work(mp: *mut M, pp: *mut P) -> Option<*mut G> {
    // At least 1 (as gomaxprocs is): no division-by-zero path below.
    let n = gomaxprocs().max(1) as u32;
    for pass in 0..STEAL_TRIES {
        let last = pass == STEAL_TRIES - 1;
        // SAFETY: mp is the calling thread's M (our contract): only this
        // thread touches its `fastrand` state.
        let start = unsafe { M::fastrand(mp) } % n;
        // SAFETY: as above.
        let mut stride = unsafe { M::fastrand(mp) } % n + 1;
        while gcd(stride, n) != 1 {
            stride = stride % n + 1;
        }
        let mut i = start;
        for _ in 0..n {
            let victim = allp(i as i32);
            i = (i + stride) % n;
            // SAFETY: Ps below gomaxprocs exist and are never freed; the
            // status is an atomic, read as a hint.
            if victim == pp || unsafe { (*victim).status() } == Pstatus::_Pidle {
                continue;
            }
            if SCHED.gcwaiting.load(Ordering::Relaxed) {
                return None;
            }
            // SAFETY: pp is the caller's own P (our contract) and victim
            // another P from allp, as runqsteal requires.
            if let Some(gp) = unsafe { runqsteal(pp, victim, last) } {
                return Some(gp);
            }
        }
    }
    None
}

