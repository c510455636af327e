/* Stack frames of FRAME bytes (set with -DFRAME=N) recursing until the
 * stack runs out. `cargo xtask test` compiles this apart from tests/c/:
 * on targets where the compiler cannot probe large frames, `cargo xtask
 * cc` must refuse a FRAME above the target's limit, and every FRAME it
 * accepts must end in `fatal error: stack overflow`, never in a write
 * outside the goroutine's stack.
 *
 *   frame stack32k   a goroutine with a 32 KiB stack (rt_go_stack)
 *   frame default    a goroutine with the default stack
 *
 * The recursion is bounded (about 2 MB in all): a frame that jumps over
 * the guard and lands in other memory returns, and the program prints
 * "returned" and exits 0. */
#include "../common.h"

#ifndef FRAME
#define FRAME 10000
#endif

static long depth;

__attribute__((noinline)) static long recurse(long n)
{
    volatile char buf[FRAME];
    /* The lowest byte first, as a naive frame does: without probes this
     * write is FRAME bytes below the caller's stack pointer. */
    buf[0] = (char)n;
    buf[FRAME - 1] = (char)n;
    /* The array's address escapes, so the compiler must lay it out whole. */
    __asm__ volatile("" : : "r"(buf) : "memory");
    depth++;
    if (n * FRAME > (2L << 20))
        return 0;
    return recurse(n + 1) + buf[0] + buf[FRAME - 1];
}

static void run(void *arg)
{
    (void)arg;
    recurse(1);
    out_kv("returned", depth);
    rt_exit(0);
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    if (str_eq(mode, "stack32k"))
        rt_go_stack(run, 0, 32 << 10);
    else if (str_eq(mode, "default"))
        rt_go(run, 0);
    else {
        out("usage: frame stack32k|default\n");
        rt_exit(1);
    }
    for (;;)
        rt_gosched();
}
