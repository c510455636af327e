/* fanout: CPU-bound work (argument: total iterations, default 400M) split
 * over GOMAXPROCS goroutines. */
#include <runtime.h>

static rt_waitgroup wg;
unsigned long long results[64]; /* not static: the work must stay observable */
static unsigned long long total = 400000000ULL;

static void work(void *arg)
{
    long id = (long)arg;
    unsigned long long n = total / rt_gomaxprocs(0), x = (unsigned long long)id + 1;
    for (unsigned long long i = 0; i < n; i++) {
        x ^= x << 13; /* xorshift: a dependent chain no compiler shortens */
        x ^= x >> 7;
        x ^= x << 17;
    }
    results[id] = x;
    rt_wg_done(&wg);
}

void main_main(void)
{
    if (rt_argc() > 1) {
        total = 0;
        for (const char *c = rt_argv(1); *c >= '0' && *c <= '9'; c++)
            total = total * 10 + (unsigned long long)(*c - '0');
    }
    int p = rt_gomaxprocs(0);
    if (p > 64)
        p = 64;
    rt_wg_add(&wg, p);
    for (long i = 0; i < p; i++)
        rt_go(work, (void *)i);
    rt_wg_wait(&wg);
}
