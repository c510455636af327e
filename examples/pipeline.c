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
#include <ctype.h>
#include <runtime.h>
#include <stdio.h>
#include <stdlib.h>

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

/* Argument i as a number up to 10000000009; exits on bad input. */
static unsigned long long arg(int i)
{
    const char *s = rt_argv(i);
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)*s) || *end || n > 10000000009ULL) {
        fprintf(stderr, "pipeline: not a number: \"%s\"\n", s);
        exit(2);
    }
    return n;
}

void main_main(void)
{
    if (rt_argc() < 3 || rt_argc() > 4) {
        fputs("usage: pipeline N TIMEOUT_MS [STALL_AT]\n", stderr);
        exit(2);
    }
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
            fprintf(stderr, "pipeline: timed out after %llu ms waiting for item %llu\n", timeout_ms,
                    item);
            exit(1);
        }
        if (!cases[0].ok)
            break;
        printf("item %llu: %llu\n", item, v);
        sum += v;
        item++;
    }
    printf("sum=%llu\n", sum);
}
