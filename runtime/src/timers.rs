//! The timer heap as a data structure: `Timer`, a P's `TimerHeap` and the
//! per-P state `PTimers` (Go's `timer` and the `p.timers` fields). What a
//! timer does and who runs it is in `time`.
//!
//! A timer calls `f(arg, seq, now)` when it fires, as Go's `timer.f` does:
//! `time::sleep` readies its goroutine, `time::timer_chan` sends the time on
//! a channel. So this level knows nothing of goroutines or channels.

use crate::lock::Mutex;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI64};

/// What a timer does when it fires, with the time it fired at.
pub type TimerFn = unsafe fn(arg: *mut u8, seq: usize, now: i64);

pub struct Timer {
    pub when: i64,
    /// Re-arm every `period` ns; 0 for one-shot. Only owned timers repeat.
    pub period: i64,
    pub f: TimerFn,
    pub arg: *mut u8,
    /// Passed to `f` (Go's `timer.seq`): lets a timer's owner tell a
    /// timer it has since replaced from the current one.
    pub seq: usize,
    /// Set by `time::stop`; the heap frees the timer when it comes out.
    pub deleted: AtomicBool,
    /// Heap-allocated (after/tick): freed by the heap once done.
    pub owned: bool,
    /// Children in the P's heap.
    left: *mut Timer,
    right: *mut Timer,
}

impl Timer {
    pub const fn new(when: i64, period: i64, f: TimerFn, arg: *mut u8, owned: bool) -> Timer {
        Timer {
            when,
            period,
            f,
            arg,
            seq: 0,
            deleted: AtomicBool::new(false),
            owned,
            left: null_mut(),
            right: null_mut(),
        }
    }
}

/// A P's timers: a skew heap by deadline, linked through the timers
/// themselves (no allocation to add one; push and pop are O(log n)
/// amortised).
pub struct TimerHeap {
    root: *mut Timer,
}

impl Default for TimerHeap {
    fn default() -> Self {
        TimerHeap { root: null_mut() }
    }
}

// SAFETY: timers are only touched under the heap's lock or by their owner.
unsafe impl Send for TimerHeap {}

/// Merges two skew heaps, top-down and without recursion: the smaller
/// root keeps its left subtree on the right and takes the merge of its
/// right subtree with the other heap on the left.
///
/// # Safety
/// `a` and `b` are null or roots of disjoint heaps of live timers.
unsafe fn merge(mut a: *mut Timer, mut b: *mut Timer) -> *mut Timer {
    let mut root = null_mut();
    let mut link: *mut *mut Timer = &mut root;
    loop {
        // SAFETY: `link` points at `root` or at the `left` field of a live
        // timer already placed; `a` and `b` are null or live (caller).
        unsafe {
            if a.is_null() {
                *link = b;
                return root;
            }
            if b.is_null() {
                *link = a;
                return root;
            }
            if (*b).when < (*a).when {
                core::mem::swap(&mut a, &mut b);
            }
            *link = a;
            let next = (*a).right;
            (*a).right = (*a).left;
            link = &mut (*a).left;
            a = next;
        }
    }
}

impl TimerHeap {
    /// # Safety
    /// `t` is live, on no heap, and stays live until it comes out.
    pub unsafe fn push(&mut self, t: *mut Timer) {
        // SAFETY: the caller's promise; the root is null or a live heap.
        unsafe {
            (*t).left = null_mut();
            (*t).right = null_mut();
            self.root = merge(self.root, t);
        }
    }

    /// Removes the earliest timer.
    ///
    /// # Safety
    /// The heap's timers are live (the promise of `push`).
    pub unsafe fn pop(&mut self) -> Option<*mut Timer> {
        let t = self.root;
        if t.is_null() {
            return None;
        }
        // SAFETY: the root is live; its subtrees are disjoint heaps.
        self.root = unsafe { merge((*t).left, (*t).right) };
        Some(t)
    }

    /// Removes the earliest timer if it is due at `now`.
    ///
    /// # Safety
    /// As for `pop`.
    pub unsafe fn pop_due(&mut self, now: i64) -> Option<*mut Timer> {
        let e = self.earliest();
        if e == 0 || e > now {
            return None;
        }
        // SAFETY: the caller's promise.
        unsafe { self.pop() }
    }

    /// Takes every deleted timer out (Go's `clearDeletedTimers`): `gone`
    /// gets each, out of the heap; the others go back in.
    ///
    /// # Safety
    /// As for `pop`.
    pub unsafe fn sweep(&mut self, mut gone: impl FnMut(*mut Timer)) {
        let mut kept: *mut Timer = null_mut();
        // SAFETY: the heap's timers are live (caller); each popped one is
        // ours until pushed back, its `right` free for the kept list (push
        // resets both links).
        unsafe {
            while let Some(t) = self.pop() {
                if (*t).deleted.load(core::sync::atomic::Ordering::Acquire) {
                    gone(t);
                } else {
                    (*t).right = kept;
                    kept = t;
                }
            }
            while !kept.is_null() {
                let t = kept;
                kept = (*t).right;
                self.push(t);
            }
        }
    }

    /// The earliest deadline, 0 when empty.
    pub fn earliest(&self) -> i64 {
        if self.root.is_null() {
            0
        } else {
            // SAFETY: the root is a live timer.
            unsafe { (*self.root).when }
        }
    }
}

/// Per-P timer state (fields of P).
pub struct PTimers {
    pub heap: Mutex<TimerHeap>,
    /// The earliest deadline, 0 when there are no timers: read without the
    /// lock by other Ms.
    pub timer0: AtomicI64,
}

impl Default for PTimers {
    fn default() -> Self {
        PTimers {
            heap: Mutex::new(crate::lock::Rank::Timers, TimerHeap::default()),
            timer0: AtomicI64::new(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::boxed::Box;

    unsafe fn nothing(_: *mut u8, _: usize, _: i64) {}

    fn timer(when: i64) -> *mut Timer {
        Box::into_raw(Box::new(Timer::new(when, 0, nothing, null_mut(), true)))
    }

    #[test]
    fn sweep_takes_out_the_deleted_and_keeps_the_order() {
        let mut h = TimerHeap::default();
        for w in 1..=1000i64 {
            let t = timer((w * 7919) % 1009 + 1);
            if w % 3 == 0 {
                unsafe { (*t).deleted.store(true, core::sync::atomic::Ordering::Relaxed) };
            }
            unsafe { h.push(t) };
        }
        let mut gone = 0;
        unsafe { h.sweep(|t| {
            gone += 1;
            drop(Box::from_raw(t));
        }) };
        assert_eq!(gone, 333);
        let mut last = 0;
        let mut left = 0;
        while let Some(t) = unsafe { h.pop() } {
            let w = unsafe { (*t).when };
            assert!(w >= last);
            assert!(!unsafe { (*t).deleted.load(core::sync::atomic::Ordering::Relaxed) });
            last = w;
            left += 1;
            unsafe { drop(Box::from_raw(t)) };
        }
        assert_eq!(left, 667);
    }

    #[test]
    fn heap_pops_in_deadline_order() {
        let mut h = TimerHeap::default();
        let mut x: u64 = 7;
        let mut whens = std::vec::Vec::new();
        for _ in 0..5000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let w = (x >> 40) as i64 + 1;
            whens.push(w);
            unsafe { h.push(timer(w)) };
        }
        whens.sort();
        assert!(unsafe { h.pop_due(whens[0] - 1) }.is_none());
        for &w in &whens {
            assert_eq!(h.earliest(), w);
            let t = unsafe { h.pop_due(w) }.unwrap();
            assert_eq!(unsafe { (*t).when }, w);
            unsafe { drop(Box::from_raw(t)) };
        }
        assert!(unsafe { h.pop() }.is_none());
        assert_eq!(h.earliest(), 0);
    }
}
