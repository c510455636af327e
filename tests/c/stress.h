/* Helpers for the stress programs (tests/c/stress_*.c), which
 * `cargo xtask stress` runs many times, under load and with
 * GODEBUG=schedchaos on and off. Each prints one summary line that does
 * not depend on the schedule, and panics on anything unexpected. */
#ifndef TEST_STRESS_H
#define TEST_STRESS_H
#include "common.h"

/* A per-goroutine random generator (a 64-bit LCG, high bits). */
static inline unsigned long rng_next(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned long)(*s >> 33);
}

/* Overwrites the stack below the caller, so that a waker still reading
 * a structure from a woken goroutine's stack (which the runtime must
 * never do) reads garbage instead of the old values. */
static __attribute__((noinline, unused)) void scribble(void)
{
    volatile unsigned char buf[1024];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = 0x5A; /* positive as any signed word, true as a bool */
}

/* The integer argument i, or dflt when absent. */
static inline long arg_or(int i, long dflt)
{
    return rt_argc() > i ? to_int(rt_argv(i)) : dflt;
}

static inline void check(int ok, const char *what)
{
    if (!ok)
        rt_panic(what);
}
#endif
