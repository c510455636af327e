//! armv7 (AAPCS, hard float, VFPv3-D16): callee-saved r4–r11, sp, lr and
//! d8–d15. Compiled code (Rust and C) is Thumb-2 (`targets/`); the
//! assembly here is in ARM state, entered and left through interworking
//! branches (`blx`, `bx lr`), so either state may call it. The thread
//! pointer is TPIDRURO, set with the ARM-private `set_tls` system call and
//! read with `mrc p15, 0, rX, c13, c0, 3`. In Thumb code r7 is the frame
//! pointer, so the system call number goes through r7 by hand (`rt_clone`
//! saves it; see also runtime/Cargo.toml).

use super::Tcb;
use core::arch::{asm, global_asm};

// 1. The entry point (with the VFP check, see the file).
#[cfg(not(test))]
global_asm!(include_str!("../../../rt0/armv7-unknown-linux-gnueabihf.s"));

// 2. Thread pointer.
pub const G_SLOT: usize = 0;
const ARM_NR_SET_TLS: usize = 0x0f0005;

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
    // SAFETY: set_tls only records `tcb` as this thread's TPIDRURO; it
    // stays valid (caller).
    let r = unsafe { syscalls::raw::syscall1(ARM_NR_SET_TLS, tcb as usize) };
    syscalls::Errno::from_ret(r).map(|_| ())
}

/// The calling thread's Tcb.
#[inline(always)]
pub fn tcb() -> *mut Tcb {
    let t: *mut Tcb;
    // SAFETY: reads a coprocessor register.
    unsafe {
        asm!("mrc p15, 0, {}, c13, c0, 3", out(reg) t, options(nomem, nostack, preserves_flags))
    };
    t
}

/// The running goroutine's G, as the word in the thread's G slot.
#[inline(always)]
pub fn load_g() -> usize {
    let g: usize;
    // SAFETY: TPIDRURO points at this thread's Tcb from rt0_go on; the G
    // slot is its first word.
    unsafe {
        asm!("mrc p15, 0, {t}, c13, c0, 3", "ldr {g}, [{t}]", t = out(reg) _, g = lateout(reg) g,
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
    // SAFETY: TPIDRURO points at this thread's Tcb (caller); the G slot is
    // its first word.
    unsafe {
        asm!("mrc p15, 0, {t}, c13, c0, 3", "str {g}, [{t}]", t = out(reg) _, g = in(reg) gp,
             options(nostack, preserves_flags))
    };
}

/// A hint that `addr`'s cache line will be read soon.
#[inline(always)]
pub fn prefetch(addr: usize) {
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe { asm!("pld [{}]", in(reg) addr, options(nostack, readonly, preserves_flags)) };
}

// 3. Context switch. The saved frame is 104 bytes: d8–d15, then r4–r12 and
// lr (r12 is pushed only to keep sp 8-byte aligned).
global_asm!(
    ".text",
    ".arm",
    ".globl rt_gogo",
    ".type rt_gogo, %function",
    "rt_gogo:",
    "    mov sp, r0",
    "    vpop {{d8-d15}}",
    "    pop {{r4-r12, lr}}",
    "    bx lr",
    ".globl rt_mcall_switch",
    ".type rt_mcall_switch, %function",
    "rt_mcall_switch:",
    "    push {{r4-r12, lr}}",
    "    vpush {{d8-d15}}",
    "    mov r12, sp",
    "    str r12, [r0]",
    "    mov sp, r1",
    "    mov r0, r3",
    "    blx r2",
    "    udf #0",
    // The ARM EHABI personality routines that the unwind tables of the
    // prebuilt `core` name. The tables are discarded at link time and
    // nothing unwinds, so these are never called; they exist so that no
    // symbol stays undefined, and trap if that ever changes.
    ".globl __aeabi_unwind_cpp_pr0",
    ".type __aeabi_unwind_cpp_pr0, %function",
    ".globl __aeabi_unwind_cpp_pr1",
    ".type __aeabi_unwind_cpp_pr1, %function",
    "__aeabi_unwind_cpp_pr0:",
    "__aeabi_unwind_cpp_pr1:",
    "    udf #0",
    // The EABI helper that compiled code calls for the thread pointer (C
    // `__thread`, Rust thread-locals under the static relocation model).
    // Callers assume it changes r0 only.
    ".globl __aeabi_read_tp",
    ".type __aeabi_read_tp, %function",
    "__aeabi_read_tp:",
    "    mrc p15, 0, r0, c13, c0, 3",
    "    bx lr",
);

// 4. Initial frame: d8–d15 and r4–r12 zero (r11 = fp = 0 ends the frame
// chain), lr = the entry function.
/// Writes the first frame of a goroutine below `hi` and returns the stack
/// pointer to `gogo` to.
///
/// # Safety
/// `hi` must be the 8-byte aligned top of at least 104 writable bytes.
pub unsafe fn prepare_frame(hi: usize, entry: extern "C" fn() -> !) -> usize {
    let sp = hi - 104;
    let frame = sp as *mut usize;
    // SAFETY: [sp, hi) lies within the writable bytes below `hi`
    // (caller), and `sp` is aligned as `hi` is.
    unsafe {
        for i in 0..26 {
            frame.add(i).write(0);
        }
        frame.add(25).write(entry as usize);
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

/// The frame pointer (r7) of the function this is inlined into: its frame
/// record (see `FP_BIAS`), when that function keeps one.
#[inline(always)]
pub fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mov {}, r7", out(reg) fp, options(nomem, nostack, preserves_flags)) };
    fp
}

// `rt_caller_fp` (`caller_fp` in mod.rs): the frame pointer as its caller
// has it, from a function of its own (no frame), so that the caller's
// prologue has run: a call comes after it wherever the compiler puts it.
global_asm!(
    ".pushsection .text.rt_caller_fp, \"ax\", %progbits",
    ".arm",
    ".globl rt_caller_fp",
    ".type rt_caller_fp, %function",
    "rt_caller_fp:",
    "    mov r0, r7",
    "    bx lr",
    ".popsection",
);

/// The frame pointer of ARM-state code (r11), which keeps its frame
/// records there ({previous r11, lr}), not in Thumb's r7: the prebuilt
/// `core` library is ARM code. Read at a boundary where ARM code called
/// Thumb code, it lets the walk see the ARM frames in between.
#[inline(always)]
pub fn current_arm_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mov {}, r11", out(reg) fp, options(nomem, nostack, preserves_flags)) };
    fp
}

/// Where the kernel's `ucontext` keeps r11 (`current_arm_fp`).
pub const UC_ARM_FP: Option<usize> = Some(20 + (3 + 11) * 4);

/// Where a saved `Context` keeps the frame pointer and the resume address,
/// in bytes from its sp: d8–d15 (64 bytes), then r4–r12 and lr (r7 at
/// 64 + 3 * 4, lr at 64 + 9 * 4).
pub const CTX_FP: usize = 76;
pub const CTX_PC: usize = 100;

// 6. Threads and signals.
global_asm!(
    ".text",
    ".arm",
    // rt_clone(flags, stack, tls, f, arg): see x86_64.rs. The fifth
    // argument arrives on the caller's stack.
    ".globl rt_clone",
    ".type rt_clone, %function",
    "rt_clone:",
    "    push {{r4, r7}}",
    "    ldr r4, [sp, #8]",
    "    sub r1, r1, #8",
    "    str r3, [r1]",
    "    str r4, [r1, #4]",
    "    mov r3, r2",
    "    mov r2, #0",
    "    mov r4, #0",
    "    mov r7, #120",
    "    svc #0",
    "    cmp r0, #0",
    "    bne 2f",
    "    ldr r3, [sp]",
    "    ldr r0, [sp, #4]",
    "    add sp, sp, #8",
    "    mov fp, #0",
    "    mov lr, #0",
    "    blx r3",
    "    udf #0",
    "2:  pop {{r4, r7}}",
    "    bx lr",
    ".globl rt_sigreturn_tramp",
    ".type rt_sigreturn_tramp, %function",
    "rt_sigreturn_tramp:",
    "    mov r7, #173",
    "    svc #0",
    "    udf #0",
    // rt_sigreturn_to(frame): returns into the signal frame copied to
    // `frame`; the kernel finds it at sp.
    ".globl rt_sigreturn_to",
    ".type rt_sigreturn_to, %function",
    "rt_sigreturn_to:",
    "    mov sp, r0",
    "    mov r7, #173",
    "    svc #0",
    "    udf #0",
    // rt_exit_thread(wait): the last store to *wait (release: the barrier
    // orders every earlier access of this thread's stacks before it), then
    // exit(0) for this thread alone, touching no stack in between.
    ".globl rt_exit_thread",
    ".type rt_exit_thread, %function",
    "rt_exit_thread:",
    "    dmb ish",
    "    movs r1, #0",
    "    str r1, [r0]",
    "    movs r0, #0",
    "    movs r7, #1",
    "    svc #0",
    "    udf #0",
);

/// The kernel's `struct sigaction` here has `sa_restorer`.
pub use super::{SigactionWithRestorer as KernelSigaction, SA_RESTORER_FLAG as SA_RESTORER};

/// Offsets into the kernel's `ucontext` of the faulting pc and sp
/// (`uc_mcontext`, a `struct sigcontext`, at 20 after uc_flags, uc_link and
/// the 12-byte uc_stack; its words: trap_no, error_code, oldmask, r0..r10,
/// fp, ip, sp, lr, pc, cpsr, fault_address).
pub const UC_PC: usize = 20 + 18 * 4;
pub const UC_SP: usize = 20 + 16 * 4;
/// Where a leaf function's return address is when a signal interrupts it
/// (`traceback`): the link register, `arm_lr`.
pub const UC_LINK: usize = UC_LR;
pub const LINK_AT_SP: bool = false;

/// The signal frame (the kernel's `rt_sigframe`): siginfo (128 bytes),
/// then the `ucontext`, whose `uc_regspace` holds the VFP state (d0–d31,
/// fpscr) by value. `rt_sigreturn` takes the frame at sp (8-aligned).
pub const SIGFRAME_UC: usize = 128;
/// Offsets into the `ucontext`: `uc_stack` (after uc_flags and uc_link)
/// and the frame pointer of Thumb-2 code, r7.
pub const UC_STACK: usize = 8;
pub const UC_FP: usize = 20 + (3 + 7) * 4;
/// No red zone in the AAPCS.
pub const REDZONE: usize = 0;
/// r7 points at the {previous r7, lr} record that Thumb-2 code pushes.
pub const FP_BIAS: usize = 0;

const UC_R0: usize = 20 + 3 * 4;
const UC_LR: usize = 20 + 17 * 4;
const UC_CPSR: usize = 20 + 19 * 4;
const CPSR_T: usize = 1 << 5;
/// The If-Then state bits, [26:25] and [15:10].
const CPSR_IT: usize = 0x0600_fc00;

/// Nothing in arm's signal frame points into itself.
///
/// # Safety
/// Nothing to uphold.
pub unsafe fn sigframe_relocate(_uc: *mut u8, _lo: usize, _hi: usize, _delta: usize) {}

/// Makes the context in `uc` call `f(arg)` on the stack `sp` (8-byte
/// aligned) with frame pointer `fp` and no return address, in the
/// instruction set `f`'s address says (bit 0: Thumb), outside any IT block.
///
/// # Safety
/// `uc` is a live, writable `ucontext`.
pub unsafe fn sigframe_redirect(uc: *mut u8, f: usize, sp: usize, arg: usize, fp: usize) {
    // SAFETY: the offsets are the kernel's (above), inside the ucontext.
    unsafe {
        let cpsr = uc.add(UC_CPSR) as *mut usize;
        let mode = if f & 1 != 0 { CPSR_T } else { 0 };
        cpsr.write((cpsr.read() & !(CPSR_T | CPSR_IT)) | mode);
        (uc.add(UC_PC) as *mut usize).write(f & !1);
        (uc.add(UC_SP) as *mut usize).write(sp);
        (uc.add(UC_R0) as *mut usize).write(arg);
        (uc.add(UC_FP) as *mut usize).write(fp);
        (uc.add(UC_LR) as *mut usize).write(0);
    }
}

/// What a copied frame needs from the thread that returns into it (the
/// thread pointer, TPIDRURO, is not in it: nothing).
///
/// # Safety
/// `uc` is a writable `ucontext`.
pub unsafe fn sigframe_resume(_uc: *mut u8) {}

// 7. Per-target constants for the layers above.

/// The guard region below every goroutine stack. Neither rustc nor clang
/// probes on 32-bit ARM, so every frame is limited to half of this at
/// compile time (see `stack`).
pub const GUARD_SIZE: usize = 8 << 10;

/// The vDSO's `clock_gettime`.
pub const VDSO_CLOCK_GETTIME: &[u8] = b"__vdso_clock_gettime";

/// Go's `checkgoarm`: the build needs VFPv3 (and no NEON). `_start` has
/// already refused a CPU without it before the first VFP instruction; this
/// repeats the check for kernels whose auxv lacked AT_HWCAP in `_start`'s
/// view. `Ok` carries the boot trace's detail, `Err` the two lines of the
/// refusal.
pub fn checkgoarm(hwcap: usize) -> Result<Option<&'static str>, [&'static str; 2]> {
    const HWCAP_VFP: usize = 1 << 6;
    const HWCAP_VFPV3: usize = 1 << 13;
    if hwcap & HWCAP_VFPV3 != 0 {
        return Ok(Some("vfp=yes vfpv3=yes"));
    }
    let first = if hwcap & HWCAP_VFP == 0 {
        "runtime: this CPU has no floating point hardware, so it cannot run"
    } else {
        "runtime: this CPU has no VFPv3 floating point hardware, so it cannot run"
    };
    Err([
        first,
        "this binary. It was built for armv7-unknown-linux-gnueabihf (VFPv3-D16 hard float).",
    ])
}
