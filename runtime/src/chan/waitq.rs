//! The goroutines waiting on a channel (Go's `sudog` and `waitq`): a FIFO
//! of sudogs per direction, and the wake-up of a dequeued waiter.

use super::Hchan;
use crate::runtime2::G;
use crate::sched;
use core::ptr::null_mut;
use core::sync::atomic::Ordering;

/// A goroutine waiting on a channel (Go's `sudog`).
pub struct Sudog {
    pub g: *mut G,
    pub(super) next: *mut Sudog,
    prev: *mut Sudog,
    /// The value to send, or where to put the received one (may be null
    /// for a receive whose value is dropped).
    pub elem: *mut u8,
    pub c: *mut Hchan,
    pub is_select: bool,
    /// True if the operation completed; false if the channel was closed.
    pub success: bool,
}

impl Sudog {
    pub fn new(g: *mut G, elem: *mut u8, c: *mut Hchan, is_select: bool) -> Sudog {
        Sudog {
            g,
            next: null_mut(),
            prev: null_mut(),
            elem,
            c,
            is_select,
            success: false,
        }
    }
}

/// A FIFO of sudogs, doubly linked so select can remove its losers.
pub struct WaitQ {
    first: *mut Sudog,
    last: *mut Sudog,
}

impl WaitQ {
    pub(super) const fn new() -> WaitQ {
        WaitQ {
            first: null_mut(),
            last: null_mut(),
        }
    }

    /// # Safety
    /// `sg` is live until dequeued and on no other queue; the channel's lock
    /// is held (queued sudogs are live).
    pub unsafe fn enqueue(&mut self, sg: *mut Sudog) {
        // SAFETY: sg is live and on no other queue (caller), so its links
        // are ours to set.
        unsafe {
            (*sg).next = null_mut();
            (*sg).prev = self.last;
        }
        if self.last.is_null() {
            self.first = sg;
        } else {
            // SAFETY: a non-null last is a queued sudog, live until dequeued;
            // the channel's lock (caller) makes its links ours.
            unsafe { (*self.last).next = sg };
        }
        self.last = sg;
    }

    /// Removes `sg`, which must be on this queue or already removed (then
    /// nothing happens).
    ///
    /// # Safety
    /// `sg` is a live sudog; the channel's lock is held.
    pub unsafe fn remove(&mut self, sg: *mut Sudog) {
        // SAFETY: sg is a live sudog (caller).
        let (p, n) = unsafe { ((*sg).prev, (*sg).next) };
        if p.is_null() {
            if self.first != sg {
                return; // not on the queue any more
            }
            self.first = n;
        } else {
            // SAFETY: a non-null prev means sg is on this queue and p is its
            // neighbour there: queued, so live; the channel's lock (caller)
            // makes its links ours.
            unsafe { (*p).next = n };
        }
        if n.is_null() {
            self.last = p;
        } else {
            // SAFETY: n is sg's other neighbour on this queue: live and ours
            // under the lock, as p is.
            unsafe { (*n).prev = p };
        }
        // SAFETY: sg is a live sudog (caller).
        unsafe {
            (*sg).next = null_mut();
            (*sg).prev = null_mut();
        }
    }

    /// The first waiter that can still be woken: a select waiter another
    /// channel has already won is dropped from the queue and skipped.
    ///
    /// # Safety
    /// The channel's lock is held; queued sudogs are live.
    pub unsafe fn dequeue(&mut self) -> Option<*mut Sudog> {
        loop {
            let sg = self.first;
            if sg.is_null() {
                return None;
            }
            // SAFETY: sg is the head of this queue, so on it and live (the
            // caller's promise), and the lock is held, as remove requires.
            unsafe { self.remove(sg) };
            // SAFETY: sg stays live after its removal: its goroutine waits
            // until it is readied or, for a select another channel has won,
            // until its pass 3 has taken every channel lock, ours (held by
            // the caller) included; sg.g is that goroutine's G.
            if unsafe {
                (*sg).is_select
                    && (*(*sg).g)
                        .select_done
                        .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed)
                        .is_err()
            } {
                continue;
            }
            return Some(sg);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_null()
    }
}

/// Readies the goroutine of `sg`, recording `sg` as what woke it.
///
/// `sg` is on that goroutine's stack: it has been dequeued (and, for a
/// select, its `select_done` won), so no one else can wake the goroutine
/// and it stays parked until the `ready` below; after it, `sg` is never
/// touched again (`sched::ready`'s rule).
///
/// # Safety
/// `sg` was dequeued under its channel's lock (for a select, with its
/// `select_done` won) and its goroutine not yet readied; the caller touches
/// nothing of `sg` or of that goroutine's stack afterwards.
pub(super) unsafe fn wake(sg: *mut Sudog) {
    // SAFETY: sg is dequeued and its goroutine still parked (caller), so sg
    // is live and only we touch it; gp is that parked goroutine's G.
    let gp = unsafe { (*sg).g };
    // SAFETY: as above: gp is parked and we alone may wake it.
    unsafe { (*gp).param = sg as *mut u8 };
    // SAFETY: gp parked with gopark and is _Gwaiting (its casgstatus comes
    // before the unlock that let the dequeuer take the channel lock), as
    // ready requires; no one else readies it (we won its sudog).
    unsafe { sched::ready(gp) };
}
