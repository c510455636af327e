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

/// The lock alone, locked and unlocked by hand: for state that is
/// unlocked by someone else than the locker's stack frame (a channel's lock
/// is released by `park_m` on g0 after its goroutine has parked).
pub struct RawMutex {
    key: AtomicU32,
}

impl Default for RawMutex {
    fn default() -> Self {
        Self::new()
    }
}

impl RawMutex {
    pub const fn new() -> RawMutex {
        RawMutex {
            key: AtomicU32::new(UNLOCKED),
        }
    }

    pub fn lock(&self) {
        let v = self.key.swap(LOCKED, Ordering::Acquire);
        if v != UNLOCKED {
            lock_slow(&self.key, v);
        }
    }

    /// # Safety
    /// The lock must be held (by this thread or on behalf of a goroutine
    /// that locked it).
    pub unsafe fn unlock(&self) {
        unlock(&self.key)
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
        RawMutex::unlock(self)
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
    pub const fn new(v: T) -> Self {
        Locked::with(RawMutex::new(), v)
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
