//! The scheduler's structures, named as in Go's `runtime2.go`.
//!
//! - **G**, a goroutine: its stack, its saved context (`sched`), its status.
//! - **M**, a machine: an OS thread. Its first field is the thread control
//!   block the thread pointer points at; it runs Gs on their stacks and its
//!   own scheduling code on its `g0` stack.
//! - **P**, a processor: what an M must hold to run Go code. GOMAXPROCS of
//!   them exist; each has a local run queue, a `runnext` slot and a cache of
//!   dead Gs, so most scheduling touches no shared lock.
//! - **sched**: what is global — idle Ms and Ps, the global run queue, the
//!   global free G list — behind `sched.lock`.
//!
//! Invariants the code relies on:
//! - A G's status changes only through `casgstatus`, and a G is on at most
//!   one queue (run queue or free list) at a time: a local ring, the global
//!   `GRing`, or a list linked by `schedlink`.
//! - Gs and Ps are never freed: dead Gs are reused (`gfget`), Ps beyond
//!   GOMAXPROCS become `_Pdead` and stay in `allp` for reuse, so raw
//!   pointers to them stay valid for the life of the process.

mod lists;
mod schedt;

pub use lists::{enable_ring_growth, AllLink, AllList, GQueue, GRing};
pub use schedt::*;

use crate::arch::{self, Context, Tcb};
use crate::lock::Note;
use crate::runq::RunQueue;
pub use crate::stack::Stack;
use crate::timers::PTimers;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU8, Ordering};

/// The running goroutine (Go's `getg`): g0 while the M runs the scheduler.
#[inline(always)]
pub fn getg() -> *mut G {
    arch::load_g() as *mut G
}

/// Records `gp` as the running goroutine of this thread.
///
/// # Safety
/// The thread pointer must be set; `gp` must be a G of this M.
#[inline(always)]
pub unsafe fn setg(gp: *mut G) {
    // SAFETY: the caller's promise.
    unsafe { arch::store_g(gp as usize) }
}

/// The current M.
#[inline]
pub fn getm() -> *mut M {
    // SAFETY: after rt0_go every thread's g is live and bound to its M.
    unsafe { (*getg()).m }
}

/// G status, Go's `_G*` constants (same values).
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Gstatus {
    /// Just allocated, not yet initialised.
    _Gidle = 0,
    /// On a run queue, not running.
    _Grunnable = 1,
    /// Running on an M that holds a P.
    _Grunning = 2,
    /// In a system call, not running Go code.
    _Gsyscall = 3,
    /// Blocked in the runtime (`gopark`), not on a run queue.
    _Gwaiting = 4,
    /// Unused: exited, or on a free list.
    _Gdead = 6,
    /// Stopped by asynchronous preemption, on its way to a run queue
    /// (`preempt::gopreempt_m`; Go's value).
    _Gpreempted = 9,
}

impl Gstatus {
    pub fn from_u32(v: u32) -> Gstatus {
        match v {
            0 => Gstatus::_Gidle,
            1 => Gstatus::_Grunnable,
            2 => Gstatus::_Grunning,
            3 => Gstatus::_Gsyscall,
            4 => Gstatus::_Gwaiting,
            9 => Gstatus::_Gpreempted,
            _ => Gstatus::_Gdead,
        }
    }
}

/// P status, Go's `_P*` constants.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Pstatus {
    _Pidle = 0,
    _Prunning = 1,
    _Psyscall = 2,
    _Pgcstop = 3,
    _Pdead = 4,
}

impl Pstatus {
    pub fn from_u32(v: u32) -> Pstatus {
        match v {
            0 => Pstatus::_Pidle,
            1 => Pstatus::_Prunning,
            2 => Pstatus::_Psyscall,
            3 => Pstatus::_Pgcstop,
            _ => Pstatus::_Pdead,
        }
    }
}

/// Why a goroutine waits (Go's `waitReason`), printed in goroutine dumps
/// as Go prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum WaitReason {
    None,
    ChanSend,
    ChanReceive,
    ChanSendNilChan,
    ChanReceiveNilChan,
    Select,
    SelectNoCases,
    Sleep,
    SyncMutexLock,
    SyncWaitGroupWait,
    IoWait,
    Semacquire,
    /// The last variant (`from_u8` relies on it).
    StopTheWorld,
}

impl WaitReason {
    pub fn from_u8(v: u8) -> WaitReason {
        if v <= WaitReason::StopTheWorld as u8 {
            // SAFETY: the variants are 0..=StopTheWorld, in order (repr(u8),
            // no explicit discriminants).
            unsafe { core::mem::transmute::<u8, WaitReason>(v) }
        } else {
            WaitReason::None
        }
    }

    /// Go's wording ("" for none).
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::None => "",
            WaitReason::ChanSend => "chan send",
            WaitReason::ChanReceive => "chan receive",
            WaitReason::ChanSendNilChan => "chan send (nil chan)",
            WaitReason::ChanReceiveNilChan => "chan receive (nil chan)",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::SyncMutexLock => "sync.Mutex.Lock",
            WaitReason::SyncWaitGroupWait => "sync.WaitGroup.Wait",
            WaitReason::IoWait => "IO wait",
            WaitReason::Semacquire => "semacquire",
            WaitReason::StopTheWorld => "stop the world",
        }
    }
}

/// The function a goroutine runs: C's `void (*)(void *)`.
pub type GoFn = unsafe extern "C" fn(*mut u8);

/// The fields a switch touches (`ready`, `execute`, `gopark`, the
/// channel and select wake-ups) come first, in the G's first cache line:
/// a goroutine woken among thousands misses in the cache on its G, and
/// one line then serves the waker and the scheduler alike.
#[repr(C, align(64))]
pub struct G {
    /// The saved context while the G is not running.
    pub sched: Context,
    pub m: *mut M,
    /// Link on a run queue or free list.
    pub schedlink: *mut G,
    /// Passed by whoever readies the G: the sudog that completed (select).
    pub param: *mut u8,
    /// `stack.lo + STACK_GUARD`: the lowest sp the goroutine may reach
    /// before its guard page.
    pub stackguard0: usize,
    pub atomicstatus: AtomicU32,
    /// A select in progress: the first waker to move this 0 → 1 wins.
    pub select_done: AtomicU32,
    /// Depth of runtime calls this goroutine is inside (`preempt::Enter`):
    /// asynchronous preemption lands only at 0, in user code. Written by
    /// the G's own thread, read by the signal handler on the same thread.
    pub in_runtime: AtomicU32,
    /// Why the G is `_Gwaiting` (a `WaitReason`; 0 when it is not waiting).
    /// One atomic byte, so a goroutine dump reading it from another thread
    /// never sees half of a value.
    pub waitreason: AtomicU8,
    /// Go's `preempt`: sysmon asks this G to yield (it has run for 10 ms);
    /// taken at the next safe point, asynchronous or cooperative.
    pub preempt: AtomicBool,
    /// The guard below this G's fresh stack is yet to be made: `malg`
    /// leaves it to the G's first `execute`, on whichever M runs it (see
    /// `stack::stackalloc_lazy`). Written only by the G's owner of the moment.
    pub guard_pending: bool,
    /// Go's `lockedm`: the M this G is locked to (`rt_lock_os_thread`),
    /// with the nesting count in `lockedcount`.
    pub lockedm: *mut M,
    pub lockedcount: u32,
    /// C's `errno` for this goroutine (`__errno_location`): per goroutine,
    /// as a goroutine may move between threads at any blocking call.
    pub errno: i32,
    pub stack: Stack,
    /// Same on g0 and gsignal; `usize::MAX` on user Gs (Go's convention).
    pub stackguard1: usize,
    pub goid: i64,
    /// Go's `parentGoid`: the goroutine that ran `newproc` (0: g0).
    pub parent_goid: i64,
    /// Go's `gopc`: the return address into the function that started
    /// this goroutine (the caller of `rt_go` or `go`), for a traceback's
    /// `created by` line; 0 for the runtime's own goroutines.
    pub gopc: usize,
    /// Link on `allgs`; set once, never changed.
    pub alllink: *mut G,
    pub startfn: Option<GoFn>,
    pub startarg: *mut u8,
    /// The size the stack was asked for (without the guard page).
    pub stacksize: usize,
}

impl G {
    pub const fn new() -> G {
        G {
            stack: Stack { lo: 0, hi: 0 },
            stackguard0: 0,
            stackguard1: 0,
            sched: Context { sp: 0 },
            m: null_mut(),
            atomicstatus: AtomicU32::new(Gstatus::_Gidle as u32),
            goid: 0,
            parent_goid: 0,
            gopc: 0,
            schedlink: null_mut(),
            alllink: null_mut(),
            startfn: None,
            startarg: null_mut(),
            stacksize: 0,
            waitreason: AtomicU8::new(WaitReason::None as u8),
            param: null_mut(),
            select_done: AtomicU32::new(0),
            errno: 0,
            in_runtime: AtomicU32::new(0),
            preempt: AtomicBool::new(false),
            guard_pending: false,
            lockedm: null_mut(),
            lockedcount: 0,
        }
    }

    pub fn status(&self) -> Gstatus {
        Gstatus::from_u32(self.atomicstatus.load(Ordering::Acquire))
    }

    pub fn waitreason(&self) -> WaitReason {
        WaitReason::from_u8(self.waitreason.load(Ordering::Relaxed))
    }

    pub fn set_waitreason(&self, r: WaitReason) {
        self.waitreason.store(r as u8, Ordering::Relaxed)
    }

    /// Go's `casgstatus`: every transition is from a known state; finding
    /// another is a runtime bug, reported as Go does.
    ///
    /// Go needs a compare-and-swap because its garbage collector sets scan
    /// bits in the status concurrently. Here each transition has a single
    /// writer (the G's own M, the one M that dequeued it, or the one
    /// waker that removed it from a wait queue under that queue's lock), so
    /// a check and a release store do, without a locked instruction on the
    /// hot path of every switch.
    #[inline(always)]
    pub fn casgstatus(&self, old: Gstatus, new: Gstatus) {
        if self.atomicstatus.load(Ordering::Acquire) != old as u32 {
            crate::panic::throw("casgstatus: bad incoming values");
        }
        self.atomicstatus.store(new as u32, Ordering::Release);
    }
}

#[repr(C)]
pub struct M {
    /// Must stay the first field: the thread pointer points here.
    pub tls: Tcb,
    /// The goroutine with the scheduling stack.
    pub g0: *mut G,
    /// The user goroutine running now, or null.
    pub curg: *mut G,
    /// The attached P, null when not running Go code.
    pub p: *mut P,
    /// The P to attach when this M is started.
    pub nextp: *mut P,
    pub id: i64,
    /// Looking for work without having found any (see `sched`).
    pub spinning: bool,
    /// Sleeping on `park`.
    pub blocked: bool,
    /// Parks this M while it has nothing to do.
    pub park: Note,
    /// Link on `allm`.
    pub alllink: *mut M,
    /// Link on `sched.midle`.
    pub schedlink: *mut M,
    /// State of this M's fast random generator.
    pub fastrand: u64,
    /// The signal stack (sigaltstack) of this thread.
    pub gsignal: Stack,
    /// Run instead of the scheduler by an M without a P (sysmon).
    pub mstartfn: Option<fn() -> !>,
    /// `gopark`'s hand-over to `park_m`, on g0.
    pub waitunlockf: Option<unsafe fn(*mut G, *mut u8) -> bool>,
    pub waitlock: *mut u8,
    /// The P this M left in `_Psyscall` when its G entered a system call
    /// (`entersyscall`), to take back on the way out if sysmon has not.
    pub oldp: *mut P,
    /// The thread id (Go's `procid`), for `tgkill`: stored by the thread
    /// that created the M once `clone` returns; 0 until then, and for m0
    /// until sysmon first needs it.
    pub procid: AtomicI32,
    /// A preemption signal is on its way to this thread (Go's
    /// `signalPending`): sysmon sends one at a time; the handler clears it.
    pub signal_pending: AtomicBool,
    /// Go's `lockedg`: the goroutine locked to this M, if any
    /// (`rt_lock_os_thread`). While set, this M runs that G only: when the
    /// G blocks, the M hands its P off and sleeps on `park` until a
    /// scheduler that picks the G hands it a P (`sched::locked`).
    pub lockedg: *mut G,
    /// Go's `freeWait`: 1 from the moment this M's thread starts to exit
    /// (`mexit`) until its last store, made once nothing runs on its
    /// stacks any more, sets it to 0 (`arch::exit_thread`); then the M,
    /// its g0 and their stacks may serve a new thread (`newm`).
    pub free_wait: AtomicU32,
}

impl M {
    pub const fn new() -> M {
        M {
            tls: Tcb::new(),
            g0: null_mut(),
            curg: null_mut(),
            p: null_mut(),
            nextp: null_mut(),
            id: 0,
            spinning: false,
            blocked: false,
            park: Note::new(),
            alllink: null_mut(),
            schedlink: null_mut(),
            fastrand: 0,
            gsignal: Stack { lo: 0, hi: 0 },
            mstartfn: None,
            waitunlockf: None,
            waitlock: null_mut(),
            oldp: null_mut(),
            procid: AtomicI32::new(0),
            signal_pending: AtomicBool::new(false),
            lockedg: null_mut(),
            free_wait: AtomicU32::new(0),
        }
    }

    /// Go's `fastrand`: xorshift64* on `mp`'s state. Through a raw
    /// pointer, touching only that field: other threads may read other
    /// fields of the M meanwhile (a timer poke, schedtrace).
    ///
    /// # Safety
    /// `mp` is the calling thread's M (the only writer of `fastrand`).
    pub unsafe fn fastrand(mp: *mut M) -> u32 {
        // SAFETY: mp is live (Ms are never freed) and only its own thread
        // reads or writes this field (caller).
        let state = unsafe { &mut *core::ptr::addr_of_mut!((*mp).fastrand) };
        let mut x = *state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *state = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
}

#[repr(C)]
pub struct P {
    pub id: i32,
    /// A `Pstatus`. Who owns the P in each status:
    /// - `_Pidle`: wired to no M; owned by `sched.lock` while on
    ///   `sched.pidle`, else by the one thread that holds it off the list
    ///   (the M that has just released it and is about to put it there or
    ///   stop it, or `procresize`'s list of Ps with work, handed to `startm`);
    /// - `_Prunning`: the M in `m`, the only one that changes it;
    /// - `_Psyscall`: wired to no M; its last M's G is in a system call.
    ///   Whoever moves it out by compare-and-swap owns it: that M on its
    ///   way out (`exitsyscall`, to `_Pidle` then its own), sysmon taking
    ///   it back (`retake`, to `_Pidle`, then `handoffp`), or the M
    ///   stopping the world (to `_Pgcstop`);
    /// - `_Pgcstop`: the M stopping the world (or, at boot, m0);
    /// - `_Pdead`: beyond GOMAXPROCS, touched only with the world stopped.
    ///
    /// Atomic because other Ms read it without owning the P (stealing
    /// skips idle Ps; schedtrace prints it): a Relaxed hint, never a
    /// claim of ownership, which always goes through `sched.lock` or the
    /// run queue's CAS.
    status: AtomicU32,
    /// Link on `sched.pidle`.
    pub link: *mut P,
    /// Incremented on every scheduler call that picks a new G. Written by
    /// the owner only; sysmon reads it to find a G that has run too long.
    pub schedtick: AtomicU32,
    /// Gs run in a row from `runnext`, inheriting one time slice (see
    /// `sched::RUNNEXT_SLICE`).
    pub inherited: u32,
    pub m: *mut M,
    /// Goroutine ids handed out by this P: [goidcache, goidcacheend).
    pub goidcache: i64,
    pub goidcacheend: i64,
    pub runq: RunQueue<G>,
    /// Dead Gs with stacks, ready for reuse.
    pub gfree: GQueue,
    /// This P's timers.
    pub timers: PTimers,
    /// Incremented by the owner at each system call's end: sysmon seeing
    /// the same value twice knows the P has sat in one call for a tick.
    /// Only the P's owner writes it (`bump_syscalltick`), so a load and a
    /// store do, without a locked instruction on every system call.
    pub syscalltick: AtomicU32,
    /// sysmon's own memory of this P (only sysmon reads or writes it).
    pub sysmontick: SysmonTick,
}

/// What sysmon last saw of a P (Go's `sysmontick`).
#[derive(Default)]
pub struct SysmonTick {
    pub syscalltick: u32,
    pub syscallwhen: i64,
    pub schedtick: u32,
    pub schedwhen: i64,
}

impl P {
    pub fn status(&self) -> Pstatus {
        Pstatus::from_u32(self.status.load(Ordering::Relaxed))
    }

    /// Only by the P's owner (see `status`).
    pub fn set_status(&self, st: Pstatus) {
        self.status.store(st as u32, Ordering::Relaxed)
    }

    /// The status, SeqCst: for the handshakes around `_Psyscall` (see
    /// `sched::syscall`).
    pub fn status_seqcst(&self) -> Pstatus {
        Pstatus::from_u32(self.status.load(Ordering::SeqCst))
    }

    /// `set_status`, SeqCst: the owner leaving a P in `_Psyscall`.
    pub fn set_status_seqcst(&self, st: Pstatus) {
        self.status.store(st as u32, Ordering::SeqCst)
    }

    /// The owner's increment of `syscalltick`.
    pub fn bump_syscalltick(&self) {
        let t = self.syscalltick.load(Ordering::Relaxed);
        self.syscalltick.store(t.wrapping_add(1), Ordering::Relaxed);
    }

    /// Takes a P out of `old` (a status its owner left it in, such as
    /// `_Psyscall`): true for the one caller that wins it.
    pub fn cas_status(&self, old: Pstatus, new: Pstatus) -> bool {
        self.status
            .compare_exchange(old as u32, new as u32, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    pub fn new(id: i32) -> P {
        P {
            id,
            status: AtomicU32::new(Pstatus::_Pgcstop as u32),
            link: null_mut(),
            schedtick: AtomicU32::new(0),
            inherited: 0,
            m: null_mut(),
            goidcache: 0,
            goidcacheend: 0,
            runq: RunQueue::new(),
            gfree: GQueue::new(),
            timers: PTimers::default(),
            syscalltick: AtomicU32::new(0),
            sysmontick: SysmonTick::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WaitReason;

    #[test]
    fn wait_reasons_round_trip_through_their_byte() {
        for v in 0..=u8::MAX {
            let r = WaitReason::from_u8(v);
            if v <= WaitReason::StopTheWorld as u8 {
                assert_eq!(r as u8, v);
                assert_eq!(r.as_str().is_empty(), r == WaitReason::None);
            } else {
                assert_eq!(r, WaitReason::None);
            }
        }
        assert_eq!(
            WaitReason::from_u8(WaitReason::Select as u8).as_str(),
            "select"
        );
    }
}
