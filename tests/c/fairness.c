/* A goroutine that calls Gosched in a loop does not starve others
 * (GOMAXPROCS=1); then main returning ends the process with 0 while 1,000
 * goroutines still run ("mainexit"); and a pair of goroutines handing a
 * value back and forth forever does not starve the goroutine that started
 * them, nor a goroutine waiting in the global queue ("pingpong"). */
#include "common.h"

static int stop;
static long done;

static void yielder(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST))
        rt_gosched();
}

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        rt_gosched();
    __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

static void forever(void *arg)
{
    (void)arg;
    for (;;)
        rt_gosched();
}

static rt_chan *ping_c, *pong_c;

static void ping(void *arg)
{
    (void)arg;
    long v = 0;
    for (;;) {
        rt_chan_send(ping_c, &v);
        rt_chan_recv(pong_c, &v);
        v++;
    }
}

static void pong(void *arg)
{
    (void)arg;
    long v;
    for (;;) {
        rt_chan_recv(ping_c, &v);
        rt_chan_send(pong_c, &v);
    }
}

static void late(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

void main_main(void)
{
    if (rt_argc() > 1 && str_eq(rt_argv(1), "pingpong")) {
        ping_c = rt_chan_make(sizeof(long), 0);
        pong_c = rt_chan_make(sizeof(long), 0);
        rt_go(pong, 0);
        rt_go(ping, 0);
        /* Behind the pair in the local queue. */
        rt_gosched();
        /* Spawned while the pair runs: these wait in the local queue. */
        for (int i = 0; i < 300; i++)
            rt_go(late, 0);
        while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < 300)
            rt_gosched();
        out_kv("late", done);
        return;
    }
    if (rt_argc() > 1 && str_eq(rt_argv(1), "mainexit")) {
        for (int i = 0; i < 1000; i++)
            rt_go(forever, 0);
        for (int i = 0; i < 10; i++)
            rt_gosched();
        out_kv("running", rt_numgoroutine());
        return;
    }
    rt_go(yielder, 0);
    for (int i = 0; i < 10; i++)
        rt_go(worker, 0);
    while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < 10)
        rt_gosched();
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    while (rt_numgoroutine() > 1)
        rt_gosched();
    out_kv("workers", done);
}
