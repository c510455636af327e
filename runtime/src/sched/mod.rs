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
use crate::runtime2::{getg, getm, gomaxprocs, allp, setg, Gstatus, Pstatus, SchedLocked, G, M, P, SCHED};
use crate::stack;
use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{fence, Ordering};
use m::{stopm, stopm_timed};
use stw::gcstopm;

/// Stealing passes over all Ps (Go's `stealTries`).
const STEAL_TRIES: u32 = 4;

// ---- Ps ----------------------------------------------------------------

/// Go's `acquirep`: wires `pp` to `mp`.
///
/// # Safety
/// `mp` has no P; `pp` is not wired to any M.
pub unsafe fn acquirep(mp: *mut M, pp: *mut P) {
    (*mp).p = pp;
    (*pp).m = mp;
    (*pp).set_status(Pstatus::_Prunning);
}

/// Go's `releasep`: unwires the M's P and returns it.
pub(super) unsafe fn releasep(mp: *mut M) -> *mut P {
    let pp = (*mp).p;
    (*pp).m = null_mut();
    (*pp).set_status(Pstatus::_Pidle);
    (*mp).p = null_mut();
    pp
}

pub(super) unsafe fn pidleput(s: &mut SchedLocked, pp: *mut P) {
    (*pp).link = s.pidle;
    s.pidle = pp;
    SCHED.npidle.fetch_add(1, Ordering::SeqCst);
}

pub(super) unsafe fn pidleget(s: &mut SchedLocked) -> *mut P {
    let pp = s.pidle;
    if !pp.is_null() {
        s.pidle = (*pp).link;
        (*pp).link = null_mut();
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
    (*pp).runq.put(gp, next, &mut |batch| {
        let mut s = SCHED.lock.lock();
        for &g in batch {
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
    s.runq.push_back(gp);
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
}

/// Go's `globrunqget`: a fair share of the global queue — at most `max`
/// (0: no limit) — the first returned, the rest onto the local queue.
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
        (*pp).runq.put(g, false, &mut |_| {
            throw("globrunqget: local run queue overflow")
        });
    }
    SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
    first
}

/// Steals half of `victim`'s queue into `pp`'s; returns one G to run.
unsafe fn runqsteal(pp: *mut P, victim: *mut P, steal_runnext: bool) -> Option<*mut G> {
    let mut batch = [null_mut(); RUNQ_SIZE / 2];
    if steal_runnext && (*victim).status() == Pstatus::_Prunning && (*victim).runq.len() == 0 {
        // Give the victim a moment to run the G it just readied.
        os::usleep_ns(3000);
    }
    chaos::point(Site::Steal);
    let n = (*victim).runq.grab(&mut batch, steal_runnext);
    if n == 0 {
        return None;
    }
    // `grab` took at most `batch.len()`; `get` instead of indexing keeps
    // a panic path out of the scheduler.
    let (&last, rest) = batch.get(..n)?.split_last()?;
    for &g in rest {
        (*pp).runq.put(g, false, &mut |_| {
            throw("runqsteal: local run queue overflow")
        });
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
unsafe fn steal_work(mp: *mut M, pp: *mut P) -> Option<*mut G> {
    // At least 1 (as gomaxprocs is): no division-by-zero path below.
    let n = gomaxprocs().max(1) as u32;
    for pass in 0..STEAL_TRIES {
        let last = pass == STEAL_TRIES - 1;
        let start = (*mp).fastrand() % n;
        let mut stride = (*mp).fastrand() % n + 1;
        while gcd(stride, n) != 1 {
            stride = stride % n + 1;
        }
        let mut i = start;
        for _ in 0..n {
            let victim = allp(i as i32);
            i = (i + stride) % n;
            if victim == pp || (*victim).status() == Pstatus::_Pidle {
                continue;
            }
            if SCHED.gcwaiting.load(Ordering::Relaxed) {
                return None;
            }
            if let Some(gp) = runqsteal(pp, victim, last) {
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

/// Go's `findrunnable`: a G to run, blocking (parking the M) until there
/// is one.
unsafe fn findrunnable(mp: *mut M) -> (*mut G, bool) {
    loop {
        if SCHED.gcwaiting.load(Ordering::SeqCst) {
            gcstopm(mp);
            continue;
        }
        let pp = (*mp).p;
        crate::time::checktimers();
        // Fairness: every 61st tick look at the global queue first.
        if (*pp).schedtick % 61 == 0 && SCHED.runqsize.load(Ordering::Relaxed) > 0 {
            if let Some(gp) = globrunqget(&mut SCHED.lock.lock(), pp, 1) {
                return (gp, false);
            }
        }
        if let Some(r) = (*pp).runq.get() {
            return r;
        }
        if SCHED.runqsize.load(Ordering::Relaxed) > 0 {
            if let Some(gp) = globrunqget(&mut SCHED.lock.lock(), pp, 0) {
                return (gp, false);
            }
        }
        // Steal, unless enough Ms spin already.
        let procs = gomaxprocs();
        if (*mp).spinning
            || 2 * SCHED.nmspinning.count() < procs - SCHED.npidle.load(Ordering::SeqCst)
        {
            if !(*mp).spinning {
                SCHED.nmspinning.begin(mp);
            }
            if let Some(gp) = steal_work(mp, pp) {
                return (gp, false);
            }
        }
        // Nothing: give up the P.
        let mut s = SCHED.lock.lock();
        if SCHED.gcwaiting.load(Ordering::SeqCst) {
            continue;
        }
        if s.runq.len > 0 {
            let gp = globrunqget(&mut s, pp, 0);
            if let Some(gp) = gp {
                return (gp, false);
            }
        }
        releasep(mp);
        pidleput(&mut s, pp);
        drop(s);
        chaos::point(Site::Idle);
        let was_spinning = (*mp).spinning;
        if was_spinning {
            SCHED.nmspinning.end(mp);
            // Work queued while we spun, whose submitter saw us spinning
            // and woke no one: look once more. The spinner's half of the
            // handshake in the module comment, paired with `wakep`'s fence.
            fence(Ordering::SeqCst);
            if let Some(pp) = check_runqs_no_p(procs) {
                acquirep(mp, pp);
                SCHED.nmspinning.begin(mp);
                continue;
            }
        }
        if crate::time::next_deadline() != 0
            && SCHED
                .timer_sleeper
                .compare_exchange(null_mut(), mp, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            stopm_timed(mp);
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
            stopm(mp);
        }
    }
}

/// If some P has queued work, an idle P to go and steal it with.
unsafe fn check_runqs_no_p(procs: i32) -> Option<*mut P> {
    for i in 0..procs {
        let p = allp(i);
        if !p.is_null() && !(*p).runq.is_empty() {
            let pp = pidleget(&mut SCHED.lock.lock());
            return if pp.is_null() { None } else { Some(pp) };
        }
    }
    if SCHED.runqsize.load(Ordering::SeqCst) > 0 {
        let pp = pidleget(&mut SCHED.lock.lock());
        if !pp.is_null() {
            return Some(pp);
        }
    }
    None
}

/// Go's `execute`: runs `gp` on the current M. With `inherit`, `gp`
/// continues the current time slice (it came from runnext).
unsafe fn execute(gp: *mut G, inherit: bool) -> ! {
    let mp = getm();
    (*mp).curg = gp;
    (*gp).m = mp;
    (*gp).casgstatus(Gstatus::_Grunnable, Gstatus::_Grunning);
    if !inherit {
        (*(*mp).p).schedtick = (*(*mp).p).schedtick.wrapping_add(1);
    }
    setg(gp);
    arch::gogo((*gp).sched.sp)
}

/// Go's `mcall`: saves the running G's context and calls `f(gp)` on g0's
/// stack. `f` must not return; the G resumes when something `gogo`s it.
///
/// # Safety
/// Must be called on a user G, not on g0.
pub unsafe fn mcall(f: unsafe extern "C" fn(*mut u8)) {
    let gp = getg();
    let g0 = (*(*gp).m).g0;
    if gp == g0 {
        throw("runtime: mcall called on m->g0 stack");
    }
    // A stack without a guard page reports its overflow here, on the way
    // out (see `stack`).
    let sp = arch::current_sp();
    if !stack::sp_within(&(*gp).stack, sp) {
        crate::signal::stack_overflow(gp, sp);
    }
    setg(g0);
    arch::mcall_switch(
        addr_of_mut!((*gp).sched),
        (*g0).sched.sp,
        f,
        gp as *mut u8,
    );
}

/// `dropg`: the M no longer runs `gp`.
unsafe fn dropg(mp: *mut M, gp: *mut G) {
    (*mp).curg = null_mut();
    (*gp).m = null_mut();
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

unsafe extern "C" fn gosched_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Grunnable);
    dropg(mp, gp);
    runqput((*mp).p, gp, false);
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
    reason: &'static str,
) {
    let mp = getm();
    (*mp).waitunlockf = unlockf;
    (*mp).waitlock = lock;
    (*(*mp).curg).waitreason = reason;
    mcall(park_m);
}

/// Go's `goparkunlock`: parks the running G and releases `lock` once it
/// is parked, so that a waker, which takes `lock` to find the G, finds it
/// parked.
///
/// # Safety
/// As for `gopark`; `lock` is held by the caller.
pub unsafe fn goparkunlock(lock: &RawMutex, reason: &'static str) {
    // SAFETY: the caller's promise.
    unsafe { gopark(Some(parkunlock_c), lock as *const RawMutex as *mut u8, reason) }
}

/// `goparkunlock`'s unlock function (Go's `parkunlock_c`).
unsafe fn parkunlock_c(_gp: *mut G, lock: *mut u8) -> bool {
    // SAFETY: `lock` is the RawMutex `goparkunlock` was given, still held.
    unsafe { (*(lock as *const RawMutex)).unlock() };
    true
}

unsafe extern "C" fn park_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Gwaiting);
    dropg(mp, gp);
    chaos::point(Site::ParkCommit);
    if let Some(f) = (*mp).waitunlockf.take() {
        let lock = core::mem::replace(&mut (*mp).waitlock, null_mut());
        if !f(gp, lock) {
            (*gp).waitreason = "";
            (*gp).casgstatus(Gstatus::_Gwaiting, Gstatus::_Grunnable);
            execute(gp, true);
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
    (*gp).waitreason = "";
    (*gp).casgstatus(Gstatus::_Gwaiting, Gstatus::_Grunnable);
    let mp = getm();
    if (*mp).p.is_null() {
        globrunqput(gp);
    } else {
        runqput((*mp).p, gp, true);
    }
    wakep();
    chaos::point(Site::Ready);
}

