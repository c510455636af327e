//! System calls that may block (Go's `entersyscall`/`exitsyscall` in
//! `proc.go`), and `handoffp`.
//!
//! A goroutine about to make a system call that may block leaves its P in
//! `_Psyscall`, still remembered by its M (`oldp`) but wired to none, and
//! makes the call. Three outcomes, as in Go:
//!
//! - the call returns quickly: `exitsyscall` takes the P back with one
//!   compare-and-swap (`_Psyscall` → `_Pidle`, then its own) and the
//!   goroutine runs on, having cost two atomic operations;
//! - the call blocks: sysmon sees the P in the same call for a whole tick
//!   of its loop (`P::syscalltick` unchanged), takes it with the same
//!   compare-and-swap (`retake`) and hands it to another M (`handoffp`),
//!   so the P's other goroutines and timers run on;
//! - on the way out the P is gone: the goroutine takes any idle P, or else
//!   goes to the global queue and its M stops (`exitsyscall0`).
//!
//! A call known to block goes through `entersyscallblock` instead (Go's):
//! the P is handed off at once, without waiting for sysmon, and
//! `exitsyscall` then finds an idle P or waits for one.
//!
//! # The handshakes
//!
//! - Stopping the world against entering a call: `entersyscall` stores
//!   `_Psyscall` (SeqCst), then loads `gcwaiting` (SeqCst); the stopper
//!   stores `gcwaiting` (SeqCst), then loads every P's status. One of the
//!   two sees the other's store; both may, and the compare-and-swap to
//!   `_Pgcstop` decides which of them counts the P as stopped.
//! - sysmon asleep against entering a call: `entersyscall` loads
//!   `sysmonwait` after its status store; sysmon sets `sysmonwait` under
//!   `sched.lock` and then checks that every P is idle (SeqCst loads of
//!   `npidle` and of the statuses). A P entering a call is not idle, so
//!   sysmon either sees it busy and stays up, or has set `sysmonwait`
//!   first, which the entering M then sees, and it wakes sysmon.
//!
//! # While in the call
//!
//! The goroutine runs on its M without a P: between `entersyscall` and
//! `exitsyscall` nothing may touch a P or call into the scheduler; only
//! the system call itself runs there (`syscall6`), and the two functions'
//! own hand-shakes with sysmon and a stopper (`sched.lock`).

use super::*;

/// Go's `entersyscall`: the running goroutine is about to make a system
/// call that may block.
///
/// # Safety
/// On a user G of an M holding a P; `exitsyscall` follows before anything
/// else touches the scheduler.
pub unsafe fn entersyscall() {
    let mp = getm();
    // SAFETY: mp is this thread's M, running a user G on a P (caller); only
    // this thread writes its fields, and the P is ours until the status
    // store below gives it up.
    unsafe {
        let gp = (*mp).curg;
        (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Gsyscall);
        let pp = (*mp).p;
        (*pp).m = null_mut();
        (*mp).oldp = pp;
        (*mp).p = null_mut();
        // From here sysmon or a stopper may take the P.
        (*pp).set_status_seqcst(Pstatus::_Psyscall);
        if SCHED.sysmonwait.load(Ordering::SeqCst) {
            super::sysmon::wake_sysmon();
        }
        if SCHED.gcwaiting.load(Ordering::SeqCst) {
            entersyscall_gcwait(pp);
        }
    }
}

/// Go's `entersyscallblock`: as `entersyscall` for a call known to block
/// (a wait in `ppoll`): the P goes to `handoffp` now, on g0, instead of
/// after a sysmon tick.
///
/// # Safety
/// As for `entersyscall`.
pub unsafe fn entersyscallblock() {
    let mp = getm();
    // SAFETY: mp is this thread's M, running a user G on a P (caller).
    unsafe { (*(*mp).curg).casgstatus(Gstatus::_Grunning, Gstatus::_Gsyscall) };
    // SAFETY: on a user G; entersyscallblock_m resumes it (gogo) without
    // returning, as mcall requires.
    unsafe { mcall(entersyscallblock_m) };
}

/// `entersyscallblock`'s hand-off on g0 (Go's `entersyscallblock_handoff`
/// on the system stack), then straight back to the goroutine, which
/// stays on this M without a P for its call.
///
/// # Safety
/// Only as `mcall`'s function from `entersyscallblock`: `arg` is the G,
/// `_Gsyscall`, of this M, which holds a P.
unsafe extern "C" fn entersyscallblock_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    // SAFETY: mp is this thread's M and holds a P (our contract): releasep
    // makes it ours, wired to no M and on no list, as handoffp requires.
    unsafe {
        (*mp).oldp = null_mut();
        handoffp(releasep(mp));
    }
    // SAFETY: gp is this M's G (its `m` is still mp) with the context mcall
    // saved; nobody else can run it (it is `_Gsyscall`, on no queue).
    unsafe {
        setg(gp);
        arch::gogo((*gp).sched.sp)
    }
}

/// A stop-the-world is waiting: stop our P for it, unless the stopper
/// already has (Go's `entersyscall_gcwait`).
///
/// # Safety
/// `pp` is the P this M has just left in `_Psyscall`.
unsafe fn entersyscall_gcwait(pp: *mut P) {
    let mut s = SCHED.lock.lock();
    // Only while a stop is counting: this M may come here late, after the
    // stopper counted the P itself and the world started again, and pp
    // may be in `_Psyscall` once more for another M by then. Counting it
    // outside a stop would leave it in `_Pgcstop` with no one to count it
    // for the next stop, which would wait forever (Go checks the same).
    // SAFETY: Ps are never freed; the compare-and-swap makes it ours.
    if s.stopwait > 0 && unsafe { (*pp).cas_status(Pstatus::_Psyscall, Pstatus::_Pgcstop) } {
        stopped_one(&mut s);
    }
}

/// Go's `exitsyscall`: the system call has returned; the goroutine takes
/// its P back if sysmon has not (one compare-and-swap), else goes through
/// `exitsyscall0`, which finds it any idle P or makes it wait for one.
///
/// Go's `exitsyscallfast` also tries the idle list before switching to g0;
/// here that path is `exitsyscall0`'s alone: it is taken only after sysmon
/// took the P, that is after a call that blocked for a sysmon tick or more,
/// beside which the switch to g0 and back costs nothing.
///
/// # Safety
/// On the G that called `entersyscall`, after its system call.
pub unsafe fn exitsyscall() {
    let mp = getm();
    // SAFETY: mp is this thread's M; only this thread writes its fields.
    let oldp = unsafe { core::mem::replace(&mut (*mp).oldp, null_mut()) };
    // SAFETY: oldp is null or a P (never freed); winning the
    // compare-and-swap makes it ours, wired to no M, and mp has no P, as
    // acquirep requires. A stop of the world under way takes the slow path.
    if !SCHED.gcwaiting.load(Ordering::SeqCst)
        && !oldp.is_null()
        && unsafe { (*oldp).cas_status(Pstatus::_Psyscall, Pstatus::_Pidle) }
    {
        // SAFETY: as above; then mp holds oldp, and its curg is ours.
        unsafe {
            acquirep(mp, oldp);
            (*oldp).bump_syscalltick();
            (*(*mp).curg).casgstatus(Gstatus::_Gsyscall, Gstatus::_Grunning);
        }
        return;
    }
    // SAFETY: on a user G (the one that made the call); exitsyscall0 ends
    // in execute or schedule, as mcall requires.
    unsafe { mcall(exitsyscall0) };
}

/// Go's `exitsyscall0`, on g0: no P came back fast. The G runs on an idle
/// P if one has appeared, else waits on the global queue while this M
/// stops.
///
/// # Safety
/// Only as `mcall`'s function from `exitsyscall`: `arg` is the G that made
/// the call, `_Gsyscall`, and this M holds no P.
unsafe extern "C" fn exitsyscall0(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    // SAFETY: gp has just left this M through mcall (our contract): only
    // this thread touches it until it is queued below; mp is this thread's
    // M and gp the G it was running, as dropg requires.
    unsafe {
        (*gp).casgstatus(Gstatus::_Gsyscall, Gstatus::_Grunnable);
        super::park::dropg(mp, gp);
    }
    let mut s = SCHED.lock.lock();
    let pp = if SCHED.gcwaiting.load(Ordering::SeqCst) {
        null_mut()
    } else {
        // SAFETY: sched.lock is held (s).
        unsafe { pidleget(&mut s) }
    };
    if pp.is_null() {
        // gp is runnable and on no queue; sched.lock is held (s).
        s.runq.push_back(gp);
        SCHED.runqsize.store(s.runq.len as i32, Ordering::Relaxed);
        drop(s);
        // SAFETY: mp is this thread's M, on g0: locked to gp, it waits
        // without a P for the M that dequeues gp to hand it one, as
        // stoplockedm requires; else it is without a P, not spinning (it
        // was running a G), as stopm requires. Either returns with a P.
        unsafe {
            if !(*mp).lockedg.is_null() {
                (super::locked::ops().stoplockedm)(mp);
                execute(gp, false)
            }
            stopm(mp)
        };
        schedule()
    }
    drop(s);
    if SCHED.sysmonwait.load(Ordering::SeqCst) {
        super::wake_sysmon();
    }
    // SAFETY: pp came off the idle list, wired to no M; mp has none. gp is
    // runnable, ours alone, with the context mcall saved, as execute
    // requires.
    unsafe {
        acquirep(mp, pp);
        execute(gp, false)
    }
}

/// Go's `handoffp`: `pp`, taken from a system call (or a stopping M),
/// goes to a new M if it has work or something may need it, else to the
/// idle list, with its timers watched.
///
/// # Safety
/// `pp` is ours: wired to no M and on no list (its status `_Pidle`).
pub(super) unsafe fn handoffp(pp: *mut P) {
    // SAFETY: pp is ours (caller); its run queue length is an atomic.
    if unsafe { !(*pp).runq.is_empty() } || SCHED.runqsize.load(Ordering::Relaxed) != 0 {
        // SAFETY: pp is ours, wired to no M and on no list, as startm
        // requires.
        unsafe { startm(pp, false) };
        return;
    }
    // No M spinning or idle to find work readied later: this P becomes
    // that M.
    if SCHED.nmspinning.count() + SCHED.npidle.load(Ordering::SeqCst) == 0 && SCHED.nmspinning.claim() {
        // SAFETY: as above; the claim counts the new M as spinning.
        unsafe { startm(pp, true) };
        return;
    }
    let mut s = SCHED.lock.lock();
    if SCHED.gcwaiting.load(Ordering::SeqCst) {
        // SAFETY: pp is ours (caller).
        unsafe { (*pp).set_status(Pstatus::_Pgcstop) };
        stopped_one(&mut s);
        return;
    }
    if s.runq.len != 0 {
        drop(s);
        // SAFETY: as above.
        unsafe { startm(pp, false) };
        return;
    }
    // SAFETY: pp is ours; its timer0 is an atomic.
    let when = unsafe { (*pp).timers.timer0.load(Ordering::SeqCst) };
    // SAFETY: sched.lock is held (s); pp is wired to no M, on no list.
    unsafe { pidleput(&mut s, pp) };
    drop(s);
    if when != 0 {
        wake_for_timer(when);
    }
}

/// A system call through `entersyscall`/`exitsyscall`: the raw result,
/// `-errno` on failure. EINTR is returned as such: the caller decides
/// whether the call can be retried.
///
/// # Safety
/// The arguments must be valid for system call `nr` (pointers to live
/// memory of the sizes the call uses), as for a raw system call.
pub unsafe fn syscall6(nr: usize, a: [usize; 6]) -> isize {
    let gp = getg();
    // SAFETY: after boot every thread's g is live, bound to its M.
    let on_g0 = unsafe { gp == (*(*gp).m).g0 || (*(*gp).m).p.is_null() };
    if on_g0 {
        // The scheduler's own stack (or an M without a P): nothing to hand
        // off; the call is made as it is.
        // SAFETY: the arguments are valid for nr (caller).
        return unsafe { os::raw_syscall6(nr, a) };
    }
    // SAFETY: on a user G holding a P (checked above); exitsyscall
    // follows.
    unsafe { entersyscall() };
    // SAFETY: the arguments are valid for nr (caller).
    let r = unsafe { os::raw_syscall6(nr, a) };
    // SAFETY: after entersyscall, on the same G.
    unsafe { exitsyscall() };
    r
}

/// `syscall6` for a call known to block (`entersyscallblock`).
///
/// # Safety
/// As for `syscall6`.
pub unsafe fn syscall6_blocking(nr: usize, a: [usize; 6]) -> isize {
    let gp = getg();
    // SAFETY: after boot every thread's g is live, bound to its M.
    if unsafe { gp == (*(*gp).m).g0 || (*(*gp).m).p.is_null() } {
        // SAFETY: the arguments are valid for nr (caller).
        return unsafe { os::raw_syscall6(nr, a) };
    }
    // SAFETY: on a user G holding a P (checked above); exitsyscall
    // follows.
    unsafe { entersyscallblock() };
    // SAFETY: the arguments are valid for nr (caller).
    let r = unsafe { os::raw_syscall6(nr, a) };
    // SAFETY: after entersyscallblock, on the same G.
    unsafe { exitsyscall() };
    r
}
