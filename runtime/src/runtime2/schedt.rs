//! `sched` (Go's `schedt`): what is global — idle Ms and Ps, the global run
//! queue, the global free G list behind `sched.lock`, the spinning count —
//! and the tables `allp` and `allm`.

use super::{AllList, GQueue, GRing, M, P};
use crate::env::MAX_GOMAXPROCS;
use crate::lock::{Mutex, Note};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicPtr, Ordering};

/// What `sched.lock` protects.
pub struct SchedLocked {
    /// The global run queue.
    pub runq: GRing,
    /// Dead Gs that P caches overflowed into.
    pub gfree: GQueue,
    /// Idle Ps, linked through `P::link`.
    pub pidle: *mut P,
    /// Idle Ms, linked through `M::schedlink`.
    pub midle: *mut M,
    pub nmidle: i32,
    /// Ms created so far (ids are 0..mnext), Go's `mnext`.
    pub mnext: i64,
    /// Ms whose thread has exited (`mexit`), Go's `nmfreed`.
    pub nmfreed: i64,
    /// System Ms (sysmon), which never run goroutines.
    pub nmsys: i32,
    /// Ms asleep until their locked goroutine can run (`stoplockedm`),
    /// Go's `nmidlelocked`.
    pub nmidlelocked: i32,
    /// Ms whose thread has exited or is exiting, linked through
    /// `M::schedlink`; `newm` reuses one once its `free_wait` is 0 (Go's
    /// `sched.freem`).
    pub freem: *mut M,
    /// Ps still to stop before the world is stopped.
    pub stopwait: i32,
    /// sysmon is taking a P back from a system call (Go's
    /// `incidlelocked(-1)` around `retake`'s hand-off): counted as one
    /// running M, because the P it holds can still run the goroutines
    /// queued meanwhile — the M whose call it retook may exit the call,
    /// find no P, queue its goroutine and go idle before sysmon hands the
    /// P on, and that is no deadlock.
    pub retaking: i32,
}

// SAFETY: the raw pointers are to Ps and Ms, which live forever; access is
// under the lock.
unsafe impl Send for SchedLocked {}

impl SchedLocked {
    /// Go's `mcount()`: the Ms whose thread lives (sysmon's included).
    pub fn mcount(&self) -> i64 {
        self.mnext - self.nmfreed
    }
}

/// Go's `schedt`.
pub struct SchedT {
    pub goidgen: AtomicI64,
    /// Idle Ps; mirrors the length of `pidle`, readable without the lock.
    pub npidle: AtomicI32,
    /// Spinning Ms.
    pub nmspinning: Spinning,
    /// Length of the global queue, readable without the lock.
    pub runqsize: AtomicI32,
    /// Length of the global free G list, readable without the lock: `gfget`
    /// takes the lock only when there is something to take (Go reads
    /// `sched.gFree` the same way, racily; a stale 0 only means a new G).
    pub ngfree: AtomicI32,
    /// A stop-the-world is under way: running Ps stop at their next
    /// scheduling point.
    pub gcwaiting: AtomicBool,
    pub stopnote: Note,
    /// The idle M sleeping until the next timer, if any, and its deadline
    /// (the handshake is at `sched::m::stopm_timed`).
    pub timer_sleeper: AtomicPtr<M>,
    pub sleep_until: AtomicI64,
    /// sysmon sleeps on `sysmonnote` (everything idle): the next system
    /// call or start of the world wakes it (`sched::sysmon`).
    pub sysmonwait: AtomicBool,
    pub sysmonnote: Note,
    pub lock: Mutex<SchedLocked>,
}

pub static SCHED: SchedT = SchedT {
    goidgen: AtomicI64::new(0),
    npidle: AtomicI32::new(0),
    nmspinning: Spinning::new(),
    runqsize: AtomicI32::new(0),
    ngfree: AtomicI32::new(0),
    gcwaiting: AtomicBool::new(false),
    stopnote: Note::new(),
    timer_sleeper: AtomicPtr::new(null_mut()),
    sleep_until: AtomicI64::new(0),
    sysmonwait: AtomicBool::new(false),
    sysmonnote: Note::new(),
    lock: Mutex::new(crate::lock::Rank::Sched, SchedLocked {
        runq: GRing::new(),
        gfree: GQueue::new(),
        pidle: null_mut(),
        midle: null_mut(),
        nmidle: 0,
        mnext: 0,
        nmfreed: 0,
        nmsys: 0,
        nmidlelocked: 0,
        freem: null_mut(),
        stopwait: 0,
        retaking: 0,
    }),
};

/// The number of spinning Ms (Go's `sched.nmspinning`, with each M's
/// `spinning` flag). An M is *spinning* while it looks for work with a P
/// but without having found any. The protocol, as in Go (`sched::m` has
/// the code that follows it):
///
/// - when work is made ready and there is an idle P but no spinning M, one
///   M is woken, as spinning (`wakep` claims the count first, `claim`);
/// - at most one M is woken per event: `claim` fails if some M spins;
/// - a spinning M that finds work stops spinning (`end`) and calls
///   `wakep`, so that another M takes over the search — under a burst of
///   work the wake-ups cascade, one at a time;
/// - no more Ms spin than half the busy Ps (`findrunnable`);
/// - an M that stops spinning and gives up its P decrements the count and
///   *then* looks at every queue once more: the store-then-load handshake
///   against `wakep` described in `sched`.
///
/// Invariant: the count equals the number of Ms with `spinning` set, plus
/// claims whose M is being started; it never goes negative (a decrement
/// that would is a fatal error, as in Go).
pub struct Spinning {
    n: AtomicI32,
}

impl Spinning {
    pub const fn new() -> Spinning {
        Spinning {
            n: AtomicI32::new(0),
        }
    }

    pub fn count(&self) -> i32 {
        self.n.load(Ordering::SeqCst)
    }

    /// `wakep`'s claim: counts the M about to be woken, only if none spins.
    pub fn claim(&self) -> bool {
        self.n.load(Ordering::SeqCst) == 0
            && self
                .n
                .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
    }

    /// Gives back a claim that found no P to start an M on.
    pub fn unclaim(&self) {
        if self.n.fetch_sub(1, Ordering::SeqCst) <= 0 {
            crate::panic::throw("startm: negative nmspinning");
        }
    }

    /// `mp` starts spinning.
    ///
    /// # Safety
    /// `mp` is the calling thread's M (or one being started by it), not
    /// spinning.
    pub unsafe fn begin(&self, mp: *mut M) {
        // SAFETY: only mp's own thread (or its starter, before it runs)
        // writes its `spinning`.
        unsafe { (*mp).spinning = true };
        self.n.fetch_add(1, Ordering::SeqCst);
    }

    /// `mp` stops spinning: it found work, gave up its P, or is stopping
    /// for the world. Does nothing if it was not spinning.
    ///
    /// # Safety
    /// `mp` is the calling thread's M.
    pub unsafe fn end(&self, mp: *mut M) {
        // SAFETY: as for `begin`.
        unsafe {
            if !(*mp).spinning {
                return;
            }
            (*mp).spinning = false;
        }
        if self.n.fetch_sub(1, Ordering::SeqCst) <= 0 {
            crate::panic::throw("findrunnable: negative nmspinning");
        }
    }
}

/// `allp`: every P ever made, indexed by id. Ps are never freed, so a
/// pointer read here stays valid; entries past GOMAXPROCS are `_Pdead`.
static ALLP: [AtomicPtr<P>; MAX_GOMAXPROCS as usize] =
    [const { AtomicPtr::new(null_mut()) }; MAX_GOMAXPROCS as usize];
static GOMAXPROCS: AtomicI32 = AtomicI32::new(0);
/// `allm`: every M ever made.
static ALLM: AllList<M> = AllList::new();

pub fn gomaxprocs() -> i32 {
    GOMAXPROCS.load(Ordering::Relaxed)
}

/// Only `procresize`, with the world stopped.
pub fn set_gomaxprocs_value(n: i32) {
    GOMAXPROCS.store(n, Ordering::Release)
}

/// P number `i` (< gomaxprocs).
pub fn allp(i: i32) -> *mut P {
    allp_slot(i).load(Ordering::Acquire)
}

/// The `ALLP` entry of P `i`; an index past the table is a fatal error
/// (a static message: a bounds-check panic would bring its formatting).
pub fn allp_slot(i: i32) -> &'static AtomicPtr<P> {
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
    // SAFETY: the caller's promise.
    unsafe { ALLM.push(mp) }
}

/// Takes an exiting M off `allm` (Go's `mexit`).
///
/// # Safety
/// `mp` is on the list; `_s` is `SCHED.lock`'s state, held, which
/// serialises removals.
pub unsafe fn allmremove(_s: &mut SchedLocked, mp: *mut M) {
    // SAFETY: the caller's promise; removals are serialised by the lock.
    unsafe { ALLM.remove(mp) }
}
