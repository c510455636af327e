/* select: uniform choice among ready cases, default, closed channels,
 * timeouts, and two selects locking the same channels in opposite orders. */
#include "common.h"

#define ROUNDS 10000

static rt_chan *ab, *ba;
static rt_waitgroup wg;

static void crosser(void *arg)
{
    long me = (long)arg, v = me;
    rt_chan *mine = me ? ab : ba, *theirs = me ? ba : ab;
    for (int i = 0; i < ROUNDS; i++) {
        rt_select_case cs[2] = {
            {mine, RT_SEND, &v, 0},
            {theirs, RT_RECV, &v, 0},
        };
        if (me) { /* the other order */
            rt_select_case t = cs[0];
            cs[0] = cs[1];
            cs[1] = t;
        }
        rt_select(cs, 2, 1);
    }
    rt_wg_done(&wg);
}

static void drain(void *arg)
{
    long v;
    while (rt_chan_recv(arg, &v))
        ;
}

void main_main(void)
{
    /* Fairness: four always-ready channels. */
    rt_chan *c[4];
    long counts[4] = {0}, v = 7;
    rt_select_case cs[4];
    for (int i = 0; i < 4; i++) {
        c[i] = rt_chan_make(sizeof(long), 1);
        rt_chan_send(c[i], &v);
        cs[i] = (rt_select_case){c[i], RT_RECV, &v, 0};
    }
    for (int n = 0; n < ROUNDS; n++) {
        int i = rt_select(cs, 4, 1);
        counts[i]++;
        rt_chan_send(c[i], &v);
    }
    int fair = 1;
    for (int i = 0; i < 4; i++)
        fair &= counts[i] >= ROUNDS / 5 && counts[i] <= ROUNDS * 3 / 10;
    out_kv("fair", fair);
    if (!fair)
        for (int i = 0; i < 4; i++)
            out_kv("count", counts[i]);

    /* Default: nothing ready. */
    rt_chan *empty = rt_chan_make(sizeof(long), 0);
    rt_select_case none[2] = {{empty, RT_RECV, &v, 0}, {0, RT_SEND, &v, 0}};
    out_kv("default", rt_select(none, 2, 0));

    /* A closed channel is always ready, with ok = 0. */
    rt_chan *closed = rt_chan_make(sizeof(long), 0);
    rt_chan_close(closed);
    rt_select_case cl[2] = {{empty, RT_RECV, &v, 0}, {closed, RT_RECV, &v, 1}};
    int i = rt_select(cl, 2, 1);
    out_kv("closed-case", i);
    out_kv("closed-ok", cl[1].ok);

    /* A send case completes with a waiting receiver. */
    rt_chan *tx = rt_chan_make(sizeof(long), 0);
    rt_go(drain, tx);
    long w = 5;
    rt_select_case snd[2] = {{empty, RT_RECV, &v, 0}, {tx, RT_SEND, &w, 0}};
    out_kv("send-case", rt_select(snd, 2, 1));
    rt_chan_close(tx);

    /* Timeout through rt_after. */
    long long t0 = rt_nanotime(), when = 0;
    rt_select_case to[2] = {{empty, RT_RECV, &v, 0}, {rt_after(5000000), RT_RECV, &when, 0}};
    out_kv("timeout-case", rt_select(to, 2, 1));
    out_kv("timeout-waited", when - t0 >= 5000000LL);

    /* Select against select: no deadlock. */
    ab = rt_chan_make(sizeof(long), 0);
    ba = rt_chan_make(sizeof(long), 0);
    rt_wg_add(&wg, 2);
    rt_go(crosser, (void *)0);
    rt_go(crosser, (void *)1);
    rt_wg_wait(&wg);
    out("crossed\n");
}
