/* preempt: at GOMAXPROCS=1, 100 rounds of: a goroutine spins without a
 * single call until main runs again. Main, runnable behind it, gets the
 * P only when the spinner is preempted, after 10 ms of running (Go's
 * forcePreemptNS), so a round lasts 10 ms plus the preemption latency. */
#include <runtime.h>

static int released;
static rt_waitgroup wg;

static void spinner(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE))
        ;
    rt_wg_done(&wg);
}

void main_main(void)
{
    for (int i = 0; i < 100; i++) {
        __atomic_store_n(&released, 0, __ATOMIC_RELEASE);
        rt_wg_add(&wg, 1);
        rt_go(spinner, 0);
        rt_gosched(); /* the spinner runs; we wait behind it */
        __atomic_store_n(&released, 1, __ATOMIC_RELEASE);
        rt_wg_wait(&wg);
    }
}
