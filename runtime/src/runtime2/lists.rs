//! The lists the scheduler links its structures on: `AllList` (push-only,
//! lock-free: `allgs`, `allm`) and `GQueue` (Gs through `schedlink`).

use super::{G, M};
use core::ptr::null_mut;
use core::sync::atomic::Ordering;

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

/// A lock-free list that only grows: pushes race by CAS on the head, and a
/// reader walks a snapshot (elements are never freed and their link never
/// changes once published).
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
            // SAFETY: p is live and not yet on the list (caller), so its
            // link is ours to write until the CAS below publishes it.
            unsafe { *T::alllink(p) = head };
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
            // SAFETY: published elements live forever; their link is fixed.
            p = unsafe { *T::alllink(cur) };
            Some(cur)
        })
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
