/* yield: 4 goroutines call Gosched 250,000 times each. */
#include <runtime.h>

static rt_waitgroup wg;

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 250000; i++)
        rt_gosched();
    rt_wg_done(&wg);
}

void main_main(void)
{
    rt_wg_add(&wg, 4);
    for (int i = 0; i < 4; i++)
        rt_go(yielder, 0);
    rt_wg_wait(&wg);
}
