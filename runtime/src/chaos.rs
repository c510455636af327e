//! Chaos mode: random yields and short delays at the scheduler's hand-off
//! points, so that races show up in tens of runs instead of thousands.
//!
//! `GODEBUG=schedchaos=N` (N > 0) makes each call of `point` act with
//! probability about 1/N: the thread then yields its CPU (`sched_yield`),
//! spins for up to a few microseconds, or sleeps for up to ~50 µs, chosen
//! by the M's `fastrand`. A race needs one thread to be slow inside a
//! window of a few instructions while another goes through; on an idle
//! machine that alignment is rare, and a yield or a delay placed inside
//! the window makes it common. N = 1 perturbs every point; 10–100 keeps
//! programs fast enough to run many times.
//!
//! The sites are the places where one thread hands a goroutine, a P or a
//! wake-up to another, and where the runtime relies on an ordering rule
//! written next to the code (see `Site`): after `ready` has queued a
//! goroutine (its waker must not touch the goroutine's stack any more),
//! between a park's status change and its unlock function, before a
//! steal, between a timer's removal from the heap and its firing, around
//! stop-the-world, after a channel or select waiter is queued and before
//! it parks, and between a semaphore's increment and its waiter check.
//!
//! When off (the default, or `schedchaos=0`), `point` is one relaxed load
//! of a static and a predicted branch, about three instructions: the rest
//! is out of line and cold. (An unbuffered ping-pong passes six points per
//! round trip: 2% more instructions than without them.)
//! Chaos never changes what a correct program computes, only when things
//! happen; `cargo xtask stress` runs the concurrency tests with it on and
//! off.

use crate::os;
use core::sync::atomic::{AtomicU32, Ordering};

/// 0: chaos off; else the average number of `point` calls per perturbation.
static PERIOD: AtomicU32 = AtomicU32::new(0);

/// Where a chaos point sits, for the reader (and a debugger): each names
/// the window it widens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Site {
    /// `ready`: the G is queued and may already run elsewhere; the waker
    /// goes on (and must not touch the G's stack).
    Ready,
    /// `park_m`: the G is `_Gwaiting` but its unlock function has not run,
    /// so the lock that its waker needs is still held.
    ParkCommit,
    /// `runqsteal`: just before taking half of another P's queue, while
    /// its owner may be putting or getting.
    Steal,
    /// `findrunnable`: the P is on the idle list and the M has not yet
    /// stopped spinning nor rechecked the run queues.
    Idle,
    /// `runtimers`: a due timer is off the heap and not yet fired.
    RunTimer,
    /// `stop_the_world`, `gcstopm`, `start_the_world`: the stopper waits,
    /// a P stops, the world restarts.
    StopTheWorld,
    /// `chansend`/`chanrecv`: the sudog is on the channel's queue and the
    /// goroutine is about to park.
    ChanPark,
    /// `selectgo`: every case's sudog is queued, before the park.
    SelectPark,
    /// `semrelease`: the count is incremented, `nwait` not yet read.
    SemRelease,
}

/// Turns chaos on with one perturbation per `n` points on average (`n` ≤ 0:
/// off). Called once during boot, from GODEBUG.
pub fn init(n: i32) {
    PERIOD.store(if n > 0 { n as u32 } else { 0 }, Ordering::Relaxed);
}

/// Whether chaos mode is on.
pub fn enabled() -> bool {
    PERIOD.load(Ordering::Relaxed) != 0
}

/// A chaos point at `site`: nothing when chaos is off; else, now and then,
/// a yield or a short delay of the calling thread.
#[inline(always)]
pub fn point(site: Site) {
    let n = PERIOD.load(Ordering::Relaxed);
    if n != 0 {
        perturb(site, n);
    }
}

/// The out-of-line part of `point`.
#[cold]
#[inline(never)]
fn perturb(_site: Site, n: u32) {
    if !crate::proc::tls_ready() {
        return;
    }
    let mp = crate::runtime2::getm();
    if mp.is_null() {
        return;
    }
    // SAFETY: `mp` is the calling thread's own M; only this thread touches
    // its `fastrand` state.
    let r = unsafe { crate::runtime2::M::fastrand(mp) };
    if r % n != 0 {
        return;
    }
    let r = r / n;
    match r % 4 {
        0 | 1 => os::sched_yield(),
        2 => {
            // Up to ~4096 pause instructions: a few microseconds natively,
            // longer under emulation.
            for _ in 0..(r >> 2) % 4096 {
                core::hint::spin_loop();
            }
        }
        _ => os::usleep_ns(1_000 + ((r >> 2) % 50_000) as i64),
    }
}
