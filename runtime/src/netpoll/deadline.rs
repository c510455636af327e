//! Read and write deadlines (Go's `poll_runtime_pollSetDeadline` and
//! `netpolldeadlineimpl`): each direction's deadline and the timer armed
//! for it; an expired one wakes its waiter, which fails with `ETIMEDOUT`.

use super::{readyg, Mode, PollDesc, CLOSING, RD_EXPIRED, WD_EXPIRED};
use crate::time::{self, Timer};
use alloc::boxed::Box;
use core::ptr::null_mut;
use core::sync::atomic::Ordering;

/// One direction's deadline: 0 none, -1 expired, else the `nanotime` it
/// expires at; the timer armed for it (heap-owned, live while named here)
/// and the sequence number that timer carries.
pub(super) struct Deadline {
    pub(super) at: i64,
    pub(super) timer: *mut Timer,
    pub(super) when: i64,
    pub(super) seq: usize,
}

impl Deadline {
    pub(super) const fn new() -> Deadline {
        Deadline { at: 0, timer: null_mut(), when: 0, seq: 0 }
    }

    /// Stops the armed timer, if any. A timer that is firing right now
    /// finds its sequence number out of date and does nothing.
    pub(super) fn cancel(&mut self) {
        if !self.timer.is_null() {
            // SAFETY: a timer named here is live: the heap frees it only
            // after it fires (its function clears this field first, under
            // the same lock we hold) or after `deleted` is seen.
            unsafe { (*self.timer).deleted.store(true, Ordering::Release) };
            time::timer_deleted();
            self.timer = null_mut();
        }
        self.seq = self.seq.wrapping_add(1);
    }
}

pub(super) struct Deadlines {
    pub(super) r: Deadline,
    pub(super) w: Deadline,
}

impl Deadlines {
    fn of(&mut self, mode: Mode) -> &mut Deadline {
        match mode {
            Mode::Read => &mut self.r,
            Mode::Write => &mut self.w,
        }
    }
}

/// Sets the deadline of `modes` on `pd` (Go's
/// `poll_runtime_pollSetDeadline`): `at` in `nanotime` ns, 0 for none; one
/// already past expires at once, waking the waiters, which fail with
/// `ETIMEDOUT`.
pub fn set_deadline(pd: &'static PollDesc, at: i64, modes: &[Mode]) {
    let now = time::nanotime();
    let at = if at != 0 && at <= now { -1 } else { at };
    let mut ready = [null_mut(); 2];
    {
        let mut d = pd.deadlines.lock();
        // Closed meanwhile (the caller's reference keeps it from being
        // reused, not from being closed): arm nothing (Go: errClosing).
        if pd.info.load(Ordering::SeqCst) & CLOSING != 0 {
            return;
        }
        for (i, &mode) in modes.iter().enumerate() {
            let dl = d.of(mode);
            dl.at = at;
            if at <= 0 {
                dl.cancel();
            } else if dl.timer.is_null() || dl.when > at {
                // (A later deadline keeps the armed timer: when it fires it
                // re-arms for the new one, so resetting a deadline before
                // every read keeps one timer per descriptor.)
                dl.cancel();
                arm(pd, mode, dl, at);
            }
            let bit = match mode {
                Mode::Read => RD_EXPIRED,
                Mode::Write => WD_EXPIRED,
            };
            if at < 0 {
                pd.info.fetch_or(bit, Ordering::SeqCst);
                if let Some(r) = ready.get_mut(i) {
                    *r = pd.unblock(mode, false);
                }
            } else {
                pd.info.fetch_and(!bit, Ordering::SeqCst);
            }
        }
    }
    for gp in ready {
        readyg(gp);
    }
}

/// Arms a timer for `dl` at `at`.
fn arm(pd: &'static PollDesc, mode: Mode, dl: &mut Deadline, at: i64) {
    let f = match mode {
        Mode::Read => read_deadline as crate::timers::TimerFn,
        Mode::Write => write_deadline,
    };
    let mut t = Timer::new(at, 0, f, pd as *const PollDesc as *mut u8, true);
    t.seq = dl.seq;
    let t = Box::into_raw(Box::new(t));
    dl.timer = t;
    dl.when = at;
    // SAFETY: an owned one-shot timer: the heap frees it.
    unsafe { time::addtimer(t) };
}

/// # Safety
/// `arg` is the `PollDesc` the timer was armed for.
unsafe fn read_deadline(arg: *mut u8, seq: usize, now: i64) {
    // SAFETY: our caller's promise; PollDescs are never freed.
    deadline_fired(unsafe { &*(arg as *const PollDesc) }, Mode::Read, seq, now);
}

/// # Safety
/// As for `read_deadline`.
unsafe fn write_deadline(arg: *mut u8, seq: usize, now: i64) {
    // SAFETY: as for read_deadline.
    deadline_fired(unsafe { &*(arg as *const PollDesc) }, Mode::Write, seq, now);
}

/// A deadline timer fired (Go's `netpolldeadlineimpl`).
fn deadline_fired(pd: &'static PollDesc, mode: Mode, seq: usize, now: i64) {
    let gp = {
        let mut d = pd.deadlines.lock();
        let dl = d.of(mode);
        if dl.seq != seq {
            // Replaced or cancelled since it was armed.
            return;
        }
        // This timer is done; the heap frees it after we return.
        dl.timer = null_mut();
        if dl.at <= 0 {
            return;
        }
        if dl.at > now {
            // The deadline moved later: wait for it.
            let at = dl.at;
            dl.seq = dl.seq.wrapping_add(1);
            arm(pd, mode, dl, at);
            return;
        }
        dl.at = -1;
        let bit = match mode {
            Mode::Read => RD_EXPIRED,
            Mode::Write => WD_EXPIRED,
        };
        pd.info.fetch_or(bit, Ordering::SeqCst);
        pd.unblock(mode, false)
    };
    readyg(gp);
}
