/* Preemption everywhere: W goroutines (default 6, one of them locked to
 * its thread) each run I rounds (default 3000) of runtime calls that do
 * not block — an uncontended-or-not mutex around a shared counter, their
 * own buffered channel, a select with a default, a timer started and
 * stopped, an allocation — between stretches of floating-point and
 * integer work with no calls at all. None of it switches goroutines on
 * its own, so sysmon's preemption signals (every 1 ms with chaos on) land
 * in the middle of both: in user code they preempt at once, inside a
 * runtime call they must wait for its end. A preemption taken inside the
 * runtime would corrupt a lock, a channel or the heap; a register lost
 * would break a checksum. Prints the counter and how many goroutines'
 * checksums matched. */
#include "stress.h"

static rt_mutex mu;
static long counter; /* under mu */
static rt_waitgroup wg;
static long rounds;
static long good;

/* The same arithmetic as work(), with nothing to interrupt it. */
static double expected(long id, long n)
{
    double x = 1.0 + id, acc = 0;
    for (long i = 0; i < n; i++) {
        x = x * 1.000001 + 0.5;
        if (x > 1e6)
            x -= 1e6;
        acc += x * 0.25;
    }
    return acc;
}

static void worker(void *arg)
{
    long id = (long)arg;
    if (id == 0)
        rt_lock_os_thread();
    unsigned long long seed = id * 31 + 7;
    rt_chan *own = rt_chan_make(sizeof(long), 64);
    double x = 1.0 + id, acc = 0;
    long steps = 0;
    for (long r = 0; r < rounds; r++) {
        unsigned long k = rng_next(&seed);
        /* Calls-free stretch: FP state live across any preemption. */
        long n = 200 + k % 800;
        for (long i = 0; i < n; i++) {
            x = x * 1.000001 + 0.5;
            if (x > 1e6)
                x -= 1e6;
            acc += x * 0.25;
        }
        steps += n;
        switch (k % 5) {
        case 0:
            rt_mutex_lock(&mu);
            counter++;
            rt_mutex_unlock(&mu);
            break;
        case 1: {
            long v = r, w = -1;
            rt_chan_send(own, &v);
            check(rt_chan_recv(own, &w) && w == r, "own channel lost a value");
            rt_mutex_lock(&mu);
            counter++;
            rt_mutex_unlock(&mu);
            break;
        }
        case 2: {
            long v = r, w = -1;
            rt_chan_send(own, &v);
            rt_select_case cs[1] = {{own, RT_RECV, &w, 0}};
            check(rt_select(cs, 1, 0) == 0 && w == r, "select with default lost a value");
            rt_mutex_lock(&mu);
            counter++;
            rt_mutex_unlock(&mu);
            break;
        }
        case 3: {
            rt_chan *c = rt_after(1000000000LL); /* never fires in time */
            check(c != 0, "rt_after failed");
            rt_mutex_lock(&mu);
            counter++;
            rt_mutex_unlock(&mu);
            break;
        }
        default: {
            rt_chan *c = rt_chan_make(16, 2);
            check(c != 0, "rt_chan_make failed");
            rt_chan_close(c);
            rt_mutex_lock(&mu);
            counter++;
            rt_mutex_unlock(&mu);
            break;
        }
        }
    }
    if (acc == expected(id, steps))
        __atomic_fetch_add(&good, 1, __ATOMIC_SEQ_CST);
    rt_wg_done(&wg);
}

void main_main(void)
{
    long w = arg_or(1, 6);
    rounds = arg_or(2, 3000);
    rt_wg_add(&wg, w);
    for (long i = 0; i < w; i++)
        rt_go(worker, (void *)i);
    rt_wg_wait(&wg);
    out_kv("counter", counter);
    out_kv("checksums-equal", good);
}
