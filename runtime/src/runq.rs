//! A P's local run queue: Go's lock-free ring of 256 Gs plus `runnext`.
//!
//! One producer (the owning P) and many consumers (the owner and thieves).
//! `head` is advanced by CAS by whoever takes; `tail` is written only by the
//! owner, with release ordering after the slot, so a consumer that sees a
//! tail also sees the G stored below it. A consumer reads the slot *before*
//! its CAS on head: if the CAS wins, no producer can have overwritten the
//! slot in between, because the producer never writes past `head + 256`.
//!
//! `runnext` holds the G that should run next on this P — the one just
//! readied by the running G (a channel hand-off, say). It runs with the
//! current time slice inherited (`get` says so; `schedule` then does not
//! count a new tick), so a ping-pong pair is not starved by the rest of the
//! queue. Thieves take `runnext` only on their last pass.
//!
//! When the ring is full, `put` moves half of it plus the new G to the
//! global queue in one batch, so a P that spawns in a loop pays the global
//! lock once per 128 Gs and leaves work where idle Ps will find it.

use core::ptr::null_mut;
use core::sync::atomic::Ordering;
#[cfg(not(loom))]
use core::sync::atomic::{AtomicPtr, AtomicU32};
#[cfg(loom)]
use loom::sync::atomic::{AtomicPtr, AtomicU32};

pub const RUNQ_SIZE: usize = 256;
const MASK: u32 = RUNQ_SIZE as u32 - 1;

/// A ring of `*mut T` (the scheduler's `T` is `runtime2::G`; the queue
/// never dereferences what it holds).
pub struct RunQueue<T> {
    head: AtomicU32,
    tail: AtomicU32,
    buf: [AtomicPtr<T>; RUNQ_SIZE],
    runnext: AtomicPtr<T>,
}

impl<T> Default for RunQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> RunQueue<T> {
    #[cfg(not(loom))]
    pub const fn new() -> RunQueue<T> {
        RunQueue {
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            buf: [const { AtomicPtr::new(null_mut()) }; RUNQ_SIZE],
            runnext: AtomicPtr::new(null_mut()),
        }
    }

    /// Loom's atomics cannot be built in a const context.
    #[cfg(loom)]
    pub fn new() -> RunQueue<T> {
        RunQueue {
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            buf: core::array::from_fn(|_| AtomicPtr::new(null_mut())),
            runnext: AtomicPtr::new(null_mut()),
        }
    }

    /// Number of Gs in the ring (not counting runnext); a snapshot.
    pub fn len(&self) -> usize {
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Acquire);
        t.wrapping_sub(h) as usize
    }

    /// True when neither the ring nor runnext holds a G.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.runnext.load(Ordering::Acquire).is_null()
    }

    /// True when runnext holds a G; a snapshot, for thieves deciding
    /// whether to give its owner a moment to run it.
    pub fn has_next(&self) -> bool {
        !self.runnext.load(Ordering::Relaxed).is_null()
    }

    /// `runqput`, owner only. With `next`, `gp` goes to runnext and the G it
    /// displaces goes to the tail. On overflow, `overflow` receives a batch
    /// (half the ring, then `gp`) to put on the global queue.
    pub fn put(&self, mut gp: *mut T, next: bool, overflow: &mut dyn FnMut(&[*mut T])) {
        if next {
            let old = self.runnext.swap(gp, Ordering::AcqRel);
            if old.is_null() {
                return;
            }
            gp = old;
        }
        if self.push_tail(gp).is_ok() {
            return;
        }
        self.put_slow(gp, overflow);
    }

    /// Appends `gp` at the tail if the ring has room (owner only); else
    /// the head it saw.
    #[inline(always)]
    fn push_tail(&self, gp: *mut T) -> Result<(), u32> {
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Relaxed);
        if t.wrapping_sub(h) >= RUNQ_SIZE as u32 {
            return Err(h);
        }
        self.buf[(t & MASK) as usize].store(gp, Ordering::Relaxed);
        self.tail.store(t.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// `put` when the ring looked full: its half-ring batch buffer and
    /// retry loop stay out of the fast path's frame (a kilobyte of stack
    /// and five saved registers on every `put` when they were inline).
    #[cold]
    #[inline(never)]
    fn put_slow(&self, gp: *mut T, overflow: &mut dyn FnMut(&[*mut T])) {
        loop {
            let Err(h) = self.push_tail(gp) else { return };
            // Full: take the older half, if no consumer moved head meanwhile.
            let n = (RUNQ_SIZE / 2) as u32;
            let mut batch = [null_mut(); RUNQ_SIZE / 2 + 1];
            for (i, slot) in batch.iter_mut().take(n as usize).enumerate() {
                *slot =
                    self.buf[(h.wrapping_add(i as u32) & MASK) as usize].load(Ordering::Relaxed);
            }
            if self
                .head
                .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                batch[n as usize] = gp;
                overflow(&batch);
                return;
            }
        }
    }

    /// `runqget`, owner only: runnext first (inheriting the time slice:
    /// the bool is true), then the ring's head.
    pub fn get(&self) -> Option<(*mut T, bool)> {
        let next = self.runnext.load(Ordering::Relaxed);
        if !next.is_null()
            && self
                .runnext
                .compare_exchange(next, null_mut(), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            return Some((next, true));
        }
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Relaxed);
            if t == h {
                return None;
            }
            let gp = self.buf[(h & MASK) as usize].load(Ordering::Relaxed);
            if self
                .head
                .compare_exchange(h, h.wrapping_add(1), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return Some((gp, false));
            }
        }
    }

    /// `runqgrab`, any thread: takes half (rounded up) of the ring into
    /// `batch`, or runnext when the ring is empty and `steal_runnext`.
    /// Returns how many were taken.
    pub fn grab(&self, batch: &mut [*mut T; RUNQ_SIZE / 2], steal_runnext: bool) -> usize {
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Acquire);
            let avail = t.wrapping_sub(h);
            let n = avail - avail / 2;
            if n == 0 {
                if steal_runnext {
                    let next = self.runnext.load(Ordering::Acquire);
                    if !next.is_null()
                        && self
                            .runnext
                            .compare_exchange(next, null_mut(), Ordering::AcqRel, Ordering::Relaxed)
                            .is_ok()
                    {
                        batch[0] = next;
                        return 1;
                    }
                }
                return 0;
            }
            if n as usize > RUNQ_SIZE / 2 {
                // head and tail were read at different moments; read again.
                continue;
            }
            for (i, slot) in batch.iter_mut().take(n as usize).enumerate() {
                *slot =
                    self.buf[(h.wrapping_add(i as u32) & MASK) as usize].load(Ordering::Relaxed);
            }
            if self
                .head
                .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return n as usize;
            }
        }
    }

    /// Takes everything (runnext first), for `procresize` destroying a P.
    pub fn drain(&self, mut f: impl FnMut(*mut T)) {
        while let Some((gp, _)) = self.get() {
            f(gp);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    //! Every interleaving (within loom's bounds) of the owner and a thief:
    //! each G is taken exactly once, by someone.
    use super::*;
    use crate::runtime2::G;
    use loom::sync::Arc;
    use std::boxed::Box;
    use std::vec::Vec;

    fn g(id: i64) -> *mut G {
        let mut g = Box::new(G::new());
        g.goid = id;
        Box::into_raw(g)
    }

    fn ids(v: &[*mut G]) -> Vec<i64> {
        v.iter().map(|&g| unsafe { (*g).goid }).collect()
    }

    /// Owner: put 3 (the last into runnext), get one. Thief: grab, with
    /// runnext. Together they take all 3, each once.
    #[test]
    fn owner_put_get_vs_thief_grab() {
        loom::model(|| {
            let q = Arc::new(RunQueue::new());
            let thief = {
                let q = q.clone();
                loom::thread::spawn(move || {
                    let mut b = [null_mut(); RUNQ_SIZE / 2];
                    let n = q.grab(&mut b, true);
                    ids(&b[..n])
                })
            };
            let gs = [g(1), g(2), g(3)];
            q.put(gs[0], false, &mut |_: &[*mut G]| panic!("overflow"));
            q.put(gs[1], false, &mut |_: &[*mut G]| panic!("overflow"));
            q.put(gs[2], true, &mut |_: &[*mut G]| panic!("overflow"));
            let mut taken: Vec<i64> = q
                .get()
                .map(|(g, _)| unsafe { (*g).goid })
                .into_iter()
                .collect();
            taken.extend(thief.join().unwrap());
            while let Some((g, _)) = q.get() {
                taken.push(unsafe { (*g).goid });
            }
            taken.sort();
            assert_eq!(taken, std::vec![1, 2, 3]);
        });
    }

    /// Two thieves race each other and the owner's get.
    #[test]
    fn two_thieves_and_owner() {
        loom::model(|| {
            let q = Arc::new(RunQueue::new());
            let gs = [g(1), g(2), g(3)];
            for &x in &gs {
                q.put(x, false, &mut |_: &[*mut G]| panic!("overflow"));
            }
            let thieves: Vec<_> = (0..2)
                .map(|_| {
                    let q = q.clone();
                    loom::thread::spawn(move || {
                        let mut b = [null_mut(); RUNQ_SIZE / 2];
                        let n = q.grab(&mut b, false);
                        ids(&b[..n])
                    })
                })
                .collect();
            let mut taken: Vec<i64> = q
                .get()
                .map(|(g, _)| unsafe { (*g).goid })
                .into_iter()
                .collect();
            for t in thieves {
                taken.extend(t.join().unwrap());
            }
            while let Some((g, _)) = q.get() {
                taken.push(unsafe { (*g).goid });
            }
            taken.sort();
            assert_eq!(taken, std::vec![1, 2, 3]);
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::runtime2::G;
    use std::boxed::Box;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use std::vec::Vec;

    fn gs(n: usize) -> Vec<*mut G> {
        (0..n)
            .map(|i| {
                let mut g = Box::new(G::new());
                g.goid = i as i64;
                Box::into_raw(g)
            })
            .collect()
    }

    fn id(g: *mut G) -> i64 {
        unsafe { (*g).goid }
    }

    #[test]
    fn fifo_with_runnext_first() {
        let q = RunQueue::new();
        let g = gs(4);
        q.put(g[0], false, &mut |_: &[*mut G]| panic!());
        q.put(g[1], false, &mut |_: &[*mut G]| panic!());
        q.put(g[2], true, &mut |_: &[*mut G]| panic!());
        q.put(g[3], true, &mut |_: &[*mut G]| panic!()); // displaces g2 to the tail
        let order: Vec<(i64, bool)> = core::iter::from_fn(|| q.get())
            .map(|(g, inh)| (id(g), inh))
            .collect();
        assert_eq!(
            order,
            std::vec![(3, true), (0, false), (1, false), (2, false)]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn overflow_moves_half_plus_one() {
        let q = RunQueue::new();
        let g = gs(RUNQ_SIZE + 1);
        for &x in &g[..RUNQ_SIZE] {
            q.put(x, false, &mut |_: &[*mut G]| panic!("not full yet"));
        }
        let mut moved = Vec::new();
        q.put(g[RUNQ_SIZE], false, &mut |b: &[*mut G]| {
            moved.extend(b.iter().map(|&x| id(x)))
        });
        let want: Vec<i64> = (0..128).chain([256]).collect();
        assert_eq!(moved, want);
        assert_eq!(q.len(), 128);
        assert_eq!(id(q.get().unwrap().0), 128);
    }

    #[test]
    fn grab_takes_half_rounded_up_then_runnext() {
        let q = RunQueue::new();
        let g = gs(6);
        for &x in &g[..5] {
            q.put(x, false, &mut |_: &[*mut G]| panic!());
        }
        q.put(g[5], true, &mut |_: &[*mut G]| panic!());
        let mut b = [null_mut(); RUNQ_SIZE / 2];
        assert_eq!(q.grab(&mut b, false), 3);
        assert_eq!((id(b[0]), id(b[1]), id(b[2])), (0, 1, 2));
        assert_eq!(q.grab(&mut b, false), 1);
        assert_eq!(q.grab(&mut b, false), 1);
        assert_eq!(q.grab(&mut b, false), 0, "runnext only when asked");
        assert_eq!(q.grab(&mut b, true), 1);
        assert_eq!(id(b[0]), 5);
        assert!(q.is_empty());
    }

    /// The owner puts and gets while two thieves grab: every G is taken
    /// exactly once.
    #[test]
    fn concurrent_owner_and_thieves_take_each_g_once() {
        const N: usize = 200_000;
        let all = gs(N);
        let seen: Arc<Vec<AtomicUsize>> = Arc::new((0..N).map(|_| AtomicUsize::new(0)).collect());
        let q = Arc::new(RunQueue::new());
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let (q, seen, done) = (q.clone(), seen.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut b = [null_mut(); RUNQ_SIZE / 2];
                    while !done.load(Ordering::Acquire) || !q.is_empty() {
                        let n = q.grab(&mut b, true);
                        for &g in &b[..n] {
                            seen[id(g) as usize].fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        let mut spilled = 0;
        for (i, &g) in all.iter().enumerate() {
            q.put(g, i % 7 == 0, &mut |b: &[*mut G]| {
                for &x in b {
                    seen[id(x) as usize].fetch_add(1, Ordering::Relaxed);
                    spilled += 1;
                }
            });
            if i % 3 == 0 {
                if let Some((g, _)) = q.get() {
                    seen[id(g) as usize].fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        done.store(true, Ordering::Release);
        for t in thieves {
            t.join().unwrap();
        }
        let _ = spilled;
        for (i, c) in seen.iter().enumerate() {
            assert_eq!(c.load(Ordering::Relaxed), 1, "G {i}");
        }
    }
}
