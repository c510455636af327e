//! Bootstrap and the scheduler (Go's `proc.go`).
//!
//! # Boot
//!
//! `_start` (rt0/) hands the kernel's stack pointer to `rt0_go`, which does
//! what Go's `rt0_go` does, in Go's order:
//!
//! 1. bind m0 and g0 to each other and point the thread pointer at m0's
//!    control block, so `getg()` works from here on;
//! 2. give g0 the OS stack: `hi` = the entry sp, `lo` = `hi` minus half of
//!    RLIMIT_STACK (the kernel put argv and envp above sp, within a quarter
//!    of the limit), stackguard0/1 = lo + `STACK_GUARD`;
//! 3. `args`: argc, argv, envp, auxv (with /proc/self/auxv and defaults as
//!    fallbacks);
//! 4. `checkgoarm` (arm: VFPv3 must be present — already enforced by
//!    `_start` before any VFP instruction; repeated here for kernels whose
//!    auxv lacked AT_HWCAP);
//! 5. `osinit`: ncpu from `sched_getaffinity`, the page size;
//! 6. `schedinit`: `mcommoninit(m0)`, GOMAXPROCS, `procresize`;
//! 7. `newproc(runtime.main)`: the main goroutine, on P0's `runnext`;
//! 8. `mstart` → `mstart1` → `schedule` → `execute` → `gogo`: m0 leaves the
//!    OS stack and runs the main goroutine on a stack of its own;
//! 9. `runtime_main` calls the program's `main_main`, then exits with 0.
//!
//! `GODEBUG=boottrace=1` prints one line per step, with its values.
//!
//! # Scheduling
//!
//! An M runs the scheduler on its g0 stack and user code on G stacks. A G
//! gives control back through `mcall`, which saves its context and calls a
//! function on g0 (`goexit0`, `park_m`, `gosched_m`); that function ends
//! in `schedule()`, which picks the next G and `gogo`s to it. `schedule`
//! never returns: each pass starts afresh at the top of the g0 stack.
//!
//! The scheduler itself (Ms, Ps, stealing, parking) is in `sched`; what
//! the kernel tells us at boot is in `os::linux`. This file has the boot
//! sequence; `goroutine.rs` the life of a goroutine: `newproc`, `goentry`,
//! `goexit`, and the free lists of dead Gs.

mod goroutine;

pub use goroutine::{allgs, gcount, getm_id, goexit1, goid, gopc, newproc};

use crate::arch;
use crate::env::{self, DebugVars, ProcsSource};
use crate::os::linux::{ncpu, startup, BootCell};
use crate::os::{self, linux};
use crate::print::Line;
use crate::runtime2::{getg, getm, gomaxprocs, AllList, GoFn, Gstatus, G, M, P, SCHED};
use crate::sched;
use crate::stack::{self, STACK_GUARD};
use core::ptr::{addr_of_mut, null_mut};
use core::sync::atomic::{AtomicBool, AtomicI64, Ordering};

/// m0: the M of the main thread. Statically allocated, as in Go.
static mut M0: M = M::new();
/// g0 of m0: the scheduler's goroutine on the OS-provided main stack.
static mut G0: G = G::new();

static DEBUG: BootCell<DebugVars> = BootCell::new(DebugVars {
    boottrace: 0,
    schedtrace: 0,
    scheddetail: 0,
    schedchaos: 0,
    asyncpreemptoff: 0,
});
static MAIN_STARTED: AtomicBool = AtomicBool::new(false);

/// m0, the main thread's M.
pub fn m0() -> *mut M {
    addr_of_mut!(M0)
}

/// True once the thread pointer is set and `getg()` may be called.
pub fn tls_ready() -> bool {
    arch::tls_ready()
}

pub fn debug() -> &'static DebugVars {
    DEBUG.get()
}

/// A `boottrace:` line, if GODEBUG asked for them.
pub fn bt(step: &str) -> Option<Line> {
    if debug().boottrace <= 0 {
        return None;
    }
    let mut l = Line::stderr();
    l.s("boottrace: ").s(step).s(" ");
    Some(l)
}

/// Go's `rt0_go`, called by `_start` with the kernel's stack pointer.
///
/// # Safety
/// Called once, by `_start`, with the initial process stack.
#[no_mangle]
pub unsafe extern "C" fn rt0_go(sp: *const usize) -> ! {
    // 1. m0 and g0, and the thread pointer.
    let m0 = addr_of_mut!(M0);
    let g0 = addr_of_mut!(G0);
    // SAFETY: single-threaded boot (rt0_go runs once, first, on the main
    // thread): nothing else touches M0/G0 and no reference to them exists.
    unsafe {
        (*m0).g0 = g0;
        (*g0).m = m0;
        (*m0).tls.words[arch::G_SLOT] = g0 as usize;
    }
    // SAFETY: m0.tls is a field of the static M0: valid for writes
    // (init_tcb's contract), and nothing else touches M0 during boot.
    unsafe { arch::init_tcb(addr_of_mut!((*m0).tls)) };
    // SAFETY: m0.tls lives in a static, so it stays valid for as long as
    // the main thread runs (set_thread_pointer's contract).
    if unsafe { arch::set_thread_pointer(addr_of_mut!((*m0).tls)) }.is_err() {
        let _ = os::write_all(2, b"fatal error: cannot set the thread pointer\n");
        os::exit_group(2);
    }
    arch::set_tls_ready();
    crate::panic::set_hooks(&PANIC_HOOKS);

    // 2. g0's stack is the OS stack.
    let hi = sp as usize;
    let limit = match os::stack_rlimit() {
        Ok(Some(l)) if l >= (256 << 10) => l as usize,
        _ => 8 << 20,
    };
    let lo = hi - core::cmp::min(limit / 2, hi / 2);
    // SAFETY: single-threaded boot: nothing else touches G0.
    unsafe {
        (*g0).stack = stack::Stack { lo, hi };
        (*g0).stackguard0 = lo + STACK_GUARD;
        (*g0).stackguard1 = (*g0).stackguard0;
    }

    // 3. args (and GODEBUG, read early as Go's cpuinit does, so that the
    // steps already taken can be traced).
    // SAFETY: sp is the kernel's initial stack pointer, where it left
    // argc/argv/envp/auxv (rt0_go's contract), and this is sysargs' one
    // call, during single-threaded boot.
    let st = unsafe { linux::sysargs(sp) };
    if let Some(v) = st.getenv(b"GODEBUG") {
        // SAFETY: single-threaded boot, and nothing has called `debug()`
        // yet (the first `bt` is below): no borrow of DEBUG exists.
        unsafe { DEBUG.set(env::parse_godebug(v)) };
    }
    crate::panic::set_traceback(env::parse_gotraceback(st.getenv(b"GOTRACEBACK")));
    crate::chaos::init(debug().schedchaos);
    crate::preempt::init(debug().asyncpreemptoff > 0);
    if let Some(mut l) = bt("_rt0") {
        l.kx("sp=", sp as usize as u64).end();
    }
    if let Some(mut l) = bt("rt0_go") {
        l.f(
            "m0=%x g0=%x tp=%x g0.stack=[%x, %x) stackguard0=%x",
            &[
                m0 as usize as u64,
                g0 as usize as u64,
                // SAFETY: single-threaded boot: nothing else touches M0/G0.
                unsafe { addr_of_mut!((*m0).tls) } as usize as u64,
                lo as u64,
                hi as u64,
                // SAFETY: as above.
                unsafe { (*g0).stackguard0 } as u64,
            ],
        )
        .end();
    }
    if let Some(mut l) = bt("args") {
        let a = &st.auxv;
        l.f(
            "argc=%u envc=%u pagesz=%u hwcap=%x hwcap2=%x random=%x sysinfo_ehdr=%x auxv=",
            &[
                st.argc as u64,
                st.envc as u64,
                st.physpagesize as u64,
                a.hwcap.unwrap_or(0) as u64,
                a.hwcap2.unwrap_or(0) as u64,
                a.random.unwrap_or(0) as u64,
                a.sysinfo_ehdr.unwrap_or(0) as u64,
            ],
        )
        .s(st.auxv_source.name())
        .end();
    }

    // 4.
    checkgoarm();
    // 5.
    osinit();
    // 6.
    // SAFETY: schedinit's one call, during single-threaded boot on m0, with
    // the thread pointer set, sysargs and osinit done.
    unsafe { schedinit() };
    // 7.
    let goid = newproc(runtime_main, null_mut(), stack::MAIN_STACK_SIZE, 0);
    if let Some(mut l) = bt("newproc") {
        // SAFETY: still single-threaded (no M has been started): m0's P is
        // P0, wired by procresize in schedinit; Ps are never freed.
        let pp = unsafe { (*m0).p };
        l.f(
            "fn=runtime.main goid=%d p=%d runnext",
            // SAFETY: as above.
            &[goid as u64, unsafe { (*pp).id } as i64 as u64],
        )
        .end();
    }
    // 8.
    // SAFETY: m0 is this thread's M and we run on its g0: the thread
    // pointer has held g0 since step 1 (mstart's contract).
    unsafe { sched::mstart(m0 as *mut u8) }
}

/// Go's `checkgoarm`: can this CPU run the build (`arch::checkgoarm`)?
fn checkgoarm() {
    match arch::checkgoarm(startup().auxv.hwcap.unwrap_or(0)) {
        Ok(None) => {}
        Ok(Some(detail)) => {
            if let Some(mut l) = bt("checkgoarm") {
                let hwcap = startup().auxv.hwcap.unwrap_or(0);
                l.kx("hwcap=", hwcap as u64).s(" ").s(detail).end();
            }
        }
        Err(lines) => {
            for line in lines {
                Line::stderr().s(line).end();
            }
            os::exit_group(1);
        }
    }
}

/// Go's `osinit`.
fn osinit() {
    let n = linux::osinit();
    if let Some(mut l) = bt("osinit") {
        l.f(
            "ncpu=%d physpagesize=%u",
            &[n as i64 as u64, linux::physpagesize() as u64],
        )
        .end();
    }
}

/// Go's `schedinit`.
///
/// # Safety
/// Once, from `rt0_go`, during single-threaded boot: on m0 with the thread
/// pointer set, after `sysargs` and `osinit`.
unsafe fn schedinit() {
    let m0 = addr_of_mut!(M0);
    // SAFETY: single-threaded boot: no other thread exists to see m0, so
    // it is as unshared as a new M not yet running (mcommoninit's contract).
    unsafe { mcommoninit(m0) };
    sched::register_m0();
    // SAFETY: m0 is the static M0, live forever, and this is its only push
    // onto allm (allmadd's contract).
    unsafe { crate::runtime2::allmadd(m0) };
    // SAFETY: single-threaded boot: nothing else touches M0.
    unsafe { (*m0).gsignal = crate::signal_unix::m0_gsignal() };
    let (procs, src) = env::gomaxprocs(startup().getenv(b"GOMAXPROCS"), ncpu());
    if let Some(mut l) = bt("schedinit") {
        l.f(
            "m0.id=%d gomaxprocs=%d (from ",
            // SAFETY: single-threaded boot: nothing else touches M0.
            &[unsafe { (*m0).id } as u64, procs as i64 as u64],
        )
        .s(src.name());
        if src != ProcsSource::Ncpu {
            l.ki(", ncpu=", ncpu() as i64);
        }
        l.s(")");
        if crate::chaos::enabled() {
            l.ki(" schedchaos=", debug().schedchaos as i64);
        }
        l.end();
    }
    // SAFETY: single-threaded boot with no P yet: this thread alone runs
    // procresize (its contract); it wires m0 to P0, so m0.p is then a live
    // P that only this thread touches.
    if unsafe { !sched::procresize(procs, None).is_null() || !(*(*m0).p).runq.is_empty() } {
        crate::panic::throw("unknown runnable goroutine during bootstrap");
    }
    if let Some(mut l) = bt("procresize") {
        // SAFETY: as above: single-threaded boot; procresize wired m0 and
        // P0 to each other.
        let p0 = unsafe { (*m0).p };
        l.f(
            "nprocs=%d allp[0]=%x p0.m=m%d idle=%d",
            &[
                gomaxprocs() as i64 as u64,
                p0 as usize as u64,
                // SAFETY: as above.
                unsafe { (*(*p0).m).id } as u64,
                SCHED.npidle.load(Ordering::Relaxed) as i64 as u64,
            ],
        )
        .end();
    }
}

/// Go's `mcommoninit`: a random seed for the M (its id is reserved by
/// the caller).
///
/// # Safety
/// No other thread accesses `mp`: a new M not yet started, or m0 during
/// single-threaded boot.
pub unsafe fn mcommoninit(mp: *mut M) {
    let seed = &startup().seed;
    let s = [
        seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
    ];
    // SAFETY: mp is a new M not yet running (caller): no other thread reads
    // or writes it.
    unsafe {
        (*mp).fastrand =
            u64::from_le_bytes(s) ^ ((*mp).id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    }
}

extern "C" {
    /// The program's entry point, defined by the user program (C or Rust)
    /// and resolved at link time, as Go's `main.main` is.
    fn main_main();
}

/// Runs the program's constructors (`.init_array`), as Go's `doInit`
/// runs package initialisers before `main.main`. Returns how many ran.
#[cfg(not(test))]
fn doinit() -> usize {
    extern "C" {
        static __init_array_start: [Option<unsafe extern "C" fn()>; 0];
        static __init_array_end: [Option<unsafe extern "C" fn()>; 0];
    }
    // SAFETY: the linker script brackets .init_array with these symbols;
    // between them lie function pointers, each called once, in order, on
    // the main goroutine with the runtime fully up.
    unsafe {
        let start = __init_array_start.as_ptr();
        let n =
            (__init_array_end.as_ptr() as usize - start as usize) / core::mem::size_of::<usize>();
        for i in 0..n {
            if let Some(f) = *start.add(i) {
                f();
            }
        }
        n
    }
}

#[cfg(test)]
fn doinit() -> usize {
    0
}

/// Go's `runtime.main`: the main goroutine.
///
/// # Safety
/// Only as the main goroutine's function (`newproc` in `rt0_go`), run once
/// by `goentry` on a user G of a running M.
unsafe extern "C" fn runtime_main(_: *mut u8) {
    // The runtime's own code, not preemptible (see `preempt`), except
    // main_main itself.
    let rt = crate::preempt::enter();
    MAIN_STARTED.store(true, Ordering::Release);
    crate::trace::START.store(os::nanotime(), Ordering::Relaxed);
    sched::start_sysmon();
    let gp = getg();
    // SAFETY: gp is the running G (the main goroutine, caller), live and
    // bound to this thread's M.
    let mp = unsafe { (*gp).m };
    if let Some(mut l) = bt("runtime.main") {
        let sp = arch::current_sp();
        // SAFETY: as above: gp is the running G and mp its live M; only
        // their own thread writes the fields read here.
        unsafe {
            let own = (*gp).stack.lo <= sp && sp < (*gp).stack.hi;
            l.f(
                "m%d g%d sp=%x",
                &[(*mp).id as u64, (*gp).goid as u64, sp as u64],
            )
            .s(if own { " on" } else { " NOT on" })
            .f(
                " its own stack [%x, %x) -> main_main",
                &[(*gp).stack.lo as u64, (*gp).stack.hi as u64],
            )
            .end();
        }
    }
    let ctors = doinit();
    if let Some(mut l) = bt("doInit") {
        l.ku("ran ", ctors as u64)
            .s(" constructors (.init_array)")
            .end();
    }
    drop(rt);
    // SAFETY: main_main is the program's `extern "C" fn()` entry point,
    // resolved at link time; it takes no arguments and runs once, on the
    // main goroutine with the runtime up, as Go's main.main does.
    unsafe { main_main() };
    let _rt = crate::preempt::enter();
    if let Some(mut l) = bt("exit") {
        l.s("main_main returned -> exit_group(0)").end();
    }
    os::exit_group(0)
}

/// What a panic report asks of the scheduler (`panic::Hooks`).
static PANIC_HOOKS: crate::panic::Hooks = crate::panic::Hooks {
    tracebacks: crate::traceback::tracebacks,
};

