//! Go's `chansend` and `chanrecv`: the hand-off to a waiting goroutine
//! (`send`, `recv`), the buffer, or parking on the channel's queue; and
//! the nil channel, which blocks forever.

use super::waitq::wake;
use super::{Hchan, Sudog};
use crate::panic;
use crate::runtime2::{getg, WaitReason};
use crate::sched;
use core::ptr::{self, null_mut};

/// Parks the current goroutine forever (an operation on a nil channel).
pub fn block_forever(reason: WaitReason) -> ! {
    // SAFETY: nothing will ever ready this G; checkdead counts it.
    unsafe { sched::gopark(None, null_mut(), reason) };
    panic::throw("unreachable: a goroutine blocked forever was woken")
}

/// Completes a send to the waiting receiver `sg` (`c.lock` held; it is
/// released here, before the receiver is readied).
///
/// # Safety
/// `c` is a live channel whose lock the caller holds; `sg` has just been
/// dequeued from `c.recvq`; `ep` is null or points at `elemsize` readable
/// bytes.
pub(crate) unsafe fn send(c: *mut Hchan, sg: *mut Sudog, ep: *const u8) {
    // SAFETY: c is live and c.lock is held (caller); sg, dequeued under it,
    // is on a parked receiver's stack, so only we touch it until wake; its
    // elem is null or the receiver's elemsize writable bytes (chanrecv's
    // contract), ep null or elemsize readable bytes (ours).
    unsafe {
        (*c).copy((*sg).elem, ep);
        (*sg).success = true;
    }
    // SAFETY: c.lock is held by us (caller), as unlock requires.
    unsafe { (*c).lock.unlock() };
    // SAFETY: sg was dequeued under c.lock (its select, if any, won) and its
    // goroutine not readied yet, as wake requires; nothing touches sg after.
    unsafe { wake(sg) };
}

/// Completes a receive from the waiting sender `sg` (`c.lock` held; it is
/// released here). Buffered: the receiver takes the head of the full
/// buffer and the sender's value goes to its tail, so order is kept.
///
/// # Safety
/// `c` is a live channel whose lock the caller holds; `sg` has just been
/// dequeued from `c.sendq`; `ep` is null or points at `elemsize` writable
/// bytes.
pub(crate) unsafe fn recv(c: *mut Hchan, sg: *mut Sudog, ep: *mut u8) {
    // SAFETY: c is live and c.lock is held (caller), so its fields and
    // buffer are ours; recvx < dataqsiz when buffered, as slot requires. sg,
    // dequeued under the lock, is on a parked sender's stack, so only we
    // touch it until wake; its elem is elemsize readable bytes (chansend's
    // contract), ep null or elemsize writable bytes (ours): copy's terms.
    unsafe {
        if (*c).dataqsiz == 0 {
            (*c).copy(ep, (*sg).elem);
        } else {
            let slot = (*c).slot((*c).recvx);
            (*c).copy(ep, slot);
            (*c).copy(slot, (*sg).elem);
            (*c).recvx = ((*c).recvx + 1) % (*c).dataqsiz;
            (*c).sendx = (*c).recvx;
        }
        (*sg).success = true;
    }
    // SAFETY: c.lock is held by us (caller), as unlock requires.
    unsafe { (*c).lock.unlock() };
    // SAFETY: sg was dequeued under c.lock (its select, if any, won) and its
    // goroutine not readied yet, as wake requires; nothing touches sg after.
    unsafe { wake(sg) };
}

/// Go's `chansend`: sends `*ep`. Without `block`, returns false instead of
/// waiting. A closed channel panics (`send on closed channel`).
///
/// # Safety
/// `c` is null or a live channel; `ep` points at `elemsize` readable bytes.
/// With `block`, the caller is a user goroutine (it may park).
pub unsafe fn chansend(c: *mut Hchan, ep: *const u8, block: bool) -> bool {
    if c.is_null() {
        if !block {
            return false;
        }
        block_forever(WaitReason::ChanSendNilChan);
    }
    // SAFETY: c is a live channel (caller; not null here).
    unsafe { (*c).lock.lock() };
    // SAFETY: c is live and c.lock is held.
    if unsafe { (*c).closed } {
        // SAFETY: we locked c.lock just above.
        unsafe { (*c).lock.unlock() };
        panic::gopanic(b"send on closed channel");
    }
    // SAFETY: c is live and c.lock is held, as dequeue requires; queued
    // sudogs are on parked goroutines' stacks, so live.
    if let Some(sg) = unsafe { (*c).recvq.dequeue() } {
        // SAFETY: c.lock is held, sg was just dequeued from c.recvq and ep
        // is elemsize readable bytes (caller): send's contract.
        unsafe { send(c, sg, ep) };
        return true;
    }
    // SAFETY: c.lock is held and ep is elemsize readable bytes (caller),
    // not in c's buffer, as buf_put requires.
    if unsafe { (*c).buf_put(ep) } {
        // SAFETY: c.lock is held by us.
        unsafe { (*c).lock.unlock() };
        return true;
    }
    if !block {
        // SAFETY: c.lock is held by us.
        unsafe { (*c).lock.unlock() };
        return false;
    }
    let gp = getg();
    let mut sg = Sudog::new(gp, ep as *mut u8, c, false);
    // SAFETY: c.lock is held; sg is new, on no queue, and lives in this
    // frame, which stays put while we are parked, until a waker has
    // dequeued it and readied us.
    unsafe { (*c).sendq.enqueue(&mut sg) };
    crate::chaos::point(crate::chaos::Site::ChanPark);
    // SAFETY: we are a user goroutine (caller, with block) and hold c.lock,
    // released once we are parked; a waker finds us through sg on c.sendq.
    unsafe { sched::goparkunlock(&(*c).lock, WaitReason::ChanSend) };
    if !sg.success {
        panic::gopanic(b"send on closed channel");
    }
    true
}

/// Go's `chanrecv`: receives into `ep` (null: drop the value). Returns
/// (selected, received): without `block` and nothing ready, (false, _);
/// from a closed, drained channel, (true, false) with `*ep` zeroed.
///
/// # Safety
/// `c` is null or a live channel; `ep` is null or points at `elemsize`
/// writable bytes. With `block`, the caller is a user goroutine (it may
/// park).
pub unsafe fn chanrecv(c: *mut Hchan, ep: *mut u8, block: bool) -> (bool, bool) {
    if c.is_null() {
        if !block {
            return (false, false);
        }
        block_forever(WaitReason::ChanReceiveNilChan);
    }
    // SAFETY: c is a live channel (caller; not null here).
    unsafe { (*c).lock.lock() };
    // SAFETY: c is live and c.lock is held; ep is null or elemsize writable
    // bytes (caller), as copy requires; we locked c.lock just above.
    unsafe {
        if (*c).closed && (*c).count() == 0 {
            (*c).copy(ep, ptr::null());
            (*c).lock.unlock();
            return (true, false);
        }
    }
    // SAFETY: c is live and c.lock is held, as dequeue requires; queued
    // sudogs are on parked goroutines' stacks, so live.
    if let Some(sg) = unsafe { (*c).sendq.dequeue() } {
        // SAFETY: c.lock is held, sg was just dequeued from c.sendq and ep
        // is null or elemsize writable bytes (caller): recv's contract.
        unsafe { recv(c, sg, ep) };
        return (true, true);
    }
    // SAFETY: c.lock is held and ep is null or elemsize writable bytes
    // (caller), not in c's buffer, as buf_take requires.
    if unsafe { (*c).buf_take(ep) } {
        // SAFETY: c.lock is held by us.
        unsafe { (*c).lock.unlock() };
        return (true, true);
    }
    if !block {
        // SAFETY: c.lock is held by us.
        unsafe { (*c).lock.unlock() };
        return (false, false);
    }
    let gp = getg();
    let mut sg = Sudog::new(gp, ep, c, false);
    // SAFETY: c.lock is held; sg is new, on no queue, and lives in this
    // frame, which stays put while we are parked, until a waker has
    // dequeued it and readied us.
    unsafe { (*c).recvq.enqueue(&mut sg) };
    crate::chaos::point(crate::chaos::Site::ChanPark);
    // SAFETY: we are a user goroutine (caller, with block) and hold c.lock,
    // released once we are parked; a waker finds us through sg on c.recvq.
    unsafe { sched::goparkunlock(&(*c).lock, WaitReason::ChanReceive) };
    (true, sg.success)
}
