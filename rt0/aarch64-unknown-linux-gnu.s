// _rt0_arm64_linux: the ELF entry point on aarch64 Linux.
//
// sp points at argc (a 64-bit word), followed by argv, a NULL, envp, a NULL
// and the auxiliary vector. sp is 16-byte aligned by the ABI; we mask it
// anyway. x29 = x30 = 0 ends the frame chain.
    .text
    .globl _start
    .type _start, %function
_start:
    mov x29, #0
    mov x30, #0
    mov x0, sp
    and x1, x0, #~15
    mov sp, x1
    bl rt0_go
    brk #1
    .size _start, . - _start
