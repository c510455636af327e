//! Time: sleeping and timers (Go's `time.go`).
//!
//! Timers live in per-P min-heaps ordered by deadline (`timers`). A timer
//! either readies a sleeping goroutine or sends the time on a channel
//! (`after`, `tick`). The scheduler runs due timers (`checktimers`) each
//! time it looks for work. An M with nothing to run sleeps on its futex
//! until the earliest deadline, never polling; adding an earlier timer
//! pokes it (or wakes an M, if none sleeps on timers). Pending timers count
//! as a way to make progress for deadlock detection, as in Go. The clock is
//! `os::nanotime`.

use crate::chan::{self, Hchan};
pub use crate::os::nanotime;
use crate::runtime2::{allp, getg, getm, gomaxprocs, G, P};
use crate::sched;
pub use crate::timers::Timer;
use alloc::boxed::Box;
use core::sync::atomic::{AtomicI64, Ordering};

/// Timers in all heaps: lets the scheduler skip the per-P scan (one load
/// per scheduling round) when a program has none.
static NTIMERS: AtomicI64 = AtomicI64::new(0);

/// Adds `t` to the current P's heap (or P0's, from an M without a P) and
/// makes sure some M will wake for it.
///
/// # Safety
/// `t` stays valid until it fires or, if `owned`, is freed by the heap.
pub unsafe fn addtimer(t: *mut Timer) {
    let mp = getm();
    let pp = if (*mp).p.is_null() {
        allp(0)
    } else {
        (*mp).p
    };
    // Read before publishing: once in the heap, `t` may fire (and a sleep
    // timer's goroutine run on) at any moment.
    let when = (*t).when;
    push_locked(pp, t);
    sched::wake_for_timer(when);
}

/// Pushes `t` on `pp`'s heap under its lock and publishes the new earliest
/// deadline. `timer0` is stored (SeqCst) before the caller looks for a
/// timer-watching M (`wake_for_timer`): see the handshake there.
unsafe fn push_locked(pp: *mut P, t: *mut Timer) {
    let mut h = (*pp).timers.heap.lock();
    h.push(t);
    NTIMERS.fetch_add(1, Ordering::SeqCst);
    (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst);
}

/// Runs the due timers of `pp`; returns how many fired.
unsafe fn runtimers(pp: *mut P, now: i64) -> usize {
    let t0 = (*pp).timers.timer0.load(Ordering::SeqCst);
    if t0 == 0 || t0 > now {
        return 0;
    }
    let mut fired = 0;
    loop {
        let t = {
            let mut h = (*pp).timers.heap.lock();
            let t = h.pop_due(now);
            (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst);
            t
        };
        let Some(t) = t else { return fired };
        NTIMERS.fetch_sub(1, Ordering::SeqCst);
        if (*t).deleted.load(Ordering::Acquire) {
            if (*t).owned {
                drop(Box::from_raw(t));
            }
            continue;
        }
        fired += 1;
        crate::chaos::point(crate::chaos::Site::RunTimer);
        // A sleep timer lives in `sleep`'s frame on its goroutine's stack:
        // once `f` has readied the goroutine another M may run it, return
        // from `sleep` and reuse that memory. So everything needed after
        // the call is read before it, and a timer that is neither periodic
        // nor owned (every sleep timer) is not touched after `f`.
        let (f, arg, period, owned) = ((*t).f, (*t).arg, (*t).period, (*t).owned);
        f(arg, now);
        if period > 0 {
            // Catch up past now without firing for every missed period.
            // Periodic timers are heap-owned and only freed by the heap,
            // so `t` is still ours.
            (*t).when += period * ((now - (*t).when) / period + 1);
            push_locked(pp, t);
        } else if owned {
            drop(Box::from_raw(t));
        }
    }
}

/// Runs due timers on every P (the scheduler calls this when it looks for
/// work). Returns how many fired.
pub fn checktimers() -> usize {
    if NTIMERS.load(Ordering::Relaxed) == 0 {
        return 0;
    }
    let n = gomaxprocs();
    let mut now = 0;
    let mut fired = 0;
    for i in 0..n {
        let pp = allp(i);
        // SAFETY: Ps are never freed.
        let t0 = unsafe { (*pp).timers.timer0.load(Ordering::Relaxed) };
        if t0 == 0 {
            continue;
        }
        if now == 0 {
            now = nanotime();
        }
        if t0 <= now {
            // SAFETY: as above; the heap is locked inside.
            fired += unsafe { runtimers(pp, now) };
        }
    }
    fired
}

/// The earliest deadline over all Ps, 0 if none.
pub fn next_deadline() -> i64 {
    if NTIMERS.load(Ordering::SeqCst) == 0 {
        return 0;
    }
    let mut best = 0i64;
    for i in 0..gomaxprocs() {
        // SAFETY: Ps are never freed.
        let t0 = unsafe { (*allp(i)).timers.timer0.load(Ordering::SeqCst) };
        if t0 != 0 && (best == 0 || t0 < best) {
            best = t0;
        }
    }
    best
}

/// `next_deadline`, with "no timer" as `i64::MAX`.
pub fn next_deadline_or_max() -> i64 {
    match next_deadline() {
        0 => i64::MAX,
        d => d,
    }
}

/// Moves every timer of a P being destroyed to `to`.
///
/// # Safety
/// With the world stopped.
pub unsafe fn move_timers(from: *mut P, to: *mut P) {
    let mut src = (*from).timers.heap.lock();
    let mut dst = (*to).timers.heap.lock();
    while let Some(t) = src.pop() {
        dst.push(t);
    }
    (*from).timers.timer0.store(0, Ordering::SeqCst);
    (*to).timers.timer0.store(dst.earliest(), Ordering::SeqCst);
}

unsafe fn add_timer_after_park(_gp: *mut G, t: *mut u8) -> bool {
    addtimer(t as *mut Timer);
    true
}

/// A sleep timer's function: the sleeper wakes up.
unsafe fn goready(arg: *mut u8, _now: i64) {
    sched::ready(arg as *mut G);
}

/// A channel timer's function: the time goes on the channel, unless the
/// previous one has not been received yet (Go's `sendTime`).
unsafe fn send_time(arg: *mut u8, now: i64) {
    chan::chansend(arg as *mut Hchan, &now as *const i64 as *const u8, false);
}

/// `time.Sleep`: parks the goroutine for at least `ns` nanoseconds.
pub fn sleep(ns: i64) {
    if ns <= 0 {
        return;
    }
    let when = nanotime().saturating_add(ns);
    let mut t = Timer::new(when, 0, goready, getg() as *mut u8, false);
    // The timer is armed on g0 after the goroutine has parked, so it
    // cannot fire before there is something to wake.
    // SAFETY: t lives in this frame until the timer readies us.
    unsafe {
        sched::gopark(
            Some(add_timer_after_park),
            &mut t as *mut Timer as *mut u8,
            "sleep",
        )
    };
}

/// A channel (capacity 1, i64 elements) that receives the time once after
/// `ns`, or every `ns` with `periodic`. Returns the channel and the timer
/// (for `stop`).
pub fn timer_chan(ns: i64, periodic: bool) -> (*mut Hchan, *mut Timer) {
    let c = chan::makechan(core::mem::size_of::<i64>(), 1);
    let period = if periodic { core::cmp::max(ns, 1) } else { 0 };
    let when = nanotime().saturating_add(core::cmp::max(ns, 0));
    let t = Box::into_raw(Box::new(Timer::new(when, period, send_time, c as *mut u8, true)));
    // SAFETY: an owned timer; the heap frees it.
    unsafe { addtimer(t) };
    (c, t)
}

/// Stops a timer from `timer_chan`: it will not fire again.
///
/// # Safety
/// `t` came from `timer_chan`, is periodic (a one-shot timer may already be
/// freed) and has not been stopped before.
pub unsafe fn stop(t: *mut Timer) {
    (*t).deleted.store(true, Ordering::Release);
}
