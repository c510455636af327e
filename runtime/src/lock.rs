//! Runtime locks and notes on futexes (Go's `lock_futex.go`).
//!
//! `Mutex<T>` is Go's runtime mutex with the data it guards: one u32 key,
//! 0 unlocked, 1 locked, 2 locked with sleepers. `lock` swaps in 1; when
//! that fails it spins a little (only with more than one CPU), yields once,
//! then swaps in 2 and sleeps on the futex. `unlock` swaps in 0 and wakes
//! one sleeper only if the old value was 2, so an uncontended lock/unlock is
//! two atomic operations and no system call. It blocks the *thread*; a lock
//! that goroutines wait on belongs to a higher layer (semaphores).
//!
//! `Note` is a one-shot event for parking an M: `sleep` blocks until
//! `wakeup`, `clear` rearms it. Its store-then-load handshake is the
//! futex itself: the waker's `fetch_or` (Release) of the wake bit and then
//! `futex_wake`, against the sleeper's Acquire load and `futex_wait(v)`,
//! which the kernel makes atomic with its own check that the word still
//! holds `v`: either the sleeper sees the bit, or the kernel sees the
//! changed word and returns at once, or the wake finds it asleep. What
//! the waker wrote before `wakeup` (an M's `nextp`) is visible after
//! `sleep` returns through that Release/Acquire pair.

use crate::os;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const SLEEPING: u32 = 2;
const ACTIVE_SPIN: u32 = 4;
const ACTIVE_SPIN_CNT: u32 = 30;
const PASSIVE_SPIN: u32 = 1;

/// The runtime's locks, lowest rank first: a thread holding a lock may
/// only take one further down this list (or another of the same rank where
/// that rank nests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Rank {
    /// A channel's `hchan.lock`. Nests: a select locks every channel of its
    /// cases, in address order. Held while queueing a waiter and while
    /// copying; a waiter is readied only after the unlock.
    Hchan,
    /// A semaphore bucket (`sema`). Never nested with a channel lock.
    SemaRoot,
    /// A descriptor's poll state (`netpoll::PollDesc`): its deadlines and
    /// their timers. Held while arming a timer (which takes a timer heap
    /// and may wake an M); a waiter is readied only after the unlock.
    PollDesc,
    /// `sched.lock`: idle Ms and Ps, the global queues. Taken under a
    /// channel or semaphore lock when `ready` overflows a run queue.
    Sched,
    /// A P's timer heap. Nests: `procresize` (holding `sched.lock`) moves
    /// the timers of a dying P into P0's, holding both heaps.
    Timers,
    /// The stack slot cache (`stack`).
    StackSlots,
    /// The allocator's arenas: a leaf, taken under any of the above.
    Malloc,
}

impl Rank {
    const ALL: [Rank; 7] = [
        Rank::Hchan,
        Rank::SemaRoot,
        Rank::PollDesc,
        Rank::Sched,
        Rank::Timers,
        Rank::StackSlots,
        Rank::Malloc,
    ];

    /// Go's name for the rank, in the report (debug builds only).
    #[cfg_attr(not(any(debug_assertions, rt_checked)), allow(dead_code))]
    fn name(self) -> &'static str {
        match self {
            Rank::Hchan => "hchan",
            Rank::SemaRoot => "root",
            Rank::PollDesc => "pollDesc",
            Rank::Sched => "sched",
            Rank::Timers => "timers",
            Rank::StackSlots => "stackpool",
            Rank::Malloc => "mheap",
        }
    }

    fn nests(self) -> bool {
        matches!(self, Rank::Hchan | Rank::Timers)
    }

    /// Where this rank's count lives in a held-lock record: 8 bits for
    /// channel locks (a select may hold 64), 4 for each other rank.
    fn field(self) -> (u32, usize) {
        match self {
            Rank::Hchan => (0, 0xff),
            r => (8 + 4 * (r as u32 - 1), 0xf),
        }
    }

    fn count(self, held: usize) -> usize {
        let (shift, mask) = self.field();
        (held >> shift) & mask
    }
}

/// The held-lock record after taking a lock of rank `r` while holding
/// `held`; `Err` names the highest-ranked lock held that forbids it.
pub fn rank_acquire(held: usize, r: Rank) -> Result<usize, Rank> {
    for q in Rank::ALL.into_iter().rev() {
        let n = q.count(held);
        let forbidden = (q as u8) > (r as u8) || (q == r && !r.nests());
        if n > 0 && forbidden {
            return Err(q);
        }
    }
    let (shift, mask) = r.field();
    if r.count(held) == mask {
        return Err(r);
    }
    Ok(held + (1 << shift))
}

/// The held-lock record after releasing a lock of rank `r`; `None` if the
/// thread held none.
pub fn rank_release(held: usize, r: Rank) -> Option<usize> {
    if r.count(held) == 0 {
        return None;
    }
    Some(held - (1 << r.field().0))
}

/// Checks and records taking a lock of rank `r` on this thread.
#[cfg(any(debug_assertions, rt_checked))]
fn lockrank_acquire(r: Rank) {
    if !crate::arch::tls_ready() {
        return;
    }
    let t = crate::arch::tcb();
    // SAFETY: with the thread pointer set, `t` is this thread's Tcb, and
    // `held` is touched only by its own thread.
    let held = unsafe { (*t).held };
    match rank_acquire(held, r) {
        // SAFETY: as above.
        Ok(h) => unsafe { (*t).held = h },
        Err(q) => crate::panic::throw_with(
            &|l| {
                l.s("lock ordering problem: taking ")
                    .s(r.name())
                    .s(" while holding ")
                    .s(q.name());
            },
            "lock ordering problem",
        ),
    }
}

/// Records releasing a lock of rank `r` on this thread.
#[cfg(any(debug_assertions, rt_checked))]
fn lockrank_release(r: Rank) {
    if !crate::arch::tls_ready() {
        return;
    }
    let t = crate::arch::tcb();
    // SAFETY: as in `lockrank_acquire`.
    unsafe {
        match rank_release((*t).held, r) {
            Some(h) => (*t).held = h,
            None => crate::panic::throw("lock count underflow"),
        }
    }
}

/// The lock alone, locked and unlocked by hand: for state that is
/// unlocked by someone else than the locker's stack frame (a channel's lock
/// is released by `park_m` on g0 after its goroutine has parked — on the
/// same thread, which the rank record relies on).
pub struct RawMutex {
    key: AtomicU32,
    #[cfg(any(debug_assertions, rt_checked))]
    rank: Rank,
}

impl RawMutex {
    #[cfg_attr(not(any(debug_assertions, rt_checked)), allow(unused_variables))]
    pub const fn new(rank: Rank) -> RawMutex {
        RawMutex {
            key: AtomicU32::new(UNLOCKED),
            #[cfg(any(debug_assertions, rt_checked))]
            rank,
        }
    }

    pub fn lock(&self) {
        #[cfg(any(debug_assertions, rt_checked))]
        lockrank_acquire(self.rank);
        count_locks(1);
        let v = self.key.swap(LOCKED, Ordering::Acquire);
        if v != UNLOCKED {
            lock_slow(&self.key, v);
        }
    }

    /// # Safety
    /// The lock must be held by this thread (or by a goroutine that locked
    /// it and parked on this thread).
    pub unsafe fn unlock(&self) {
        // Read before the unlock: the next holder may free the lock (a
        // channel's last handle) as soon as it is released.
        #[cfg(any(debug_assertions, rt_checked))]
        let rank = self.rank;
        unlock(&self.key);
        #[cfg(any(debug_assertions, rt_checked))]
        lockrank_release(rank);
        count_locks(usize::MAX);
    }
}

/// Adds `delta` (wrapping: `usize::MAX` is -1) to the calling thread's
/// count of held locks (`Tcb::locks`).
#[inline(always)]
fn count_locks(delta: usize) {
    if crate::arch::tls_ready() {
        let t = crate::arch::tcb();
        // SAFETY: with the thread pointer set, t is this thread's Tcb;
        // `locks` is written by its own thread only (and read by its own
        // signal handler).
        unsafe { (*t).locks = (*t).locks.wrapping_add(delta) };
    }
}

fn unlock(key: &AtomicU32) {
    let v = key.swap(UNLOCKED, Ordering::Release);
    if v == UNLOCKED {
        crate::panic::throw("unlock of unlocked lock");
    }
    if v == SLEEPING {
        let _ = os::futex_wake(key, 1);
    }
}

/// What a guard needs from a lock; implemented by the thread lock here and
/// by the goroutine mutex in `sync`, so both wrap their data the same way.
pub trait RawLock {
    fn lock(&self);
    /// # Safety
    /// The lock is held.
    unsafe fn unlock(&self);
}

impl RawLock for RawMutex {
    fn lock(&self) {
        RawMutex::lock(self)
    }
    unsafe fn unlock(&self) {
        // SAFETY: the lock is held (this trait method's contract).
        unsafe { RawMutex::unlock(self) }
    }
}

/// Data behind a lock `L`: reachable only through a `Guard`.
pub struct Locked<L, T> {
    raw: L,
    data: UnsafeCell<T>,
}

// SAFETY: access to data is serialised by the lock.
unsafe impl<L: Sync, T: Send> Sync for Locked<L, T> {}
// SAFETY: as above.
unsafe impl<L: Send, T: Send> Send for Locked<L, T> {}

/// Proof that the lock is held; unlocks on drop.
pub struct Guard<'a, L: RawLock, T> {
    m: &'a Locked<L, T>,
}

impl<L: RawLock, T> Locked<L, T> {
    pub const fn with(raw: L, v: T) -> Self {
        Locked {
            raw,
            data: UnsafeCell::new(v),
        }
    }

    pub fn lock(&self) -> Guard<'_, L, T> {
        self.raw.lock();
        Guard { m: self }
    }

    /// A guard for a lock the caller has just taken through `raw()`.
    ///
    /// # Safety
    /// The lock is held and no other guard exists.
    pub unsafe fn guard_locked(&self) -> Guard<'_, L, T> {
        Guard { m: self }
    }

    pub fn raw(&self) -> &L {
        &self.raw
    }

    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<L: RawLock, T> Drop for Guard<'_, L, T> {
    fn drop(&mut self) {
        // SAFETY: the guard proves the lock is held.
        unsafe { self.m.raw.unlock() }
    }
}

impl<L: RawLock, T> Deref for Guard<'_, L, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard proves the lock is held.
        unsafe { &*self.m.data.get() }
    }
}

impl<L: RawLock, T> DerefMut for Guard<'_, L, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard proves the lock is held, exclusively.
        unsafe { &mut *self.m.data.get() }
    }
}

/// A futex-based thread lock around a `T`.
pub type Mutex<T> = Locked<RawMutex, T>;
pub type MutexGuard<'a, T> = Guard<'a, RawMutex, T>;

impl<T> Locked<RawMutex, T> {
    pub const fn new(rank: Rank, v: T) -> Self {
        Locked::with(RawMutex::new(rank), v)
    }
}

/// The contended path of `Mutex::lock` (not generic, so one copy).
#[cold]
#[inline(never)]
fn lock_slow(key: &AtomicU32, mut wait: u32) {
    // wait is what we must put back if we take the lock: a sleeper may
    // already be registered (2), and taking the lock with 1 would lose
    // its wakeup.
    let spin = if crate::os::linux::ncpu() > 1 {
        ACTIVE_SPIN
    } else {
        0
    };
    loop {
        for _ in 0..spin {
            while key.load(Ordering::Relaxed) == UNLOCKED {
                if key
                    .compare_exchange(UNLOCKED, wait, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
            }
            for _ in 0..ACTIVE_SPIN_CNT {
                core::hint::spin_loop();
            }
        }
        for _ in 0..PASSIVE_SPIN {
            while key.load(Ordering::Relaxed) == UNLOCKED {
                if key
                    .compare_exchange(UNLOCKED, wait, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
            }
            os::sched_yield();
        }
        let v = key.swap(SLEEPING, Ordering::Acquire);
        if v == UNLOCKED {
            return;
        }
        wait = SLEEPING;
        // EINTR or a changed value just means: look again.
        let _ = os::futex_wait(key, SLEEPING, -1);
    }
}

/// A one-shot sleep/wakeup event for Ms.
pub struct Note {
    key: AtomicU32,
}

impl Note {
    pub const fn new() -> Note {
        Note {
            key: AtomicU32::new(0),
        }
    }

    /// Rearms the note. Only when no one sleeps on it.
    pub fn clear(&self) {
        self.key.store(0, Ordering::Relaxed);
    }

    /// Wakes the sleeper (now or when it comes to sleep). The key's low bit
    /// is the wakeup; the bits above count pokes.
    pub fn wakeup(&self) {
        if self.key.fetch_or(WOKEN, Ordering::Release) & WOKEN != 0 {
            crate::panic::throw("notewakeup - double wakeup");
        }
        let _ = os::futex_wake(&self.key, 1);
    }

    /// Blocks the thread until `wakeup`.
    pub fn sleep(&self) {
        loop {
            let v = self.key.load(Ordering::Acquire);
            if v & WOKEN != 0 {
                return;
            }
            let _ = os::futex_wait(&self.key, v, -1);
        }
    }

    /// The note's state, to pass to `sleep_until` after reading whatever
    /// a `poke` announces: a poke in between makes that sleep return at
    /// once instead of being lost.
    pub fn observe(&self) -> u32 {
        self.key.load(Ordering::Acquire)
    }

    /// Sleeps once: until `wakeup`, a `poke` since `seen` was observed,
    /// `deadline` (monotonic ns), or a spurious wake-up. The caller looks
    /// at its state and decides.
    pub fn sleep_until(&self, seen: u32, deadline: i64) {
        let left = deadline - crate::os::nanotime();
        if left > 0 && seen & WOKEN == 0 {
            let _ = os::futex_wait(&self.key, seen, left);
        }
    }

    /// Interrupts a `sleep_until` without waking the note.
    pub fn poke(&self) {
        self.key.fetch_add(2, Ordering::Release);
        let _ = os::futex_wake(&self.key, 1);
    }

    /// True once woken (without sleeping).
    pub fn is_set(&self) -> bool {
        self.key.load(Ordering::Acquire) & WOKEN != 0
    }
}

/// `Note::key`'s wakeup bit.
const WOKEN: u32 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_order_is_checked() {
        let h = rank_acquire(0, Rank::Hchan).unwrap();
        let h = rank_acquire(h, Rank::Sched).unwrap();
        let h = rank_acquire(h, Rank::Timers).unwrap();
        let h2 = rank_acquire(h, Rank::Timers).unwrap();
        assert_eq!(rank_acquire(h2, Rank::Sched), Err(Rank::Timers));
        assert_eq!(rank_acquire(h2, Rank::Hchan), Err(Rank::Timers));
        let h3 = rank_acquire(h2, Rank::Malloc).unwrap();
        assert_eq!(rank_acquire(h3, Rank::Malloc), Err(Rank::Malloc));
        let h = rank_release(h3, Rank::Malloc).unwrap();
        let h = rank_release(h, Rank::Timers).unwrap();
        let h = rank_release(h, Rank::Timers).unwrap();
        assert_eq!(rank_release(h, Rank::Timers), None);
        let h = rank_release(h, Rank::Sched).unwrap();
        let h = rank_release(h, Rank::Hchan).unwrap();
        assert_eq!(h, 0);
        assert_eq!(
            rank_acquire(0, Rank::Sched).and_then(|h| rank_acquire(h, Rank::SemaRoot)),
            Err(Rank::Sched)
        );
    }

    #[test]
    fn a_select_may_hold_every_channel() {
        let mut h = 0;
        for _ in 0..crate::select::MAX_SELECT_CASES {
            h = rank_acquire(h, Rank::Hchan).unwrap();
        }
        assert_eq!(Rank::Hchan.count(h), crate::select::MAX_SELECT_CASES);
        assert!(rank_acquire(h, Rank::Sched).is_ok());
    }
}
