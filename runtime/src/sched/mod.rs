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
//! - this file: Ps (`acquirep`, `releasep`, the idle list), run queues and
//!   stealing, `schedule`/`findrunnable`/`execute`, and parking: `mcall`,
//!   `gopark`, `ready`, `gosched`;
//! - `m.rs`: Ms — `newm`, `mstart`, `startm`/`stopm`, `wakep`, and the
//!   M that sleeps until the next timer;
//! - `stw.rs`: stopping the world, `worldsema`, `procresize`, GOMAXPROCS;
//! - `checkdead.rs`: deadlock detection.

mod checkdead;
mod m;
mod stw;

pub use m::{mstart, newm, mreserveid, register_m0, wake_for_timer, wakep};
pub use stw::{procresize, set_gomaxprocs};

use crate::arch;
use crate::chaos::{self, Site};
use crate::lock::RawMutex;
use crate::os;
use crate::panic::throw;
use crate::runq::RUNQ_SIZE;
use crate::runtime2::{getg, getm, gomaxprocs, allp, setg, Gstatus, Pstatus, SchedLocked, G, M, P, SCHED, WaitReason};
use crate::stack;
use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{fence, Ordering};
use m::{stopm, stopm_timed};
use stw::gcstopm;

/// Stealing passes over all Ps (Go's `stealTries`).
const STEAL_TRIES: u32 = 4;

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

// ---- Run queues --------------------------------------------------------

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
            // SAFETY: `put` has just taken g off pp's local queue (or it is
            // the G being put): a live G on no other queue, as push_back
            // requires.
            unsafe { s.runq.push_back(g) };
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
    // SAFETY: gp is runnable, so live, and on no other queue (our
    // contract), as push_back requires.
    unsafe { s.runq.push_back(gp) };
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
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
        && unsafe { (*victim).status() == Pstatus::_Prunning && (*victim).runq.len() == 0 }
    {
        // Give the victim a moment to run the G it just readied.
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
unsafe fn steal_work(mp: *mut M, pp: *mut P) -> Option<*mut G> {
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

// ---- Scheduling --------------------------------------------------------

/// Go's `schedule`: one round of the scheduler. Never returns.
pub fn schedule() -> ! {
    // SAFETY: runs on g0 of an M that holds a P.
    unsafe {
        let mp = getm();
        if (*mp).p.is_null() {
            throw("schedule: no p");
        }
        let (gp, inherit) = findrunnable(mp);
        if (*mp).spinning {
            m::resetspinning(mp);
        }
        execute(gp, inherit)
    }
}

/// `findrunnable`'s local pick `(gp, inherit)`, with the inherited time
/// slice bounded by `RUNNEXT_SLICE`.
///
/// # Safety
/// `pp` is the calling M's P.
unsafe fn end_inherited_slice(pp: *mut P, (gp, inherit): (*mut G, bool)) -> (*mut G, bool) {
    // SAFETY: pp is ours (caller): only this thread touches `inherited`
    // and puts to its queue.
    unsafe {
        if !inherit {
            (*pp).inherited = 0;
            return (gp, false);
        }
        (*pp).inherited += 1;
        if (*pp).inherited < RUNNEXT_SLICE {
            return (gp, true);
        }
        (*pp).inherited = 0;
        // Nobody waits locally: a new tick is enough (it brings the global
        // queue's turn closer).
        if (*pp).runq.is_empty() {
            return (gp, false);
        }
        // The ring is not empty, so after the put (even one that overflows
        // half of it to the global queue) `get` finds a G there.
        runqput(pp, gp, false);
        match (*pp).runq.get() {
            Some((g, _)) => (g, false),
            None => throw("findrunnable: local run queue emptied under its owner"),
        }
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
        // Fairness: every 61st tick look at the global queue first.
        // SAFETY: pp is ours (we hold it in _Prunning; Ps are never
        // freed): only we write its `schedtick`.
        if unsafe { (*pp).schedtick } % 61 == 0 && SCHED.runqsize.load(Ordering::Relaxed) > 0 {
            // SAFETY: sched.lock is held (the guard lives to the end of the
            // `if let`) and pp is our own P, as globrunqget requires.
            if let Some(gp) = unsafe { globrunqget(&mut SCHED.lock.lock(), pp, 1) } {
                return (gp, false);
            }
        }
        // SAFETY: pp is ours (as above); `get` is the owner's operation.
        if let Some(r) = unsafe { (*pp).runq.get() } {
            // SAFETY: as above.
            return unsafe { end_inherited_slice(pp, r) };
        }
        if SCHED.runqsize.load(Ordering::Relaxed) > 0 {
            // SAFETY: as for the fairness check above.
            if let Some(gp) = unsafe { globrunqget(&mut SCHED.lock.lock(), pp, 0) } {
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
        if crate::time::next_deadline() != 0
            && SCHED
                .timer_sleeper
                .compare_exchange(null_mut(), mp, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            // SAFETY: mp is the calling thread's M, on g0, without a P
            // (released above), not spinning (`end` above, or never was),
            // and it has just become `timer_sleeper`, as stopm_timed
            // requires.
            unsafe { stopm_timed(mp) };
            // Give up the role unless stopm_timed already did (another M
            // may hold it by now). This M may go on to run a goroutine that
            // never yields: if timers remain, let another M take the watch
            // (a spinning M that finds nothing becomes the watcher).
            let _ = SCHED.timer_sleeper.compare_exchange(
                mp,
                null_mut(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
            if crate::time::next_deadline() != 0 {
                wakep();
            }
        } else {
            // SAFETY: mp is the calling thread's M, on g0, without a P
            // (released above) and not spinning, as stopm requires.
            unsafe { stopm(mp) };
        }
    }
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
    }
    if !inherit {
        // SAFETY: the M's P is ours (we hold it in _Prunning; Ps are never
        // freed): only we write its `schedtick`.
        unsafe { (*(*mp).p).schedtick = (*(*mp).p).schedtick.wrapping_add(1) };
    }
    // SAFETY: the thread pointer is set (we run on g0 of a started M) and gp
    // is now a G of this M (its `m` is set above), as setg requires.
    unsafe { setg(gp) };
    // SAFETY: gp.sched.sp is the context gp saved (mcall_switch) or was
    // given (prepare_frame), per our contract; gp is ours, so no one else
    // resumes it.
    unsafe { arch::gogo((*gp).sched.sp) }
}

/// Go's `mcall`: saves the running G's context and calls `f(gp)` on g0's
/// stack. `f` must not return; the G resumes when something `gogo`s it.
///
/// # Safety
/// Must be called on a user G, not on g0; `f` must not return.
pub unsafe fn mcall(f: unsafe extern "C" fn(*mut u8)) {
    let gp = getg();
    // SAFETY: gp is the running G, bound to this thread's M (set up by
    // execute or mstart), and Gs and Ms are never freed.
    let g0 = unsafe { (*(*gp).m).g0 };
    if gp == g0 {
        throw("runtime: mcall called on m->g0 stack");
    }
    // A stack without a guard page reports its overflow here, on the way
    // out (see `stack`).
    let sp = arch::current_sp();
    // SAFETY: gp is the running G: only this thread changes its `stack`.
    if !stack::sp_within(unsafe { &(*gp).stack }, sp) {
        // SAFETY: gp is the live G that overflowed, as stack_overflow
        // requires.
        unsafe { crate::signal::stack_overflow(gp, sp) };
    }
    // SAFETY: the thread pointer is set (a user G runs) and g0 is this M's
    // g0, a G of this M, as setg requires.
    unsafe { setg(g0) };
    // SAFETY: gp.sched is the running G's context slot, which no one reads
    // until gp is resumed; g0.sched.sp is g0's resumption point, set by
    // mstart (aligned as mcall_switch requires); `f` never returns (our
    // contract).
    unsafe { arch::mcall_switch(addr_of_mut!((*gp).sched), (*g0).sched.sp, f, gp as *mut u8) };
}

/// `dropg`: the M no longer runs `gp`.
///
/// # Safety
/// `mp` is the calling thread's M and `gp` the G it was running, now off
/// it (on g0).
unsafe fn dropg(mp: *mut M, gp: *mut G) {
    // SAFETY: mp is the calling thread's M and gp its G (our contract):
    // only this thread writes these fields now.
    unsafe {
        (*mp).curg = null_mut();
        (*gp).m = null_mut();
    }
}

/// `runtime.Gosched`: the caller goes to the tail of its P's run queue and
/// others run.
///
/// Go puts it on the global queue instead; the local tail keeps the same
/// FIFO order among this P's goroutines (two yielders with GOMAXPROCS=1
/// still alternate strictly) without taking the global lock and bouncing
/// its cache line between threads on every yield, and idle Ps still steal
/// from the local queue.
pub fn gosched() {
    // SAFETY: called on a user G.
    unsafe { mcall(gosched_m) }
}

/// # Safety
/// Only as `mcall`'s `f`, on g0: `arg` is the G that called `mcall`, still
/// `_Grunning`, on an M holding a P.
unsafe extern "C" fn gosched_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    // SAFETY: gp is the G that has just left this M through mcall (our
    // contract): on no queue, so no other thread touches it.
    unsafe { (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Grunnable) };
    // SAFETY: mp is the calling thread's M and gp the G it was running, as
    // dropg requires.
    unsafe { dropg(mp, gp) };
    // SAFETY: mp's P is ours (we hold it in _Prunning), as runqput requires;
    // gp is runnable and on no queue.
    unsafe { runqput((*mp).p, gp, false) };
    schedule()
}

/// Go's `gopark`: the running G waits (status `_Gwaiting`, shown as
/// `reason`) until `ready`. On g0, after the switch, `unlockf(gp, lock)`
/// runs; if it returns false the G continues at once.
///
/// # Safety
/// Called on a user G; whoever will `ready` it must be able to find it.
pub unsafe fn gopark(
    unlockf: Option<unsafe fn(*mut G, *mut u8) -> bool>,
    lock: *mut u8,
    reason: WaitReason,
) {
    let mp = getm();
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // fields; its `curg` is the running user G (our contract), Gs are never
    // freed.
    unsafe {
        (*mp).waitunlockf = unlockf;
        (*mp).waitlock = lock;
        (*(*mp).curg).set_waitreason(reason);
    }
    // SAFETY: we run on a user G (our contract), and park_m never returns
    // (it ends in schedule or execute), as mcall requires.
    unsafe { mcall(park_m) };
}

/// Go's `goparkunlock`: parks the running G and releases `lock` once it
/// is parked, so that a waker, which takes `lock` to find the G, finds it
/// parked.
///
/// # Safety
/// As for `gopark`; `lock` is held by the caller.
pub unsafe fn goparkunlock(lock: &RawMutex, reason: WaitReason) {
    // SAFETY: the caller's promise.
    unsafe { gopark(Some(parkunlock_c), lock as *const RawMutex as *mut u8, reason) }
}

/// `goparkunlock`'s unlock function (Go's `parkunlock_c`).
///
/// # Safety
/// `lock` is a `RawMutex` held by the parking G.
unsafe fn parkunlock_c(_gp: *mut G, lock: *mut u8) -> bool {
    // SAFETY: `lock` is the RawMutex `goparkunlock` was given, still held.
    unsafe { (*(lock as *const RawMutex)).unlock() };
    true
}

/// # Safety
/// Only as `mcall`'s `f`, from `gopark`, on g0: `arg` is the parking G,
/// still `_Grunning`, and the M's `waitunlockf`/`waitlock` are `gopark`'s.
unsafe extern "C" fn park_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    // SAFETY: gp is the G that has just left this M through mcall (our
    // contract): no waker can find it before its unlock function runs.
    unsafe { (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Gwaiting) };
    // SAFETY: mp is the calling thread's M and gp the G it was running, as
    // dropg requires.
    unsafe { dropg(mp, gp) };
    chaos::point(Site::ParkCommit);
    // SAFETY: mp is the calling thread's M: only this thread writes its
    // `waitunlockf` and `waitlock`.
    if let Some(f) = unsafe { (*mp).waitunlockf.take() } {
        // SAFETY: as above.
        let lock = unsafe { core::mem::replace(&mut (*mp).waitlock, null_mut()) };
        // SAFETY: f and lock are the pair gopark's caller passed for this
        // park (our contract), run after the switch as gopark promises.
        if !unsafe { f(gp, lock) } {
            // SAFETY: f refused the park, so no waker can have found gp: it
            // is still ours alone.
            unsafe {
                (*gp).set_waitreason(WaitReason::None);
                (*gp).casgstatus(Gstatus::_Gwaiting, Gstatus::_Grunnable);
            }
            // SAFETY: on g0 of this M, which still holds its P; gp is
            // _Grunnable, ours alone, with the context mcall saved, as
            // execute requires.
            unsafe { execute(gp, true) };
        }
    }
    schedule()
}

/// Go's `goready`/`ready`: `gp` becomes runnable, next on this P.
///
/// **The waker's rule.** From the moment `gp` is on a run queue another M
/// may run it, return from the function that parked it and reuse its
/// stack. So the caller must read everything it needs from `gp`'s stack
/// (its timer, sudog, select cases, wait-queue links, elem buffers)
/// *before* this call and touch none of it afterwards. Every wake path
/// relies on this: `chan::wake`, `closechan`, `runtimers`, `semrelease`;
/// `selparkcommit` explains why it may still read the select frame while
/// unlocking.
///
/// # Safety
/// `gp` must be `_Gwaiting` and parked with `gopark`.
pub unsafe fn ready(gp: *mut G) {
    // SAFETY: gp is _Gwaiting, parked with gopark (our contract): on no run
    // queue and run by no M, so until we queue it no one else writes it.
    unsafe {
        (*gp).set_waitreason(WaitReason::None);
        (*gp).casgstatus(Gstatus::_Gwaiting, Gstatus::_Grunnable);
    }
    let mp = getm();
    // SAFETY: mp is the calling thread's M: only this thread writes its `p`.
    if unsafe { (*mp).p.is_null() } {
        // SAFETY: gp is runnable now and on no queue, as globrunqput
        // requires.
        unsafe { globrunqput(gp) };
    } else {
        // SAFETY: mp's P is ours (we hold it in _Prunning), as runqput
        // requires; gp is runnable and on no queue.
        unsafe { runqput((*mp).p, gp, true) };
    }
    wakep();
    chaos::point(Site::Ready);
}

