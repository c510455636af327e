//! Go's `closechan`: the channel is marked closed and every waiter is
//! readied, in batches: receivers with the zero value, senders to panic.

use super::waitq::wake;
use super::{Hchan, Sudog};
use crate::panic;
use core::ptr::{self, null_mut};

/// Waiters `closechan` readies per turn of its lock.
const CLOSE_BATCH: usize = 64;

/// Go's `closechan`: receivers get the zero value, senders panic.
///
/// # Safety
/// `c` is null or a live channel.
pub unsafe fn closechan(c: *mut Hchan) {
    if c.is_null() {
        panic::gopanic(b"close of nil channel");
    }
    // SAFETY: c is a live channel (caller; not null here).
    unsafe { (*c).lock.lock() };
    // SAFETY: c is live and c.lock is held.
    if unsafe { (*c).closed } {
        // SAFETY: we locked c.lock just above.
        unsafe { (*c).lock.unlock() };
        panic::gopanic(b"close of closed channel");
    }
    // SAFETY: c is live and c.lock is held.
    unsafe { (*c).closed = true };
    // Waiters are taken off the queues in batches and readied without the
    // lock, each batch while its sudogs are still in cache (every sudog is
    // on a different goroutine's stack). Closed, the channel gains no new
    // waiters, so the queues only shrink between batches.
    loop {
        let mut woken: *mut Sudog = null_mut();
        let mut n = 0;
        while n < CLOSE_BATCH {
            // SAFETY: c is live and c.lock is held, as dequeue requires;
            // queued sudogs are on parked goroutines' stacks, so live.
            let (sg, recv) = match unsafe { (*c).recvq.dequeue() } {
                Some(sg) => (sg, true),
                // SAFETY: as above.
                None => match unsafe { (*c).sendq.dequeue() } {
                    Some(sg) => (sg, false),
                    None => break,
                },
            };
            // SAFETY: sg, dequeued under c.lock, is on a parked goroutine's
            // stack, so only we touch it until wake. A receiver's elem is
            // null or elemsize writable bytes (chanrecv's contract), as
            // copy requires; a sender's is not written.
            unsafe {
                if recv {
                    (*c).copy((*sg).elem, ptr::null());
                }
                (*sg).success = false;
                (*sg).next = woken;
                // Its G, which wake writes (on the same page for a G at the
                // top of its stack slot): the fetch overlaps with the walk
                // to the next sudog.
                crate::arch::prefetch((*sg).g as usize);
            }
            woken = sg;
            n += 1;
        }
        // SAFETY: c.lock is held by us.
        unsafe { (*c).lock.unlock() };
        while !woken.is_null() {
            let sg = woken;
            // SAFETY: sg is dequeued and its goroutine not yet readied, so
            // it is live and ours; its link is read before the wake below.
            woken = unsafe { (*sg).next };
            // SAFETY: sg was dequeued under c.lock (its select, if any,
            // won) and its goroutine not readied yet, as wake requires;
            // nothing touches sg after.
            unsafe { wake(sg) };
        }
        if n < CLOSE_BATCH {
            return;
        }
        // SAFETY: c is live: the closer's reference keeps it (caller).
        unsafe { (*c).lock.lock() };
    }
}
