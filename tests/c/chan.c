/* Channel semantics: ordering, close and drain, len/cap, wide elements,
 * every panic, nil channels, and deadlock reports. (The prime sieve and
 * 100,000 parked goroutines are the benchmark programs, run as tests.) */
#include "common.h"

static void sender(void *arg)
{
    rt_chan *c = arg;
    for (long i = 1; i <= 5; i++)
        rt_chan_send(c, &i);
    rt_chan_close(c);
}

static rt_chan *done;

static void receiver(void *arg)
{
    long v = 99;
    int ok = rt_chan_recv(arg, &v);
    long r = ok ? -1 : v; /* closed: zero value */
    rt_chan_send(done, &r);
}

static void blocked_sender(void *arg)
{
    long v = 1;
    rt_chan_send(arg, &v);
}

struct wide { char bytes[100]; };

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    if (str_eq(mode, "basic")) {
        rt_chan *c = rt_chan_make(sizeof(long), 0);
        rt_go(sender, c);
        long v, n = 0, order_ok = 1;
        while (rt_chan_recv(c, &v))
            order_ok &= v == ++n;
        out_kv("unbuffered-received", n);
        out_kv("unbuffered-in-order", order_ok);
        out_kv("closed-value", v);
        rt_chan *b = rt_chan_make(sizeof(long), 5);
        for (long i = 1; i <= 5; i++)
            rt_chan_send(b, &i);
        out_kv("len", rt_chan_len(b));
        out_kv("cap", rt_chan_cap(b));
        rt_chan_close(b);
        n = 0;
        order_ok = 1;
        while (rt_chan_recv(b, &v))
            order_ok &= v == ++n;
        out_kv("drained-after-close", n);
        out_kv("buffered-in-order", order_ok);
        out_kv("recv-closed-again", rt_chan_recv(b, &v) * 10 + v);
        out_kv("nil-len-cap", rt_chan_len(0) + rt_chan_cap(0));
        /* Close wakes every blocked receiver with the zero value. */
        rt_chan *w = rt_chan_make(sizeof(long), 0);
        done = rt_chan_make(sizeof(long), 10);
        for (int i = 0; i < 5; i++)
            rt_go(receiver, w);
        for (int i = 0; i < 20; i++)
            rt_gosched();
        rt_chan_close(w);
        long zeros = 0;
        for (int i = 0; i < 5; i++) {
            rt_chan_recv(done, &v);
            zeros += v == 0;
        }
        out_kv("woken-by-close", zeros);
        /* Wide elements are copied whole. */
        rt_chan *s = rt_chan_make(sizeof(struct wide), 2);
        struct wide x, y;
        for (int i = 0; i < 100; i++)
            x.bytes[i] = (char)i;
        rt_chan_send(s, &x);
        rt_chan_recv(s, &y);
        out_kv("wide-equal", __builtin_memcmp(&x, &y, sizeof x) == 0);
    } else if (str_eq(mode, "send-closed")) {
        rt_chan *c = rt_chan_make(sizeof(long), 1);
        rt_chan_close(c);
        long v = 1;
        rt_chan_send(c, &v);
    } else if (str_eq(mode, "close-closed")) {
        rt_chan *c = rt_chan_make(sizeof(long), 1);
        rt_chan_close(c);
        rt_chan_close(c);
    } else if (str_eq(mode, "close-nil")) {
        rt_chan_close(0);
    } else if (str_eq(mode, "close-blocked-sender")) {
        rt_chan *c = rt_chan_make(sizeof(long), 0);
        rt_go(blocked_sender, c);
        for (int i = 0; i < 20; i++)
            rt_gosched();
        rt_chan_close(c);
        for (;;)
            rt_gosched();
    } else if (str_eq(mode, "nil-recv")) {
        long v;
        rt_chan_recv(0, &v);
    } else if (str_eq(mode, "nil-send")) {
        long v = 0;
        rt_chan_send(0, &v);
    } else if (str_eq(mode, "deadlock")) {
        rt_chan *c = rt_chan_make(sizeof(long), 0);
        long v;
        rt_chan_recv(c, &v);
    } else if (str_eq(mode, "select-nothing")) {
        rt_select(0, 0, 1);
    }
    out("end\n");
}
