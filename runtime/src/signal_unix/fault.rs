//! Synchronous faults and Go's reports of them: a panic in user code (Go's
//! `sigpanic`), `unexpected signal during runtime execution` inside the
//! runtime, a stack overflow; and where a report's traceback of the
//! interrupted code starts (`sigctx`).

use super::{name, SIGFPE, SIGSEGV, SI_ADDR};
use crate::arch;
use crate::runtime2::{getg, setg, G};
use core::sync::atomic::Ordering;

/// Where a traceback of the interrupted code starts.
///
/// # Safety
/// `ctx` is a live `ucontext_t` of this thread (the kernel's).
pub(super) unsafe fn sigctx(ctx: *mut u8) -> crate::panic::SigCtx {
    let word = |off: usize| {
        // SAFETY: an aligned word of the ucontext at the kernel's offset
        // (caller).
        unsafe { (ctx.add(off) as *const usize).read() }
    };
    crate::panic::SigCtx {
        pc: word(arch::UC_PC),
        fp: word(arch::UC_FP),
        arm_fp: arch::UC_ARM_FP.map_or(0, word),
        link: word(arch::UC_LINK),
    }
}

/// A synchronous fault: stack overflow, Go's panic in user code, or a
/// fatal error inside the runtime.
///
/// # Safety
/// As `sighandler`'s.
pub(super) unsafe fn fault(sig: i32, code: i32, info: *mut u8, ctx: *mut u8) -> ! {
    // SAFETY: the kernel passed a live siginfo_t at info and ucontext_t at
    // ctx (caller); si_addr and the arch's saved pc and sp lie at these
    // offsets inside them, aligned for their types.
    let addr = unsafe { (info.add(SI_ADDR) as *const usize).read() };
    // SAFETY: as above.
    let pc = unsafe { (ctx.add(arch::UC_PC) as *const usize).read() };
    // SAFETY: as above.
    let sp = unsafe { (ctx.add(arch::UC_SP) as *const usize).read() };
    // SAFETY: as above.
    let regs = unsafe { sigctx(ctx) };
    let gp = if crate::proc::tls_ready() {
        getg()
    } else {
        core::ptr::null_mut()
    };
    // In user code: the M's current G, outside every runtime call.
    let mut user = false;
    if !gp.is_null() {
        // On g0 (no stacksize) the overflow may be the M's curg's: `mcall`
        // makes g0 current just before it saves registers on the
        // goroutine's stack.
        // SAFETY: gp is this thread's G (tls_ready: the thread pointer is
        // set); Gs and Ms are never freed, so gp, its M (when not null) and
        // that M's curg (when not null) are live.
        let mp = unsafe { (*gp).m };
        // SAFETY: as above.
        let g = if unsafe { (*gp).stacksize } == 0 && !mp.is_null() {
            // SAFETY: as above.
            unsafe { (*mp).curg }
        } else {
            gp
        };
        // SAFETY: as above.
        user = !mp.is_null()
            && unsafe { (*mp).curg } == gp
            && unsafe { (*gp).in_runtime.load(Ordering::Relaxed) } == 0
            && unsafe { (*arch::tcb()).locks } == 0;
        // A fault anywhere in the guard region, or with sp already below
        // the stack (within a guard's reach of it), is an overflow.
        // SAFETY: g is null or a live G (as above).
        if sig == SIGSEGV && !g.is_null() && unsafe { (*g).stacksize } > 0 {
            // SAFETY: as above.
            let s = unsafe { (*g).stack };
            let reach = crate::stack::guard_size();
            let below = |a: usize| a < s.lo && a >= s.lo.saturating_sub(reach);
            if below(addr) || below(sp) {
                // The report names the goroutine that overflowed.
                // SAFETY: the thread pointer is set (tls_ready) and g is gp
                // or the curg of gp's M, a G of this M (setg's contract);
                // g is the live G that overflowed (stack_overflow's).
                unsafe {
                    setg(g);
                    stack_overflow(g, sp);
                }
            }
        }
    }
    let name = name(sig);
    let detail = |l: &mut crate::print::Line| {
        l.s("[signal ")
            .s(name)
            .kx(" code=", code as u32 as u64)
            .kx(" addr=", addr as u64)
            .kx(" pc=", pc as u64)
            .s("]");
    };
    if !user {
        crate::panic::fatal_signal(regs, &detail)
    }
    // Go's `sigpanic`.
    const SEGV_MAPERR: i32 = 1;
    const FPE_INTDIV: i32 = 1;
    const FPE_INTOVF: i32 = 2;
    let what = match sig {
        SIGSEGV if code == SEGV_MAPERR && addr < 0x1000 => {
            Some("invalid memory address or nil pointer dereference")
        }
        SIGFPE if code == FPE_INTDIV => Some("integer divide by zero"),
        SIGFPE if code == FPE_INTOVF => Some("integer overflow"),
        SIGFPE => Some("floating point error"),
        _ => None,
    };
    match what {
        Some(w) => crate::panic::runtime_error_signal(w, regs, &detail),
        None => crate::panic::fault_signal(addr, regs, &detail),
    }
}

/// Go's stack overflow report for goroutine `gp` at stack pointer `sp`.
///
/// # Safety
/// `gp` is the live G that overflowed.
pub unsafe fn stack_overflow(gp: *mut G, sp: usize) -> ! {
    // SAFETY: gp is the live G that overflowed.
    let (size, s) = unsafe { ((*gp).stacksize, (*gp).stack) };
    crate::panic::throw_with(
        &|l| {
            l.ku("goroutine stack exceeds ", size as u64)
                .s("-byte limit");
            l.end();
            l.kx("runtime: sp=", sp as u64)
                .kx(" stack=[", s.lo as u64)
                .kx(", ", s.hi as u64)
                .s("]");
        },
        "stack overflow",
    )
}
