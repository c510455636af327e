/* A CPU-bound fan-out: main and GOMAXPROCS-1 workers each spin, without
 * yielding, until two different threads have run the spinners (or a cap).
 * With GOMAXPROCS >= 2 they must really run in parallel. Prints how many
 * threads ran them (at most 2). A spinner notes its thread as it goes, not
 * only when it starts: preemption moves spinners between threads, so two
 * of them may well start on the same one. */
#include "common.h"

static unsigned long mask;
static long finished;

static int threads(void)
{
    return __builtin_popcountl(__atomic_load_n(&mask, __ATOMIC_SEQ_CST));
}

static void spin(void *arg)
{
    (void)arg;
    /* No yield: only another thread can run the other spinners. */
    for (volatile long i = 0; i < 100000000L && threads() < 2; i++)
        if (i % 4096 == 0)
            __atomic_fetch_or(&mask, 1UL << (rt_mid() & 63), __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
}

void main_main(void)
{
    int n = rt_gomaxprocs(0);
    for (int i = 1; i < n; i++)
        rt_go(spin, 0);
    spin(0);
    while (__atomic_load_n(&finished, __ATOMIC_SEQ_CST) < n)
        rt_gosched();
    out_kv("threads", threads() >= 2 ? 2 : threads());
}
