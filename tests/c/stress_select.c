/* Selects racing timeouts: P pairs (default 8). In each, a producer sends
 * K values (default 200) on an unbuffered channel after random short
 * delays, and a consumer selects between the channel and an rt_after
 * timeout of similar length, looping on a timeout. Every value arrives
 * exactly once and in order, whatever wins each race; the timers fire
 * into buffered channels nobody reads again. */
#include "stress.h"

static rt_waitgroup wg;
static long per;
static long total;

struct pair {
    rt_chan *c;
    long id;
};

static void producer(void *arg)
{
    struct pair *p = arg;
    unsigned long long seed = p->id * 7 + 3;
    for (long i = 0; i < per; i++) {
        unsigned long r = rng_next(&seed);
        if (r % 3 == 0)
            rt_sleep((long long)(r % 100) * 1000);
        else if (r % 3 == 1)
            rt_gosched();
        rt_chan_send(p->c, &i);
    }
}

static void consumer(void *arg)
{
    struct pair *p = arg;
    unsigned long long seed = p->id * 13 + 5;
    long next = 0, timeouts = 0;
    while (next < per) {
        long v = -1;
        long long when;
        rt_select_case cs[2] = {
            {rt_after((long long)(rng_next(&seed) % 100) * 1000), RT_RECV, &when, 0},
            {p->c, RT_RECV, &v, 0},
        };
        int i = rt_select(cs, 2, 1);
        if (i == 0) {
            timeouts++;
            continue;
        }
        check(i == 1 && cs[1].ok, "select: bad case");
        check(v == next, "select: value out of order");
        next++;
    }
    __atomic_fetch_add(&total, next, __ATOMIC_SEQ_CST);
    rt_wg_done(&wg);
}

void main_main(void)
{
    long pairs = arg_or(1, 8);
    per = arg_or(2, 200);
    rt_wg_add(&wg, pairs);
    for (long i = 0; i < pairs; i++) {
        struct pair *p = rt_malloc(sizeof *p);
        p->c = rt_chan_make(sizeof(long), 0);
        p->id = i;
        rt_go(producer, p);
        rt_go(consumer, p);
    }
    rt_wg_wait(&wg);
    out_kv("received", total);
}
