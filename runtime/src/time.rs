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
use crate::runtime2::{allp, getg, getm, gomaxprocs, WaitReason, G, P};
use crate::sched;
pub use crate::timers::Timer;
use alloc::boxed::Box;
use core::sync::atomic::{AtomicI64, AtomicPtr, Ordering};

/// Timers in all heaps: lets the scheduler skip the per-P scan (one load
/// per scheduling round) when a program has none.
static NTIMERS: AtomicI64 = AtomicI64::new(0);
/// Of those, the ones stopped (`stop`, a moved or cleared deadline) that
/// wait in their heap for their time: swept out once they are a quarter of
/// all (Go's rule), so that a server resetting a long deadline on every
/// request does not grow its heaps without bound.
static NDELETED: AtomicI64 = AtomicI64::new(0);

/// A timer in a heap was just marked `deleted`; many of them are swept
/// out at once, here or when the scheduler next runs timers. The caller
/// holds no timer heap lock.
pub fn timer_deleted() {
    NDELETED.fetch_add(1, Ordering::Relaxed);
    sweep_deleted();
}

/// Takes the deleted timers out of every P's heap (freeing the owned
/// ones) when they are many.
fn sweep_deleted() {
    let d = NDELETED.load(Ordering::Relaxed);
    if d < 64 || d * 4 < NTIMERS.load(Ordering::Relaxed) {
        return;
    }
    for i in 0..gomaxprocs() {
        let pp = allp(i);
        // SAFETY: Ps are never freed; the heap is locked while swept, and
        // its timers are live until they come out (push's promise); an
        // owned timer is a leaked Box that only the heap frees, here once.
        unsafe {
            let mut h = (*pp).timers.heap.lock();
            h.sweep(|t| {
                NTIMERS.fetch_sub(1, Ordering::SeqCst);
                NDELETED.fetch_sub(1, Ordering::Relaxed);
                if (*t).owned {
                    drop(Box::from_raw(t));
                }
            });
            (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst);
        }
    }
}

/// Adds `t` to the current P's heap (or P0's, from an M without a P) and
/// makes sure some M will wake for it.
///
/// # Safety
/// `t` stays valid until it fires or, if `owned`, is freed by the heap.
pub unsafe fn addtimer(t: *mut Timer) {
    if CHECKTIMERS.load(Ordering::Relaxed).is_null() {
        // Opaque to the optimiser, which would otherwise call it directly
        // from the scheduler and link it into every program.
        let f = core::hint::black_box(run_due_timers as fn() -> usize as *mut ());
        CHECKTIMERS.store(f, Ordering::Release);
    }
    let mp = getm();
    // SAFETY: mp is this thread's M (getm), live while the thread runs;
    // only this thread writes its p.
    let pp = unsafe {
        if (*mp).p.is_null() {
            allp(0)
        } else {
            (*mp).p
        }
    };
    // Read before publishing: once in the heap, `t` may fire (and a sleep
    // timer's goroutine run on) at any moment.
    // SAFETY: t is valid (caller) and not yet in a heap, so only we see it.
    let when = unsafe { (*t).when };
    sched::timers_in_use();
    // SAFETY: pp is a P (never freed); t is on no heap and stays valid
    // until it fires or the heap frees it (caller), as push_locked requires.
    unsafe { push_locked(pp, t) };
    sched::wake_for_timer(when);
}

/// Pushes `t` on `pp`'s heap under its lock and publishes the new earliest
/// deadline. `timer0` is stored (SeqCst) before the caller looks for a
/// timer-watching M (`wake_for_timer`): see the handshake there.
///
/// # Safety
/// `pp` is a P (they are never freed); `t` is live, on no heap, and stays
/// live until it comes out of one (`TimerHeap::push`'s terms).
unsafe fn push_locked(pp: *mut P, t: *mut Timer) {
    // SAFETY: pp is a live P (caller); its heap is behind its own lock.
    let mut h = unsafe { (*pp).timers.heap.lock() };
    // SAFETY: t is live, on no heap, and stays live until it comes out
    // (caller), as push requires.
    unsafe { h.push(t) };
    NTIMERS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: pp is a live P (caller).
    unsafe { (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst) };
}

/// Runs the due timers of `pp`; returns how many fired.
///
/// # Safety
/// `pp` is a P (they are never freed).
unsafe fn runtimers(pp: *mut P, now: i64) -> usize {
    // SAFETY: pp is a live P (caller).
    let t0 = unsafe { (*pp).timers.timer0.load(Ordering::SeqCst) };
    if t0 == 0 || t0 > now {
        return 0;
    }
    let mut fired = 0;
    loop {
        // SAFETY: pp is a live P (caller); its heap is locked while we pop,
        // and its timers are live until they come out (push's promise,
        // kept by every pusher), as pop_due requires.
        let t = unsafe {
            let mut h = (*pp).timers.heap.lock();
            let t = h.pop_due(now);
            (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst);
            t
        };
        let Some(t) = t else { return fired };
        NTIMERS.fetch_sub(1, Ordering::SeqCst);
        // SAFETY: t has just come out of the heap, so it is live (push's
        // promise) and only we hold it; an owned timer is a leaked Box
        // (timer_chan) that only the heap frees, here, once.
        unsafe {
            if (*t).deleted.load(Ordering::Acquire) {
                NDELETED.fetch_sub(1, Ordering::Relaxed);
                if (*t).owned {
                    drop(Box::from_raw(t));
                }
                continue;
            }
        }
        fired += 1;
        crate::chaos::point(crate::chaos::Site::RunTimer);
        // A sleep timer lives in `sleep`'s frame on its goroutine's stack:
        // once `f` has readied the goroutine another M may run it, return
        // from `sleep` and reuse that memory. So everything needed after
        // the call is read before it, and a timer that is neither periodic
        // nor owned (every sleep timer) is not touched after `f`.
        // SAFETY: t is out of the heap and not yet fired, so live and ours.
        let (f, arg, seq, period, owned) =
            unsafe { ((*t).f, (*t).arg, (*t).seq, (*t).period, (*t).owned) };
        // SAFETY: f and arg are the pair the timer was made with
        // (Timer::new): goready with the G parked in sleep, or send_time
        // with a timer_chan channel; each pair meets its function's
        // contract.
        unsafe { f(arg, seq, now) };
        if period > 0 {
            // Catch up past now without firing for every missed period.
            // Periodic timers are heap-owned and only freed by the heap,
            // so `t` is still ours.
            // SAFETY: as just said, t is live and ours.
            let when = unsafe {
                (*t).when += period * ((now - (*t).when) / period + 1);
                (*t).when
            };
            // SAFETY: pp is a live P (caller); t is live, on no heap, and
            // only the heap frees it, as push_locked requires.
            unsafe { push_locked(pp, t) };
            // As for any new timer: the watcher may have computed its
            // deadline while this one was out of the heap (timer0 without
            // it) and sleep past it, or forever.
            sched::wake_for_timer(when);
        } else if owned {
            // Stopped while it fired (a deadline moved under its timer):
            // counted as deleted, and never going back to a heap.
            // SAFETY: owned timers are live until freed just below.
            if unsafe { (*t).deleted.load(Ordering::Acquire) } {
                NDELETED.fetch_sub(1, Ordering::Relaxed);
            }
            // SAFETY: an owned timer is a leaked Box (timer_chan) that only
            // the heap frees; this one is out of it and done, freed once.
            drop(unsafe { Box::from_raw(t) });
        }
    }
}

/// `run_due_timers`, once the first timer exists (`addtimer` installs
/// it): a program without timers links none of the code that runs them.
static CHECKTIMERS: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Runs due timers on every P (the scheduler calls this when it looks for
/// work). Returns how many fired.
#[inline]
pub fn checktimers() -> usize {
    let f = CHECKTIMERS.load(Ordering::Acquire);
    if f.is_null() {
        return 0;
    }
    // SAFETY: only `addtimer` stores here, and only `run_due_timers`.
    let f: fn() -> usize = unsafe { core::mem::transmute(f) };
    f()
}

fn run_due_timers() -> usize {
    if NTIMERS.load(Ordering::Relaxed) == 0 {
        return 0;
    }
    sweep_deleted();
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
/// With the world stopped; `from` and `to` are distinct Ps (Ps are never
/// freed).
pub unsafe fn move_timers(from: *mut P, to: *mut P) {
    // SAFETY: from is a live P (caller).
    let mut src = unsafe { (*from).timers.heap.lock() };
    // SAFETY: to is a live P, not from (caller), so this is another lock.
    let mut dst = unsafe { (*to).timers.heap.lock() };
    // SAFETY: src's timers are live until they come out (push's promise);
    // each one popped is on no heap and keeps that promise in dst, as pop
    // and push require.
    unsafe {
        while let Some(t) = src.pop() {
            dst.push(t);
        }
    }
    // SAFETY: from and to are live Ps (caller).
    unsafe {
        (*from).timers.timer0.store(0, Ordering::SeqCst);
        (*to).timers.timer0.store(dst.earliest(), Ordering::SeqCst);
    }
}

/// `sleep`'s unlock function for `gopark`: arms the timer on g0 once the
/// goroutine is parked.
///
/// # Safety
/// `t` is the sleep timer in the parked goroutine's `sleep` frame.
unsafe fn add_timer_after_park(_gp: *mut G, t: *mut u8) -> bool {
    // SAFETY: t is sleep's timer (caller): its frame stays put until the
    // timer readies the goroutine, so t is valid until it fires, as
    // addtimer requires.
    unsafe { addtimer(t as *mut Timer) };
    true
}

/// A sleep timer's function: the sleeper wakes up.
///
/// # Safety
/// `arg` is a goroutine parked in `sleep`, whose timer this is.
unsafe fn goready(arg: *mut u8, _seq: usize, _now: i64) {
    // SAFETY: arg is the G that parked in sleep with gopark (caller), armed
    // only after the park, so it is _Gwaiting; only this timer readies it.
    unsafe { sched::ready(arg as *mut G) };
}

/// A channel timer's function: the time goes on the channel, unless the
/// previous one has not been received yet (Go's `sendTime`).
///
/// # Safety
/// `arg` is the channel of a `timer_chan` timer.
unsafe fn send_time(arg: *mut u8, _seq: usize, now: i64) {
    // SAFETY: arg is a timer_chan channel (caller), never freed (its handles
    // do not free it), so live; it holds i64s, and now is one; a
    // non-blocking send never parks, so g0 may make it.
    unsafe { chan::chansend(arg as *mut Hchan, &now as *const i64 as *const u8, false) };
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
            WaitReason::Sleep,
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
    let t = Box::into_raw(Box::new(Timer::new(
        when,
        period,
        send_time,
        c as *mut u8,
        true,
    )));
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
    // SAFETY: t is a periodic timer_chan timer not stopped before (caller):
    // the heap frees it only after seeing deleted, so it is live.
    unsafe { (*t).deleted.store(true, Ordering::Release) };
    timer_deleted();
}
