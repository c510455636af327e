/* Tracebacks: a three-deep chain f1 -> f2 -> f3 that ends the program,
 * by rt_panic ("panic") or by a nil dereference ("nil"), on the main
 * goroutine or with other goroutines parked ("all": three blocked on a
 * channel receive, then the chain in a goroutine of its own). Each
 * function calls another, so each keeps a frame record, and none is
 * inlined. */
#include "common.h"

static volatile int *volatile nowhere;

/* Something f3 calls before it fails, so that it is not a leaf. */
__attribute__((noinline)) static int *where(void)
{
    __asm__ volatile("" ::: "memory");
    return (int *)nowhere;
}

__attribute__((noinline)) static int f3(const char *mode)
{
    if (str_eq(mode, "nil")) {
        int *p = where();
        return *(volatile int *)p + 1;
    }
    rt_panic("boom in f3");
}

__attribute__((noinline)) static int f2(const char *mode)
{
    int r = f3(mode);
    __asm__ volatile("" ::: "memory");
    return r + 1;
}

__attribute__((noinline)) static int f1(const char *mode)
{
    int r = f2(mode);
    __asm__ volatile("" ::: "memory");
    return r + 1;
}

static void blocked(void *arg)
{
    long v;
    rt_chan_recv((rt_chan *)arg, &v);
}

static void chain(void *arg)
{
    f1((const char *)arg);
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "panic";
    if (str_eq(mode, "all")) {
        rt_chan *c = rt_chan_make(sizeof(long), 0);
        for (int i = 0; i < 3; i++)
            rt_go(blocked, c);
        /* Let them reach their receive (at GOMAXPROCS=1, as the tests
         * run it, each runs until it parks). */
        for (int i = 0; i < 20; i++)
            rt_gosched();
        rt_go(chain, "panic");
        for (;;)
            rt_sleep(1000000000);
    }
    out_int(f1(mode));
    out("unreachable\n");
}
