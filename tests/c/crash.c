/* Ways a goroutine can end the program: stack overflow (in a goroutine, on
 * main, among many goroutines, yielding on the way down), a panic, a wild pointer; Goexit in
 * main; and a deep recursion that fits in a big stack. */
#include "common.h"

static long depth;

/* Unbounded on purpose: these two overflow the stack. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winfinite-recursion"
static long recurse(long n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    depth++;
    return recurse(n + 1) + pad[0];
}

static long recurse_yielding(long n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    rt_gosched();
    return recurse_yielding(n + 1) + pad[0];
}
#pragma clang diagnostic pop

static long bounded(long n)
{
    volatile char pad[1000];
    pad[0] = (char)n;
    return n == 0 ? 0 : bounded(n - 1) + pad[0];
}

static int release;
static long started;

static void overflow(void *arg) { (void)arg; recurse(0); }
static void overflow_yielding(void *arg) { (void)arg; recurse_yielding(0); }
static void panicker(void *arg) { rt_panic((const char *)arg); }
static void wild(void *arg) { (void)arg; *(volatile int *)0x10 = 1; }
static void deep(void *arg)
{
    (void)arg;
    bounded(500);
    out_kv("deep", 500);
    __atomic_store_n(&release, 1, __ATOMIC_SEQ_CST);
}
static rt_chan *never; /* nobody sends: parked goroutines wait for good */
static void parked(void *arg)
{
    (void)arg;
    long v;
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    rt_chan_recv(never, &v);
}
static void chatty(void *arg)
{
    for (int i = 0; i < 50; i++)
        rt_gosched();
    out("done ");
    out_int((long)arg);
    out("\n");
}

static void wait_forever(void)
{
    for (;;)
        rt_gosched();
}

/* Starts n parked goroutines, waits until all run, then starts f (an
 * overflow) and waits for the end. */
static void overflow_among(long n, void (*f)(void *))
{
    /* Parked in a receive, not yielding in a loop: n goroutines taking
     * turns would make each of the overflow's yields wait for all of
     * them (minutes under qemu at 30,000). */
    never = rt_chan_make(sizeof(long), 0);
    for (long i = 0; i < n; i++)
        rt_go(parked, 0);
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n)
        rt_gosched();
    rt_go(f, 0);
    wait_forever();
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    if (str_eq(mode, "overflow")) {
        rt_go(overflow, 0);
        wait_forever();
    } else if (str_eq(mode, "overflow-main")) {
        recurse(0);
    } else if (str_eq(mode, "overflow-among")) {
        /* N goroutines alive, then one recursing without ever yielding:
         * only its guard can stop it running into its neighbours. */
        overflow_among(to_int(rt_argv(2)), overflow);
    } else if (str_eq(mode, "overflow-unguarded")) {
        /* Many parked goroutines, then an overflow that yields at every
         * frame (caught at a switch if its stack has no guard). */
        overflow_among(to_int(rt_argv(2)), overflow_yielding);
    } else if (str_eq(mode, "big-stack")) {
        /* 500 frames of ~1 KB: more than the default stack, within 1 MiB. */
        rt_go_stack(deep, 0, 1 << 20);
        while (!__atomic_load_n(&release, __ATOMIC_SEQ_CST))
            rt_gosched();
        return;
    } else if (str_eq(mode, "panic")) {
        rt_go(panicker, "boom in a goroutine");
        wait_forever();
    } else if (str_eq(mode, "wild")) {
        rt_go(wild, 0);
        wait_forever();
    } else if (str_eq(mode, "goexit-main")) {
        for (long i = 1; i <= 3; i++)
            rt_go(chatty, (void *)i);
        rt_goexit();
    } else if (str_eq(mode, "nil-go")) {
        rt_go(0, 0);
    }
    out("unreachable\n");
}
