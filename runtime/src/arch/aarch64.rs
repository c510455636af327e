//! aarch64 (AAPCS64): callee-saved x19–x29, the link register x30 and the
//! low halves of v8–v15 (d8–d15); the thread pointer is `tpidr_el0`.

use super::Tcb;
use core::arch::{asm, global_asm};

// 1. The entry point.
#[cfg(not(test))]
global_asm!(include_str!("../../../rt0/aarch64-unknown-linux-gnu.s"));

// 2. Thread pointer.
pub const G_SLOT: usize = 0;

/// Prepares a Tcb to become a thread pointer (variant I: nothing to do).
///
/// # Safety
/// `tcb` must be valid for writes.
pub unsafe fn init_tcb(_tcb: *mut Tcb) {}

/// Points the thread pointer at `tcb`.
///
/// # Safety
/// `tcb` must stay valid for as long as this thread runs.
pub unsafe fn set_thread_pointer(tcb: *mut Tcb) -> Result<(), syscalls::Errno> {
    // SAFETY: sets this thread's EL0 thread register; `tcb` stays valid
    // (caller).
    unsafe { asm!("msr tpidr_el0, {}", in(reg) tcb, options(nostack, preserves_flags)) };
    Ok(())
}

/// The calling thread's Tcb.
#[inline(always)]
pub fn tcb() -> *mut Tcb {
    let t: *mut Tcb;
    // SAFETY: reads a system register.
    unsafe { asm!("mrs {}, tpidr_el0", out(reg) t, options(nomem, nostack, preserves_flags)) };
    t
}

/// The running goroutine's G, as the word in the thread's G slot.
#[inline(always)]
pub fn load_g() -> usize {
    let g: usize;
    // SAFETY: tpidr_el0 points at this thread's Tcb from rt0_go on; the G
    // slot is its first word.
    unsafe {
        asm!("mrs {t}, tpidr_el0", "ldr {g}, [{t}]", t = out(reg) _, g = lateout(reg) g,
             options(nostack, readonly, preserves_flags))
    };
    g
}

/// Stores `gp` in the thread's G slot: the running goroutine's G.
///
/// # Safety
/// The thread pointer must be set; `gp` must be a G of this M.
#[inline(always)]
pub unsafe fn store_g(gp: usize) {
    // SAFETY: tpidr_el0 points at this thread's Tcb (caller); the G slot is
    // its first word.
    unsafe {
        asm!("mrs {t}, tpidr_el0", "str {g}, [{t}]", t = out(reg) _, g = in(reg) gp,
             options(nostack, preserves_flags))
    };
}

/// A hint that `addr`'s cache line will be read soon.
#[inline(always)]
pub fn prefetch(addr: usize) {
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe { asm!("prfm pldl1keep, [{}]", in(reg) addr, options(nostack, readonly, preserves_flags)) };
}

// 3. Context switch. The saved frame is 160 bytes: x19–x30, then d8–d15.
global_asm!(
    ".text",
    ".globl rt_gogo",
    "rt_gogo:",
    "    mov sp, x0",
    "    ldp x19, x20, [sp, #0]",
    "    ldp x21, x22, [sp, #16]",
    "    ldp x23, x24, [sp, #32]",
    "    ldp x25, x26, [sp, #48]",
    "    ldp x27, x28, [sp, #64]",
    "    ldp x29, x30, [sp, #80]",
    "    ldp d8, d9, [sp, #96]",
    "    ldp d10, d11, [sp, #112]",
    "    ldp d12, d13, [sp, #128]",
    "    ldp d14, d15, [sp, #144]",
    "    add sp, sp, #160",
    "    ret",
    ".globl rt_mcall_switch",
    "rt_mcall_switch:",
    "    sub sp, sp, #160",
    "    stp x19, x20, [sp, #0]",
    "    stp x21, x22, [sp, #16]",
    "    stp x23, x24, [sp, #32]",
    "    stp x25, x26, [sp, #48]",
    "    stp x27, x28, [sp, #64]",
    "    stp x29, x30, [sp, #80]",
    "    stp d8, d9, [sp, #96]",
    "    stp d10, d11, [sp, #112]",
    "    stp d12, d13, [sp, #128]",
    "    stp d14, d15, [sp, #144]",
    "    mov x9, sp",
    "    str x9, [x0]",
    "    mov sp, x1",
    "    mov x0, x3",
    "    blr x2",
    "    brk #1",
);

// 4. Initial frame: all saved registers zero (x29 = 0 ends the frame chain)
// except x30, the address `gogo` returns to.
/// Writes the first frame of a goroutine below `hi` and returns the stack
/// pointer to `gogo` to.
///
/// # Safety
/// `hi` must be the 16-byte aligned top of at least 160 writable bytes.
pub unsafe fn prepare_frame(hi: usize, entry: extern "C" fn() -> !) -> usize {
    let sp = hi - 160;
    let frame = sp as *mut usize;
    // SAFETY: [sp, hi) lies within the writable bytes below `hi`
    // (caller), and `sp` is aligned as `hi` is.
    unsafe {
        for i in 0..20 {
            frame.add(i).write(0);
        }
        frame.add(11).write(entry as usize);
    }
    sp
}

// 5.
#[inline(always)]
pub fn current_sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// The frame pointer (x29) of the function this is inlined into: its frame
/// record (see `FP_BIAS`), when that function keeps one.
#[inline(always)]
pub fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags)) };
    fp
}

// `rt_caller_fp` (`caller_fp` in mod.rs): the frame pointer as its caller
// has it, from a function of its own (no frame), so that the caller's
// prologue has run: a call comes after it wherever the compiler puts it.
global_asm!(
    ".pushsection .text.rt_caller_fp, \"ax\", %progbits",
    ".globl rt_caller_fp",
    ".type rt_caller_fp, %function",
    "rt_caller_fp:",
    "    mov x0, x29",
    "    ret",
    ".popsection",
);

/// One frame-pointer convention here: no second chain (see arm.rs).
#[inline(always)]
pub fn current_arm_fp() -> usize {
    0
}

pub const UC_ARM_FP: Option<usize> = None;

/// Where a saved `Context` keeps the frame pointer and the resume address,
/// in bytes from its sp: x19–x28, then the x29/x30 pair at 80.
pub const CTX_FP: usize = 80;
pub const CTX_PC: usize = 88;

// 6. Threads and signals.
global_asm!(
    ".text",
    // rt_clone(flags, stack, tls, f, arg): see x86_64.rs.
    ".globl rt_clone",
    "rt_clone:",
    "    stp x3, x4, [x1, #-16]!",
    "    mov x3, x2",
    "    mov x2, #0",
    "    mov x4, #0",
    "    mov x8, #220",
    "    svc #0",
    "    cbnz x0, 2f",
    "    ldp x3, x4, [sp], #16",
    "    mov x29, #0",
    "    mov x30, #0",
    "    mov x0, x4",
    "    blr x3",
    "    brk #1",
    "2:  ret",
    ".globl rt_sigreturn_tramp",
    "rt_sigreturn_tramp:",
    "    mov x8, #139",
    "    svc #0",
    "    brk #1",
    // rt_sigreturn_to(frame): returns into the signal frame copied to
    // `frame`; the kernel finds it at sp.
    ".globl rt_sigreturn_to",
    "rt_sigreturn_to:",
    "    mov sp, x0",
    "    mov x8, #139",
    "    svc #0",
    "    brk #1",
    // rt_exit_thread(wait): the last store to *wait (a store-release:
    // every earlier access of this thread's stacks comes before it), then
    // exit(0) for this thread alone, touching no stack in between.
    ".globl rt_exit_thread",
    "rt_exit_thread:",
    "    stlr wzr, [x0]",
    "    mov x0, #0",
    "    mov x8, #93",
    "    svc #0",
    "    brk #1",
);

/// The kernel's `struct sigaction` here has `sa_restorer`.
pub use super::{SigactionWithRestorer as KernelSigaction, SA_RESTORER_FLAG as SA_RESTORER};

/// Offsets into the kernel's `ucontext` of the faulting pc and sp
/// (`uc_mcontext` is 16-byte aligned at 176: fault_address, x0..x30, sp, pc).
pub const UC_PC: usize = 176 + 8 + 31 * 8 + 8;
pub const UC_SP: usize = 176 + 8 + 31 * 8;
/// Where a leaf function's return address is when a signal interrupts it
/// (`traceback`): the link register, x30.
pub const UC_LINK: usize = UC_LR;
pub const LINK_AT_SP: bool = false;

/// The signal frame (the kernel's `rt_sigframe`): siginfo (128 bytes),
/// then the `ucontext`, whose `uc_mcontext.__reserved` holds records: the
/// FP/SIMD state (q0–q31, fpsr, fpcr), and SVE or an `extra_context`
/// pointing past the frame when they do not fit. `rt_sigreturn` takes the
/// frame at sp.
pub const SIGFRAME_UC: usize = 128;
/// Offsets into the `ucontext`: `uc_stack` and the frame pointer (x29).
pub const UC_STACK: usize = 16;
pub const UC_FP: usize = 184 + 29 * 8;
/// No red zone on Linux.
pub const REDZONE: usize = 0;
/// The frame pointer points at the {previous fp, return address} record.
pub const FP_BIAS: usize = 0;

const UC_X0: usize = 184;
const UC_LR: usize = 184 + 30 * 8;
/// `uc_mcontext.__reserved`, 16-byte aligned after pstate.
const UC_RESERVED: usize = 464;
const RESERVED_SIZE: usize = 4096;
const EXTRA_MAGIC: u32 = 0x4558_5401;

/// A signal frame was copied `delta` bytes away (wrapping) from
/// `[lo, hi)`: an `extra_context` record's pointer moves with it.
///
/// # Safety
/// `uc` is the `ucontext` of the copy, which ends at `hi + delta`
/// (wrapping), writable.
pub unsafe fn sigframe_relocate(uc: *mut u8, lo: usize, hi: usize, delta: usize) {
    // SAFETY: the records start inside the copied ucontext (caller).
    unsafe { super::relocate_record(uc.wrapping_add(UC_RESERVED), RESERVED_SIZE, EXTRA_MAGIC, 8, (lo, hi, delta)) }
}

/// Makes the context in `uc` call `f(arg)` on the stack `sp` (16-byte
/// aligned) with frame pointer `fp` and no return address.
///
/// # Safety
/// `uc` is a live, writable `ucontext`.
pub unsafe fn sigframe_redirect(uc: *mut u8, f: usize, sp: usize, arg: usize, fp: usize) {
    // SAFETY: the offsets are the kernel's (above), inside the ucontext.
    unsafe {
        (uc.add(UC_PC) as *mut usize).write(f);
        (uc.add(UC_SP) as *mut usize).write(sp);
        (uc.add(UC_X0) as *mut usize).write(arg);
        (uc.add(UC_FP) as *mut usize).write(fp);
        (uc.add(UC_LR) as *mut usize).write(0);
    }
}

/// What a copied frame needs from the thread that returns into it (the
/// thread pointer, tpidr_el0, is not in it: nothing).
///
/// # Safety
/// `uc` is a writable `ucontext`.
pub unsafe fn sigframe_resume(_uc: *mut u8) {}

// 7. Per-target constants for the layers above.

/// The guard region below every goroutine stack. Rust probes large frames;
/// clang 14 ignores `-fstack-clash-protection` on AArch64, so C frames are
/// limited to half of this at compile time (see `stack`).
pub const GUARD_SIZE: usize = 128 << 10;

/// The vDSO's `clock_gettime`.
pub const VDSO_CLOCK_GETTIME: &[u8] = b"__kernel_clock_gettime";

/// Go's `checkgoarm`: whether this CPU can run the build, from AT_HWCAP
/// (`Ok(None)`: nothing to check here).
/// Every ARMv8 CPU can.
pub fn checkgoarm(_hwcap: usize) -> Result<Option<&'static str>, [&'static str; 2]> {
    Ok(None)
}
