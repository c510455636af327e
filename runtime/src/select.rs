//! `select` (Go's `select.go`): one operation among several channels.
//!
//! Every channel involved is locked, in address order so that two selects
//! never deadlock each other; the cases are polled in a random order
//! (pass 1); if none is ready the goroutine waits on all of them with one
//! sudog per case (pass 2); the first waker to win its `select_done` readies
//! it, and it dequeues the other sudogs (pass 3).

use crate::chan::{block_forever, recv, send, Hchan, Sudog};
use crate::chaos::{self, Site};
use crate::panic;
use crate::runtime2::{getg, getm, WaitReason, G, M};
use crate::sched;
use core::ptr::{self, null_mut};
use core::sync::atomic::Ordering;

/// One case of a select: a send of `*elem` or a receive into `elem`.
///
/// Its fields are the crate's own: safe code outside (the `select!` macro)
/// only gets cases from typed channel arms, so `api::select_raw` can be
/// safe.
#[derive(Clone, Copy)]
pub struct Scase {
    pub(crate) c: *mut Hchan,
    pub(crate) send: bool,
    pub(crate) elem: *mut u8,
}

/// Most cases in one select (a stack array holds their sudogs).
pub const MAX_SELECT_CASES: usize = 64;

/// Locks each distinct channel once, in address order (`order` is sorted
/// by channel address), so that two selects never deadlock each other.
///
/// # Safety
/// For every `i` in `order`, `cases[i].c` is a live channel whose lock the
/// caller does not hold.
unsafe fn sellock(cases: &[Scase], order: &[usize]) {
    let mut prev: *mut Hchan = null_mut();
    for &i in order {
        let c = cases[i].c;
        if c != prev {
            // SAFETY: c is a live channel (caller); order is sorted, so equal
            // channels are adjacent and c is not locked yet.
            unsafe { (*c).lock.lock() };
            prev = c;
        }
    }
}

/// Unlocks every channel `sellock` locked but `keep` (null, or the one
/// `send`/`recv` will release itself), highest address first, each channel
/// once (at its first occurrence from the end).
///
/// # Safety
/// The locks `sellock(cases, order)` took are held by the caller (or by the
/// goroutine that parked on this thread with them), and their channels are
/// live.
unsafe fn selunlock(cases: &[Scase], order: &[usize], keep: *mut Hchan) {
    for k in (0..order.len()).rev() {
        let c = cases[order[k]].c;
        if (k == 0 || cases[order[k - 1]].c != c) && c != keep {
            // SAFETY: c is live and sellock locked it (caller); each
            // distinct channel is unlocked once, at its last position.
            unsafe { (*c).lock.unlock() };
        }
    }
}

/// What `selparkcommit` needs to unlock, on the selecting goroutine's
/// stack: all cases (nil ones included: `order` holds case indices) and
/// the lock order over the non-nil ones.
struct SelLocks {
    cases: *const Scase,
    ncases: usize,
    order: *const usize,
    norder: usize,
}

/// `selectgo`'s unlock function for `gopark`, run on g0 once the
/// goroutine is parked.
///
/// # Safety
/// `arg` is the `SelLocks` of the parked goroutine's `selectgo` frame,
/// which holds every lock its `sellock` took.
unsafe fn selparkcommit(_gp: *mut G, arg: *mut u8) -> bool {
    // `arg` and the slices are on the parked goroutine's stack. Once the
    // first channel is unlocked a waker may ready the goroutine, yet its
    // `selectgo` frame stays put until we are done: its pass 3 locks every
    // channel in address order, starting with the lowest, which `selunlock`
    // (highest first) releases last, and that unlock is our last touch.
    // SAFETY: arg is the SelLocks in that frame (caller), live as above.
    let l = unsafe { &*(arg as *const SelLocks) };
    // SAFETY: l holds selectgo's cases slice and its order array, both in
    // that frame, with their lengths; live as above.
    let cases = unsafe { core::slice::from_raw_parts(l.cases, l.ncases) };
    // SAFETY: as for cases.
    let order = unsafe { core::slice::from_raw_parts(l.order, l.norder) };
    // SAFETY: the parked goroutine holds every lock sellock(cases, order)
    // took (caller) and leaves them to us; its channels are live
    // (selectgo's contract).
    unsafe { selunlock(cases, order, null_mut()) };
    true
}

/// Go's `selectgo`: performs one ready case, chosen uniformly at random
/// among the ready ones; with `block`, waits for one. Returns the case
/// index (-1: none ready and not blocking) and, for a receive, whether a
/// value arrived (false: closed). Cases on nil channels never proceed.
///
/// # Safety
/// Every non-null channel is live; elems are valid as for send/recv. With
/// `block`, the caller is a user goroutine (it may park).
pub unsafe fn selectgo(cases: &[Scase], block: bool) -> (isize, bool) {
    if cases.len() > MAX_SELECT_CASES {
        panic::throw("select: too many cases");
    }
    // Poll order: a random permutation of the non-nil cases.
    let mut poll = [0usize; MAX_SELECT_CASES];
    let mut n = 0;
    let mp = getm();
    for (i, sc) in cases.iter().enumerate() {
        if sc.c.is_null() {
            continue;
        }
        // SAFETY: mp is this thread's M (getm), live while the thread runs;
        // only this thread uses its fastrand state.
        let j = (unsafe { M::fastrand(mp) } as usize) % (n + 1);
        poll[n] = poll[j];
        poll[j] = i;
        n += 1;
    }
    if n == 0 {
        if !block {
            return (-1, false);
        }
        // Go's wait reasons: `select {}` has no cases; a select whose
        // cases are all nil channels waits as any select does.
        block_forever(if cases.is_empty() {
            WaitReason::SelectNoCases
        } else {
            WaitReason::Select
        });
    }
    let poll = &poll[..n];
    // Lock order: by channel address (insertion sort; n is small).
    let mut order = [0usize; MAX_SELECT_CASES];
    order[..n].copy_from_slice(poll);
    let order = &mut order[..n];
    for i in 1..n {
        let mut j = i;
        while j > 0 && (cases[order[j - 1]].c as usize) > (cases[order[j]].c as usize) {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    // SAFETY: order lists the non-nil cases sorted by address; their
    // channels are live (caller) and we hold none of their locks.
    unsafe { sellock(cases, order) };

    // Pass 1: anything ready now?
    for &i in poll {
        let sc = cases[i];
        let c = sc.c;
        if sc.send {
            // SAFETY: c is live (caller) and locked (sellock).
            if unsafe { (*c).closed } {
                // SAFETY: we hold every lock sellock took.
                unsafe { selunlock(cases, order, null_mut()) };
                panic::gopanic(b"send on closed channel");
            }
            // SAFETY: c is live and locked, as dequeue requires; queued
            // sudogs are on parked goroutines' stacks, so live.
            if let Some(sg) = unsafe { (*c).recvq.dequeue() } {
                // SAFETY: we hold every lock sellock took; c's stays held,
                // for send to release.
                unsafe { selunlock(cases, order, c) };
                // SAFETY: c.lock is held, sg was just dequeued from c.recvq
                // and sc.elem is valid for a send (caller): send's contract.
                unsafe { send(c, sg, sc.elem) };
                return (i as isize, false);
            }
            // SAFETY: c is locked and sc.elem is valid for a send (caller),
            // as buf_put requires.
            if unsafe { (*c).buf_put(sc.elem) } {
                // SAFETY: we hold every lock sellock took.
                unsafe { selunlock(cases, order, null_mut()) };
                return (i as isize, false);
            }
        } else {
            // SAFETY: c is live and locked, as dequeue requires; queued
            // sudogs are on parked goroutines' stacks, so live.
            if let Some(sg) = unsafe { (*c).sendq.dequeue() } {
                // SAFETY: we hold every lock sellock took; c's stays held,
                // for recv to release.
                unsafe { selunlock(cases, order, c) };
                // SAFETY: c.lock is held, sg was just dequeued from c.sendq
                // and sc.elem is valid for a receive (caller): recv's
                // contract.
                unsafe { recv(c, sg, sc.elem) };
                return (i as isize, true);
            }
            // SAFETY: c is locked and sc.elem is valid for a receive
            // (caller), as buf_take requires.
            if unsafe { (*c).buf_take(sc.elem) } {
                // SAFETY: we hold every lock sellock took.
                unsafe { selunlock(cases, order, null_mut()) };
                return (i as isize, true);
            }
            // SAFETY: c is live and locked; sc.elem is null or elemsize
            // writable bytes (caller), as copy requires; we hold every lock
            // sellock took.
            unsafe {
                if (*c).closed {
                    (*c).copy(sc.elem, ptr::null());
                    selunlock(cases, order, null_mut());
                    return (i as isize, false);
                }
            }
        }
    }
    if !block {
        // SAFETY: we hold every lock sellock took.
        unsafe { selunlock(cases, order, null_mut()) };
        return (-1, false);
    }

    // Pass 2: wait on every channel.
    let gp = getg();
    // SAFETY: gp is the running goroutine's G; no sudog of ours is queued
    // (the last select's pass 3 removed them all), so no waker reads these
    // fields until we enqueue below.
    unsafe {
        (*gp).select_done.store(0, Ordering::Release);
        (*gp).param = null_mut();
    }
    let mut sgs: [core::mem::MaybeUninit<Sudog>; MAX_SELECT_CASES] =
        [const { core::mem::MaybeUninit::uninit() }; MAX_SELECT_CASES];
    for &i in order.iter() {
        let sc = cases[i];
        let sg = sgs[i].write(Sudog::new(gp, sc.elem, sc.c, true)) as *mut Sudog;
        // SAFETY: sc.c is live and locked (sellock); sg is new, on no queue,
        // and lives in this frame, which stays put until pass 3 has removed
        // it under that lock.
        unsafe {
            if sc.send {
                (*sc.c).sendq.enqueue(sg);
            } else {
                (*sc.c).recvq.enqueue(sg);
            }
        }
    }
    let locks = SelLocks {
        cases: cases.as_ptr(),
        ncases: cases.len(),
        order: order.as_ptr(),
        norder: n,
    };
    chaos::point(Site::SelectPark);
    // SAFETY: we are a user goroutine (caller, with block); a waker finds
    // us through the sudogs just queued. selparkcommit gets the SelLocks in
    // this frame while we hold every lock sellock took: its contract.
    unsafe {
        sched::gopark(
            Some(selparkcommit),
            &locks as *const SelLocks as *mut u8,
            WaitReason::Select,
        )
    };

    // Pass 3: find the winner, dequeue the rest.
    // SAFETY: as for the first sellock: selparkcommit released every lock.
    unsafe { sellock(cases, order) };
    // SAFETY: gp is our G, running again; the waker set param before
    // readying us.
    let winner = unsafe { (*gp).param } as *mut Sudog;
    let mut casi = -1isize;
    let mut ok = false;
    for &i in order.iter() {
        let sg = sgs[i].as_mut_ptr();
        if sg == winner {
            casi = i as isize;
            // SAFETY: sg is in this frame, written in pass 2; its waker was
            // done with it before readying us.
            ok = unsafe { (*sg).success };
        } else if cases[i].send {
            // SAFETY: cases[i].c is live and locked (sellock); sg, written
            // in pass 2, is on its sendq or already removed, as remove
            // requires.
            unsafe { (*cases[i].c).sendq.remove(sg) };
        } else {
            // SAFETY: as for the send case, on its recvq.
            unsafe { (*cases[i].c).recvq.remove(sg) };
        }
    }
    // SAFETY: we hold every lock sellock took.
    unsafe { selunlock(cases, order, null_mut()) };
    if casi < 0 {
        panic::throw("selectgo: bad wakeup");
    }
    if cases[casi as usize].send && !ok {
        panic::gopanic(b"send on closed channel");
    }
    (casi, ok)
}
