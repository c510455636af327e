//! Go's `checkdead`: noticing that no goroutine can ever run again.

use crate::panic::throw;
use crate::runtime2::{Gstatus, SchedLocked};

/// Go's `checkdead`, with `sched.lock` held: if no M is running and no
/// goroutine can be woken, the program can never make progress.
///
/// # Safety
/// `s` is `SCHED.lock`'s state, held: the counts must be consistent.
pub(super) unsafe fn checkdead(s: &SchedLocked) {
    let run = s.mcount() - s.nmidle as i64 - s.nmidlelocked as i64 - s.nmsys as i64
        + s.retaking as i64;
    if run > 0 {
        return;
    }
    if run < 0 {
        throw("checkdead: inconsistent counts");
    }
    let mut waiting = 0;
    for gp in crate::proc::allgs() {
        // SAFETY: gp comes from allgs, and Gs are never freed; the status
        // is an atomic.
        match unsafe { (*gp).status() } {
            Gstatus::_Gwaiting => waiting += 1,
            Gstatus::_Grunnable | Gstatus::_Grunning | Gstatus::_Gsyscall => {
                throw("checkdead: runnable g");
            }
            _ => {}
        }
    }
    if waiting == 0 {
        throw("no goroutines (main called runtime.Goexit) - deadlock!");
    }
    // A sleeping goroutine will wake: not a deadlock yet.
    if crate::time::next_deadline() != 0 {
        return;
    }
    crate::panic::fatal_with_goroutines("all goroutines are asleep - deadlock!");
}

