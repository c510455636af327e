/* Asynchronous preemption: goroutines that loop without calling the
 * runtime do not own their P.
 *
 *   preempt ticker BOUND_MS   a spinner and a 20 ms ticker share one P:
 *                             every tick arrives at most BOUND_MS late
 *   preempt after BOUND_MS    every P spins: rt_after(100 ms) fires within
 *                             BOUND_MS
 *   preempt gomaxprocs        every P spins: rt_gomaxprocs(n) completes
 *   preempt deadlock          spinners end, then main blocks forever: the
 *                             deadlock is still reported
 *   preempt fpu SECONDS       spinners keep many FP and vector values in
 *                             registers across preemptions; each checksum
 *                             must equal the one computed before them
 *   preempt starve BOUND_MS   as ticker, but the spinner stops by itself
 *                             after about 300 ms: with asynchronous
 *                             preemption off, the ticks come that late
 */
#include "common.h"

static volatile int stop;

static void spin(void *arg)
{
    volatile unsigned long *n = arg;
    while (!stop)
        (*n)++;
}

static unsigned long counters[16];

static void spinners(int n)
{
    for (int i = 0; i < n; i++)
        rt_go(spin, (void *)&counters[i]);
}

static long long ms(long long ns)
{
    return ns / 1000000;
}

static volatile unsigned long limit;

static void spin_bounded(void *arg)
{
    (void)arg;
    for (volatile unsigned long i = 0; i < limit; i++)
        ;
}

static int ticker(long bound, int bounded)
{
    if (bounded) {
        /* Iterations for about 300 ms, measured on this goroutine: the
         * fastest of several runs, because a run during which the kernel
         * gave the thread's CPU away (a loaded machine) is slower and
         * would make the spinner far shorter. The first run under qemu
         * also includes translating the loop. */
        limit = 1000000;
        long long per = 0;
        for (int i = 0; i < 8; i++) {
            long long t0 = rt_nanotime();
            spin_bounded(0);
            long long d = rt_nanotime() - t0;
            if (i == 0 || d < per)
                per = d;
        }
        limit = (unsigned long)(1000000.0 * 300e6 / (per > 0 ? per : 1));
        /* The calibration ran long enough (under qemu) for sysmon to ask
         * this goroutine to yield, which it would do at its next runtime
         * call even with asynchronous preemption off, as Go does: the
         * spinner would then run before the ticker exists. Yield here,
         * and start the spinner only once the ticker runs. */
        rt_gosched();
    }
    rt_chan *t = rt_tick(20 * 1000000LL);
    long long start = rt_nanotime(), worst = 0;
    if (bounded)
        rt_go(spin_bounded, 0);
    else
        spinners(1);
    for (int i = 1; i <= 10; i++) {
        long long at;
        rt_chan_recv(t, &at);
        long long late = rt_nanotime() - (start + i * 20 * 1000000LL);
        if (late > worst)
            worst = late;
    }
    stop = 1;
    if (ms(worst) > bound) {
        out_kv("late_ms", ms(worst));
        return 1;
    }
    out("ticks=10\n");
    return 0;
}

static int after(long bound)
{
    spinners(rt_gomaxprocs(0));
    long long start = rt_nanotime(), at;
    rt_chan_recv(rt_after(100 * 1000000LL), &at);
    long long took = rt_nanotime() - start;
    stop = 1;
    if (ms(took) > bound) {
        out_kv("after_ms", ms(took));
        return 1;
    }
    out("fired\n");
    return 0;
}

static int gomaxprocs(void)
{
    int n = rt_gomaxprocs(0);
    spinners(n);
    rt_sleep(20 * 1000000LL);
    rt_gomaxprocs(n + 1);
    rt_gomaxprocs(n);
    stop = 1;
    out("resized\n");
    return 0;
}

static int deadlock(void)
{
    spinners(rt_gomaxprocs(0));
    rt_sleep(50 * 1000000LL);
    stop = 1;
    rt_sleep(10 * 1000000LL);
    rt_chan *c = rt_chan_make(sizeof(int), 0);
    int v;
    rt_chan_recv(c, &v);
    return 1;
}

/* Exact arithmetic on integers held in doubles (below 2^53, so the result
 * does not depend on rounding or fused multiply-add): the same on every
 * target, with and without preemption. 16 scalar and 8 two-lane vector
 * accumulators stay in FP/vector registers through the loop. */
typedef double v2 __attribute__((vector_size(16)));

static unsigned long long crunch(long rounds)
{
    double a[16];
    v2 v[8];
    for (int k = 0; k < 16; k++)
        a[k] = k + 1;
    for (int k = 0; k < 8; k++)
        v[k] = (v2){k + 3, k + 5};
    const double m = 1099511627776.0; /* 2^40 */
    for (long i = 0; i < rounds; i++) {
        for (int k = 0; k < 16; k++) {
            a[k] = a[k] * 5 + (double)(i & 1023);
            a[k] -= (double)(long long)(a[k] / m) * m;
        }
        for (int k = 0; k < 8; k++) {
            v[k] = v[k] * 3 + a[k];
            v[k] -= (v2){(double)(long long)(v[k][0] / m), (double)(long long)(v[k][1] / m)} * m;
        }
    }
    unsigned long long h = 1469598103934665603ULL;
    for (int k = 0; k < 16; k++)
        h = (h ^ (unsigned long long)a[k]) * 1099511628211ULL;
    for (int k = 0; k < 8; k++)
        h = (h ^ (unsigned long long)v[k][0] ^ ((unsigned long long)v[k][1] << 1)) * 1099511628211ULL;
    return h;
}

static unsigned long long want;
static long rounds;
static long bad, finished;

static void cruncher(void *arg)
{
    (void)arg;
    while (!stop) {
        if (crunch(rounds) != want)
            __atomic_fetch_add(&bad, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
    }
}

static int fpu(long seconds)
{
    /* About a millisecond of work per checksum natively. */
    rounds = 2000;
    want = crunch(rounds);
    int n = rt_gomaxprocs(0) + 2;
    for (int i = 0; i < n; i++)
        rt_go(cruncher, 0);
    rt_sleep(seconds * 1000000000LL);
    stop = 1;
    rt_sleep(200 * 1000000LL);
    if (bad || finished < n) {
        out_kv("bad", bad);
        out_kv("finished", finished);
        return 1;
    }
    out("checksums=ok\n");
    return 0;
}

static long num(const char *s)
{
    long v = 0;
    while (s && *s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

void main_main(void)
{
    const char *mode = rt_argv(1);
    long arg = num(rt_argv(2));
    int r = 2;
    if (!mode)
        r = 2;
    else if (str_eq(mode, "ticker"))
        r = ticker(arg, 0);
    else if (str_eq(mode, "starve"))
        r = ticker(arg, 1);
    else if (str_eq(mode, "after"))
        r = after(arg);
    else if (str_eq(mode, "gomaxprocs"))
        r = gomaxprocs();
    else if (str_eq(mode, "deadlock"))
        r = deadlock();
    else if (str_eq(mode, "fpu"))
        r = fpu(arg);
    rt_exit(r);
}
