/* Producers and consumers closing channels: R rounds (default 50) of
 * P producers and C consumers (default 4 and 4) on one channel with a
 * random small buffer (0-3). The last producer to finish closes it;
 * consumers receive until closed, half with rt_chan_recv and half with a
 * select on the channel and a never-ready one. Every value is received
 * exactly once: the sums match and no one is left blocked. */
#include "stress.h"

static long nprod, ncons, per;

struct round {
    rt_chan *c;
    long producers_left;
    long sum;
    long count;
    rt_waitgroup done;
};

static rt_chan *never;

static void producer(void *arg)
{
    struct round *r = arg;
    unsigned long long seed = (unsigned long)arg ^ rt_goid();
    for (long i = 1; i <= per; i++) {
        rt_chan_send(r->c, &i);
        if (rng_next(&seed) % 4 == 0)
            rt_gosched();
    }
    if (__atomic_sub_fetch(&r->producers_left, 1, __ATOMIC_SEQ_CST) == 0)
        rt_chan_close(r->c);
    rt_wg_done(&r->done);
}

static void consumer(void *arg)
{
    struct round *r = arg;
    long sum = 0, count = 0, v;
    int by_select = rt_goid() & 1;
    for (;;) {
        if (by_select) {
            rt_select_case cs[2] = {{never, RT_RECV, &v, 0}, {r->c, RT_RECV, &v, 0}};
            check(rt_select(cs, 2, 1) == 1, "close: wrong case");
            if (!cs[1].ok)
                break;
        } else if (!rt_chan_recv(r->c, &v)) {
            break;
        }
        sum += v;
        count++;
    }
    check(v == 0, "close: closed channel gave a non-zero value");
    __atomic_fetch_add(&r->sum, sum, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&r->count, count, __ATOMIC_SEQ_CST);
    rt_wg_done(&r->done);
}

void main_main(void)
{
    long rounds = arg_or(1, 50);
    nprod = arg_or(2, 4);
    ncons = arg_or(3, 4);
    per = arg_or(4, 100);
    never = rt_chan_make(sizeof(long), 0);
    unsigned long long seed = 1;
    long total = 0;
    for (long k = 0; k < rounds; k++) {
        struct round *r = rt_malloc(sizeof *r);
        *r = (struct round){0};
        r->c = rt_chan_make(sizeof(long), rng_next(&seed) % 4);
        r->producers_left = nprod;
        rt_wg_add(&r->done, nprod + ncons);
        for (long i = 0; i < ncons; i++)
            rt_go(consumer, r);
        for (long i = 0; i < nprod; i++)
            rt_go(producer, r);
        rt_wg_wait(&r->done);
        check(r->count == nprod * per, "close: values lost or doubled");
        check(r->sum == nprod * per * (per + 1) / 2, "close: wrong sum");
        total += r->count;
    }
    out_kv("received", total);
}
