//! The lists the scheduler links its structures on: `AllList` (push-only,
//! lock-free: `allgs`, `allm`) and `GQueue` (Gs through `schedlink`).

use super::{G, M};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

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

    /// Moves all of `other` in front of this queue, keeping its order.
    pub fn prepend(&mut self, other: &mut GQueue) {
        if other.head.is_null() {
            return;
        }
        // SAFETY: queued Gs are live; other's tail is its last G.
        unsafe { (*other.tail).schedlink = self.head };
        if self.tail.is_null() {
            self.tail = other.tail;
        }
        self.head = other.head;
        self.len += other.len;
        *other = GQueue::new();
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
