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
//!
//! This file holds the channel itself: `Hchan`, `makechan` and
//! `freechan`, `chanlen` and `chancap`. The others: `waitq.rs` the waiting
//! goroutines (`Sudog`, `WaitQ`) and their wake-up; `buf.rs` the ring
//! buffer and the element copies; `sendrecv.rs` `chansend` and `chanrecv`
//! with their hand-offs to a waiter (`send`, `recv`); `close.rs`
//! `closechan`.

mod buf;
mod close;
mod sendrecv;
mod waitq;

pub use self::close::closechan;
pub(crate) use self::sendrecv::{recv, send};
pub use self::sendrecv::{block_forever, chanrecv, chansend};
pub use self::waitq::{Sudog, WaitQ};

use crate::lock::RawMutex;
use crate::panic;
use core::sync::atomic::AtomicUsize;

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
