//! sysmon (Go's `sysmon` and `retake` in `proc.go`): an M without a P,
//! started by `runtime.main` in every program, as in Go.
//!
//! It sleeps 20 µs at a time, doubling the sleep after 50 rounds in which
//! it had nothing to do, up to 10 ms. Each round it takes back Ps that
//! have sat in one system call for a whole round (`retake`) and hands them
//! to other Ms (`handoffp`), polls the network if nobody has for 10 ms,
//! wakes an M for a timer that is overdue while a P sits idle (or, with
//! every P busy for over a millisecond past the deadline, preempts the
//! longest-running goroutine so that its P runs the timer), and prints
//! `GODEBUG=schedtrace` reports when asked. When every P is idle it parks on `sched.sysmonnote` until the
//! next timer (at most 60 s, Go's `forcegcperiod / 2`) or until a
//! goroutine enters a system call or the world restarts. It also asks a
//! goroutine that has run for 10 ms without a pause to yield (the
//! `_Prunning` case in `retake`; see `preempt`).
//!
//! sysmon is counted in `sched.nmsys`, so deadlock detection ignores it.

use super::*;
use crate::proc;
use crate::runtime2::SysmonTick;

/// sysmon's longest sleep between rounds (Go: 10 ms).
const MAX_DELAY_US: i64 = 10_000;
/// sysmon's longest sleep while a goroutine runs and preemption is
/// installed: a slice is timed from the round that first sees it, so this
/// bounds how late past its 10 ms a spinner is preempted (Go lets the
/// sleep grow to 10 ms here too, and preempts up to 10 ms late).
const RUNNING_DELAY_US: i64 = 1_000;
/// A P in a system call with nothing queued is left alone this long while
/// other Ms could take new work (Go: 10 ms).
const SYSCALL_GRACE_NS: i64 = 10_000_000;
/// sysmon polls the network when nobody has for this long (Go: 10 ms).
const POLL_PERIOD_NS: i64 = 10_000_000;
/// How long a due timer may wait for a busy P to schedule before sysmon
/// preempts one for it: a P that schedules at all runs its timers sooner.
const TIMER_GRACE_NS: i64 = 1_000_000;
/// sysmon's longest park when everything is idle (Go: forcegcperiod / 2).
const MAX_PARK_NS: i64 = 60_000_000_000;

/// Starts sysmon (from runtime.main).
pub fn start_sysmon() {
    let id = {
        let mut s = SCHED.lock.lock();
        s.nmsys += 1;
        mreserveid(&mut s)
    };
    // SAFETY: a new M with no P runs `sysmon` instead of the scheduler;
    // id was just reserved.
    unsafe { newm(null_mut(), false, id, Some(sysmon)) };
}

fn sysmon() -> ! {
    let trace_ns = proc::debug().schedtrace as i64 * 1_000_000;
    let detail = proc::debug().scheddetail > 0;
    let mut lasttrace = 0i64;
    let mut idle = 0u32;
    let mut delay = 0i64;
    // When the earliest running slice ends (`retake`), as of `now`.
    let (mut slice_end, mut now) = (i64::MAX, 0i64);
    loop {
        if idle == 0 {
            delay = 20;
        } else if idle > 50 {
            delay *= 2;
        }
        delay = delay.min(MAX_DELAY_US);
        if slice_end != i64::MAX {
            // Wake when the earliest slice ends, and soon enough to time
            // the next one well.
            delay = delay.min(RUNNING_DELAY_US).min(((slice_end - now) / 1000).max(20));
        }
        os::usleep_ns(delay * 1000);
        if trace_ns <= 0 && everything_idle() && park() {
            idle = 0;
        }
        now = os::nanotime();
        let retaken;
        (retaken, slice_end) = retake(now);
        let mut busy = retaken != 0;
        // Poll the network if nobody has for 10 ms (`poll_overdue`).
        if let Some(poller) = crate::netpoll::poller() {
            busy |= (poller.sysmon)(now);
        }
        // A timer overdue and a P idle: the timer watcher is late (it may
        // be running a goroutine); start an M for it (Go's sysmon does
        // the same). With every P busy, the timer waits for a P to
        // schedule: if none has for a while, ask the one that has run its
        // goroutine longest to (Go waits for that goroutine's 10 ms slice,
        // so a ticker at GOMAXPROCS=1 beside a spinner ran up to a slice
        // and a round late; now at most `TIMER_GRACE_NS` and a round).
        let next = crate::time::next_deadline();
        if next != 0 && next < now {
            if SCHED.npidle.load(Ordering::SeqCst) > 0 {
                wakep();
            } else if now - next > TIMER_GRACE_NS {
                if let Some(h) = crate::preempt::hooks() {
                    (h.preemptlongest)();
                }
            }
        }
        if busy {
            idle = 0;
        } else {
            idle += 1;
        }
        if trace_ns > 0 && lasttrace + trace_ns <= now {
            lasttrace = now;
            crate::trace::schedtrace(detail);
        }
    }
}

/// sysmon's poll of the network (`netpoll::Poller::sysmon`): if nobody
/// has polled for 10 ms (every running P is busy), what is ready goes to
/// idle Ps or the global queue. True if it found something.
pub(crate) fn poll_overdue(now: i64) -> bool {
    if !crate::netpoll::overdue(now, POLL_PERIOD_NS) {
        return false;
    }
    // Goroutines taken out of the poller are still `_Gwaiting` until they
    // are queued, and no longer counted as waiters: while they are in our
    // hands, sysmon counts as running (`SchedLocked::retaking`, Go's
    // incidlelocked), or the last M going idle meanwhile would report a
    // deadlock.
    SCHED.lock.lock().retaking += 1;
    let list = crate::netpoll::netpoll(0);
    let found = !list.is_empty();
    // SAFETY: sysmon runs on g0 without a P; the list came from the poller,
    // as injectglist requires.
    unsafe { injectglist(list) };
    let mut s = SCHED.lock.lock();
    s.retaking -= 1;
    // SAFETY: sched.lock is held (s).
    unsafe { checkdead(&s) };
    found
}

fn everything_idle() -> bool {
    SCHED.gcwaiting.load(Ordering::SeqCst) || SCHED.npidle.load(Ordering::SeqCst) == gomaxprocs()
}

/// Sleeps while everything is idle; true if it slept.
fn park() -> bool {
    let s = SCHED.lock.lock();
    SCHED.sysmonnote.clear();
    SCHED.sysmonwait.store(true, Ordering::SeqCst);
    // Published before this second look: a P taken off the idle list from
    // here on will see `sysmonwait` when its goroutine enters a system
    // call (the handshake in `syscall`).
    if !everything_idle() {
        SCHED.sysmonwait.store(false, Ordering::SeqCst);
        return false;
    }
    drop(s);
    let now = os::nanotime();
    let next = crate::time::next_deadline();
    let until = if next > now {
        next.min(now + MAX_PARK_NS)
    } else if next == 0 {
        now + MAX_PARK_NS
    } else {
        // A timer is due: an M is on its way to it; look again soon.
        now
    };
    while !SCHED.sysmonnote.is_set() && os::nanotime() < until {
        let seen = SCHED.sysmonnote.observe();
        SCHED.sysmonnote.sleep_until(seen, until);
    }
    // Woken under sched.lock (`wake_sysmon`), or timed out: then no waker
    // will come, as they look at `sysmonwait` under the lock too.
    let _s = SCHED.lock.lock();
    SCHED.sysmonwait.store(false, Ordering::SeqCst);
    SCHED.sysmonnote.clear();
    true
}

/// Wakes a parked sysmon (a goroutine entered a system call, got a P back
/// after one, or the world restarted).
pub fn wake_sysmon() {
    let _s = SCHED.lock.lock();
    if SCHED.sysmonwait.load(Ordering::SeqCst) {
        SCHED.sysmonwait.store(false, Ordering::SeqCst);
        SCHED.sysmonnote.wakeup();
    }
}

/// Go's preemption in `retake`: a P seen with the same `schedtick` for
/// a slice (`preempt::slice_ns`) has run one G all that time; if it is `running`
/// (not in a system call), ask that G to yield. Returns when the running
/// G's slice ends, if it has not yet and preemption is installed (else
/// `i64::MAX`).
///
/// # Safety
/// `pp` is a P of `allp`; `pd` its `sysmontick`, sysmon's alone.
unsafe fn preempt_long_slice(pp: *mut P, pd: &mut SysmonTick, now: i64, running: bool) -> i64 {
    // SAFETY: pp is live (caller); schedtick is atomic.
    let t = unsafe { (*pp).schedtick.load(Ordering::Relaxed) };
    if pd.schedtick != t {
        pd.schedtick = t;
        pd.schedwhen = now;
    }
    let (Some(h), true) = (crate::preempt::hooks(), running) else {
        return i64::MAX;
    };
    let end = pd.schedwhen + crate::preempt::slice_ns();
    if end > now {
        return end;
    }
    // SAFETY: as above.
    unsafe { (h.preemptone)(pp) };
    i64::MAX
}

/// Go's `retake`: takes back every P that has been in one system call
/// since the previous round, unless it has nothing queued and other Ms
/// could pick up new work, for up to `SYSCALL_GRACE_NS`. Returns how many
/// it took, and when the earliest running slice ends (`i64::MAX`: none
/// to watch).
fn retake(now: i64) -> (u32, i64) {
    let mut n = 0;
    let mut slice_end = i64::MAX;
    for i in 0..gomaxprocs() {
        let pp = allp(i);
        // SAFETY: Ps below gomaxprocs exist and are never freed; the status
        // and tick are atomics; `sysmontick` is sysmon's alone.
        unsafe {
            let st = (*pp).status_seqcst();
            let pd = &mut *addr_of_mut!((*pp).sysmontick);
            if st == Pstatus::_Prunning || st == Pstatus::_Psyscall {
                let end = preempt_long_slice(pp, pd, now, st == Pstatus::_Prunning);
                slice_end = slice_end.min(end);
            }
            if st != Pstatus::_Psyscall {
                continue;
            }
            let t = (*pp).syscalltick.load(Ordering::Relaxed);
            if pd.syscalltick != t {
                pd.syscalltick = t;
                pd.syscallwhen = now;
                continue;
            }
            if (*pp).runq.is_empty()
                && SCHED.nmspinning.count() + SCHED.npidle.load(Ordering::SeqCst) > 0
                && pd.syscallwhen + SYSCALL_GRACE_NS > now
            {
                continue;
            }
            // Counted as running while the P is in our hands (see
            // `SchedLocked::retaking`), before the compare-and-swap.
            SCHED.lock.lock().retaking += 1;
            if (*pp).cas_status(Pstatus::_Psyscall, Pstatus::_Pidle) {
                n += 1;
                (*pp).bump_syscalltick();
                // The compare-and-swap made pp ours: wired to no M (its
                // M cleared `m` before leaving it) and on no list.
                handoffp(pp);
            }
            let mut s = SCHED.lock.lock();
            s.retaking -= 1;
            // The hand-off is done: if every M is idle now, say so.
            checkdead(&s);
        }
    }
    (n, slice_end)
}
