// _rt0_amd64_linux: the ELF entry point on x86_64 Linux.
//
// The kernel starts us with rsp pointing at argc; argv, a NULL, envp, a
// NULL and the auxiliary vector follow. rt0_go receives that pointer. The
// first Rust function must see rsp = 8 (mod 16), as if entered by `call`:
// aligning to 16 and then calling gives exactly that. rbp = 0 ends the frame
// chain for anything that walks it.
    .text
    .globl _start
    .type _start, @function
_start:
    xor ebp, ebp
    mov rdi, rsp
    and rsp, -16
    call rt0_go
    ud2
    .size _start, . - _start
