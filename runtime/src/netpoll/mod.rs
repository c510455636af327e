//! The network poller (Go's `netpoll.go` and `netpoll_epoll.go`): pipes,
//! terminals and sockets are non-blocking and registered, edge-triggered,
//! with one epoll instance; a goroutine whose read or write would block
//! parks on the descriptor's `PollDesc` instead of blocking its M, and the
//! scheduler readies it when epoll reports the descriptor ready.
//!
//! # Waiting without losing a wake-up
//!
//! Each `PollDesc` has one waiter word per direction (`rg`, `wg`, Go's
//! names): `NIL`, `READY` (an event came and nobody has consumed it),
//! `WAIT` (a goroutine is about to park) or the parked `G`. The waiter
//! moves `NIL → WAIT`, then parks; its commit (on g0, after the switch)
//! moves `WAIT → G`. The notifier (`unblock`) swaps the word to `READY`
//! (an event) or `NIL` (a deadline or a close) and readies a `G` it found.
//! If the notifier came between `WAIT` and the commit, the commit's
//! compare-and-swap fails and the goroutine does not sleep. All are
//! compare-and-swaps on one word, so every interleaving ends with the
//! goroutine running or the event recorded.
//!
//! A deadline or a close publishes its bit in `info` (SeqCst) and *then*
//! loads the waiter word in `unblock`; a waiter stores `WAIT` (SeqCst) and
//! *then* loads `info` before parking. One of the two sees the other's
//! store: either the waiter does not park, or the notifier finds `WAIT` or
//! the `G` and wakes it.
//!
//! # Who polls
//!
//! The scheduler reaches this module through `Poller` hooks, installed the
//! first time a descriptor is registered, so a program that never does
//! I/O links none of it. Then: `findrunnable` polls without blocking
//! before it steals; the last M with nothing to do blocks in `epoll_wait`
//! until the earliest timer (it takes over the timer watch, see
//! `sched::m`), and a new earlier timer interrupts it through an eventfd
//! (`netpoll_break`); sysmon polls when nobody has for 10 ms.
//!
//! # Descriptors
//!
//! A table maps descriptor numbers to their `PollDesc`. Every operation
//! holds a reference (Go's `fdMutex` count): `close` marks the descriptor
//! closed, wakes its waiters (they fail with `EBADF`, Go's "use of closed
//! network connection") and the last reference closes the number, so it
//! is not reused while an operation on it is in flight; `close` waits for
//! that (Go's `csema`) and returns `close(2)`'s result. `PollDesc`s are
//! kept on a free list and never returned to the allocator: a stale epoll
//! event or deadline timer may still name one (it then finds nothing to do
//! or a spurious readiness, which the next `read` attempt resolves).
//!
//! **The waker's rule** holds here as everywhere: `unblock` takes the G
//! out of the word, and it is readied only after every `PollDesc` field
//! has been read and the lock released.
//!
//! This file holds the `PollDesc` and its `rg`/`wg` protocol; `epoll.rs`
//! the epoll instance, the scheduler's hooks and `netpoll_break`;
//! `table.rs` the descriptor table, registration, references and close;
//! `deadline.rs` the read and write deadlines.

mod deadline;
mod epoll;
mod table;

pub use deadline::set_deadline;
pub use epoll::{blocked, make_runnable, netpoll, overdue, poller, waiters, Poller};
pub use table::{close, is_stream, lookup, register, register_stream, FdRef, IoLock};

use crate::lock::Mutex;
use crate::panic::throw;
use crate::runtime2::{WaitReason, G};
use crate::sched;
use crate::sync::RawGoMutex;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicUsize, Ordering};
use deadline::Deadlines;
use epoll::WAITERS;
use syscalls::Errno;

/// A direction of I/O.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Read,
    Write,
}

const NIL: usize = 0;
const READY: usize = 1;
const WAIT: usize = 2;

/// `PollDesc::info` bits (Go's `pollClosing`, `pollExpiredReadDeadline`,
/// `pollExpiredWriteDeadline`).
const CLOSING: u32 = 1;
const RD_EXPIRED: u32 = 2;
const WD_EXPIRED: u32 = 4;

/// `PollDesc::refs`: closed, and the count of operations in flight.
const CLOSED: u32 = 1 << 31;

/// Go's `pollDesc`, with the descriptor's reference count.
#[repr(align(64))]
pub struct PollDesc {
    fd: AtomicI32,
    /// Registered with epoll (a pipe, terminal or socket); a regular file
    /// is not, and its operations block in a system call instead.
    pollable: AtomicBool,
    /// A byte stream (a pipe, a TCP or unix stream socket: `register_stream`),
    /// where a short read means the kernel's buffer was empty.
    stream: AtomicBool,
    /// The poller reported the stream's end or an error: a short read no
    /// longer means that nothing is left (`note_read`).
    ended: AtomicBool,
    /// The last read of this stream was short (`read_drained`): its
    /// reader's hint, written under the read lock only.
    drained: AtomicBool,
    rg: AtomicUsize,
    wg: AtomicUsize,
    info: AtomicU32,
    refs: AtomicU32,
    deadlines: Mutex<Deadlines>,
    /// One reader and one writer at a time (Go's `fdMutex` read and write
    /// locks): the waiter words hold one goroutine each, and a read is
    /// not interleaved with another's. Others wait here, as goroutines.
    rlock: RawGoMutex,
    wlock: RawGoMutex,
    /// `close` waits here for the last operation in flight to close the
    /// number (Go's `fdMutex` `csema`), and finds its result in
    /// `close_err` (an errno, 0 for none).
    csema: AtomicU32,
    close_err: AtomicI32,
    /// The free list's link (under `CACHE`).
    next: *mut PollDesc,
}

// SAFETY: every field is an atomic, under `deadlines`' lock, or (`next`)
// under the free list's lock.
unsafe impl Sync for PollDesc {}
unsafe impl Send for PollDesc {}

impl PollDesc {
    fn waiter(&self, mode: Mode) -> &AtomicUsize {
        match mode {
            Mode::Read => &self.rg,
            Mode::Write => &self.wg,
        }
    }

    pub fn fd(&self) -> i32 {
        self.fd.load(Ordering::Relaxed)
    }

    pub fn pollable(&self) -> bool {
        self.pollable.load(Ordering::Relaxed)
    }

    /// A read of `want` bytes returned `got` (under the read lock). On a
    /// stream, a short count means the kernel's buffer was empty once the
    /// data was copied out, so the next read waits for the poller first
    /// instead of trying a system call that would say EAGAIN: one system
    /// call fewer per message for a server reading requests. That loses
    /// nothing with edge-triggered epoll: data (or a hang-up) arriving
    /// after the copy is a new edge, which `unblock` records as READY for
    /// `wait` to find. Not for datagrams or terminals, where one read
    /// takes one message and others may be queued behind it.
    pub fn note_read(&self, want: usize, got: usize) {
        if got > 0 && got < want && self.stream.load(Ordering::Relaxed) && !self.ended.load(Ordering::Relaxed) {
            self.drained.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the last read was short (see `note_read`), clearing it.
    pub fn read_drained(&self) -> bool {
        self.drained.load(Ordering::Relaxed) && self.drained.swap(false, Ordering::Relaxed)
    }

    /// Go's `netpollcheckerr`: why an operation in `mode` must not start
    /// (or go on waiting), if it must not.
    pub fn check(&self, mode: Mode) -> Result<(), Errno> {
        let info = self.info.load(Ordering::SeqCst);
        if info & CLOSING != 0 {
            return Err(Errno::EBADF);
        }
        let expired = match mode {
            Mode::Read => RD_EXPIRED,
            Mode::Write => WD_EXPIRED,
        };
        if info & expired != 0 {
            return Err(Errno::ETIMEDOUT);
        }
        Ok(())
    }

    /// Go's `netpollunblock`: takes the waiter out of `mode`'s word, if
    /// one is parked; with `ioready` an event is recorded for the next
    /// waiter too. The caller readies the G returned (after unlocking).
    fn unblock(&self, mode: Mode, ioready: bool) -> *mut G {
        let w = self.waiter(mode);
        loop {
            let old = w.load(Ordering::SeqCst);
            if old == READY || (old == NIL && !ioready) {
                return null_mut();
            }
            let new = if ioready { READY } else { NIL };
            if w.compare_exchange(old, new, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                if old == NIL || old == WAIT {
                    return null_mut();
                }
                WAITERS.fetch_sub(1, Ordering::SeqCst);
                return old as *mut G;
            }
        }
    }

    /// Go's `netpollblock`: parks the calling goroutine until `mode` is
    /// ready, the deadline passes or the descriptor closes. True when it
    /// is ready (try the operation again); false when `check` says why not.
    pub fn wait(&self, mode: Mode) -> bool {
        let w = self.waiter(mode);
        loop {
            if w.compare_exchange(READY, NIL, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                return true;
            }
            if w.compare_exchange(NIL, WAIT, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                break;
            }
            let v = w.load(Ordering::SeqCst);
            if v != READY && v != NIL {
                throw("runtime: double wait");
            }
        }
        // The waiter's half of the handshake in the module comment: WAIT
        // is stored, now look at `info`.
        if self.check(mode).is_ok() {
            // SAFETY: we run on a user goroutine; `unblock` finds it
            // through the word the commit stores it in.
            unsafe {
                sched::gopark(
                    Some(block_commit),
                    w as *const AtomicUsize as *mut u8,
                    WaitReason::IoWait,
                )
            };
        }
        let old = w.swap(NIL, Ordering::SeqCst);
        if old > WAIT {
            throw("runtime: corrupted polldesc");
        }
        old == READY
    }
}

/// `wait`'s unlock function (Go's `netpollblockcommit`): on g0, with the
/// goroutine parked, `WAIT → G`; false (run on) if a notifier came first.
///
/// # Safety
/// `w` is the waiter word of a live `PollDesc`, and `gp` the parked G.
unsafe fn block_commit(gp: *mut G, w: *mut u8) -> bool {
    // SAFETY: w is a waiter word of a PollDesc, which is never freed.
    let w = unsafe { &*(w as *const AtomicUsize) };
    if w.compare_exchange(WAIT, gp as usize, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
        // Counted before anyone can decide to stop polling: the M that
        // parked `gp` goes on to `findrunnable`, which sees it.
        WAITERS.fetch_add(1, Ordering::SeqCst);
        true
    } else {
        false
    }
}

fn readyg(gp: *mut G) {
    if !gp.is_null() {
        // SAFETY: gp came out of a waiter word: parked with gopark, and
        // only we hold it.
        unsafe { sched::ready(gp) };
    }
}
