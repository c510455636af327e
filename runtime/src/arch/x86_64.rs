//! x86_64 (System V ABI): callee-saved rbx, rbp, r12–r15; the thread
//! pointer is the FS base, set with `arch_prctl(ARCH_SET_FS)`.

use super::Tcb;
use core::arch::{asm, global_asm};

// 1. The entry point.
#[cfg(not(test))]
global_asm!(include_str!("../../../rt0/x86_64-unknown-linux-gnu.s"));

// 2. Thread pointer.
pub const G_SLOT: usize = 1;
const ARCH_SET_FS: usize = 0x1002;

/// Prepares a Tcb to become a thread pointer (variant II: the first word
/// is the block's own address).
///
/// # Safety
/// `tcb` must be valid for writes.
pub unsafe fn init_tcb(tcb: *mut Tcb) {
    // SAFETY: `tcb` is valid for writes (caller).
    unsafe { (*tcb).words[0] = tcb as usize };
}

/// Points the thread pointer at `tcb`.
///
/// # Safety
/// `tcb` must stay valid for as long as this thread runs.
pub unsafe fn set_thread_pointer(tcb: *mut Tcb) -> Result<(), syscalls::Errno> {
    // Variant II: the word at the thread pointer is the pointer itself.
    // SAFETY: `tcb` is valid and stays so (caller); arch_prctl only sets
    // this thread's FS base to it.
    unsafe {
        (*tcb).words[0] = tcb as usize;
        syscalls::syscall2(syscalls::Sysno::arch_prctl, ARCH_SET_FS, tcb as usize).map(|_| ())
    }
}

/// The calling thread's Tcb.
#[inline(always)]
pub fn tcb() -> *mut Tcb {
    let t: *mut Tcb;
    // SAFETY: reads the Tcb's first word, its own address (variant II),
    // through FS, set from rt0_go (or the clone trampoline) on.
    unsafe {
        asm!("mov {}, qword ptr fs:[0]", out(reg) t, options(nostack, readonly, preserves_flags))
    };
    t
}

/// The running goroutine's G, as the word in the thread's G slot.
#[inline(always)]
pub fn load_g() -> usize {
    let g: usize;
    // SAFETY: FS points at this thread's Tcb from rt0_go (or the clone
    // trampoline) on; the G slot is the Tcb's second word.
    unsafe {
        asm!("mov {}, qword ptr fs:[8]", out(reg) g, options(nostack, readonly, preserves_flags))
    };
    g
}

/// Stores `gp` in the thread's G slot: the running goroutine's G.
///
/// # Safety
/// The thread pointer must be set; `gp` must be a G of this M.
#[inline(always)]
pub unsafe fn store_g(gp: usize) {
    // SAFETY: FS points at this thread's Tcb (caller); the G slot is its
    // second word.
    unsafe { asm!("mov qword ptr fs:[8], {}", in(reg) gp, options(nostack, preserves_flags)) };
}

/// A hint that `addr`'s cache line will be read soon.
#[inline(always)]
pub fn prefetch(addr: usize) {
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe { asm!("prefetcht0 byte ptr [{}]", in(reg) addr, options(nostack, readonly, preserves_flags)) };
}

// 3. Context switch.
global_asm!(
    ".text",
    ".globl rt_gogo",
    "rt_gogo:",
    "    mov rsp, rdi",
    "    pop r15",
    "    pop r14",
    "    pop r13",
    "    pop r12",
    "    pop rbx",
    "    pop rbp",
    "    ret",
    ".globl rt_mcall_switch",
    "rt_mcall_switch:",
    "    push rbp",
    "    push rbx",
    "    push r12",
    "    push r13",
    "    push r14",
    "    push r15",
    "    mov [rdi], rsp",
    "    mov rsp, rsi",
    "    mov rdi, rcx",
    "    call rdx",
    "    ud2",
);

// 4. Initial frame: six zeroed callee-saved registers, the entry function as
// the return address, and a zero fake return address above it so that the
// entry function sees rsp = 8 (mod 16) as if it had been called.
/// Writes the first frame of a goroutine at the top of `[lo, hi)` and
/// returns the stack pointer to `gogo` to.
///
/// # Safety
/// `hi` must be the 16-byte aligned top of writable memory of at least
/// 64 bytes.
pub unsafe fn prepare_frame(hi: usize, entry: extern "C" fn() -> !) -> usize {
    let sp = hi - 8 * 8;
    let frame = sp as *mut usize;
    // SAFETY: [sp, hi) lies within the writable bytes below `hi`
    // (caller), and `sp` is aligned as `hi` is.
    unsafe {
        for i in 0..6 {
            frame.add(i).write(0);
        }
        frame.add(6).write(entry as usize);
        frame.add(7).write(0);
    }
    sp
}

// 5.
#[inline(always)]
pub fn current_sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// The frame pointer (rbp) of the function this is inlined into: its frame
/// record (see `FP_BIAS`), when that function keeps one.
#[inline(always)]
pub fn current_fp() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    unsafe { asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags)) };
    fp
}

// `rt_caller_fp` (`caller_fp` in mod.rs): the frame pointer as its caller
// has it, from a function of its own (no frame), so that the caller's
// prologue has run: a call comes after it wherever the compiler puts it.
global_asm!(
    ".pushsection .text.rt_caller_fp, \"ax\", @progbits",
    ".globl rt_caller_fp",
    "rt_caller_fp:",
    "    mov rax, rbp",
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
/// in bytes from its sp: the pushes of `rt_mcall_switch`: r15, r14, r13, r12, rbx, rbp, then the return address.
pub const CTX_FP: usize = 40;
pub const CTX_PC: usize = 48;

// 6. Threads and signals.
global_asm!(
    ".text",
    // rt_clone(flags, stack, tls, f, arg): the new thread starts on
    // `stack` with the thread pointer `tls` and calls f(arg), which must not
    // return. f and arg ride on the child's stack across the system call.
    ".globl rt_clone",
    "rt_clone:",
    "    sub rsi, 16",
    "    mov [rsi], rcx",
    "    mov [rsi + 8], r8",
    "    mov r8, rdx",
    "    xor edx, edx",
    "    xor r10d, r10d",
    "    mov eax, 56",
    "    syscall",
    "    test rax, rax",
    "    jnz 2f",
    "    xor ebp, ebp",
    "    pop rax",
    "    pop rdi",
    "    call rax",
    "    ud2",
    "2:  ret",
    // The signal return trampoline (SA_RESTORER).
    ".globl rt_sigreturn_tramp",
    "rt_sigreturn_tramp:",
    "    mov eax, 15",
    "    syscall",
    "    ud2",
    // rt_sigreturn_to(frame): returns into the signal frame copied to
    // `frame` (see `SIGFRAME_UC`): the kernel finds it at rsp - 8.
    ".globl rt_sigreturn_to",
    "rt_sigreturn_to:",
    "    lea rsp, [rdi + 8]",
    "    mov eax, 15",
    "    syscall",
    "    ud2",
    // rt_exit_thread(wait): the last store to *wait (x86 stores are
    // release stores: every earlier access of this thread's stacks comes
    // before it), then exit(0) for this thread alone, touching no stack in
    // between.
    ".globl rt_exit_thread",
    "rt_exit_thread:",
    "    mov dword ptr [rdi], 0",
    "    xor edi, edi",
    "    mov eax, 60",
    "    syscall",
    "    ud2",
);

/// The kernel's `struct sigaction` here has `sa_restorer`.
pub use super::{SigactionWithRestorer as KernelSigaction, SA_RESTORER_FLAG as SA_RESTORER};

/// Offsets into the kernel's `ucontext_t` of the faulting pc and sp.
pub const UC_PC: usize = 168;
pub const UC_SP: usize = 160;
/// Where a leaf function's return address is when a signal interrupts it
/// (`traceback`): no link register here, so the word at sp (a leaf
/// seldom moves sp: the red zone), `UC_LINK` is sp's slot and
/// `LINK_AT_SP` says to read the word there.
pub const UC_LINK: usize = UC_SP;
pub const LINK_AT_SP: bool = true;

/// The signal frame (the kernel's `rt_sigframe`): the handler's return
/// address (`pretcode`), then the `ucontext` at this offset, the siginfo,
/// and above them the `xsave` area that `uc_mcontext.fpstate` points at
/// (x87, SSE, AVX and any later state the CPU has). `rt_sigreturn` takes
/// the frame at rsp - 8.
pub const SIGFRAME_UC: usize = 8;
/// Offsets into the `ucontext`: `uc_stack` and the frame pointer (rbp).
pub const UC_STACK: usize = 16;
pub const UC_FP: usize = 120;
/// Bytes below sp that a leaf function may use (the psABI's red zone).
pub const REDZONE: usize = 128;
/// The frame pointer points at the {previous fp, return address} record.
pub const FP_BIAS: usize = 0;

const UC_RDI: usize = 104;
const UC_EFLAGS: usize = 176;
const UC_FPSTATE: usize = 224;

/// A signal frame was copied `delta` bytes away (wrapping) from
/// `[lo, hi)`: the pointer to its xsave area moves with it.
///
/// # Safety
/// `uc` is the `ucontext` of the copy, writable.
pub unsafe fn sigframe_relocate(uc: *mut u8, lo: usize, hi: usize, delta: usize) {
    // SAFETY: fpstate is a word of the copied ucontext (caller), aligned.
    unsafe {
        let p = uc.add(UC_FPSTATE) as *mut usize;
        if (lo..hi).contains(&*p) {
            *p = (*p).wrapping_add(delta);
        }
    }
}

/// Makes the context in `uc` call `f(arg)` on the stack `sp` (16-byte
/// aligned) with frame pointer `fp`, as if called: a zero return address
/// below `sp` (f never returns).
///
/// # Safety
/// `uc` is a live, writable `ucontext`; `[sp - 8, sp)` is writable.
pub unsafe fn sigframe_redirect(uc: *mut u8, f: usize, sp: usize, arg: usize, fp: usize) {
    // SAFETY: the offsets are the kernel's (above), inside the ucontext;
    // sp - 8 is writable (caller).
    unsafe {
        ((sp - 8) as *mut usize).write(0);
        (uc.add(UC_PC) as *mut usize).write(f);
        (uc.add(UC_SP) as *mut usize).write(sp - 8);
        (uc.add(UC_RDI) as *mut usize).write(arg);
        (uc.add(UC_FP) as *mut usize).write(fp);
        // The psABI wants the direction flag clear at a call.
        let fl = uc.add(UC_EFLAGS) as *mut usize;
        fl.write(fl.read() & !0x400);
    }
}

/// What a copied frame needs from the thread that returns into it (the
/// thread pointer is not in it here: nothing).
///
/// # Safety
/// `uc` is a writable `ucontext`.
pub unsafe fn sigframe_resume(_uc: *mut u8) {}

// 7. Per-target constants for the layers above.

/// The guard region below every goroutine stack. Rust (inline stack probes)
/// and C (clang `-fstack-clash-protection`) touch every page of a large
/// frame in order, so one page suffices (see `stack`).
pub const GUARD_SIZE: usize = 4 << 10;

/// The vDSO's `clock_gettime`.
pub const VDSO_CLOCK_GETTIME: &[u8] = b"__vdso_clock_gettime";

/// Go's `checkgoarm`: whether this CPU can run the build, from AT_HWCAP
/// (`Ok(None)`: nothing to check here).
/// Every x86_64 CPU can.
pub fn checkgoarm(_hwcap: usize) -> Result<Option<&'static str>, [&'static str; 2]> {
    Ok(None)
}
