// _rt0_riscv64_linux: the ELF entry point on riscv64 Linux.
//
// sp points at argc (a 64-bit word), followed by argv, a NULL, envp, a NULL
// and the auxiliary vector. sp is 16-byte aligned by the ABI; we mask it
// anyway. fp (s0) = ra = 0 ends the frame chain. gp is left alone: nothing
// is linked gp-relative (rust-lld relaxes to gp only with --relax-gp).
    .text
    .globl _start
    .type _start, %function
_start:
    li s0, 0
    li ra, 0
    mv a0, sp
    andi sp, sp, -16
    call rt0_go
    unimp
    .size _start, . - _start
