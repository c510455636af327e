//! Channels (Go's `chan.go`): a lock, a ring buffer, and queues of waiting
//! goroutines.
//!
//! Invariants, as in Go (`c.lock` held):
//! - at least one of `sendq` and `recvq` is empty, except for an
//!   unbuffered channel with a single goroutine blocked on both sides in a
//!   select;
//! - for a buffered channel, `qcount > 0` implies `recvq` is empty and
//!   `qcount < dataqsiz` implies `sendq` is empty.
//!
//! A waiting goroutine is represented by a `Sudog` on its own stack (it is
//! parked, so the stack stays put) holding a pointer to the value to send
//! or the slot to receive into. Whoever completes the operation copies the
//! value directly between the two goroutines' stacks and readies the
//! waiter into its own P's `runnext`: a hand-off costs one copy, no buffer
//! slot, and the woken goroutine runs next, on the same thread, while the
//! data is hot in cache.
//!
//! There is no lock-free fast path: every operation that decides takes
//! `c.lock`, whose Acquire/Release orders everything it guards; only
//! `len` reads `qcount` without it (an atomic snapshot). The waiter's
//! `casgstatus` to `_Gwaiting` happens before its unlock (in `park_m`),
//! so a waker that found its sudog under the lock sees it parked.
//!
//! Select sudogs (`is_select`) belong to a goroutine waiting on several
//! channels at once; the first waker to move the goroutine's `select_done`
//! from 0 to 1 wins it, and later wakers skip its other sudogs.

use crate::lock::RawMutex;
use crate::panic;
use crate::runtime2::{getg, WaitReason, G};
use crate::sched;
use core::ptr::{self, null_mut};
use core::sync::atomic::{AtomicUsize, Ordering};

/// A goroutine waiting on a channel (Go's `sudog`).
pub struct Sudog {
    pub g: *mut G,
    next: *mut Sudog,
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
    const fn new() -> WaitQ {
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

/// A channel (Go's `hchan`).
pub struct Hchan {
    pub lock: RawMutex,
    /// Elements in the buffer. Written under `lock`; atomic because `len`
    /// reads it without the lock (Relaxed: a snapshot, as Go's `len(c)`).
    qcount: AtomicUsize,
    /// Capacity.
    pub dataqsiz: usize,
    buf: *mut u8,
    pub elemsize: usize,
    pub closed: bool,
    sendx: usize,
    recvx: usize,
    pub recvq: WaitQ,
    pub sendq: WaitQ,
}

/// Largest element, as in Go.
pub const MAX_ELEM_SIZE: usize = 1 << 16;

/// Go's `makechan`: one allocation for the header and the buffer.
pub fn makechan(elemsize: usize, cap: usize) -> *mut Hchan {
    if elemsize >= MAX_ELEM_SIZE {
        panic::throw("makechan: invalid channel element type");
    }
    let bytes = match elemsize.checked_mul(cap) {
        Some(b) if b <= isize::MAX as usize / 2 => b,
        _ => panic::gopanic(b"makechan: size out of range"),
    };
    let hdr = (core::mem::size_of::<Hchan>() + 15) & !15;
    let mem = crate::malloc::c_malloc(hdr + bytes);
    let c = mem as *mut Hchan;
    // SAFETY: mem is a fresh block of hdr + bytes, 16-byte aligned.
    unsafe {
        c.write(Hchan {
            lock: RawMutex::new(crate::lock::Rank::Hchan),
            qcount: AtomicUsize::new(0),
            dataqsiz: cap,
            buf: mem.add(hdr),
            elemsize,
            closed: false,
            sendx: 0,
            recvx: 0,
            recvq: WaitQ::new(),
            sendq: WaitQ::new(),
        });
    }
    c
}

/// Frees a channel from `makechan` (Rust `Chan<T>` does, when its last
/// handle goes; C channels live as long as the program, as Go's are
/// collected).
///
/// # Safety
/// `c` is from `makechan` and not yet freed; no goroutine may use or wait
/// on it.
pub unsafe fn freechan(c: *mut Hchan) {
    // SAFETY: c is makechan's c_malloc block and nobody uses or waits on
    // it (caller), so nothing touches it after the call, as c_free requires.
    unsafe { crate::malloc::c_free(c as *mut u8) }
}

impl Hchan {
    /// Elements buffered now.
    pub fn count(&self) -> usize {
        self.qcount.load(Ordering::Relaxed)
    }

    /// Appends `*ep` to the buffer if there is room (`lock` held).
    ///
    /// # Safety
    /// `self.lock` is held; `ep` is null (a zero value is sent) or points
    /// at `elemsize` readable bytes outside the buffer.
    #[inline(always)]
    pub(crate) unsafe fn buf_put(&mut self, ep: *const u8) -> bool {
        // The test inline, the copy not: an unbuffered channel (every
        // operation asks) pays a compare, not a call with its saves.
        // SAFETY: the caller's contract is put_room's.
        self.count() < self.dataqsiz && unsafe { self.put_room(ep) }
    }

    /// `buf_put` once there is room.
    ///
    /// # Safety
    /// As `buf_put`, and `count() < dataqsiz`.
    #[inline(never)]
    unsafe fn put_room(&mut self, ep: *const u8) -> bool {
        let n = self.count();
        // SAFETY: sendx < dataqsiz, as slot requires; the slot is elemsize
        // bytes of our buffer, ours under the lock (caller), and ep is null
        // or elemsize readable bytes elsewhere (caller), as copy requires.
        unsafe { self.copy(self.slot(self.sendx), ep) };
        self.sendx = next_index(self.sendx, self.dataqsiz);
        self.qcount.store(n + 1, Ordering::Relaxed);
        true
    }

    /// Takes the head of the buffer into `ep` (null: drop it) if there is
    /// one (`lock` held); the slot is zeroed.
    ///
    /// # Safety
    /// `self.lock` is held; `ep` is null or points at `elemsize` writable
    /// bytes outside the buffer.
    #[inline(always)]
    pub(crate) unsafe fn buf_take(&mut self, ep: *mut u8) -> bool {
        // SAFETY: the caller's contract is take_head's.
        self.count() > 0 && unsafe { self.take_head(ep) }
    }

    /// `buf_take` once the buffer holds an element.
    ///
    /// # Safety
    /// As `buf_take`, and `count() > 0`.
    #[inline(never)]
    unsafe fn take_head(&mut self, ep: *mut u8) -> bool {
        let n = self.count();
        // SAFETY: n > 0 means the buffer has room, so recvx < dataqsiz, as
        // slot requires.
        let slot = unsafe { self.slot(self.recvx) };
        // SAFETY: slot is elemsize bytes of our buffer, ours under the lock
        // (caller); ep is null or elemsize writable bytes elsewhere (caller),
        // as copy requires, and write_bytes stays inside the slot.
        unsafe {
            self.copy(ep, slot);
            ptr::write_bytes(slot, 0, self.elemsize);
        }
        self.recvx = next_index(self.recvx, self.dataqsiz);
        self.qcount.store(n - 1, Ordering::Relaxed);
        true
    }

    /// # Safety
    /// `i < self.dataqsiz`.
    unsafe fn slot(&self, i: usize) -> *mut u8 {
        // SAFETY: i < dataqsiz (caller), so the offset stays inside the
        // dataqsiz * elemsize bytes makechan allocated after the header.
        unsafe { self.buf.add(i * self.elemsize) }
    }
    /// # Safety
    /// `dst` is null or valid for `elemsize` writes; `src` is null or valid
    /// for `elemsize` reads; when both are non-null they do not overlap.
    pub(crate) unsafe fn copy(&self, dst: *mut u8, src: *const u8) {
        if !dst.is_null() {
            if src.is_null() {
                // SAFETY: dst is non-null here, so valid for elemsize writes
                // (caller).
                unsafe { ptr::write_bytes(dst, 0, self.elemsize) };
            } else {
                // SAFETY: both are non-null here: src valid for elemsize
                // reads, dst for elemsize writes, disjoint (caller). A word
                // (the common element: a pointer, an int, a long) is one
                // load and one store, not a call of memcpy.
                unsafe {
                    if self.elemsize == WORD {
                        (dst as *mut usize).write_unaligned((src as *const usize).read_unaligned())
                    } else {
                        ptr::copy_nonoverlapping(src, dst, self.elemsize)
                    }
                }
            }
        }
    }
}

const WORD: usize = core::mem::size_of::<usize>();

/// The buffer index after `i` (Go's `if c.sendx == c.dataqsiz { c.sendx = 0 }`:
/// no division).
#[inline(always)]
fn next_index(i: usize, len: usize) -> usize {
    if i + 1 == len { 0 } else { i + 1 }
}

/// Parks the current goroutine forever (an operation on a nil channel).
pub fn block_forever(reason: WaitReason) -> ! {
    // SAFETY: nothing will ever ready this G; checkdead counts it.
    unsafe { sched::gopark(None, null_mut(), reason) };
    panic::throw("unreachable: a goroutine blocked forever was woken")
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
unsafe fn wake(sg: *mut Sudog) {
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

/// Elements buffered now.
///
/// # Safety
/// `c` is null or a live channel.
pub unsafe fn chanlen(c: *mut Hchan) -> usize {
    if c.is_null() {
        0
    } else {
        // SAFETY: c is a live channel (caller; not null here); qcount is
        // atomic, so it may be read without c.lock.
        unsafe { (*c).count() }
    }
}

/// Capacity.
///
/// # Safety
/// `c` is null or a live channel.
pub unsafe fn chancap(c: *mut Hchan) -> usize {
    if c.is_null() {
        0
    } else {
        // SAFETY: c is a live channel (caller; not null here); dataqsiz
        // never changes after makechan.
        unsafe { (*c).dataqsiz }
    }
}
