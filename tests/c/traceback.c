/* Tracebacks: a three-deep chain f1 -> f2 -> f3 that ends the program,
 * by rt_panic ("panic") or by a nil dereference ("nil"), on the main
 * goroutine or with other goroutines parked ("all": three blocked on a
 * channel receive, then the chain in a goroutine of its own). Each
 * function calls another, so each keeps a frame record, and none is
 * inlined.
 *
 * "leaf": main_main starts `middle`, which prints its goroutine id and
 * starts `leafy` from `spawner`, then sleeps; leafy's chain g1 -> g2 ->
 * leaf ends in a nil dereference in `leaf`, which calls nothing and so
 * keeps no frame record: its caller g2 is found only from the link
 * register (the word at sp on x86_64).
 *
 * "tail": the chain in a goroutine started by `tail_spawn`, whose call
 * of rt_go is a tail call. */
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

/* Calls nothing: no frame record. */
__attribute__((noinline)) static int leaf(volatile int *p)
{
    return *p + 1;
}

__attribute__((noinline)) static int g2(void)
{
    int r = leaf(nowhere);
    __asm__ volatile("" ::: "memory");
    return r + 1;
}

__attribute__((noinline)) static int g1(void)
{
    int r = g2();
    __asm__ volatile("" ::: "memory");
    return r + 1;
}

static void leafy(void *arg)
{
    (void)arg;
    out_int(g1());
}

__attribute__((noinline)) static void spawner(void)
{
    rt_go(leafy, 0);
    __asm__ volatile("" ::: "memory");
}

static void middle(void *arg)
{
    (void)arg;
    out_kv("creator", rt_goid());
    spawner();
    for (;;)
        rt_sleep(1000000000);
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

/* Ends with its call of rt_go, which clang makes a tail call (a jump):
 * the return address rt_go records is then main_main's, after its call
 * of tail_spawn. */
__attribute__((noinline)) static void tail_spawn(void)
{
    rt_go(chain, "panic");
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
    if (str_eq(mode, "tail")) {
        tail_spawn();
        for (;;)
            rt_sleep(1000000000);
    }
    if (str_eq(mode, "leaf")) {
        rt_go(middle, 0);
        for (;;)
            rt_sleep(1000000000);
    }
    out_int(f1(mode));
    out("unreachable\n");
}
