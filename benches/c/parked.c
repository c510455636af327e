/* parked: 100,000 goroutines block on one channel, then all are released. */
#include <runtime.h>

static rt_chan *gate;
static rt_waitgroup started, finished;

static void waiter(void *arg)
{
    (void)arg;
    rt_wg_done(&started);
    rt_chan_recv(gate, 0);
    rt_wg_done(&finished);
}

void main_main(void)
{
    long n = 100000;
    gate = rt_chan_make(sizeof(long), 0);
    rt_wg_add(&started, n);
    rt_wg_add(&finished, n);
    for (long i = 0; i < n; i++)
        rt_go(waiter, 0);
    rt_wg_wait(&started);
    rt_chan_close(gate);
    rt_wg_wait(&finished);
}
