/* pipeline N TIMEOUT_MS [STALL_AT]: three stages joined by channels — a
 * generator of 1..N, a stage that squares, and main, which sums — where
 * main waits for each value in an rt_select with a timeout.
 *
 *     cargo xtask run pipeline-c 10 1000      # item 1: 1 ... sum=385
 *     cargo xtask run pipeline-c 10 200 4     # the square stage stalls at 4
 *
 * Prints "item I: V" for each value and "sum=S" at the end. With
 * STALL_AT, the square stage stops for an hour at that item (a stage stuck
 * on a slow disk or peer): no value arrives within TIMEOUT_MS, the timeout
 * case of the select fires, and the program says so on stderr and exits
 * with status 1, while the stuck goroutine is still asleep. (Each wait
 * makes an rt_after channel; channels made from C are never freed, so a
 * long-running program would keep one rt_tick or reuse a deadline.) */
#include <runtime.h>

struct stages {
    unsigned long long n, stall_at;
    rt_chan *numbers, *squares;
};

static void generate(void *arg)
{
    struct stages *s = arg;
    for (unsigned long long i = 1; i <= s->n; i++)
        rt_chan_send(s->numbers, &i);
    rt_chan_close(s->numbers);
}

static void square(void *arg)
{
    struct stages *s = arg;
    unsigned long long i;
    while (rt_chan_recv(s->numbers, &i)) {
        if (i == s->stall_at)
            rt_sleep(3600LL * 1000000000LL);
        unsigned long long v = i * i;
        rt_chan_send(s->squares, &v);
    }
    rt_chan_close(s->squares);
}

/* A line being built, written with one rt_write. */
struct line {
    char buf[160];
    unsigned long n;
};

static void put_s(struct line *l, const char *s)
{
    while (*s && l->n < sizeof l->buf)
        l->buf[l->n++] = *s++;
}

static void put_u(struct line *l, unsigned long long v)
{
    char d[24];
    int i = sizeof d;
    d[--i] = 0;
    do
        d[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    put_s(l, d + i);
}

static void fail(const char *a, const char *b, const char *c, int code)
{
    struct line l = {.n = 0};
    put_s(&l, a);
    put_s(&l, b);
    put_s(&l, c);
    put_s(&l, "\n");
    rt_write(2, l.buf, l.n);
    rt_exit(code);
}

/* Argument i as a number; exits on bad input. */
static unsigned long long arg(int i)
{
    const char *s = rt_argv(i);
    unsigned long long n = 0;
    if (!*s)
        fail("pipeline: not a number: \"", s, "\"", 2);
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9' || n > 1000000000)
            fail("pipeline: not a number: \"", s, "\"", 2);
        n = n * 10 + (unsigned long long)(*c - '0');
    }
    return n;
}

void main_main(void)
{
    if (rt_argc() < 3 || rt_argc() > 4)
        fail("usage: pipeline N TIMEOUT_MS [STALL_AT]", "", "", 2);
    static struct stages s;
    s.n = arg(1);
    unsigned long long timeout_ms = arg(2);
    s.stall_at = rt_argc() > 3 ? arg(3) : 0;
    s.numbers = rt_chan_make(sizeof(unsigned long long), 0);
    s.squares = rt_chan_make(sizeof(unsigned long long), 0);
    rt_go(generate, &s);
    rt_go(square, &s);

    unsigned long long item = 1, sum = 0, v;
    long long fired;
    for (;;) {
        rt_select_case cases[2] = {
            {s.squares, RT_RECV, &v, 0},
            {rt_after((long long)timeout_ms * 1000000), RT_RECV, &fired, 0},
        };
        int i = rt_select(cases, 2, 1);
        if (i == 1) {
            struct line l = {.n = 0};
            put_s(&l, "pipeline: timed out after ");
            put_u(&l, timeout_ms);
            put_s(&l, " ms waiting for item ");
            put_u(&l, item);
            put_s(&l, "\n");
            rt_write(2, l.buf, l.n);
            rt_exit(1);
        }
        if (!cases[0].ok)
            break;
        struct line l = {.n = 0};
        put_s(&l, "item ");
        put_u(&l, item);
        put_s(&l, ": ");
        put_u(&l, v);
        put_s(&l, "\n");
        rt_write(1, l.buf, l.n);
        sum += v;
        item++;
    }
    struct line l = {.n = 0};
    put_s(&l, "sum=");
    put_u(&l, sum);
    put_s(&l, "\n");
    rt_write(1, l.buf, l.n);
}
