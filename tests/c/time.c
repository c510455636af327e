/* Sleeping and timers. */
#include "common.h"

static rt_waitgroup wg;
static long woke;
static unsigned long long seed = 12345;

static void sleeper(void *arg)
{
    rt_sleep((long)arg);
    __atomic_fetch_add(&woke, 1, __ATOMIC_SEQ_CST);
    rt_wg_done(&wg);
}

static void nap_then_say(void *arg)
{
    (void)arg;
    rt_sleep(200000000);
    out("slept\n");
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    if (str_eq(mode, "sleep")) {
        /* A 10 ms sleep wakes after 10 ms and before the given bound. */
        long bound_ms = to_int(rt_argv(2));
        long long worst = 0, best = 1LL << 40;
        for (int i = 0; i < 5; i++) {
            long long t0 = rt_nanotime();
            rt_sleep(10000000);
            long long d = rt_nanotime() - t0;
            worst = d > worst ? d : worst;
            best = d < best ? d : best;
        }
        out_kv("at-least-10ms", best >= 10000000);
        out_kv("within-bound", worst <= bound_ms * 1000000LL);
        if (worst > bound_ms * 1000000LL)
            out_kv("worst-ms", (long)(worst / 1000000));
    } else if (str_eq(mode, "many")) {
        long n = to_int(rt_argv(2));
        rt_wg_add(&wg, n);
        for (long i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            rt_go(sleeper, (void *)(long)(1000000 + (seed >> 33) % 20000000));
        }
        rt_wg_wait(&wg);
        out_kv("woke", woke);
    } else if (str_eq(mode, "timers")) {
        long long t0 = rt_nanotime(), when;
        rt_chan_recv(rt_after(5000000), &when);
        out_kv("after-waited", when - t0 >= 5000000LL);
        rt_chan *tick = rt_tick(2000000);
        long long prev = t0;
        long increasing = 1;
        for (int i = 0; i < 5; i++) {
            rt_chan_recv(tick, &when);
            increasing &= when > prev;
            prev = when;
        }
        out_kv("ticks-increasing", increasing);
        out_kv("ticked-5-times", prev - t0 >= 5 * 2000000LL);
    } else if (str_eq(mode, "tick-nonpositive")) {
        /* Go's time.Tick(d) is nil for d <= 0: a nil channel is never
         * ready, so a non-blocking select on it takes the default. */
        rt_chan *zero = rt_tick(0), *neg = rt_tick(-5);
        out_kv("zero-is-nil", zero == 0);
        out_kv("negative-is-nil", neg == 0);
        rt_select_case c = {zero, RT_RECV, 0, 0};
        out_kv("select", rt_select(&c, 1, 0));
    } else if (str_eq(mode, "sleeper-holds-off-deadlock")) {
        rt_go(nap_then_say, 0);
        rt_chan *c = rt_chan_make(sizeof(long), 0);
        long v;
        rt_chan_recv(c, &v);
    }
    out("end\n");
}
