//! Preemption: a goroutine that runs for more than 10 ms without blocking
//! is made to yield, as in Go 1.14+ (`preempt.go`, `signal_unix.go`'s
//! `doSigPreempt`, `proc.go`'s `retake`/`preemptone`).
//!
//! - **Request**: sysmon sees a P run the same G (the same `schedtick`)
//!   for `FORCE_PREEMPT_NS` and sets that G's `preempt` flag
//!   (`preemptone`); stopping the world does the same for every P
//!   (`preemptall`). `execute` clears the flag when a G starts a new slice.
//! - **Cooperative**: every runtime call from user code (the C API, the
//!   Rust API, and the descriptor, socket and sync layers they share)
//!   holds an `Enter` guard; leaving the outermost one with `preempt` set yields
//!   (`gosched`). A goroutine that calls into the runtime at all yields at
//!   its next call.
//! - **Asynchronous**: for a goroutine that never calls the runtime, sysmon
//!   also sends its thread SIGURG (Go's signal; one at a time per M:
//!   `signal_pending`). The handler (`sigurg`) preempts only at a safe
//!   point: the signal interrupted this M's current user G, `_Grunning` on
//!   a running P, on its own stack, outside every runtime call
//!   (`in_runtime == 0`: no switch under way, no cached M or P in a
//!   register), holding no runtime lock (the thread's `Tcb::locks`, as
//!   Go's `m.locks`: user code that allocates holds the allocator's), and
//!   the G was asked to yield. Otherwise it returns and the request waits for the next safe
//!   moment (the next runtime call, or sysmon's next signal).
//!
//! How a G is stopped and resumed with *every* register intact: the kernel
//! has already saved them all in the signal frame — integer registers,
//! and the whole FP/vector state (VFP d0–d31 on armv7, q0–q31 on aarch64,
//! the `xsave` area with SSE/AVX/AVX-512 on x86_64, f0–f31 on riscv64).
//! The handler copies that frame onto the goroutine's own stack, below its
//! sp (and below the x86_64 red zone), and makes the interrupted context
//! call `async_preempt(copy)` there instead. `async_preempt` yields like
//! `gosched` but to the global queue (Go's `gopreempt_m`), as
//! `_Grunning → _Gpreempted → _Grunnable`; when the G runs again, on
//! whatever M, it patches what belongs to the new thread into the copy
//! (its signal stack; riscv's thread pointer) and returns into the copy
//! with `rt_sigreturn`, which restores everything exactly where the G was.
//! A frame record {interrupted fp, interrupted pc} links `async_preempt`'s
//! frames to the interrupted ones, so a traceback of a preempted G goes on
//! into its own code.
//!
//! Installed with the program's second goroutine (`install`, from the
//! APIs that start one): until there are two, nothing needs the P back, and a
//! program that never starts one (hello) links none of this but the
//! guard.
//!
//! A system call interrupted by SIGURG is restarted (`SA_RESTART`; the
//! kernel prepares the restart before it builds the frame, so returning
//! into the copy restarts it too). `GODEBUG=asyncpreemptoff=1` turns the
//! signals off, as in Go; the cooperative path stays.

use crate::arch;
use crate::os;
use crate::runtime2::{getg, Gstatus, Pstatus, G, M, P};
use core::sync::atomic::{compiler_fence, AtomicBool, AtomicI32, AtomicPtr, Ordering};

/// Go's `sigPreempt`.
pub const SIGURG: i32 = 23;
/// Go's `forcePreemptNS`: a G's time slice.
pub const FORCE_PREEMPT_NS: i64 = 10_000_000;
/// The time slice in chaos mode (`GODEBUG=schedchaos`): ten times as many
/// preemption signals, landing in user code and runtime calls alike, for
/// the stress runs that check that none takes effect inside the runtime.
const CHAOS_PREEMPT_NS: i64 = 1_000_000;

/// The time slice sysmon allows a G.
pub fn slice_ns() -> i64 {
    if crate::chaos::enabled() {
        CHAOS_PREEMPT_NS
    } else {
        FORCE_PREEMPT_NS
    }
}
/// Stack the preempted G needs below the copied frame: `async_preempt`'s
/// frames and the registers `mcall` saves.
const ASYNC_ROOM: usize = 2048;

static ASYNC_OFF: AtomicBool = AtomicBool::new(false);
/// This process's id, for `tgkill` (read once, by sysmon).
static PID: AtomicI32 = AtomicI32::new(0);

/// Reads `GODEBUG=asyncpreemptoff` (at boot, from `schedinit`).
pub fn init(asyncpreemptoff: bool) {
    ASYNC_OFF.store(asyncpreemptoff, Ordering::Relaxed);
}

/// What the scheduler reaches once preemption is installed.
pub struct Hooks {
    /// `preemptone`, for sysmon.
    pub preemptone: unsafe fn(*mut P) -> bool,
    /// `preemptall`, for stopping the world.
    pub preemptall: fn(),
    /// For sysmon when a timer is overdue and no P is idle.
    pub preemptlongest: fn(),
    /// SIGURG's part in the handler.
    sigurg: unsafe fn(*mut u8, *mut u8),
    /// The cooperative preemption point.
    cooperate: fn(*mut G),
}

static HOOKS: Hooks = Hooks {
    preemptone,
    preemptall,
    preemptlongest,
    sigurg,
    cooperate,
};
static INSTALLED: AtomicPtr<Hooks> = AtomicPtr::new(core::ptr::null_mut());
static INSTALLING: AtomicBool = AtomicBool::new(false);

/// The hooks, once installed.
#[inline]
pub fn hooks() -> Option<&'static Hooks> {
    // SAFETY: null or `&HOOKS`, a static.
    unsafe { INSTALLED.load(Ordering::Acquire).as_ref() }
}

/// Installs preemption (the SIGURG handler, then the hooks): called by
/// every API that starts a goroutine (`rt_go_stack`, `api::go_with_stack`,
/// the signal receiver); only the first call does anything.
#[inline]
pub fn install() {
    if INSTALLING.load(Ordering::Relaxed) || INSTALLING.swap(true, Ordering::AcqRel) {
        return;
    }
    install_slow()
}

#[cold]
#[inline(never)]
fn install_slow() {
    // SIGURG asks a goroutine to yield; interrupted system calls restart.
    if os::linux::setsig(SIGURG, crate::signal_unix::sighandler, true).is_err() {
        crate::panic::throw("preempt: rt_sigaction failed");
    }
    // Opaque to the optimiser, which would otherwise call the hooks
    // directly and link them into every program (see `netpoll`).
    let h = core::hint::black_box(&HOOKS as *const Hooks as *mut Hooks);
    INSTALLED.store(h, Ordering::Release);
}

/// SIGURG's part in the runtime's handler (`signal_unix::sighandler`).
///
/// # Safety
/// Only from the SA_SIGINFO handler, with the kernel's `info` and `ctx`.
pub unsafe fn on_sigurg(info: *mut u8, ctx: *mut u8) {
    if let Some(h) = hooks() {
        // SAFETY: the caller's.
        unsafe { (h.sigurg)(info, ctx) }
    }
}

// ---- The guard around runtime calls --------------------------------------

/// Held by every runtime call from user code (the C and Rust APIs, the
/// allocator): the goroutine is inside the runtime and must not be
/// preempted asynchronously. Nested calls count; leaving the outermost one
/// takes a pending preemption request (the cooperative path).
///
/// The count lives in the G, not the M: a call that blocks may resume on
/// another thread. Only the G's own thread writes it; the signal handler
/// that reads it runs on that same thread, so program order plus a
/// compiler fence is the whole handshake.
pub struct Enter(*mut G);

/// Enters the runtime (see `Enter`).
#[inline(always)]
pub fn enter() -> Enter {
    let gp = getg();
    // SAFETY: user code runs on a live G (Gs are never freed); in_runtime
    // is written by this thread only.
    unsafe {
        let n = &(*gp).in_runtime;
        n.store(n.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }
    compiler_fence(Ordering::SeqCst);
    Enter(gp)
}

impl Drop for Enter {
    #[inline(always)]
    fn drop(&mut self) {
        compiler_fence(Ordering::SeqCst);
        // SAFETY: as in `enter`; the G is the same one, though maybe on
        // another thread now (it blocked inside).
        unsafe {
            let n = &(*self.0).in_runtime;
            let left = n.load(Ordering::Relaxed) - 1;
            n.store(left, Ordering::Relaxed);
            if left == 0 && (*self.0).preempt.load(Ordering::Relaxed) {
                // Only preemption's requests set the flag: it is installed.
                if let Some(h) = hooks() {
                    (h.cooperate)(self.0);
                }
            }
        }
    }
}

/// The cooperative preemption point: a G asked to yield leaves its last
/// runtime call.
#[cold]
#[inline(never)]
fn cooperate(gp: *mut G) {
    // SAFETY: gp is the running G (it just left its outermost runtime
    // call) and Gs are never freed.
    unsafe {
        let mp = (*gp).m;
        if mp.is_null() || (*mp).curg != gp {
            return;
        }
        (*gp).preempt.store(false, Ordering::Relaxed);
    }
    // Inside a runtime call again while the scheduler runs.
    let _g = enter();
    crate::sched::gosched()
}

// ---- Requests (sysmon, stop the world) -----------------------------------

/// Go's `preemptone`: asks the G running on `pp` to yield, and signals its
/// thread. False if there was none to ask. On sysmon or a stopping M,
/// without owning `pp`.
///
/// # Safety
/// `pp` is a P of `allp` (never freed).
unsafe fn preemptone(pp: *mut P) -> bool {
    // pp.m and mp.curg change under us: Ms and Gs are never freed, so a
    // stale one is a live object that we ask needlessly (a G that is no
    // longer running has its flag cleared by `execute` before it runs).
    // SAFETY: pp is live (caller); the fields are read as single words.
    let mp = unsafe { core::ptr::read_volatile(&(*pp).m) };
    if mp.is_null() || mp == crate::runtime2::getm() {
        return false;
    }
    // SAFETY: mp is live (never freed).
    let gp = unsafe { core::ptr::read_volatile(&(*mp).curg) };
    // SAFETY: as above.
    if gp.is_null() || gp == unsafe { (*mp).g0 } {
        return false;
    }
    // SAFETY: gp is live; preempt is atomic.
    unsafe { (*gp).preempt.store(true, Ordering::SeqCst) };
    if !ASYNC_OFF.load(Ordering::Relaxed) {
        // SAFETY: mp is live.
        unsafe { preempt_m(mp) };
    }
    true
}

/// Go's `preemptall`: asks every running G but the caller's to yield.
fn preemptall() {
    for i in 0..crate::sched::gomaxprocs() {
        let pp = crate::sched::allp(i);
        // SAFETY: Ps below gomaxprocs exist and are never freed.
        if unsafe { (*pp).status_seqcst() } == Pstatus::_Prunning {
            // SAFETY: as above.
            unsafe { preemptone(pp) };
        }
    }
}

/// Asks the G that has run longest without a pause (by the slices sysmon
/// has timed in each P's `sysmontick`) to yield, so that its P runs the
/// overdue timers when it schedules. Sysmon's alone, like `sysmontick`.
fn preemptlongest() {
    let mut oldest: Option<(*mut P, i64)> = None;
    for i in 0..crate::sched::gomaxprocs() {
        let pp = crate::sched::allp(i);
        // SAFETY: Ps below gomaxprocs exist and are never freed; the status
        // is atomic and `sysmontick` is written by sysmon only, our caller.
        let (st, when) = unsafe { ((*pp).status_seqcst(), (*pp).sysmontick.schedwhen) };
        if st == Pstatus::_Prunning && oldest.map_or(true, |(_, w)| when < w) {
            oldest = Some((pp, when));
        }
    }
    if let Some((pp, _)) = oldest {
        // SAFETY: pp is a P of allp.
        unsafe { preemptone(pp) };
    }
}

/// Go's `preemptM`: one SIGURG to `mp`'s thread, unless one is pending.
///
/// # Safety
/// `mp` is live.
unsafe fn preempt_m(mp: *mut M) {
    // SAFETY: mp is live (caller); the fields are atomics.
    let (pending, procid) = unsafe { (&(*mp).signal_pending, &(*mp).procid) };
    if pending
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::Relaxed)
        .is_err()
    {
        return;
    }
    let mut pid = PID.load(Ordering::Relaxed);
    if pid == 0 {
        pid = os::getpid();
        PID.store(pid, Ordering::Relaxed);
    }
    let mut tid = procid.load(Ordering::Acquire);
    if tid == 0 && core::ptr::eq(mp, crate::proc::m0()) {
        // m0 is the main thread: its id is the process's.
        tid = pid;
        procid.store(tid, Ordering::Release);
    }
    if tid == 0 || os::tgkill(pid, tid, SIGURG).is_err() {
        // Not started yet, or gone: nobody will clear it.
        pending.store(false, Ordering::SeqCst);
    }
}

// ---- The signal ----------------------------------------------------------

/// SIGURG's handler part (Go's `doSigPreempt`): preempts the interrupted
/// goroutine if it is at a safe point and was asked to yield.
///
/// # Safety
/// Only from the SA_SIGINFO handler, with the kernel's `info` and `ctx`
/// of this thread's signal.
unsafe fn sigurg(info: *mut u8, ctx: *mut u8) {
    if ASYNC_OFF.load(Ordering::Relaxed) || !arch::tls_ready() {
        return;
    }
    let gp = getg();
    // SAFETY: with the thread pointer set, gp is this thread's live G
    // (never freed), bound to its M.
    let mp = unsafe { (*gp).m };
    if mp.is_null() {
        return;
    }
    // SAFETY: gp and mp are this thread's; ctx and info the kernel's.
    unsafe { try_preempt(gp, mp, info, ctx) };
    // Only now may sysmon send the next signal: one arriving while this
    // handler runs would wait, blocked, for its return (and qemu-user
    // loses such a signal now and then, leaving the spinner unpreempted).
    // SAFETY: mp is this thread's M; the flag is atomic.
    unsafe { (*mp).signal_pending.store(false, Ordering::SeqCst) };
}

/// `sigurg`'s decision and, at a safe point, the preemption.
///
/// # Safety
/// As `sigurg`; gp is this thread's G and mp its M.
unsafe fn try_preempt(gp: *mut G, mp: *mut M, info: *mut u8, ctx: *mut u8) {
    // SAFETY: fields of this thread's own M and G (caller).
    let safe = unsafe {
        (*mp).curg == gp
            && (*gp).preempt.load(Ordering::Relaxed)
            && (*gp).in_runtime.load(Ordering::Relaxed) == 0
            && (*gp).status() == Gstatus::_Grunning
            && !(*mp).p.is_null()
            && (*(*mp).p).status() == Pstatus::_Prunning
    };
    // A runtime lock held: user code allocating (the allocator's lock).
    // SAFETY: the thread pointer is set (above); `locks` is this thread's.
    if !safe || unsafe { (*arch::tcb()).locks } != 0 {
        return;
    }
    // SAFETY: gp and mp are this thread's (above); ctx and info are the
    // kernel's (our contract).
    unsafe { inject(gp, mp, info, ctx) }
}

/// Copies the signal frame onto `gp`'s stack and makes the interrupted
/// context call `async_preempt` with it.
///
/// # Safety
/// As `sigurg`, at a safe point of `gp`, this thread's running G on `mp`.
unsafe fn inject(gp: *mut G, mp: *mut M, info: *mut u8, ctx: *mut u8) {
    // SAFETY: ctx is the kernel's ucontext (caller): sp is a word of it.
    let sp = unsafe { (ctx.add(arch::UC_SP) as *const usize).read() };
    // SAFETY: gp and mp are live and this thread's; their stacks are set.
    let (stack, gsig) = unsafe { ((*gp).stack, (*mp).gsignal) };
    // The frame runs from the kernel's start of it to the top of the signal
    // stack (it was built there: the handler runs on gsignal, and a nested
    // signal would have interrupted gsignal, not gp's stack).
    let start = (info as usize).min(ctx as usize - arch::SIGFRAME_UC);
    if !(gsig.lo..gsig.hi).contains(&start) || !(stack.lo + 1..=stack.hi).contains(&sp) {
        return;
    }
    let len = gsig.hi - start;
    // Below sp and the red zone, at the frame's alignment modulo 64 (the
    // x86_64 xsave area is 64-byte aligned; the others need 16).
    let target = sp - arch::REDZONE - len;
    let copy = target - (target.wrapping_sub(start) & 63);
    let rec = (copy - 16) & !15;
    if rec < stack.lo + ASYNC_ROOM {
        // No room: the next runtime call takes the request instead.
        return;
    }
    let delta = copy.wrapping_sub(start);
    // SAFETY: [start, gsig.hi) is the frame on this thread's signal stack;
    // [copy, copy + len) and [rec, rec + 16) lie in gp's stack below its sp
    // and red zone (checked), which nothing else uses while gp is stopped
    // in this handler; the two ranges do not overlap.
    unsafe {
        core::ptr::copy_nonoverlapping(start as *const u8, copy as *mut u8, len);
        let uc = (ctx as usize).wrapping_add(delta) as *mut u8;
        arch::sigframe_relocate(uc, start, gsig.hi, delta);
        let fp = (ctx.add(arch::UC_FP) as *const usize).read();
        let pc = (ctx.add(arch::UC_PC) as *const usize).read();
        let r = rec as *mut usize;
        r.write(fp);
        r.add(1).write(pc);
        // Inside the runtime from here until the copy is returned into.
        (*gp).in_runtime.store(1, Ordering::Relaxed);
        arch::sigframe_redirect(
            ctx,
            async_preempt as *const () as usize,
            rec,
            copy,
            rec + arch::FP_BIAS,
        );
    }
}

/// Where a preempted goroutine goes: off its M and back to a run queue;
/// then, when it runs again, back into its copied signal frame.
///
/// # Safety
/// Only as `inject` arranges: on the preempted G's stack, `frame` the copy.
unsafe extern "C" fn async_preempt(frame: usize) -> ! {
    let gp = getg();
    // SAFETY: the running G (inject's contract).
    unsafe { (*gp).preempt.store(false, Ordering::Relaxed) };
    // SAFETY: on a user G; gopreempt_m never returns.
    unsafe { crate::sched::mcall(gopreempt_m) };
    // Running again, maybe on another thread: its signal stack, and on
    // riscv its thread pointer, replace the old thread's in the copy, or
    // rt_sigreturn would install them here. From the patch to
    // rt_sigreturn no other preemption may land: it would copy this tail,
    // resume it on yet another thread, and this copy, patched for this
    // one, would then install this thread's signal stack and (riscv) thread
    // pointer there (seen as `mcall called on m->g0 stack` on riscv64).
    // `in_runtime` (1 since `inject`) keeps the handler away until here;
    // then SIGURG stays blocked until rt_sigreturn installs the copy's mask,
    // the interrupted code's, in which it is not.
    if os::block_signal(SIGURG).is_err() {
        crate::panic::throw("async_preempt: rt_sigprocmask failed");
    }
    let mp = crate::runtime2::getm();
    // SAFETY: mp is this thread's live M; the copy is ours, on our stack.
    unsafe {
        let gs = (*mp).gsignal;
        let uc = (frame + arch::SIGFRAME_UC) as *mut u8;
        (uc.add(arch::UC_STACK) as *mut os::SigStack).write(os::SigStack {
            sp: gs.lo,
            flags: 0,
            size: gs.hi - gs.lo,
        });
        arch::sigframe_resume(uc);
    }
    compiler_fence(Ordering::SeqCst);
    // SAFETY: the running G.
    unsafe { (*gp).in_runtime.store(0, Ordering::Relaxed) };
    // SAFETY: frame is a complete signal frame (inject's copy, patched).
    unsafe { arch::sigreturn_to(frame) }
}

/// Go's `gopreempt_m` (`goschedImpl`), on g0: the preempted G goes to the
/// global queue's tail, so that every other runnable G runs first.
///
/// # Safety
/// Only as `mcall`'s `f`, from `async_preempt`.
unsafe extern "C" fn gopreempt_m(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = crate::runtime2::getm();
    // SAFETY: gp has just left this M through mcall: only we touch it.
    unsafe {
        (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Gpreempted);
        crate::sched::dropg(mp, gp);
        (*gp).casgstatus(Gstatus::_Gpreempted, Gstatus::_Grunnable);
        crate::sched::globrunqput(gp);
    }
    crate::sched::schedule()
}
