/* Goroutine ids and counts; GOMAXPROCS changed while goroutines run;
 * Goexit from a goroutine. */
#include "common.h"

static long ids[10];
static long started, go_on, total, exited_early;

static void record(void *arg)
{
    long i = (long)arg;
    ids[i] = rt_goid();
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&go_on, __ATOMIC_SEQ_CST))
        rt_gosched();
}

static void counter(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        __atomic_fetch_add(&total, 1, __ATOMIC_SEQ_CST);
        if (i % 100 == 0)
            rt_gosched();
    }
}

static void leaver(void *arg)
{
    (void)arg;
    rt_goexit();
    __atomic_store_n(&exited_early, 1, __ATOMIC_SEQ_CST); /* never runs */
}

void main_main(void)
{
    out_kv("main-goid", rt_goid());
    out_kv("numgoroutine-start", rt_numgoroutine());
    for (long i = 0; i < 10; i++)
        rt_go(record, (void *)i);
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 10)
        rt_gosched();
    out_kv("numgoroutine-10-parked", rt_numgoroutine());
    int distinct = 1;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < i; j++)
            if (ids[i] == ids[j] || ids[i] <= 1)
                distinct = 0;
    out_kv("distinct-ids", distinct);
    __atomic_store_n(&go_on, 1, __ATOMIC_SEQ_CST);
    while (rt_numgoroutine() > 1)
        rt_gosched();
    out_kv("numgoroutine-end", rt_numgoroutine());

    /* GOMAXPROCS changes under load. */
    for (int i = 0; i < 8; i++)
        rt_go(counter, 0);
    rt_gosched();
    int prev = rt_gomaxprocs(1);
    rt_gosched();
    rt_gomaxprocs(4);
    rt_gosched();
    rt_gomaxprocs(prev);
    while (rt_numgoroutine() > 1)
        rt_gosched();
    out_kv("resize-total", total);

    rt_go(leaver, 0);
    while (rt_numgoroutine() > 1)
        rt_gosched();
    out_kv("goexit-ran-past", exited_early);
}
