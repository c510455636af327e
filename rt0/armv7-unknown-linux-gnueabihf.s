// _rt0_arm_linux: the ELF entry point on armv7 Linux (EABI, hard float).
//
// sp points at argc (a 32-bit word), followed by argv, a NULL, envp, a NULL
// and the auxiliary vector as (tag, value) word pairs.
//
// checkgoarm runs here, in assembly, before anything else: the runtime is
// built for VFPv3-D16 hard float, and compiled Rust may use VFP registers in
// any function (a 64-bit copy, the context switch saving d8-d15). On a CPU
// without VFPv3 that would die of SIGILL with no message, as Go 1.19 does.
// Instead we read AT_HWCAP (16) from the auxiliary vector and, when
// HWCAP_VFPv3 (bit 13) is missing, print Go's message and exit 1 as Go's
// checkgoarm does. If the kernel passed no AT_HWCAP at all, the check is
// repeated in Rust after `args` has consulted /proc/self/auxv.
    .text
    .arm
    .globl _start
    .type _start, %function
_start:
    mov fp, #0
    mov lr, #0
    mov r0, sp                  // r0 = initial sp, kept for rt0_go
    ldr r1, [r0]                // argc
    add r2, r0, #4
    add r2, r2, r1, lsl #2      // &argv[argc], the NULL after argv
    add r2, r2, #4              // envp
1:  ldr r3, [r2], #4            // skip envp up to and past its NULL
    cmp r3, #0
    bne 1b
2:  ldr r3, [r2]                // auxv: r3 = tag, r12 = value
    ldr r12, [r2, #4]
    add r2, r2, #8
    cmp r3, #0                  // AT_NULL: no AT_HWCAP here
    beq 4f
    cmp r3, #16                 // AT_HWCAP
    bne 2b
    tst r12, #(1 << 13)         // HWCAP_VFPv3
    bne 4f
    tst r12, #(1 << 6)          // HWCAP_VFP
    adreq r1, .Lnofp
    adreq r2, .Lnofp_end
    adrne r1, .Lnovfpv3
    adrne r2, .Lnovfpv3_end
    sub r2, r2, r1
    mov r0, #2                  // write(2, message, len)
    mov r7, #4
    svc #0
    adr r1, .Lrebuild
    adr r2, .Lrebuild_end
    sub r2, r2, r1
    mov r0, #2
    mov r7, #4
    svc #0
    mov r0, #1                  // exit_group(1), as Go's checkgoarm
    mov r7, #248
    svc #0
    udf #0
4:  bic r1, r0, #7              // 8-byte aligned sp for the AAPCS
    mov sp, r1
    bl rt0_go
    udf #0
.Lnofp:
    .ascii "runtime: this CPU has no floating point hardware, so it cannot run\n"
.Lnofp_end:
.Lnovfpv3:
    .ascii "runtime: this CPU has no VFPv3 floating point hardware, so it cannot run\n"
.Lnovfpv3_end:
.Lrebuild:
    .ascii "this binary. It was built for armv7-unknown-linux-gnueabihf (VFPv3-D16 hard float).\n"
.Lrebuild_end:
    .balign 4
    .size _start, . - _start
