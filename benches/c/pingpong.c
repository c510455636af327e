/* pingpong: two goroutines pass a token over two unbuffered channels,
 * 1,000,000 round trips. */
#include <runtime.h>

static rt_chan *ping, *pong;
#define N 1000000

static void ponger(void *arg)
{
    (void)arg;
    long v;
    for (long i = 0; i < N; i++) {
        rt_chan_recv(ping, &v);
        v++;
        rt_chan_send(pong, &v);
    }
}

void main_main(void)
{
    ping = rt_chan_make(sizeof(long), 0);
    pong = rt_chan_make(sizeof(long), 0);
    rt_go(ponger, 0);
    long v = 0;
    for (long i = 0; i < N; i++) {
        rt_chan_send(ping, &v);
        rt_chan_recv(pong, &v);
    }
    if (v != N)
        rt_panic("lost a token");
}
