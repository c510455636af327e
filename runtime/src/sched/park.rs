//! Leaving and re-entering the scheduler: `mcall` (switch to g0), parking
//! (`gopark`, `goparkunlock`, `park_m`), yielding (`gosched`) and waking
//! (`ready`, with the waker's rule).

use super::*;

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
        unsafe { crate::signal_unix::stack_overflow(gp, sp) };
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
pub unsafe fn dropg(mp: *mut M, gp: *mut G) {
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
    unsafe {
        gopark(
            Some(parkunlock_c),
            lock as *const RawMutex as *mut u8,
            reason,
        )
    }
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
/// relies on this: `chan::waitq::wake`, `closechan`, `runtimers`, `semrelease`;
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
        // A hint to fetch its first frames, which `gogo` pops when it
        // runs: a G woken among thousands is out of the cache, and the
        // fetch overlaps with the rest of our work (5–10% a hop in a
        // ring of 2,000 goroutines). `sched.sp` is read before `gp` is on
        // a queue (the waker's rule), and a prefetch neither reads nor
        // faults.
        let sp = (*gp).sched.sp;
        crate::arch::prefetch(sp);
        crate::arch::prefetch(sp + 64);
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
