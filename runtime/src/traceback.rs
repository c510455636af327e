//! Goroutine dumps, as Go's `traceback.go` prints them: the header line of
//! every goroutine (frames are not available yet).

use crate::print::Line;
use crate::runtime2::Gstatus;

/// Prints `goroutine N [status]:` for every live G (Go's traceback
/// headers; frames are not available).
pub fn print_goroutines() {
    for gp in crate::proc::allgs() {
        // SAFETY: Gs are never freed.
        let (st, goid, reason) =
            unsafe { ((*gp).status(), (*gp).goid, (*gp).waitreason().as_str()) };
        let what = match st {
            Gstatus::_Gidle | Gstatus::_Gdead => continue,
            Gstatus::_Grunnable => "runnable",
            Gstatus::_Grunning => "running",
            Gstatus::_Gsyscall => "syscall",
            Gstatus::_Gpreempted => "preempted",
            Gstatus::_Gwaiting if reason.is_empty() => "waiting",
            Gstatus::_Gwaiting => reason,
        };
        Line::stderr()
            .ki("\ngoroutine ", goid)
            .s(" [")
            .s(what)
            .s("]:")
            .end();
    }
}
