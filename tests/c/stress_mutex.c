/* Mutex holders that sleep: G goroutines (default 16) each take one
 * rt_mutex I times (default 40), sleep 0-200 us while holding it now and
 * then, and increment a plain counter. The waiters pile up on the mutex's
 * semaphore, so every unlock is a semrelease racing a semacquire. */
#include "stress.h"

static rt_mutex mu;
static long counter; /* protected by mu, deliberately not atomic */
static long inside;
static rt_waitgroup wg;
static long iters;

static void holder(void *arg)
{
    unsigned long long seed = (unsigned long)arg + 99;
    for (long i = 0; i < iters; i++) {
        rt_mutex_lock(&mu);
        check(__atomic_fetch_add(&inside, 1, __ATOMIC_SEQ_CST) == 0,
              "two goroutines inside the mutex");
        long v = counter;
        unsigned long r = rng_next(&seed);
        if (r % 4 == 0)
            rt_sleep((long long)(r % 200) * 1000);
        else if (r % 4 == 1)
            rt_gosched();
        counter = v + 1;
        __atomic_fetch_sub(&inside, 1, __ATOMIC_SEQ_CST);
        rt_mutex_unlock(&mu);
        if (r % 8 == 2)
            rt_sleep(1000);
    }
    rt_wg_done(&wg);
}

void main_main(void)
{
    long g = arg_or(1, 16);
    iters = arg_or(2, 40);
    rt_wg_add(&wg, g);
    for (long i = 0; i < g; i++)
        rt_go(holder, (void *)i);
    rt_wg_wait(&wg);
    out_kv("counter", counter);
}
