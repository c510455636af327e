//! `GODEBUG=schedtrace=N` and `scheddetail=1`, printed by sysmon.
//!
//! sysmon (`sched::sysmon`) prints one report every N milliseconds.
//!
//! The format is Go 1.19's:
//!
//! ```text
//! SCHED 12ms: gomaxprocs=2 idleprocs=1 threads=3 spinningthreads=0 idlethreads=1 runqueue=0 [0 0]
//! ```
//!
//! With `scheddetail=1` the bracketed list is replaced by
//! ` gcwaiting=… nmidlelocked=… stopwait=… sysmonwait=…` and one line per
//! P, M and G follows.

use crate::print::Line;
use crate::proc;
use crate::runtime2::{allm, allp, gomaxprocs, SCHED};
use crate::runtime2::{Gstatus, G, M, P};
use core::sync::atomic::{AtomicI64, Ordering};

/// When the process started (set at boot), for the reports' times.
pub static START: AtomicI64 = AtomicI64::new(0);

fn id_of_m(mp: *mut M) -> i64 {
    if mp.is_null() {
        -1
    } else {
        // SAFETY: Ms are never freed.
        unsafe { (*mp).id }
    }
}

fn id_of_p(pp: *mut P) -> i64 {
    if pp.is_null() {
        -1
    } else {
        // SAFETY: Ps are never freed.
        unsafe { (*pp).id as i64 }
    }
}

fn id_of_g(gp: *mut G) -> i64 {
    if gp.is_null() {
        -1
    } else {
        // SAFETY: Gs are never freed.
        unsafe { (*gp).goid }
    }
}

/// One schedtrace report. Values are read without stopping anyone, so a
/// report is a snapshot, not a consistent state (as in Go).
pub fn schedtrace(detail: bool) {
    let now = (crate::os::nanotime() - START.load(Ordering::Relaxed)) / 1_000_000;
    let procs = gomaxprocs();
    let (mcount, nmidle, runq, stopwait, nmidlelocked) = {
        let s = SCHED.lock.lock();
        (s.mcount(), s.nmidle, s.runq.len, s.stopwait, s.nmidlelocked)
    };
    let mut l = Line::stderr();
    l.f(
        "SCHED %dms: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d idlethreads=%d runqueue=%u",
        &[
            now as u64,
            procs as i64 as u64,
            SCHED.npidle.load(Ordering::Relaxed) as i64 as u64,
            mcount as u64,
            SCHED.nmspinning.count() as i64 as u64,
            nmidle as i64 as u64,
            runq as u64,
        ],
    );
    if detail {
        l.f(
            " gcwaiting=%u nmidlelocked=%d stopwait=%d sysmonwait=%u",
            &[
                SCHED.gcwaiting.load(Ordering::Relaxed) as u64,
                nmidlelocked as i64 as u64,
                stopwait as i64 as u64,
                SCHED.sysmonwait.load(Ordering::Relaxed) as u64,
            ],
        )
        .end();
    } else {
        l.s(" [");
        for i in 0..procs {
            if i > 0 {
                l.s(" ");
            }
            // SAFETY: Ps below gomaxprocs exist and are never freed.
            l.u(unsafe { (*allp(i)).runq.len() } as u64);
        }
        l.s("]").end();
        return;
    }
    for i in 0..procs {
        let pp = allp(i);
        // SAFETY: as above; fields are read racily, for display only.
        unsafe {
            Line::stderr()
                .f(
                    "  P%d: status=%u schedtick=%u syscalltick=%u m=%d runqsize=%u gfreecnt=%u timerslen=0",
                    &[
                        i as i64 as u64,
                        (*pp).status() as u64,
                        (*pp).schedtick.load(Ordering::Relaxed) as u64,
                        (*pp).syscalltick.load(Ordering::Relaxed) as u64,
                        id_of_m((*pp).m) as u64,
                        (*pp).runq.len() as u64,
                        (*pp).gfree.len as u64,
                    ],
                )
                .end();
        }
    }
    for mp in allm() {
        // SAFETY: Ms are never freed; racy reads for display.
        unsafe {
            let mut l = Line::stderr();
            l.f(
                "  M%d: p=%d curg=%d mallocing=0 throwing=0 preemptoff= locks=%d dying=0 spinning=",
                &[
                    (*mp).id as u64,
                    id_of_p((*mp).p) as u64,
                    id_of_g((*mp).curg) as u64,
                    (*mp).tls.locks as u64,
                ],
            )
            .s(if (*mp).spinning { "true" } else { "false" });
            l.s(" blocked=")
                .s(if (*mp).blocked { "true" } else { "false" })
                .f(" lockedg=%d", &[id_of_g((*mp).lockedg) as u64])
                .s(" signalpending=")
                .s(if (*mp).signal_pending.load(Ordering::Relaxed) {
                    "true"
                } else {
                    "false"
                })
                .end();
        }
    }
    for gp in proc::allgs() {
        // SAFETY: Gs are never freed; racy reads for display.
        unsafe {
            let st = (*gp).status();
            let mut l = Line::stderr();
            l.f("  G%d: status=%u(", &[(*gp).goid as u64, st as u64]);
            if st == Gstatus::_Gwaiting {
                l.s((*gp).waitreason().as_str());
            }
            l.f(
                ") m=%d lockedm=%d inruntime=%u preempt=",
                &[
                    id_of_m((*gp).m) as u64,
                    id_of_m((*gp).lockedm) as u64,
                    (*gp).in_runtime.load(Ordering::Relaxed) as u64,
                ],
            )
            .s(if (*gp).preempt.load(Ordering::Relaxed) {
                "true"
            } else {
                "false"
            })
            .end();
        }
    }
}
