/* Channel and select semantics from the Go specification and Go's
 * documented behaviour, checked against the same program in Go
 * (reflect.Select standing in for rt_select); the expected lines are Go
 * 1.19's output. Covered: nil-channel cases in every position, with the
 * live case ready or waited for; a select of 64 cases; one channel in
 * several cases of a select; both ends of one channel in one select;
 * closing a channel while selects wait on it; zero-size elements.
 *
 * "A nil channel is never ready for communication" (spec, Channel
 * types): a nil case, wherever it sits, is ignored, and a select of only
 * nil cases blocks forever (Go reports it as [select]). "If one or more
 * of the communications can proceed, a single one that can proceed is
 * chosen via a uniform pseudo-random selection" (spec, Select
 * statements). Closing a channel wakes every receiver with the zero value
 * and ok false, and makes a waiting sender panic. */
#include "common.h"

static void out_str_int(const char *k, long v)
{
    out(k);
    out_int(v);
}

/* ---- helpers -------------------------------------------------------- */

static long nine = 9, seven = 7;

/* n cases, all nil (alternately receive and send), but case `pos`:
 * `dir` on `live`, with `elem`. */
static void nil_cases(rt_select_case *cs, int n, int pos, rt_chan *live, int dir, long *elem)
{
    for (int i = 0; i < n; i++)
        cs[i] = (rt_select_case){0, i % 2 ? RT_SEND : RT_RECV, &nine, 0};
    cs[pos] = (rt_select_case){live, dir, elem, 0};
}

struct delayed {
    rt_chan *c;
    long v;
    rt_chan *got; /* for a delayed receive: where to report the value */
    long long ns;
};

static void send_later(void *arg)
{
    struct delayed *d = arg;
    rt_sleep(d->ns);
    rt_chan_send(d->c, &d->v);
}

static void send_two_later(void *arg)
{
    struct delayed *d = arg;
    rt_sleep(d->ns);
    long a = 1, b = 2;
    rt_chan_send(d->c, &a);
    rt_chan_send(d->c, &b);
}

static void recv_later(void *arg)
{
    struct delayed *d = arg;
    rt_sleep(d->ns);
    long v = 0;
    rt_chan_recv(d->c, &v);
    rt_chan_send(d->got, &v);
}

static struct delayed *delayed(rt_chan *c, long v, rt_chan *got, long long ns)
{
    struct delayed *d = rt_malloc(sizeof *d);
    *d = (struct delayed){c, v, got, ns};
    return d;
}

/* ---- nil cases ------------------------------------------------------ */

static void nil_ready(void)
{
    out("nil-ready=");
    for (int n = 2; n <= 4; n++) {
        if (n > 2)
            out(" ");
        for (int pos = 0; pos < n; pos++) {
            rt_chan *live = rt_chan_make(sizeof(long), 1);
            long v = 1;
            rt_chan_send(live, &v);
            rt_select_case cs[4];
            nil_cases(cs, n, pos, live, RT_RECV, &v);
            out_int(rt_select(cs, n, 1));
        }
    }
    out("\n");
}

static void nil_wait_recv(void)
{
    out("nil-wait-recv=");
    for (int n = 2; n <= 4; n++) {
        if (n > 2)
            out(" ");
        for (int pos = 0; pos < n; pos++) {
            rt_chan *live = rt_chan_make(sizeof(long), 0);
            rt_go(send_later, delayed(live, 5, 0, 1000000));
            long v = 0;
            rt_select_case cs[4];
            nil_cases(cs, n, pos, live, RT_RECV, &v);
            int i = rt_select(cs, n, 1);
            if (v != 5 || !cs[pos].ok)
                out("x");
            out_int(i);
        }
    }
    out("\n");
}

static void nil_wait_send(void)
{
    out("nil-wait-send=");
    for (int n = 2; n <= 4; n++) {
        if (n > 2)
            out(" ");
        for (int pos = 0; pos < n; pos++) {
            rt_chan *live = rt_chan_make(sizeof(long), 0);
            rt_chan *got = rt_chan_make(sizeof(long), 1);
            rt_go(recv_later, delayed(live, 0, got, 1000000));
            rt_select_case cs[4];
            nil_cases(cs, n, pos, live, RT_SEND, &seven);
            int i = rt_select(cs, n, 1);
            long v = 0;
            rt_chan_recv(got, &v);
            if (v != 7)
                out("x");
            out_int(i);
        }
    }
    out("\n");
}

static void nil_default(void)
{
    long v;
    rt_select_case cs[3] = {{0, RT_RECV, &v, 0}, {0, RT_SEND, &nine, 0}, {0, RT_RECV, &v, 0}};
    out_kv("nil-default", rt_select(cs, 3, 0));
}

/* ---- 64 cases ------------------------------------------------------- */

static void many(void)
{
    static rt_chan *chans[64];
    static rt_select_case cs[64];
    long v;
    for (int i = 0; i < 64; i++) {
        chans[i] = rt_chan_make(sizeof(long), 0);
        cs[i] = (rt_select_case){chans[i], RT_RECV, &v, 0};
    }
    long good = 0;
    for (int j = 0; j < 64; j++) {
        rt_go(send_later, delayed(chans[j], j, 0, 100000));
        v = -1;
        int i = rt_select(cs, 64, 1);
        good += i == j && v == j && cs[i].ok;
    }
    out_kv("many-wait", good);

    long counts[64] = {0};
    for (int i = 0; i < 64; i++) {
        chans[i] = rt_chan_make(sizeof(long), 1);
        long k = i;
        rt_chan_send(chans[i], &k);
        cs[i] = (rt_select_case){chans[i], RT_RECV, &v, 0};
    }
    good = 0;
    for (int r = 0; r < 64 * 100; r++) {
        int i = rt_select(cs, 64, 1);
        good += v == i;
        counts[i]++;
        long k = i;
        rt_chan_send(chans[i], &k);
    }
    int all = 1;
    for (int i = 0; i < 64; i++)
        all &= counts[i] > 0;
    out_str_int("many-ready=", good);
    out_str_int(" all-chosen=", all);
    out("\n");

    for (int i = 0; i < 64; i++)
        cs[i] = (rt_select_case){0, i % 2 == 0 ? RT_SEND : RT_RECV, &nine, 0};
    rt_chan *last = rt_chan_make(sizeof(long), 0);
    cs[63] = (rt_select_case){last, RT_RECV, &v, 0};
    rt_go(send_later, delayed(last, 63, 0, 1000000));
    int i = rt_select(cs, 64, 1);
    out_str_int("many-nil-then-live=", i);
    out_str_int(" value=", v);
    out("\n");
}

/* ---- one channel in several cases ----------------------------------- */

static const char *tf(int b)
{
    return b ? "true" : "false";
}

static void dup(void)
{
    rt_chan *c = rt_chan_make(sizeof(long), 1);
    long v = 1, w = 0;
    rt_chan_send(c, &v);
    v = 0;
    rt_select_case cs[3] = {{c, RT_RECV, &v, 0}, {c, RT_RECV, &v, 0}};
    int i = rt_select(cs, 2, 1);
    out("dup-ready: one-case=");
    out(tf(i == 0 || i == 1));
    out_str_int(" value=", v);
    out(" ok=");
    out(tf(cs[i].ok));
    out_str_int(" len=", rt_chan_len(c));
    out("\n");

    rt_chan *u = rt_chan_make(sizeof(long), 0);
    rt_go(send_two_later, delayed(u, 0, 0, 1000000));
    v = 0;
    rt_select_case cw[3] = {{u, RT_RECV, &v, 0}, {0, RT_RECV, &w, 0}, {u, RT_RECV, &v, 0}};
    i = rt_select(cw, 3, 1);
    long second = 0;
    rt_chan_recv(u, &second);
    out("dup-wait: one-case=");
    out(tf(i == 0 || i == 2));
    out_str_int(" value=", v);
    out_str_int(" second=", second);
    out("\n");

    rt_chan *b = rt_chan_make(sizeof(long), 2);
    long one = 1, two = 2;
    rt_select_case cb[2] = {{b, RT_SEND, &one, 0}, {b, RT_SEND, &two, 0}};
    i = rt_select(cb, 2, 1);
    out("dup-send: one-case=");
    out(tf(i == 0 || i == 1));
    out_str_int(" len=", rt_chan_len(b));
    out("\n");
}

/* ---- both ends of one channel --------------------------------------- */

static rt_chan *both;
static rt_chan *both_done;

static void recv_one(void *arg)
{
    long v;
    rt_chan_recv(arg, &v);
}

static void both_ends_loop(void *arg)
{
    (void)arg;
    long n[2] = {0, 0}, v = 1;
    for (int r = 0; r < 1000; r++) {
        rt_select_case cs[2] = {{both, RT_SEND, &v, 0}, {both, RT_RECV, &v, 0}};
        n[rt_select(cs, 2, 1)]++;
    }
    rt_chan_send(both_done, n);
}

static void both_ends(void)
{
    rt_chan *u = rt_chan_make(sizeof(long), 0);
    long one = 1, v = 0;
    rt_go(recv_one, u);
    rt_select_case cs[2] = {{u, RT_SEND, &one, 0}, {u, RT_RECV, &v, 0}};
    int i = rt_select(cs, 2, 1);
    rt_go(send_later, delayed(u, 5, 0, 0));
    int j = rt_select(cs, 2, 1);
    out_str_int("both-ends: to-receiver=", i);
    out_str_int(" from-sender=", j);
    out_str_int(" value=", v);
    out("\n");

    rt_chan *b = rt_chan_make(sizeof(long), 1);
    long three = 3, four = 4;
    v = 0;
    rt_select_case c1[2] = {{b, RT_SEND, &three, 0}, {b, RT_RECV, &v, 0}};
    i = rt_select(c1, 2, 1);
    rt_select_case c2[2] = {{b, RT_SEND, &four, 0}, {b, RT_RECV, &v, 0}};
    j = rt_select(c2, 2, 1);
    out_str_int("both-ends-buffered: empty=", i);
    out_str_int(" full=", j);
    out_str_int(" value=", v);
    out("\n");

    both = rt_chan_make(sizeof(long), 0);
    both_done = rt_chan_make(2 * sizeof(long), 0);
    rt_go(both_ends_loop, 0);
    rt_go(both_ends_loop, 0);
    long a[2], c[2];
    rt_chan_recv(both_done, a);
    rt_chan_recv(both_done, c);
    out_str_int("both-ends-selects: sends=", a[0] + c[0]);
    out_str_int(" recvs=", a[1] + c[1]);
    out("\n");
}

/* ---- closing while selects wait ------------------------------------- */

static rt_chan *closing, *never, *nobody, *results;

static void close_waiter(void *arg)
{
    long g = (long)arg, v = 99, w = 0;
    rt_select_case cs[3];
    int want;
    if (g % 2 == 0) {
        cs[0] = (rt_select_case){closing, RT_RECV, &v, 1};
        cs[1] = (rt_select_case){never, RT_RECV, &w, 1};
        cs[2] = (rt_select_case){0, RT_RECV, &w, 1};
        want = 0;
    } else {
        cs[0] = (rt_select_case){0, RT_SEND, &w, 1};
        cs[1] = (rt_select_case){nobody, RT_SEND, &w, 1};
        cs[2] = (rt_select_case){closing, RT_RECV, &v, 1};
        want = 2;
    }
    int i = rt_select(cs, 3, 1);
    long ok = i == want && v == 0 && !cs[i].ok;
    rt_chan_send(results, &ok);
}

static void close_wait(void)
{
    closing = rt_chan_make(sizeof(long), 0);
    never = rt_chan_make(sizeof(long), 0);
    nobody = rt_chan_make(sizeof(long), 0);
    results = rt_chan_make(sizeof(long), 10);
    for (long g = 0; g < 10; g++)
        rt_go(close_waiter, (void *)g);
    rt_sleep(5000000);
    rt_chan_close(closing);
    long n = 0, ok;
    for (int g = 0; g < 10; g++) {
        rt_chan_recv(results, &ok);
        n += ok;
    }
    out_kv("close-wakes", n);

    rt_chan *b = rt_chan_make(sizeof(long), 2);
    long v = 1;
    rt_chan_send(b, &v);
    v = 2;
    rt_chan_send(b, &v);
    rt_chan_close(b);
    out("closed-buffered-drains:");
    for (int k = 0; k < 3; k++) {
        long w = 0;
        v = 99;
        rt_select_case cs[2] = {{0, RT_RECV, &w, 0}, {b, RT_RECV, &v, 0}};
        int i = rt_select(cs, 2, 1);
        out_str_int(" ", i);
        out_str_int(":", v);
        out(":");
        out(tf(cs[i].ok));
    }
    out("\n");
}

/* ---- zero-size elements --------------------------------------------- */

static void send_three_empty(void *arg)
{
    for (int k = 0; k < 3; k++)
        rt_chan_send(arg, 0);
}

static void zero_size(void)
{
    rt_chan *z = rt_chan_make(0, 0);
    rt_go(send_three_empty, z);
    long n = 0;
    for (int k = 0; k < 3; k++)
        n += rt_chan_recv(z, 0);
    rt_chan *zb = rt_chan_make(0, 3);
    for (int k = 0; k < 3; k++)
        rt_chan_send(zb, 0);
    long len = rt_chan_len(zb);
    rt_select_case s[1] = {{zb, RT_SEND, 0, 0}};
    int full = rt_select(s, 1, 0);
    rt_select_case r[1] = {{zb, RT_RECV, 0, 0}};
    int rec = rt_select(r, 1, 0);
    rt_chan_close(zb);
    long drained = 0;
    int ok;
    while ((ok = rt_chan_recv(zb, 0)))
        drained++;
    out_str_int("zero-size: unbuffered=", n);
    out_str_int(" len=", len);
    out_str_int(" cap=", rt_chan_cap(zb));
    out_str_int(" full-default=", full);
    out_str_int(" select-recv=", rec);
    out_str_int(" drained=", drained);
    out(" closed-ok=");
    out(tf(ok));
    out("\n");
}

/* ---- modes that end the program ------------------------------------- */

static void select_send_then_closed(void *arg)
{
    long v = 1, w;
    rt_select_case cs[2] = {{never, RT_RECV, &w, 0}, {arg, RT_SEND, &v, 0}};
    rt_select(cs, 2, 1);
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "all";
    if (str_eq(mode, "nil-block")) {
        long v;
        rt_select_case cs[2] = {{0, RT_RECV, &v, 0}, {0, RT_SEND, &nine, 0}};
        rt_select(cs, 2, 1);
        return;
    }
    if (str_eq(mode, "close-select-send")) {
        rt_chan *c = rt_chan_make(sizeof(long), 0);
        never = rt_chan_make(sizeof(long), 0);
        rt_go(select_send_then_closed, c);
        rt_sleep(5000000);
        rt_chan_close(c);
        rt_sleep(1000000000);
        return;
    }
    nil_ready();
    nil_wait_recv();
    nil_wait_send();
    nil_default();
    many();
    dup();
    both_ends();
    close_wait();
    zero_size();
}
