//! The lists the scheduler links its structures on: `AllList` (push-only,
//! lock-free: `allgs`, `allm`) and `GQueue` (Gs through `schedlink`).

use super::{G, M};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Gs and Ms, which are never freed, are published on push-only lists
/// (`allgs`, `allm`) linked through their `alllink` field.
pub trait AllLink {
    /// The address of `p`'s `alllink` field.
    ///
    /// # Safety
    /// `p` points at a live value.
    unsafe fn alllink(p: *mut Self) -> *mut *mut Self;
}

impl AllLink for G {
    unsafe fn alllink(p: *mut G) -> *mut *mut G {
        // SAFETY: p points at a live G (the trait's contract); addr_of_mut!
        // takes the field's address without reading it or making a
        // reference.
        unsafe { core::ptr::addr_of_mut!((*p).alllink) }
    }
}

impl AllLink for M {
    unsafe fn alllink(p: *mut M) -> *mut *mut M {
        // SAFETY: as for G: p points at a live M (the trait's contract).
        unsafe { core::ptr::addr_of_mut!((*p).alllink) }
    }
}

/// A lock-free list: pushes race by CAS on the head, and a reader walks a
/// snapshot. Elements are never freed, so a reader standing on one that is
/// removed meanwhile (`remove`, for exited Ms) still finds its link, which
/// leads back into the list; links are read and written atomically.
pub struct AllList<T> {
    head: core::sync::atomic::AtomicPtr<T>,
}

impl<T: AllLink> AllList<T> {
    pub const fn new() -> AllList<T> {
        AllList {
            head: core::sync::atomic::AtomicPtr::new(null_mut()),
        }
    }

    /// Publishes `p`.
    ///
    /// # Safety
    /// `p` is live forever and not on the list.
    pub unsafe fn push(&self, p: *mut T) {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: p is live and not on the list (caller), so its link
            // is ours to write until the CAS below publishes it (atomically:
            // a slow reader may still stand on a removed element).
            unsafe { AtomicPtr::from_ptr(T::alllink(p)) }.store(head, Ordering::Relaxed);
            match self
                .head
                .compare_exchange_weak(head, p, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(h) => head = h,
            }
        }
    }

    /// Every element, newest first.
    pub fn iter(&self) -> impl Iterator<Item = *mut T> {
        let mut p = self.head.load(Ordering::Acquire);
        core::iter::from_fn(move || {
            if p.is_null() {
                return None;
            }
            let cur = p;
            // SAFETY: published elements live forever, and their link is
            // a pointer-sized, aligned field only accessed atomically once
            // published.
            p = unsafe { AtomicPtr::from_ptr(T::alllink(cur)) }.load(Ordering::Acquire);
            Some(cur)
        })
    }

    /// Unlinks `p`. A reader on `p` goes on from `p`'s link, unchanged.
    /// An element removed may be pushed again once no reader can still
    /// stand on it from before; a slow reader then sees some elements
    /// twice, never a cycle (pushes go to the head).
    ///
    /// # Safety
    /// `p` is on the list, and removals are serialised (one lock).
    pub unsafe fn remove(&self, p: *mut T) {
        // SAFETY: p is on the list (caller): published, live forever.
        let next = unsafe { AtomicPtr::from_ptr(T::alllink(p)) }.load(Ordering::Acquire);
        if self
            .head
            .compare_exchange(p, next, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return;
        }
        // Not the head (pushes come only at the head, so p's predecessor
        // stays its predecessor while we look: removals are serialised).
        let mut q = self.head.load(Ordering::Acquire);
        while !q.is_null() {
            // SAFETY: q is a published element (live forever).
            let link = unsafe { AtomicPtr::from_ptr(T::alllink(q)) };
            let n = link.load(Ordering::Acquire);
            if n == p {
                link.store(next, Ordering::Release);
                return;
            }
            q = n;
        }
    }
}

/// The global run queue (Go's `sched.runq`, a linked `gQueue` there): a
/// ring of G pointers. Taking a batch reads consecutive words, where a
/// linked queue follows `schedlink` from G to G: with thousands of Gs
/// queued (the waiters of a closed channel), each of them a cache miss on
/// a page of its own, one after the other while `sched.lock` is held.
///
/// The first ring is a page of .bss (`RING0`); past that it doubles into
/// mappings of its own, never shrinking, once `enable_ring_growth` has
/// linked that in: every API that starts a goroutine calls it, so hello
/// links none of it, and before that call only the runtime's few Gs exist.
pub struct GRing {
    buf: *mut *mut G,
    /// A power of two.
    cap: usize,
    head: usize,
    pub len: usize,
    /// `buf` is a mapping `grow` made (not `RING0`).
    mapped: bool,
}

const WORD: usize = core::mem::size_of::<*mut G>();
const RING0_LEN: usize = 4096 / WORD;
static mut RING0: [*mut G; RING0_LEN] = [null_mut(); RING0_LEN];

/// `GRing::grow`, once `enable_ring_growth` has stored it (0 before).
static GROW: AtomicUsize = AtomicUsize::new(0);

/// Lets the global run queue grow past its first page (`GRing`).
pub fn enable_ring_growth() {
    if GROW.load(Ordering::Relaxed) == 0 {
        let f: fn(&mut GRing) = GRing::grow;
        GROW.store(f as usize, Ordering::Relaxed);
    }
}

// SAFETY: a GRing is only touched under the lock that owns it.
unsafe impl Send for GRing {}

impl GRing {
    /// The global run queue, on `RING0`: there is exactly one
    /// (`sched.runq`).
    pub(super) const fn new() -> GRing {
        GRing {
            buf: &raw mut RING0 as *mut *mut G,
            cap: RING0_LEN,
            head: 0,
            len: 0,
            mapped: false,
        }
    }

    /// Adds `gp` at the tail.
    pub fn push_back(&mut self, gp: *mut G) {
        self.reserve(1);
        // SAFETY: cap > len, so the slot is inside the buffer of cap words.
        unsafe { self.buf.add((self.head + self.len) & (self.cap - 1)).write(gp) };
        self.len += 1;
    }

    /// Removes the head.
    pub fn pop(&mut self) -> Option<*mut G> {
        if self.len == 0 {
            return None;
        }
        // SAFETY: len > 0, so head indexes a filled slot of the buffer.
        let gp = unsafe { self.buf.add(self.head).read() };
        self.head = (self.head + 1) & (self.cap - 1);
        self.len -= 1;
        Some(gp)
    }

    /// Moves all of `other` in front of this queue, keeping its order.
    pub fn prepend(&mut self, other: &mut GQueue) {
        self.reserve(other.len);
        self.head = self.head.wrapping_sub(other.len) & (self.cap - 1);
        let mut at = self.head;
        while let Some(gp) = other.pop() {
            // SAFETY: the `other.len` slots from the new head were free
            // (reserved), inside the buffer.
            unsafe { self.buf.add(at).write(gp) };
            at = (at + 1) & (self.cap - 1);
            self.len += 1;
        }
    }

    /// Room for `n` more.
    fn reserve(&mut self, n: usize) {
        while self.cap - self.len < n {
            match GROW.load(Ordering::Relaxed) {
                0 => crate::panic::throw("global run queue full"),
                // SAFETY: only `enable_ring_growth` stores, and it stores
                // `GRing::grow` as a fn(&mut GRing).
                f => unsafe { core::mem::transmute::<usize, fn(&mut GRing)>(f)(self) },
            }
        }
    }

    /// Doubles the buffer, keeping the order; Go's `fatal error: out of
    /// memory` when the kernel refuses. Under `sched.lock`: an mmap and a
    /// munmap once per doubling.
    fn grow(&mut self) {
        let cap = self.cap * 2;
        // SAFETY: a fresh mapping of our own.
        let buf = match unsafe {
            crate::os::mmap_anon(cap * WORD, crate::os::PROT_READ | crate::os::PROT_WRITE, crate::os::MAP_NORESERVE)
        } {
            Ok(p) => p as *mut *mut G,
            Err(_) => crate::panic::throw_oom(cap * WORD, 0),
        };
        for i in 0..self.len {
            // SAFETY: i < len ≤ old cap: a filled slot of the old buffer,
            // and a slot of the new one.
            unsafe { buf.add(i).write(self.buf.add((self.head + i) & (self.cap - 1)).read()) };
        }
        // An old mapping left in place would cost address space, never
        // memory in use; RING0 stays.
        if self.mapped {
            // SAFETY: the old buffer is the whole mapping made for it, and
            // nothing points into it any more.
            let _ = unsafe { crate::os::munmap(self.buf as *mut u8, self.cap * WORD) };
        }
        self.buf = buf;
        self.cap = cap;
        self.head = 0;
        self.mapped = true;
    }
}

/// A list of Gs linked through `schedlink`, FIFO.
pub struct GQueue {
    pub head: *mut G,
    pub tail: *mut G,
    pub len: usize,
}

// SAFETY: a GQueue is only touched under the lock (or P) that owns it.
unsafe impl Send for GQueue {}

impl GQueue {
    pub const fn new() -> GQueue {
        GQueue {
            head: null_mut(),
            tail: null_mut(),
            len: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// Adds `gp` at the tail.
    ///
    /// # Safety
    /// `gp` is live and on no other queue.
    pub unsafe fn push_back(&mut self, gp: *mut G) {
        // SAFETY: gp is live and on no other queue (caller): its schedlink
        // is ours to write.
        unsafe { (*gp).schedlink = null_mut() };
        if self.tail.is_null() {
            self.head = gp;
        } else {
            // SAFETY: the tail is a live G on this queue, which we hold by
            // `&mut self`.
            unsafe { (*self.tail).schedlink = gp };
        }
        self.tail = gp;
        self.len += 1;
    }

    /// Adds `gp` at the head.
    ///
    /// # Safety
    /// `gp` is live and on no other queue.
    pub unsafe fn push_front(&mut self, gp: *mut G) {
        // SAFETY: gp is live and on no other queue (caller): its schedlink
        // is ours to write.
        unsafe { (*gp).schedlink = self.head };
        self.head = gp;
        if self.tail.is_null() {
            self.tail = gp;
        }
        self.len += 1;
    }


    /// Removes the head.
    pub fn pop(&mut self) -> Option<*mut G> {
        if self.head.is_null() {
            return None;
        }
        let gp = self.head;
        // SAFETY: queued Gs are live.
        unsafe {
            self.head = (*gp).schedlink;
            (*gp).schedlink = null_mut();
        }
        if self.head.is_null() {
            self.tail = null_mut();
        }
        self.len -= 1;
        Some(gp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(i: usize) -> *mut G {
        (i * 64) as *mut G
    }

    #[test]
    fn ring_keeps_order_across_wraps_growth_and_prepend() {
        // A ring of 4 on a buffer of the test's own, so that growth (into
        // mappings) starts early.
        let first: &'static mut [*mut G; 4] = Box::leak(Box::new([null_mut(); 4]));
        let mut r = GRing { buf: first.as_mut_ptr(), cap: 4, head: 0, len: 0, mapped: false };
        enable_ring_growth();
        let mut want = alloc::collections::VecDeque::new();
        let mut next = 1;
        for round in 0..50 {
            for _ in 0..(round % 7 + 1) {
                r.push_back(g(next));
                want.push_back(g(next));
                next += 1;
            }
            for _ in 0..(round % 5) {
                assert_eq!(r.pop(), want.pop_front());
            }
            if round % 9 == 0 {
                let mut q = GQueue::new();
                let mut gs = alloc::vec::Vec::new();
                for _ in 0..3 {
                    let b = Box::leak(Box::new(G::new())) as *mut G;
                    // SAFETY: b is a fresh, leaked G on no queue.
                    unsafe { q.push_back(b) };
                    gs.push(b);
                }
                r.prepend(&mut q);
                assert!(q.is_empty());
                for b in gs.into_iter().rev() {
                    want.push_front(b);
                }
            }
            assert_eq!(r.len, want.len());
        }
        assert!(r.cap > 4 && r.mapped);
        while let Some(x) = want.pop_front() {
            assert_eq!(r.pop(), Some(x));
        }
        assert_eq!(r.pop(), None);
    }
}
