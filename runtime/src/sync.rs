//! `sync.Mutex`, `sync.WaitGroup` and `sync.Once` for goroutines: they
//! park goroutines, not threads.
//!
//! `Mutex` is Go's: a state word (locked, woken, starving bits, and the
//! number of waiters) and a semaphore. Lock spins briefly while the holder
//! is likely running on another CPU, then queues on the semaphore. A
//! waiter that has waited over 1 ms switches the mutex to starvation mode:
//! unlock then hands it directly to the first waiter, and newcomers queue
//! at the tail instead of barging in, so no goroutine waits forever.

use crate::runtime2::WaitReason;
use crate::sema::{semacquire, semrelease};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

const LOCKED: u32 = 1;
const WOKEN: u32 = 2;
const STARVING: u32 = 4;
const WAITER_SHIFT: u32 = 3;
const STARVATION_NS: i64 = 1_000_000;
const SPIN_ROUNDS: u32 = 4;

/// Go's `sync.Mutex`. Zeroed means unlocked (the C `rt_mutex` layout).
#[repr(C)]
pub struct RawGoMutex {
    state: AtomicU32,
    sema: AtomicU32,
}

impl Default for RawGoMutex {
    fn default() -> Self {
        Self::new()
    }
}

impl RawGoMutex {
    pub const fn new() -> RawGoMutex {
        RawGoMutex {
            state: AtomicU32::new(0),
            sema: AtomicU32::new(0),
        }
    }

    pub fn lock(&self) {
        let _rt = crate::preempt::enter();
        if self
            .state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        self.lock_slow();
    }

    pub fn try_lock(&self) -> bool {
        let _rt = crate::preempt::enter();
        self.state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[cold]
    fn lock_slow(&self) {
        let mut wait_start = 0i64;
        let mut starving = false;
        let mut awoke = false;
        let mut iter = 0;
        let mut old = self.state.load(Ordering::Relaxed);
        loop {
            // Spin while locked (not starving) and spinning can pay off.
            if old & (LOCKED | STARVING) == LOCKED && iter < SPIN_ROUNDS && crate::os::linux::ncpu() > 1
            {
                if !awoke
                    && old & WOKEN == 0
                    && old >> WAITER_SHIFT != 0
                    && self
                        .state
                        .compare_exchange(old, old | WOKEN, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    awoke = true;
                }
                for _ in 0..30 {
                    core::hint::spin_loop();
                }
                iter += 1;
                old = self.state.load(Ordering::Relaxed);
                continue;
            }
            let mut new = old;
            if old & STARVING == 0 {
                new |= LOCKED;
            }
            if old & (LOCKED | STARVING) != 0 {
                new += 1 << WAITER_SHIFT;
            }
            if starving && old & LOCKED != 0 {
                new |= STARVING;
            }
            if awoke {
                new &= !WOKEN;
            }
            if self
                .state
                .compare_exchange(old, new, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                if old & (LOCKED | STARVING) == 0 {
                    return;
                }
                let lifo = wait_start != 0;
                if wait_start == 0 {
                    wait_start = crate::time::nanotime();
                }
                semacquire(&self.sema, lifo, WaitReason::SyncMutexLock);
                starving = starving || crate::time::nanotime() - wait_start > STARVATION_NS;
                old = self.state.load(Ordering::Relaxed);
                if old & STARVING != 0 {
                    // Handed to us directly: take it and maybe leave
                    // starvation mode.
                    let mut delta = LOCKED.wrapping_sub(1 << WAITER_SHIFT);
                    if !starving || old >> WAITER_SHIFT == 1 {
                        delta = delta.wrapping_sub(STARVING);
                    }
                    self.state.fetch_add(delta, Ordering::Acquire);
                    return;
                }
                awoke = true;
                iter = 0;
            } else {
                old = self.state.load(Ordering::Relaxed);
            }
        }
    }

    pub fn unlock(&self) {
        let _rt = crate::preempt::enter();
        let new = self
            .state
            .fetch_sub(LOCKED, Ordering::Release)
            .wrapping_sub(LOCKED);
        if new != 0 {
            self.unlock_slow(new);
        }
    }

    #[cold]
    fn unlock_slow(&self, new: u32) {
        if new.wrapping_add(LOCKED) & LOCKED == 0 {
            crate::panic::throw("sync: unlock of unlocked mutex");
        }
        if new & STARVING == 0 {
            let mut old = new;
            loop {
                if old >> WAITER_SHIFT == 0 || old & (LOCKED | WOKEN | STARVING) != 0 {
                    return;
                }
                let n = (old - (1 << WAITER_SHIFT)) | WOKEN;
                if self
                    .state
                    .compare_exchange(old, n, Ordering::Release, Ordering::Relaxed)
                    .is_ok()
                {
                    semrelease(&self.sema);
                    return;
                }
                old = self.state.load(Ordering::Relaxed);
            }
        } else {
            // Starvation mode: ownership goes to the first waiter; let it
            // run now.
            semrelease(&self.sema);
            crate::sched::gosched();
        }
    }
}

impl crate::lock::RawLock for RawGoMutex {
    fn lock(&self) {
        RawGoMutex::lock(self)
    }
    /// # Safety
    /// As for `RawLock::unlock`: the mutex is held (unlocking an unlocked
    /// one is a fatal error here, not undefined behaviour).
    unsafe fn unlock(&self) {
        RawGoMutex::unlock(self)
    }
}

/// Go's `sync.WaitGroup`: `state` holds the counter (high 32 bits) and the
/// number of waiters (low 32). Zeroed means ready (the C `rt_waitgroup`).
#[repr(C)]
pub struct RawWaitGroup {
    state: AtomicU64,
    sema: AtomicU32,
}

impl Default for RawWaitGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl RawWaitGroup {
    pub const fn new() -> RawWaitGroup {
        RawWaitGroup {
            state: AtomicU64::new(0),
            sema: AtomicU32::new(0),
        }
    }

    /// Adds `delta` (may be negative) to the counter; at zero, releases
    /// every waiter. A negative counter panics as in Go.
    pub fn add(&self, delta: i64) {
        let _rt = crate::preempt::enter();
        let state = self
            .state
            .fetch_add((delta as u64) << 32, Ordering::AcqRel)
            .wrapping_add((delta as u64) << 32);
        let v = (state >> 32) as i32;
        let w = state as u32;
        if v < 0 {
            crate::panic::gopanic(b"sync: negative WaitGroup counter");
        }
        if w != 0 && delta > 0 && v as i64 == delta {
            crate::panic::gopanic(b"sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if v > 0 || w == 0 {
            return;
        }
        // Counter is 0 with waiters: reset and wake them all.
        self.state.store(0, Ordering::Release);
        for _ in 0..w {
            semrelease(&self.sema);
        }
    }

    pub fn done(&self) {
        let _rt = crate::preempt::enter();
        self.add(-1)
    }

    /// Waits until the counter is zero.
    pub fn wait(&self) {
        let _rt = crate::preempt::enter();
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state >> 32 == 0 {
                return;
            }
            match self
                .state
                .compare_exchange(state, state + 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    semacquire(&self.sema, false, WaitReason::SyncWaitGroupWait);
                    return;
                }
                Err(s) => state = s,
            }
        }
    }
}

/// Go's `sync.Once`.
pub struct RawOnce {
    done: AtomicU32,
    m: RawGoMutex,
}

impl Default for RawOnce {
    fn default() -> Self {
        Self::new()
    }
}

impl RawOnce {
    pub const fn new() -> RawOnce {
        RawOnce {
            done: AtomicU32::new(0),
            m: RawGoMutex::new(),
        }
    }

    /// Runs `f` if no call has run it yet; every caller returns after it
    /// has finished.
    pub fn call(&self, f: impl FnOnce()) {
        let _rt = crate::preempt::enter();
        if self.done.load(Ordering::Acquire) != 0 {
            return;
        }
        self.m.lock();
        if self.done.load(Ordering::Relaxed) == 0 {
            f();
            self.done.store(1, Ordering::Release);
        }
        self.m.unlock();
    }
}
