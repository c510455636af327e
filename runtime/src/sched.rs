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
//! few as possible without leaving work unrun. An M is *spinning* while it
//! looks for work with a P but without having found any. The invariants,
//! as in Go:
//!
//! - when work is made ready (`newproc`, `ready`) and there is an idle P
//!   but no spinning M, one M is woken, as spinning (`wakep`);
//! - at most one M is woken per event: `wakep` does nothing if some M
//!   already spins;
//! - a spinning M that finds work stops spinning and calls `wakep`, so
//!   that another M takes over the search (`resetspinning`) — under a burst
//!   of work the wake-ups cascade, one at a time;
//! - no more Ms spin than half the busy Ps, so idle Ps do not burn CPU;
//! - an M that stops spinning and gives up its P decrements `nmspinning`
//!   and *then* looks at every P's queue once more. The two sides of this
//!   store-then-load handshake: the submitter's run-queue store (a Release
//!   store of the queue's tail, or the global queue under `sched.lock`),
//!   then a SeqCst fence, then its loads of `npidle`/`nmspinning` in
//!   `wakep`; against the spinner's SeqCst decrement of `nmspinning`, a
//!   SeqCst fence, then its loads of every queue (`check_runqs_no_p`). The
//!   two fences are ordered one way or the other, so at least one side sees
//!   the other's store: the submitter wakes an M, or the spinner finds the
//!   G. (A Release store alone may be overtaken by the later load on
//!   ARMv7, ARMv8 with LDR, and x86's store buffer; `handshake.rs` has loom
//!   models of both variants.)
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
//! ## Stopping the world
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

use crate::arch;
use crate::env::MAX_GOMAXPROCS;
use crate::lock::{Mutex, MutexGuard, Note};
use crate::os;
use crate::print::Line;
use crate::proc::{self, getm};
use crate::runq::RUNQ_SIZE;
use crate::runtime2::{AllList, GQueue, Gstatus, Pstatus, G, M, P};
use crate::stack;
use alloc::boxed::Box;
use core::ptr::{addr_of_mut, null_mut};
use crate::sema::{semacquire, semrelease};
use core::sync::atomic::{fence, AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU32, Ordering};

/// What `sched.lock` protects.
pub struct SchedLocked {
    /// The global run queue.
    pub runq: GQueue,
    /// Dead Gs that P caches overflowed into.
    pub gfree: GQueue,
    /// Idle Ps, linked through `P::link`.
    pub pidle: *mut P,
    /// Idle Ms, linked through `M::schedlink`.
    pub midle: *mut M,
    pub nmidle: i32,
    /// Ms created so far (ids are 0..mcount).
    pub mcount: i64,
    /// System Ms (sysmon), which never run goroutines.
    pub nmsys: i32,
    /// Ps still to stop before the world is stopped.
    pub stopwait: i32,
}

// SAFETY: the raw pointers are to Ps and Ms, which live forever; access is
// under the lock.
unsafe impl Send for SchedLocked {}

pub struct SchedT {
    pub goidgen: AtomicI64,
    /// Idle Ps; mirrors the length of `pidle`, readable without the lock.
    pub npidle: AtomicI32,
    /// Spinning Ms.
    pub nmspinning: AtomicI32,
    /// Length of the global queue, readable without the lock.
    pub runqsize: AtomicI32,
    /// A stop-the-world is under way: running Ps stop at their next
    /// scheduling point.
    pub gcwaiting: AtomicBool,
    pub stopnote: Note,
    /// The idle M sleeping until the next timer, if any, and its deadline.
    pub timer_sleeper: AtomicPtr<M>,
    pub sleep_until: AtomicI64,
    pub lock: Mutex<SchedLocked>,
}

pub static SCHED: SchedT = SchedT {
    goidgen: AtomicI64::new(0),
    npidle: AtomicI32::new(0),
    nmspinning: AtomicI32::new(0),
    runqsize: AtomicI32::new(0),
    gcwaiting: AtomicBool::new(false),
    stopnote: Note::new(),
    timer_sleeper: AtomicPtr::new(null_mut()),
    sleep_until: AtomicI64::new(0),
    lock: Mutex::new(SchedLocked {
        runq: GQueue::new(),
        gfree: GQueue::new(),
        pidle: null_mut(),
        midle: null_mut(),
        nmidle: 0,
        mcount: 0,
        nmsys: 0,
        stopwait: 0,
    }),
};

/// `allp`: every P ever made, indexed by id. Ps are never freed, so a
/// pointer read here stays valid; entries past GOMAXPROCS are `_Pdead`.
static ALLP: [AtomicPtr<P>; MAX_GOMAXPROCS as usize] =
    [const { AtomicPtr::new(null_mut()) }; MAX_GOMAXPROCS as usize];
static GOMAXPROCS: AtomicI32 = AtomicI32::new(0);
/// `allm`: every M ever made.
static ALLM: AllList<M> = AllList::new();

/// Go's `sched.maxmcount`.
const MAX_MCOUNT: i64 = 10000;
/// Stealing passes over all Ps (Go's `stealTries`).
const STEAL_TRIES: u32 = 4;
/// Stack of a new M's g0 (its scheduler stack).
const G0_STACK_SIZE: usize = 64 << 10;

pub fn gomaxprocs() -> i32 {
    GOMAXPROCS.load(Ordering::Relaxed)
}

/// P number `i` (< gomaxprocs).
pub fn allp(i: i32) -> *mut P {
    allp_slot(i).load(Ordering::Acquire)
}

/// The `ALLP` entry of P `i`; an index past the table is a fatal error
/// (a static message: a bounds-check panic would bring its formatting).
fn allp_slot(i: i32) -> &'static AtomicPtr<P> {
    match ALLP.get(i as usize) {
        Some(slot) => slot,
        None => crate::panic::throw("allp: P index out of range"),
    }
}

/// Every M, newest first.
pub fn allm() -> impl Iterator<Item = *mut M> {
    ALLM.iter()
}

/// Publishes a new M on `allm`.
///
/// # Safety
/// `mp` is a live M not yet on the list.
pub unsafe fn allmadd(mp: *mut M) {
    ALLM.push(mp)
}

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
unsafe fn releasep(mp: *mut M) -> *mut P {
    let pp = (*mp).p;
    (*pp).m = null_mut();
    (*pp).set_status(Pstatus::_Pidle);
    (*mp).p = null_mut();
    pp
}

unsafe fn pidleput(s: &mut SchedLocked, pp: *mut P) {
    (*pp).link = s.pidle;
    s.pidle = pp;
    SCHED.npidle.fetch_add(1, Ordering::SeqCst);
}

unsafe fn pidleget(s: &mut SchedLocked) -> *mut P {
    let pp = s.pidle;
    if !pp.is_null() {
        s.pidle = (*pp).link;
        (*pp).link = null_mut();
        SCHED.npidle.fetch_sub(1, Ordering::SeqCst);
    }
    pp
}

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
    GOMAXPROCS.store(nprocs, Ordering::Release);
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
        crate::chaos::point(crate::chaos::Site::StopTheWorld);
        // Idle Ms hold no P; each running one stops its P at its next
        // scheduling point (`gcstopm`) and the last one wakes us.
        if wait {
            SCHED.stopnote.sleep();
        }
        if SCHED.lock.lock().stopwait != 0 {
            crate::panic::throw("stopTheWorld: not stopped");
        }
    }
}

/// Restarts the world after `procresize`: Ms for the Ps with work.
unsafe fn start_the_world(mut runnable: *mut P) {
    SCHED.gcwaiting.store(false, Ordering::SeqCst);
    crate::chaos::point(crate::chaos::Site::StopTheWorld);
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
unsafe fn gcstopm(mp: *mut M) {
    if (*mp).spinning {
        (*mp).spinning = false;
        SCHED.nmspinning.fetch_sub(1, Ordering::SeqCst);
    }
    let pp = releasep(mp);
    (*pp).set_status(Pstatus::_Pgcstop);
    crate::chaos::point(crate::chaos::Site::StopTheWorld);
    let mut s = SCHED.lock.lock();
    s.stopwait -= 1;
    if s.stopwait == 0 {
        SCHED.stopnote.wakeup();
    }
    drop(s);
    stopm(mp);
}

// ---- Ms ----------------------------------------------------------------

unsafe fn mput(s: &mut SchedLocked, mp: *mut M) {
    (*mp).schedlink = s.midle;
    s.midle = mp;
    s.nmidle += 1;
    checkdead(s);
}

unsafe fn mget(s: &mut SchedLocked) -> *mut M {
    let mp = s.midle;
    if !mp.is_null() {
        s.midle = (*mp).schedlink;
        (*mp).schedlink = null_mut();
        s.nmidle -= 1;
    }
    mp
}

/// Go's `stopm`: parks the M until `startm` hands it a P.
unsafe fn stopm(mp: *mut M) {
    if !(*mp).p.is_null() {
        crate::panic::throw("stopm holding p");
    }
    if (*mp).spinning {
        crate::panic::throw("stopm spinning");
    }
    let mut s = SCHED.lock.lock();
    mput(&mut s, mp);
    drop(s);
    (*mp).blocked = true;
    (*mp).park.sleep();
    (*mp).blocked = false;
    (*mp).park.clear();
    acquirep(mp, (*mp).nextp);
    (*mp).nextp = null_mut();
}

/// Go's `startm`: runs `pp` (an idle P if null) on an idle M, or a new
/// one. With `spinning`, the caller has already counted the M in
/// `nmspinning`.
unsafe fn startm(mut pp: *mut P, spinning: bool) {
    let mut s = SCHED.lock.lock();
    if pp.is_null() {
        pp = pidleget(&mut s);
        if pp.is_null() {
            drop(s);
            if spinning && SCHED.nmspinning.fetch_sub(1, Ordering::SeqCst) <= 0 {
                crate::panic::throw("startm: negative nmspinning");
            }
            return;
        }
    }
    let nmp = mget(&mut s);
    if nmp.is_null() {
        let id = mreserveid(&mut s);
        drop(s);
        newm(pp, spinning, id, None);
        return;
    }
    drop(s);
    (*nmp).spinning = spinning;
    (*nmp).nextp = pp;
    (*nmp).park.wakeup();
}

fn mreserveid(s: &mut MutexGuard<'_, SchedLocked>) -> i64 {
    let id = s.mcount;
    s.mcount += 1;
    if s.mcount > MAX_MCOUNT {
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
    if SCHED.nmspinning.load(Ordering::SeqCst) != 0
        || SCHED
            .nmspinning
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
    {
        return;
    }
    // SAFETY: startm only touches scheduler structures.
    unsafe { startm(null_mut(), true) };
}

/// A spinning M found work: it stops spinning and lets another M search.
unsafe fn resetspinning(mp: *mut M) {
    (*mp).spinning = false;
    if SCHED.nmspinning.fetch_sub(1, Ordering::SeqCst) <= 0 {
        crate::panic::throw("findrunnable: negative nmspinning");
    }
    wakep();
}

const CLONE_VM: usize = 0x100;
const CLONE_FS: usize = 0x200;
const CLONE_FILES: usize = 0x400;
const CLONE_SIGHAND: usize = 0x800;
const CLONE_THREAD: usize = 0x10000;
const CLONE_SYSVSEM: usize = 0x40000;
const CLONE_SETTLS: usize = 0x80000;

/// Go's `newm` + `newosproc`: a new M (thread) that will run `pp`, or
/// `startfn` without a P.
///
/// # Safety
/// `pp` is null (with `startfn`) or an idle P handed to the new M; `id` was
/// reserved with `mreserveid`.
pub unsafe fn newm(pp: *mut P, spinning: bool, id: i64, startfn: Option<fn() -> !>) {
    let mp = Box::into_raw(Box::new(M::new()));
    (*mp).id = id;
    proc::mcommoninit(mp);
    let g0 = Box::into_raw(Box::new(G::new()));
    match stack::stackalloc(G0_STACK_SIZE) {
        Ok(st) => {
            (*g0).stack = st;
            (*g0).stackguard0 = st.lo + stack::STACK_GUARD;
            (*g0).stackguard1 = (*g0).stackguard0;
        }
        Err(_) => crate::panic::throw("newm: cannot allocate g0 stack"),
    }
    (*g0).m = mp;
    (*mp).g0 = g0;
    (*mp).nextp = pp;
    (*mp).spinning = spinning;
    (*mp).mstartfn = startfn;
    (*mp).gsignal = crate::signal::alloc_gsignal();
    arch::init_tcb(addr_of_mut!((*mp).tls));
    (*mp).tls.words[arch::G_SLOT] = g0 as usize;
    allmadd(mp);
    let flags = CLONE_VM
        | CLONE_FS
        | CLONE_FILES
        | CLONE_SIGHAND
        | CLONE_SYSVSEM
        | CLONE_THREAD
        | CLONE_SETTLS;
    let r = arch::clone(
        flags,
        (*g0).stack.hi,
        addr_of_mut!((*mp).tls) as usize,
        mstart_child,
        mp as *mut u8,
    );
    if r < 0 {
        let errno = -r;
        crate::panic::throw_with(
            &|l| {
                l.ki(
                    "failed to create new OS thread (have ",
                    SCHED.lock.lock().mcount - 1,
                )
                .ki(" already; errno=", errno as i64)
                .s(")");
                if errno == 11 {
                    l.s("\nruntime: may need to increase max user processes (ulimit -u)");
                }
            },
            "newosproc",
        );
    }
}

/// The first function of every new M, on its g0 stack, with the thread
/// pointer already set by `clone`.
unsafe extern "C" fn mstart_child(arg: *mut u8) -> ! {
    let mp = arg as *mut M;
    let g0 = (*mp).g0;
    (*g0).sched.sp = (arch::current_sp() - 256) & !15;
    crate::signal::minit(mp);
    if let Some(f) = (*mp).mstartfn {
        f();
    }
    acquirep(mp, (*mp).nextp);
    (*mp).nextp = null_mut();
    schedule()
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
unsafe fn globrunqget(s: &mut SchedLocked, pp: *mut P, max: usize) -> Option<*mut G> {
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
            crate::panic::throw("globrunqget: local run queue overflow")
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
    crate::chaos::point(crate::chaos::Site::Steal);
    let n = (*victim).runq.grab(&mut batch, steal_runnext);
    if n == 0 {
        return None;
    }
    // `grab` took at most `batch.len()`; `get` instead of indexing keeps
    // a panic path out of the scheduler.
    let (&last, rest) = batch.get(..n)?.split_last()?;
    for &g in rest {
        (*pp).runq.put(g, false, &mut |_| {
            crate::panic::throw("runqsteal: local run queue overflow")
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
            crate::panic::throw("schedule: no p");
        }
        let (gp, inherit) = findrunnable(mp);
        if (*mp).spinning {
            resetspinning(mp);
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
            || 2 * SCHED.nmspinning.load(Ordering::SeqCst)
                < procs - SCHED.npidle.load(Ordering::SeqCst)
        {
            if !(*mp).spinning {
                (*mp).spinning = true;
                SCHED.nmspinning.fetch_add(1, Ordering::SeqCst);
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
        crate::chaos::point(crate::chaos::Site::Idle);
        let was_spinning = (*mp).spinning;
        if was_spinning {
            (*mp).spinning = false;
            if SCHED.nmspinning.fetch_sub(1, Ordering::SeqCst) <= 0 {
                crate::panic::throw("findrunnable: negative nmspinning");
            }
            // Work queued while we spun, whose submitter saw us spinning
            // and woke no one: look once more. The spinner's half of the
            // handshake in the module comment, paired with `wakep`'s fence.
            fence(Ordering::SeqCst);
            if let Some(pp) = check_runqs_no_p(procs) {
                acquirep(mp, pp);
                (*mp).spinning = true;
                SCHED.nmspinning.fetch_add(1, Ordering::SeqCst);
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
unsafe fn stopm_timed(mp: *mut M) {
    SCHED.sleep_until.store(i64::MAX, Ordering::SeqCst);
    SCHED
        .sleep_until
        .fetch_min(crate::time::next_deadline_or_max(), Ordering::SeqCst);
    let mut s = SCHED.lock.lock();
    mput(&mut s, mp);
    drop(s);
    (*mp).blocked = true;
    loop {
        let seen = (*mp).park.observe();
        if (*mp).park.is_set() {
            break;
        }
        let deadline = SCHED.sleep_until.load(Ordering::SeqCst);
        if crate::time::nanotime() >= deadline {
            let mut s = SCHED.lock.lock();
            if mremove(&mut s, mp) {
                let pp = pidleget(&mut s);
                if !pp.is_null() {
                    drop(s);
                    (*mp).blocked = false;
                    acquirep(mp, pp);
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
                mput(&mut s, mp);
                drop(s);
                (*mp).park.sleep();
                break;
            }
            // A startm took us off the idle list: its wakeup is coming.
            drop(s);
            (*mp).park.sleep();
            break;
        }
        (*mp).park.sleep_until(seen, deadline);
    }
    (*mp).blocked = false;
    (*mp).park.clear();
    acquirep(mp, (*mp).nextp);
    (*mp).nextp = null_mut();
}

/// Removes `mp` from the idle list; false if it is not there.
unsafe fn mremove(s: &mut SchedLocked, mp: *mut M) -> bool {
    let mut link: *mut *mut M = &mut s.midle;
    while !(*link).is_null() {
        if *link == mp {
            *link = (*mp).schedlink;
            (*mp).schedlink = null_mut();
            s.nmidle -= 1;
            return true;
        }
        link = &mut (**link).schedlink;
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
    arch::setg(gp);
    arch::gogo((*gp).sched.sp)
}

/// Go's `mcall`: saves the running G's context and calls `f(gp)` on g0's
/// stack. `f` must not return; the G resumes when something `gogo`s it.
///
/// # Safety
/// Must be called on a user G, not on g0.
pub unsafe fn mcall(f: unsafe extern "C" fn(*mut u8)) {
    let gp = arch::getg();
    let g0 = (*(*gp).m).g0;
    if gp == g0 {
        crate::panic::throw("runtime: mcall called on m->g0 stack");
    }
    // A stack without a guard page reports its overflow here, on the way
    // out (see `stack`).
    let sp = arch::current_sp();
    if !stack::sp_within(&(*gp).stack, sp) {
        crate::signal::stack_overflow(gp, sp);
    }
    arch::setg(g0);
    arch::mcall_switch(
        addr_of_mut!((*gp).sched.sp),
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

unsafe extern "C" fn park_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Gwaiting);
    dropg(mp, gp);
    crate::chaos::point(crate::chaos::Site::ParkCommit);
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
    crate::chaos::point(crate::chaos::Site::Ready);
}

// ---- Deadlock ----------------------------------------------------------

/// Go's `checkdead`, with `sched.lock` held: if no M is running and no
/// goroutine can be woken, the program can never make progress.
unsafe fn checkdead(s: &SchedLocked) {
    let run = s.mcount - s.nmidle as i64 - s.nmsys as i64;
    if run > 0 {
        return;
    }
    if run < 0 {
        crate::panic::throw("checkdead: inconsistent counts");
    }
    let mut waiting = 0;
    for gp in proc::allgs() {
        match (*gp).status() {
            Gstatus::_Gwaiting => waiting += 1,
            Gstatus::_Grunnable | Gstatus::_Grunning | Gstatus::_Gsyscall => {
                crate::panic::throw("checkdead: runnable g");
            }
            _ => {}
        }
    }
    if waiting == 0 {
        crate::panic::throw("no goroutines (main called runtime.Goexit) - deadlock!");
    }
    // A sleeping goroutine will wake: not a deadlock yet.
    if crate::time::next_deadline() != 0 {
        return;
    }
    crate::panic::fatal_with_goroutines("all goroutines are asleep - deadlock!");
}

/// Prints `goroutine N [status]:` for every live G (Go's traceback
/// headers; frames are not available).
pub fn print_goroutines() {
    for gp in proc::allgs() {
        // SAFETY: Gs are never freed.
        let (st, goid, reason) = unsafe { ((*gp).status(), (*gp).goid, (*gp).waitreason) };
        let what = match st {
            Gstatus::_Gidle | Gstatus::_Gdead => continue,
            Gstatus::_Grunnable => "runnable",
            Gstatus::_Grunning => "running",
            Gstatus::_Gsyscall => "syscall",
            Gstatus::_Gwaiting if reason.is_empty() => "waiting",
            Gstatus::_Gwaiting => reason,
        };
        Line::stderr()
            .ki("\ngoroutine ", goid)
            .s(" [")
            .s(what)
            .s("]:")
            .end();
    }
}
