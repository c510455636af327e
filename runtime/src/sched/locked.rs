//! Goroutines locked to their thread (Go's `LockOSThread` in `proc.go`),
//! and threads that end (`mexit`).
//!
//! A goroutine that calls `rt_lock_os_thread` runs on that thread, and the
//! thread runs nothing else, until it unlocks as many times as it locked
//! (`G::lockedcount`). The pair is `G::lockedm` ↔ `M::lockedg`.
//!
//! - When the locked G blocks or yields, its M does not look for other
//!   work: `schedule` hands the P off (`handoffp`) and the M sleeps on its
//!   `park` note (`stoplockedm`), counted in `nmidlelocked`.
//! - The G is readied as any other, onto some run queue; the M whose
//!   `schedule` picks it hands that M's own P to the locked M, wakes it and
//!   stops (`startlockedm`). The locked M runs the G with that P.
//! - A G that exits while locked takes its thread with it, as in Go since
//!   1.10 (the thread may be in a state the program set up for that G
//!   alone): `mexit` gives the P away, counts the M out (`nmfreed`, off
//!   `allm`) and ends the thread (`arch::exit_thread`); the M, its g0 and
//!   their stacks wait on `sched.freem` for `newm` to reuse them once the
//!   thread is gone. m0, the process's main thread, only sleeps instead:
//!   its exit would leave the process a zombie in `ps`, as Go notes.
//!
//! The hand-over to a sleeping locked M: the waker stores `nextp` and then
//! wakes the M's note (a futex word, SeqCst); the M's wait returns after
//! it sees the word, so its load of `nextp` comes after the store (the
//! same pairing as `startm`'s).

use super::checkdead::checkdead;
use super::*;
use crate::runtime2::allmremove;
use core::sync::atomic::AtomicPtr;

/// What the scheduler reaches once a goroutine has locked its thread:
/// installed by the first `lock_os_thread`, so that a program that never
/// locks one (hello) links none of it.
pub(super) struct Ops {
    pub stoplockedm: unsafe fn(*mut M),
    pub startlockedm: unsafe fn(*mut G),
    pub mexit: unsafe fn(*mut M) -> !,
    pub reuse_freem: fn() -> Option<*mut M>,
}

static OPS: Ops = Ops {
    stoplockedm,
    startlockedm,
    mexit,
    reuse_freem,
};

static INSTALLED: AtomicPtr<Ops> = AtomicPtr::new(null_mut());

/// The operations on locked goroutines, once one has been locked.
pub(super) fn installed() -> Option<&'static Ops> {
    // SAFETY: null or `&OPS`, a static (stored by `lock_os_thread`).
    unsafe { INSTALLED.load(Ordering::Acquire).as_ref() }
}

/// The operations, where a locked goroutine or M says they are installed.
pub(super) fn ops() -> &'static Ops {
    match installed() {
        Some(o) => o,
        None => throw("locked goroutine without LockOSThread"),
    }
}

/// Go's `LockOSThread`: wires the calling goroutine to its thread, one
/// level deeper.
pub fn lock_os_thread() {
    if INSTALLED.load(Ordering::Relaxed).is_null() {
        // Opaque to the optimiser, which would otherwise call the
        // functions directly from the scheduler and link them everywhere.
        let o = core::hint::black_box(&OPS as *const Ops as *mut Ops);
        // Release: published before any G or M is marked locked below.
        INSTALLED.store(o, Ordering::Release);
    }
    let gp = getg();
    // SAFETY: gp is the running G (getg) and mp its M: only this thread
    // writes these fields while gp runs, and gp cannot move to another M
    // in between (the caller is inside a runtime call, which preemption
    // leaves alone, and nothing here yields).
    unsafe {
        let mp = (*gp).m;
        if gp == (*mp).g0 {
            throw("lock_os_thread on g0");
        }
        match (*gp).lockedcount.checked_add(1) {
            Some(n) => (*gp).lockedcount = n,
            None => crate::panic::gopanic(b"LockOSThread nesting overflow"),
        }
        (*mp).lockedg = gp;
        (*gp).lockedm = mp;
    }
}

/// Go's `UnlockOSThread`: one level less; at zero the goroutine may run on
/// any thread again. Without a matching lock it does nothing, as in Go.
pub fn unlock_os_thread() {
    let gp = getg();
    // SAFETY: as in lock_os_thread.
    unsafe {
        if (*gp).lockedcount == 0 {
            return;
        }
        (*gp).lockedcount -= 1;
        if (*gp).lockedcount == 0 {
            let mp = (*gp).m;
            (*mp).lockedg = null_mut();
            (*gp).lockedm = null_mut();
        }
    }
}

/// Go's `stoplockedm`: the locked G of `mp` has stopped running (blocked,
/// yielded, preempted); the P goes to other work and `mp` sleeps until a
/// `startlockedm` hands it one with the G runnable.
///
/// # Safety
/// `mp` is the calling thread's M, on g0, with a locked G that is not
/// running; it holds a P or (leaving a system call) none.
unsafe fn stoplockedm(mp: *mut M) {
    // SAFETY: mp is the calling thread's M (our contract): only this
    // thread writes its `p`, and its P is ours (releasep then makes it
    // ours alone, wired to no M and on no list, as handoffp requires).
    unsafe {
        if !(*mp).p.is_null() {
            handoffp(releasep(mp));
        }
    }
    {
        let mut s = SCHED.lock.lock();
        s.nmidlelocked += 1;
        // SAFETY: sched.lock is held (s).
        unsafe { checkdead(&s) };
    }
    // SAFETY: mp is the calling thread's M; its note is shared with its
    // waker (startlockedm) through atomics, and `nextp` is published by
    // the wake-up (module comment).
    unsafe {
        (*mp).blocked = true;
        (*mp).park.sleep();
        (*mp).blocked = false;
        (*mp).park.clear();
        if (*(*mp).lockedg).status() != Gstatus::_Grunnable {
            throw("stoplockedm: inconsistent locking");
        }
        acquirep(mp, (*mp).nextp);
        (*mp).nextp = null_mut();
    }
}

/// Go's `startlockedm`: `schedule` picked `gp`, which is locked to another
/// M: that M gets our P and runs it, and we stop until `startm` hands us
/// another P.
///
/// # Safety
/// On g0 of the calling thread's M, holding a P and not spinning; `gp` is
/// runnable, just taken off a run queue, with `lockedm` set.
unsafe fn startlockedm(gp: *mut G) {
    let mp = getm();
    // SAFETY: gp is ours (just dequeued, our contract); its lockedm is a
    // live M (never freed) asleep in stoplockedm or about to be, which
    // reads `nextp` only after the wake-up below.
    unsafe {
        let lm = (*gp).lockedm;
        if lm == mp {
            throw("startlockedm: locked to me");
        }
        if !(*lm).nextp.is_null() {
            throw("startlockedm: m has p");
        }
        SCHED.lock.lock().nmidlelocked -= 1;
        (*lm).nextp = releasep(mp);
        (*lm).park.wakeup();
    }
    // After the wake-up gp is the locked M's: we touch it no more.
    // SAFETY: mp is the calling thread's M, on g0, now without a P, not
    // spinning (our contract), as stopm requires.
    unsafe { stopm(mp) };
}

/// Go's `mexit`: the goroutine locked to `mp` has exited, so its thread
/// ends too (module comment). Never returns. (Through `Ops`: `exit_locked`.)
///
/// # Safety
/// `mp` is the calling thread's M, on g0, holding a P, its goroutine gone
/// (`goexit0`), its `lockedg` cleared.
unsafe fn mexit(mp: *mut M) -> ! {
    if core::ptr::eq(mp, crate::proc::m0()) {
        // SAFETY: mp is the calling thread's M and holds a P (our
        // contract), which releasep makes ours for handoffp.
        unsafe { handoffp(releasep(mp)) };
        {
            let mut s = SCHED.lock.lock();
            s.nmfreed += 1;
            // SAFETY: sched.lock is held (s).
            unsafe { checkdead(&s) };
        }
        // Nobody wakes it: m0 is on no idle list and locked to no G.
        // SAFETY: mp is this thread's M; its note is atomic.
        unsafe { (*mp).park.sleep() };
        throw("locked m0 woke up");
    }
    if os::linux::unminit().is_err() {
        throw("mexit: cannot block signals");
    }
    {
        let mut s = SCHED.lock.lock();
        // SAFETY: mp is on allm (every M but m0 is added by newm, and m0
        // was handled above); sched.lock is held (s). mp is the calling
        // thread's M and on no list, so its `schedlink` is ours for
        // `freem`.
        unsafe {
            allmremove(&mut s, mp);
            (*mp).free_wait.store(1, Ordering::Relaxed);
            (*mp).schedlink = s.freem;
        }
        s.freem = mp;
    }
    // SAFETY: mp is the calling thread's M and holds a P (our contract).
    unsafe { handoffp(releasep(mp)) };
    {
        let mut s = SCHED.lock.lock();
        s.nmfreed += 1;
        // SAFETY: sched.lock is held (s).
        unsafe { checkdead(&s) };
    }
    // SAFETY: free_wait is a field of a live M (never freed); the thread
    // has blocked its signals and left its signal stack (unminit above),
    // and exit_thread runs no code on any stack after its store.
    unsafe { arch::exit_thread((*mp).free_wait.as_ptr()) }
}

/// An M of `sched.freem` whose thread has gone, with its g0 and stacks,
/// for `newm`; its other fields are reset.
fn reuse_freem() -> Option<*mut M> {
    let mut s = SCHED.lock.lock();
    let mut link: *mut *mut M = &mut s.freem;
    // SAFETY: link points at s.freem or at the `schedlink` of an M on the
    // list; the list is ours while sched.lock is held (s), and Ms are
    // never freed. An M taken off it has no thread any more (free_wait is
    // 0), is on no list and wired to no P or G, so we may rewrite it and
    // its g0 whole (a schedtrace that read `allm` before the M left it
    // may still print it: a snapshot, as always).
    unsafe {
        while !(*link).is_null() {
            let mp = *link;
            // Acquire: pairs with exit_thread's release store, after which
            // the thread no longer touches the M or its stacks.
            if (*mp).free_wait.load(Ordering::Acquire) == 0 {
                *link = (*mp).schedlink;
                drop(s);
                let (g0, gsignal) = ((*mp).g0, (*mp).gsignal);
                let st = (*g0).stack;
                core::ptr::write(mp, M::new());
                core::ptr::write(g0, G::new());
                (*g0).stack = st;
                (*g0).stackguard0 = st.lo + stack::STACK_GUARD;
                (*g0).stackguard1 = (*g0).stackguard0;
                (*mp).g0 = g0;
                (*mp).gsignal = gsignal;
                return Some(mp);
            }
            link = &mut (*mp).schedlink;
        }
    }
    None
}

/// `goexit0`'s end for a goroutine that exited locked: its thread ends.
///
/// # Safety
/// As `mexit`.
pub(crate) unsafe fn exit_locked(mp: *mut M) -> ! {
    // SAFETY: our contract is mexit's.
    unsafe { (ops().mexit)(mp) }
}
