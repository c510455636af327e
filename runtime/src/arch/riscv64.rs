//! riscv64 (RV64GC, LP64D psABI): callee-saved s0–s11 (s0 is the frame
//! pointer), fs0–fs11 (the D extension's callee-saved halves of the FP
//! file, saved as doubles), the return address ra and sp; the thread
//! pointer is the `tp` register (x4), written with an ordinary `mv`.
//!
//! What the assembly below relies on, with where it was checked:
//!
//! - `tp` is the thread pointer (psABI: TLS variant I, the TCB at or below
//!   `tp` and the TLS block above). Compiled code reads it only for
//!   thread-local variables, which the linker script refuses, so the
//!   runtime decides where it points: at the M's `Tcb`, with the G slot
//!   its first word, as on arm and aarch64. `clone` with CLONE_SETTLS sets
//!   a new thread's `tp` from its tls argument.
//! - System calls: number in a7, arguments in a0–a5, `ecall`, the result
//!   (or -errno) in a0 (`syscalls` crate, Go's `sys_linux_riscv64.s`).
//! - `clone` is number 220 with the arguments in the order flags, stack,
//!   parent_tid, tls, child_tid: riscv selects `CLONE_BACKWARDS`
//!   (arch/riscv/Kconfig; kernel/fork.c's `SYSCALL_DEFINE5(clone, …)`
//!   for that option), as arm and aarch64 do and x86_64 does not.
//! - `rt_sigreturn` is number 139. The kernel has no `SA_RESTORER` on
//!   riscv (asm-generic: "new architectures should not define" it, and
//!   its `struct sigaction` then has no `sa_restorer` field): a handler
//!   returns to the vDSO's `__vdso_rt_sigreturn`, which the kernel puts in
//!   ra (arch/riscv/kernel/signal.c), and qemu-user to a trampoline of its
//!   own. `rt_sigreturn_tramp` is kept so that every architecture has the
//!   same items; nothing calls it here.
//! - `struct ucontext` (arch/riscv/include/uapi/asm/ucontext.h): uc_flags
//!   (8), uc_link (8), uc_stack (ss_sp, ss_flags + padding, ss_size: 24),
//!   uc_sigmask padded to 128 bytes (room for 1024 signals), so 168 bytes;
//!   then uc_mcontext, a `struct sigcontext` whose FP union holds the Q
//!   state's `aligned(16)` array, so it starts at 176. It begins with
//!   `struct user_regs_struct` {pc, ra, sp, gp, tp, …} (uapi ptrace.h).
//!   Go's `defs_linux_riscv64.go` has the same layout (its 8-byte
//!   `uc_pad_cgo_0` before `uc_mcontext`).

use super::Tcb;
use core::arch::{asm, global_asm};

// 1. The entry point.
#[cfg(not(test))]
global_asm!(include_str!("../../../rt0/riscv64gc-unknown-linux-gnu.s"));

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
    // SAFETY: sets this thread's tp register, which compiled code uses for
    // nothing else (no thread-locals); `tcb` stays valid (caller).
    unsafe { asm!("mv tp, {}", in(reg) tcb, options(nostack, preserves_flags)) };
    Ok(())
}

/// The calling thread's Tcb.
#[inline(always)]
pub fn tcb() -> *mut Tcb {
    let t: *mut Tcb;
    // SAFETY: reads a register.
    unsafe { asm!("mv {}, tp", out(reg) t, options(nomem, nostack, preserves_flags)) };
    t
}

/// The running goroutine's G, as the word in the thread's G slot.
#[inline(always)]
pub fn load_g() -> usize {
    let g: usize;
    // SAFETY: tp points at this thread's Tcb from rt0_go on; the G slot is
    // its first word.
    unsafe { asm!("ld {}, 0(tp)", out(reg) g, options(nostack, readonly, preserves_flags)) };
    g
}

/// Stores `gp` in the thread's G slot: the running goroutine's G.
///
/// # Safety
/// The thread pointer must be set; `gp` must be a G of this M.
#[inline(always)]
pub unsafe fn store_g(gp: usize) {
    // SAFETY: tp points at this thread's Tcb (caller); the G slot is its
    // first word.
    unsafe { asm!("sd {}, 0(tp)", in(reg) gp, options(nostack, preserves_flags)) };
}

/// A hint that `addr`'s cache line will be read soon: nothing here, as
/// rv64gc has no prefetch (Zicbop's `prefetch.r` is an extension).
#[inline(always)]
pub fn prefetch(addr: usize) {
    let _ = addr;
}

// 3. Context switch. The saved frame is 208 bytes: ra, s0–s11, fs0–fs11,
// and one word of padding to keep sp 16-byte aligned. Module-level assembly
// is assembled for the base ISA whatever the target's features (rustc
// passes them to functions only), hence `.option arch`.
global_asm!(
    ".option push",
    ".option arch, +d, +c",
    ".text",
    ".globl rt_gogo",
    "rt_gogo:",
    "    mv sp, a0",
    "    ld ra, 0(sp)",
    "    ld s0, 8(sp)",
    "    ld s1, 16(sp)",
    "    ld s2, 24(sp)",
    "    ld s3, 32(sp)",
    "    ld s4, 40(sp)",
    "    ld s5, 48(sp)",
    "    ld s6, 56(sp)",
    "    ld s7, 64(sp)",
    "    ld s8, 72(sp)",
    "    ld s9, 80(sp)",
    "    ld s10, 88(sp)",
    "    ld s11, 96(sp)",
    "    fld fs0, 104(sp)",
    "    fld fs1, 112(sp)",
    "    fld fs2, 120(sp)",
    "    fld fs3, 128(sp)",
    "    fld fs4, 136(sp)",
    "    fld fs5, 144(sp)",
    "    fld fs6, 152(sp)",
    "    fld fs7, 160(sp)",
    "    fld fs8, 168(sp)",
    "    fld fs9, 176(sp)",
    "    fld fs10, 184(sp)",
    "    fld fs11, 192(sp)",
    "    addi sp, sp, 208",
    "    ret",
    ".globl rt_mcall_switch",
    "rt_mcall_switch:",
    "    addi sp, sp, -208",
    "    sd ra, 0(sp)",
    "    sd s0, 8(sp)",
    "    sd s1, 16(sp)",
    "    sd s2, 24(sp)",
    "    sd s3, 32(sp)",
    "    sd s4, 40(sp)",
    "    sd s5, 48(sp)",
    "    sd s6, 56(sp)",
    "    sd s7, 64(sp)",
    "    sd s8, 72(sp)",
    "    sd s9, 80(sp)",
    "    sd s10, 88(sp)",
    "    sd s11, 96(sp)",
    "    fsd fs0, 104(sp)",
    "    fsd fs1, 112(sp)",
    "    fsd fs2, 120(sp)",
    "    fsd fs3, 128(sp)",
    "    fsd fs4, 136(sp)",
    "    fsd fs5, 144(sp)",
    "    fsd fs6, 152(sp)",
    "    fsd fs7, 160(sp)",
    "    fsd fs8, 168(sp)",
    "    fsd fs9, 176(sp)",
    "    fsd fs10, 184(sp)",
    "    fsd fs11, 192(sp)",
    "    sd sp, 0(a0)",
    "    mv sp, a1",
    "    mv a0, a3",
    "    jalr a2",
    "    unimp",
    ".option pop",
);

// 4. Initial frame: all saved registers zero (s0 = 0 ends the frame chain)
// except ra, the address `gogo` returns to.
/// Writes the first frame of a goroutine below `hi` and returns the stack
/// pointer to `gogo` to.
///
/// # Safety
/// `hi` must be the 16-byte aligned top of at least 208 writable bytes.
pub unsafe fn prepare_frame(hi: usize, entry: extern "C" fn() -> !) -> usize {
    let sp = hi - 208;
    let frame = sp as *mut usize;
    // SAFETY: [sp, hi) lies within the writable bytes below `hi`
    // (caller), and `sp` is aligned as `hi` is.
    unsafe {
        for i in 0..26 {
            frame.add(i).write(0);
        }
        frame.write(entry as usize);
    }
    sp
}

// 5.
#[inline(always)]
pub fn current_sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// The frame pointer (s0) of the function this is inlined into: its frame
/// record (see `FP_BIAS`), when that function keeps one.
#[inline(always)]
pub fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mv {}, s0", out(reg) fp, options(nomem, nostack, preserves_flags)) };
    fp
}

// `rt_caller_fp` (`caller_fp` in mod.rs): the frame pointer as its caller
// has it, from a function of its own (no frame), so that the caller's
// prologue has run: a call comes after it wherever the compiler puts it.
global_asm!(
    ".pushsection .text.rt_caller_fp, \"ax\", @progbits",
    ".globl rt_caller_fp",
    "rt_caller_fp:",
    "    mv a0, s0",
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
/// in bytes from its sp: ra at 0, then s0–s11.
pub const CTX_FP: usize = 8;
pub const CTX_PC: usize = 0;

// 6. Threads and signals.
global_asm!(
    ".option push",
    ".option arch, +c",
    ".text",
    // rt_clone(flags, stack, tls, f, arg): see x86_64.rs. tls goes in a3,
    // the fourth argument (CLONE_BACKWARDS, see above).
    ".globl rt_clone",
    "rt_clone:",
    "    addi a1, a1, -16",
    "    sd a3, 0(a1)",
    "    sd a4, 8(a1)",
    "    mv a3, a2",
    "    li a2, 0",
    "    li a4, 0",
    "    li a7, 220",
    "    ecall",
    "    bnez a0, 2f",
    "    ld a3, 0(sp)",
    "    ld a0, 8(sp)",
    "    addi sp, sp, 16",
    "    li s0, 0",
    "    li ra, 0",
    "    jalr a3",
    "    unimp",
    "2:  ret",
    // Not used by the kernel or qemu on riscv (see above).
    ".globl rt_sigreturn_tramp",
    "rt_sigreturn_tramp:",
    "    li a7, 139",
    "    ecall",
    "    unimp",
    // rt_sigreturn_to(frame): returns into the signal frame copied to
    // `frame`; the kernel finds it at sp.
    ".globl rt_sigreturn_to",
    "rt_sigreturn_to:",
    "    mv sp, a0",
    "    li a7, 139",
    "    ecall",
    "    unimp",
    // rt_exit_thread(wait): the last store to *wait (release: the fence
    // orders every earlier access of this thread's stacks before it), then
    // exit(0) for this thread alone, touching no stack in between.
    ".globl rt_exit_thread",
    "rt_exit_thread:",
    "    fence rw, w",
    "    sw zero, 0(a0)",
    "    li a0, 0",
    "    li a7, 93",
    "    ecall",
    "    unimp",
    ".option pop",
);

/// The kernel's `struct sigaction` on riscv64 (asm-generic, no
/// `sa_restorer`): handler, flags, 64-bit mask.
#[repr(C)]
pub struct KernelSigaction {
    handler: usize,
    flags: usize,
    mask: u64,
}

impl KernelSigaction {
    /// `restorer` is not part of riscv64's layout (see the module doc).
    pub fn new(handler: usize, flags: usize, _restorer: usize, mask: u64) -> KernelSigaction {
        KernelSigaction {
            handler,
            flags,
            mask,
        }
    }
}

/// riscv64 has no `SA_RESTORER` (Go's `_SA_RESTORER = 0x0` there).
pub const SA_RESTORER: usize = 0;

/// Offsets into the kernel's `ucontext` of the faulting pc and sp
/// (`uc_mcontext` is 16-byte aligned at 176: pc, ra, sp, …).
pub const UC_PC: usize = 176;
pub const UC_SP: usize = 176 + 2 * 8;
/// Where a leaf function's return address is when a signal interrupts it
/// (`traceback`): the link register, ra (`sc_regs.ra`, x1).
pub const UC_LINK: usize = UC_RA;
pub const LINK_AT_SP: bool = false;

/// The signal frame (the kernel's `rt_sigframe`): siginfo (128 bytes),
/// then the `ucontext`, whose `uc_mcontext` holds x1–x31 and the FP state
/// (f0–f31, fcsr) by value, then extension records (the vector state,
/// through a pointer) on kernels and CPUs with V. `rt_sigreturn` takes
/// the frame at sp.
pub const SIGFRAME_UC: usize = 128;
/// Offsets into the `ucontext`: `uc_stack` and the frame pointer (s0).
pub const UC_STACK: usize = 16;
pub const UC_FP: usize = 176 + 8 * 8;
/// No red zone in the psABI.
pub const REDZONE: usize = 0;
/// s0 points just above the {previous fp, ra} record.
pub const FP_BIAS: usize = 16;

const UC_RA: usize = 176 + 8;
const UC_TP: usize = 176 + 4 * 8;
const UC_A0: usize = 176 + 10 * 8;
/// The first extension header: after the registers (256 bytes) and the
/// padding of `__riscv_extra_ext_header` (520) over the FP union.
const UC_EXT: usize = 176 + 256 + 520;
const EXT_LIMIT: usize = 4096;
const V_MAGIC: u32 = 0x5346_5457;

/// A signal frame was copied `delta` bytes away (wrapping) from
/// `[lo, hi)`: the vector record's data pointer moves with it.
///
/// # Safety
/// `uc` is the `ucontext` of the copy, which ends at `hi + delta`
/// (wrapping), writable. (qemu-user's frame is shorter than the kernel's:
/// the records are read only where the copy has bytes.)
pub unsafe fn sigframe_relocate(uc: *mut u8, lo: usize, hi: usize, delta: usize) {
    // SAFETY: the records start inside the copied ucontext (caller).
    unsafe { super::relocate_record(uc.wrapping_add(UC_EXT), EXT_LIMIT, V_MAGIC, 8 + 5 * 8, (lo, hi, delta)) }
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
        (uc.add(UC_A0) as *mut usize).write(arg);
        (uc.add(UC_FP) as *mut usize).write(fp);
        (uc.add(UC_RA) as *mut usize).write(0);
    }
}

/// A copied frame carries the thread pointer (tp, x4) of the thread it
/// was taken on: the thread returning into it puts its own there.
///
/// # Safety
/// `uc` is a writable `ucontext`.
pub unsafe fn sigframe_resume(uc: *mut u8) {
    // SAFETY: tp is a word of the ucontext (above).
    unsafe { (uc.add(UC_TP) as *mut usize).write(tcb() as usize) };
}

// 7. Per-target constants for the layers above.

/// The guard region below every goroutine stack. Neither rustc (no stack
/// probes in this target's spec) nor clang 14 (no stack-clash protection
/// for RISC-V) probes large frames, so every frame, Rust and C, is limited
/// to half of this at compile time (see `stack`).
pub const GUARD_SIZE: usize = 128 << 10;

/// The vDSO's `clock_gettime` (arch/riscv/kernel/vdso/vdso.lds.S).
pub const VDSO_CLOCK_GETTIME: &[u8] = b"__vdso_clock_gettime";

/// Go's `checkgoarm`: whether this CPU can run the build, from AT_HWCAP
/// (`Ok(None)`: nothing to check; RV64GC is the target's baseline).
pub fn checkgoarm(_hwcap: usize) -> Result<Option<&'static str>, [&'static str; 2]> {
    Ok(None)
}
