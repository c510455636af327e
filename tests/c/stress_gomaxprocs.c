/* Concurrent rt_gomaxprocs: S goroutines (default 3) each resize the P set
 * K times (default 30) to random sizes 1-8, while W workers (default 8)
 * pass a token round a ring of channels and sleep now and then. Two
 * stop-the-worlds at once must serialise (Go's worldsema), not hang or
 * lose a P; every token hop arrives. */
#include "stress.h"

static rt_chan *ring[16];
static long nworkers, hops;
static rt_waitgroup wg;
static long resizes;

static void worker(void *arg)
{
    long me = (long)arg;
    unsigned long long seed = me + 17;
    rt_chan *in = ring[me], *out_c = ring[(me + 1) % nworkers];
    for (;;) {
        long v;
        rt_chan_recv(in, &v);
        if (v >= hops) {
            /* The end marker: the n-th worker to see it gets hops + n - 1
             * and passes it on, except the last, whose successor (the
             * first) has gone. */
            if (v + 1 < hops + nworkers) {
                v++;
                rt_chan_send(out_c, &v);
            }
            rt_wg_done(&wg);
            return;
        }
        if (rng_next(&seed) % 16 == 0)
            rt_sleep(10000);
        v++;
        rt_chan_send(out_c, &v);
    }
}

static void resizer(void *arg)
{
    unsigned long long seed = (long)arg * 31 + 7;
    long k = (long)arg >> 8;
    for (long i = 0; i < k; i++) {
        int n = 1 + rng_next(&seed) % 8;
        int prev = rt_gomaxprocs(n);
        check(prev >= 1 && prev <= 8, "gomaxprocs: bad previous value");
        __atomic_fetch_add(&resizes, 1, __ATOMIC_SEQ_CST);
        if (i % 4 == 0)
            rt_gosched();
    }
    rt_wg_done(&wg);
}

void main_main(void)
{
    long s = arg_or(1, 3);
    long k = arg_or(2, 30);
    nworkers = arg_or(3, 8);
    hops = arg_or(4, 2000);
    check(nworkers >= 2 && nworkers <= 16, "gomaxprocs: 2-16 workers");
    for (long i = 0; i < nworkers; i++)
        ring[i] = rt_chan_make(sizeof(long), 0);
    rt_gomaxprocs(4);
    rt_wg_add(&wg, s + nworkers);
    for (long i = 0; i < nworkers; i++)
        rt_go(worker, (void *)i);
    for (long i = 0; i < s; i++)
        rt_go(resizer, (void *)((k << 8) | i));
    long v = 0;
    rt_chan_send(ring[0], &v);
    rt_wg_wait(&wg);
    out_kv("resizes", resizes);
}
