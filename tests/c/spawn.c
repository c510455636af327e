/* N goroutines each add 1 to a counter and mark their own slot, ROUNDS
 * times over: nothing lost, nothing run twice. Then NumGoroutine drops back
 * to 1. Arguments: N ROUNDS. */
#include "common.h"

static long counter;
static unsigned char *ran;

static void work(void *arg)
{
    unsigned long i = (unsigned long)arg;
    __atomic_fetch_add(&ran[i], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
}

void main_main(void)
{
    long n = rt_argc() > 1 ? to_int(rt_argv(1)) : 100000;
    long rounds = rt_argc() > 2 ? to_int(rt_argv(2)) : 1;
    ran = rt_malloc(n);
    long total = 0;
    for (long r = 0; r < rounds; r++) {
        __builtin_memset(ran, 0, n);
        __atomic_store_n(&counter, 0, __ATOMIC_SEQ_CST);
        for (long i = 0; i < n; i++)
            rt_go(work, (void *)i);
        while (__atomic_load_n(&counter, __ATOMIC_SEQ_CST) < n)
            rt_gosched();
        while (rt_numgoroutine() > 1)
            rt_gosched();
        for (long i = 0; i < n; i++) {
            if (ran[i] != 1) {
                out("FAIL round ");
                out_int(r);
                out(" goroutine ");
                out_int(i);
                out(" ran ");
                out_int(ran[i]);
                out(" times\n");
                rt_exit(1);
            }
        }
        total += __atomic_load_n(&counter, __ATOMIC_SEQ_CST);
    }
    out_kv("total", total);
    out_kv("numgoroutine", rt_numgoroutine());
}
