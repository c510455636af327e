/* rt_mutex under contention, rt_waitgroup, and their misuse. */
#include "common.h"

static rt_mutex mu;
static long counter; /* protected by mu, deliberately not atomic */
static rt_waitgroup wg;

static void incr(void *arg)
{
    long n = (long)arg;
    for (long i = 0; i < n; i++) {
        rt_mutex_lock(&mu);
        long v = counter;
        if ((i & 1023) == 0)
            rt_gosched(); /* hold the lock across a switch now and then */
        counter = v + 1;
        rt_mutex_unlock(&mu);
    }
    rt_wg_done(&wg);
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    if (str_eq(mode, "mutex")) {
        rt_wg_add(&wg, 8);
        for (int i = 0; i < 8; i++)
            rt_go(incr, (void *)100000L);
        rt_wg_wait(&wg);
        out_kv("counter", counter);
        rt_wg_wait(&wg); /* a zero counter does not block */
        /* A worker may still be between rt_wg_done and its exit (in Go
         * too): the workers must all end, soon. */
        for (int i = 0; i < 100000 && rt_numgoroutine() > 1; i++)
            rt_gosched();
        out_kv("numgoroutine", rt_numgoroutine());
    } else if (str_eq(mode, "wg-negative")) {
        rt_wg_add(&wg, 1);
        rt_wg_done(&wg);
        rt_wg_done(&wg);
    } else if (str_eq(mode, "unlock-unlocked")) {
        rt_mutex_unlock(&mu);
    } else if (str_eq(mode, "wg-deadlock")) {
        rt_wg_add(&wg, 1);
        rt_wg_wait(&wg);
    }
    out("end\n");
}
