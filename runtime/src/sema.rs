//! Semaphores for goroutines (Go's `sema.go`): `semacquire` waits until
//! `*addr > 0` and decrements it, `semrelease` increments it and wakes a
//! waiter. They are the blocking layer under `sync::Mutex` and
//! `WaitGroup`.
//!
//! Waiters live in a fixed table of buckets hashed by address, each a lock
//! and a FIFO of sudogs (Go uses a treap per bucket; a list is enough for
//! the few distinct addresses a bucket sees here). `nwait` lets
//! `semrelease` skip the lock when nobody waits.

use crate::chan::Sudog;
use crate::lock::RawMutex;
use crate::runtime2::WaitReason;
use crate::sched;
use core::ptr::null_mut;
use core::sync::atomic::{fence, AtomicU32, Ordering};

const SEMTAB_SIZE: usize = 251;

struct Root {
    lock: RawMutex,
    nwait: AtomicU32,
    head: core::cell::UnsafeCell<*mut Waiter>,
}

// SAFETY: head is only touched with lock held.
unsafe impl Sync for Root {}

struct Waiter {
    sg: Sudog,
    addr: *const AtomicU32,
    next: *mut Waiter,
}

static SEMTAB: [Root; SEMTAB_SIZE] = [const {
    Root {
        lock: RawMutex::new(crate::lock::Rank::SemaRoot),
        nwait: AtomicU32::new(0),
        head: core::cell::UnsafeCell::new(null_mut()),
    }
}; SEMTAB_SIZE];

fn root(addr: &AtomicU32) -> &'static Root {
    &SEMTAB[(addr as *const AtomicU32 as usize >> 3) % SEMTAB_SIZE]
}

/// Takes one unit if there is one.
fn cansemacquire(addr: &AtomicU32) -> bool {
    let mut v = addr.load(Ordering::Acquire);
    loop {
        if v == 0 {
            return false;
        }
        match addr.compare_exchange_weak(v, v - 1, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return true,
            Err(x) => v = x,
        }
    }
}

/// Waits until `*addr > 0`, then decrements it. With `lifo`, the caller
/// goes to the front of the queue (it has waited before).
pub fn semacquire(addr: &AtomicU32, lifo: bool, reason: WaitReason) {
    if cansemacquire(addr) {
        return;
    }
    let r = root(addr);
    loop {
        r.lock.lock();
        r.nwait.fetch_add(1, Ordering::SeqCst);
        // The waiter's half of the `nwait` handshake (see `semrelease`).
        fence(Ordering::SeqCst);
        if cansemacquire(addr) {
            r.nwait.fetch_sub(1, Ordering::SeqCst);
            // SAFETY: locked just above.
            unsafe { r.lock.unlock() };
            return;
        }
        let gp = crate::runtime2::getg();
        let mut w = Waiter {
            sg: Sudog::new(gp, null_mut(), null_mut(), false),
            addr,
            next: null_mut(),
        };
        // SAFETY: the list is guarded by r.lock; w stays on this parked
        // goroutine's stack until semrelease unlinks it.
        unsafe {
            let head = &mut *r.head.get();
            if lifo || head.is_null() {
                w.next = *head;
                *head = &mut w;
            } else {
                let mut p = *head;
                while !(*p).next.is_null() {
                    p = (*p).next;
                }
                (*p).next = &mut w;
            }
            sched::goparkunlock(&r.lock, reason);
        }
        if cansemacquire(addr) {
            return;
        }
    }
}

/// Increments `*addr` and wakes one goroutine waiting on it.
///
/// The `nwait` handshake: a releaser increments `*addr`, then a SeqCst
/// fence, then loads `nwait`; a waiter increments `nwait`, then a SeqCst
/// fence, then loads `*addr` (`cansemacquire`). The two fences are ordered
/// one way or the other, so at least one side sees the other's increment:
/// the releaser finds the waiter, or the waiter finds the unit and does
/// not park. Without them (a Release increment then a load, as before) a
/// weakly ordered CPU lets the load overtake the increment on both sides
/// and the waiter parks forever; `handshake.rs` models both in loom.
pub fn semrelease(addr: &AtomicU32) {
    let r = root(addr);
    addr.fetch_add(1, Ordering::Release);
    crate::chaos::point(crate::chaos::Site::SemRelease);
    fence(Ordering::SeqCst);
    if r.nwait.load(Ordering::SeqCst) == 0 {
        return;
    }
    r.lock.lock();
    // SAFETY: the list is guarded by r.lock; waiters are parked Gs whose
    // stacks hold them. The waiter lives on its goroutine's stack: its G is
    // read here, and nothing of it is touched once `ready` has run.
    let gp = unsafe {
        let mut link: *mut *mut Waiter = r.head.get();
        let mut found = null_mut();
        while !(*link).is_null() {
            let w = *link;
            if (*w).addr == addr as *const AtomicU32 {
                *link = (*w).next;
                found = (*w).sg.g;
                break;
            }
            link = &mut (*w).next;
        }
        found
    };
    if !gp.is_null() {
        r.nwait.fetch_sub(1, Ordering::SeqCst);
    }
    // SAFETY: locked above.
    unsafe { r.lock.unlock() };
    if !gp.is_null() {
        // SAFETY: gp parked in semacquire and its waiter is unlinked, so no
        // other releaser can find it; it stays parked until this ready.
        unsafe { sched::ready(gp) };
    }
}
