/* spawn: 1,000,000 goroutines each add 1 to a counter; wait for all. */
#include <runtime.h>

static long counter;
static rt_waitgroup wg;

static void add(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    rt_wg_done(&wg);
}

void main_main(void)
{
    long n = 1000000;
    rt_wg_add(&wg, n);
    for (long i = 0; i < n; i++)
        rt_go(add, 0);
    rt_wg_wait(&wg);
    if (counter != n)
        rt_panic("lost goroutines");
}
