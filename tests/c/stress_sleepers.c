/* Many sleepers: N goroutines (default 10,000) each sleep 0-5 ms, R times
 * over (default 3), at varying stack depths, scribbling over their stacks
 * and yielding after each wake; all wake, every time. A timer runner that
 * touches the timer (on the sleeper's stack) after readying the sleeper
 * shows up here as a doubled wake-up, a crash or a hang. */
#include "stress.h"

static rt_waitgroup wg;
static long wakes;
static long rounds;

/* Sleeps `depth` frames further down the stack, so that successive
 * sleeps put their timers at different addresses. */
static __attribute__((noinline)) void sleep_at(int depth, long long ns)
{
    volatile char pad[64];
    pad[0] = (char)depth;
    if (depth > 0)
        sleep_at(depth - 1, ns);
    else
        rt_sleep(ns);
    (void)pad[0];
}

static void sleeper(void *arg)
{
    unsigned long long seed = (unsigned long)arg * 2654435761ULL + 1;
    for (long r = 0; r < rounds; r++) {
        long long ns = (long long)(rng_next(&seed) % 5001) * 1000;
        long long t0 = rt_nanotime();
        sleep_at(rng_next(&seed) % 4, ns);
        check(rt_nanotime() - t0 >= ns, "woke early");
        __atomic_fetch_add(&wakes, 1, __ATOMIC_SEQ_CST);
        scribble();
        rt_gosched();
    }
    rt_wg_done(&wg);
}

void main_main(void)
{
    long n = arg_or(1, 10000);
    rounds = arg_or(2, 3);
    rt_wg_add(&wg, n);
    for (long i = 0; i < n; i++)
        rt_go(sleeper, (void *)i);
    rt_wg_wait(&wg);
    out_kv("wakes", wakes);
}
