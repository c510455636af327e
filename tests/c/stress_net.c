/* The poller under churn: C client goroutines (default 8) each make R
 * rounds (default 40) of: dial the echo listener, exchange a few messages
 * of random sizes (up to 16 KiB, so writes and reads wait in the poller
 * on both sides), close. A goroutine per accepted connection echoes. D
 * deadline goroutines (default 2) wait on pipes with a short deadline
 * that a writer sometimes beats, sometimes not, while the deadline is
 * moved under them; K closers (default 2) close pipes under a blocked
 * reader. A resizer changes GOMAXPROCS all along. Every byte comes back
 * exactly; every wait ends with data, -110 or -9 as it must; nothing
 * hangs. */
#include "stress.h"

static long rounds, drounds;
static rt_waitgroup wg, resizer_wg;
static volatile long finished;
static long total, timeouts, closes;
/* (timeouts varies with the schedule: not printed.) */
static char addr[128];

static void echo_conn(void *arg)
{
    int fd = (int)(long)arg;
    char buf[2048];
    long n;
    while ((n = rt_read(fd, buf, sizeof buf)) > 0)
        if (rt_write(fd, buf, (unsigned long)n) != n)
            break;
    rt_close(fd);
}

static void acceptor(void *arg)
{
    int lfd = (int)(long)arg;
    for (;;) {
        int fd = rt_accept(lfd);
        if (fd == -9)
            return; /* listener closed: done */
        check(fd >= 0, "net: accept");
        rt_go(echo_conn, (void *)(long)fd);
    }
}

static unsigned char out_buf[16][16384], in_buf[16][16384];

static void client(void *arg)
{
    long id = (long)arg;
    unsigned long long seed = (unsigned long long)id * 7919 + 3;
    unsigned char *out = out_buf[id], *in = in_buf[id];
    for (long r = 0; r < rounds; r++) {
        int fd = rt_dial("tcp", addr);
        check(fd >= 0, "net: dial");
        long msgs = 1 + rng_next(&seed) % 4;
        for (long m = 0; m < msgs; m++) {
            unsigned long n = 1 + rng_next(&seed) % sizeof out_buf[0];
            for (unsigned long i = 0; i < n; i++)
                out[i] = (unsigned char)(rng_next(&seed));
            check(rt_write(fd, out, n) == (long)n, "net: client write");
            unsigned long got = 0;
            while (got < n) {
                long k = rt_read(fd, in + got, n - got);
                check(k > 0, "net: client read");
                got += (unsigned long)k;
            }
            for (unsigned long i = 0; i < n; i++)
                check(in[i] == out[i], "net: echoed bytes differ");
        }
        check(rt_close(fd) == 0, "net: close");
        __atomic_fetch_add(&total, 1, __ATOMIC_SEQ_CST);
    }
    rt_wg_done(&wg);
}

struct dl {
    int p[2];
};

/* Its own write end, by value: the deadliner has moved on when it runs. */
static void late_writer(void *arg)
{
    int fd = (int)(long)arg;
    rt_sleep(1000000); /* 1 ms: sometimes before the deadline, sometimes not */
    rt_write(fd, "x", 1);
    check(rt_close(fd) == 0, "net: close write end");
}

static void deadliner(void *arg)
{
    long id = (long)arg;
    unsigned long long seed = (unsigned long long)id * 31 + 1;
    static struct dl ds[8];
    struct dl *d = &ds[id];
    for (long r = 0; r < drounds; r++) {
        check(rt_pipe(d->p) == 0, "net: pipe");
        long long ms = 1 + rng_next(&seed) % 3;
        rt_set_read_deadline(d->p[0], rt_nanotime() + ms * 1000000LL);
        if (rng_next(&seed) % 2)
            /* moved while (or before) the reader waits */
            rt_set_read_deadline(d->p[0], rt_nanotime() + (long long)(rng_next(&seed) % 3) * 1000000LL);
        rt_go(late_writer, (void *)(long)d->p[1]);
        char c;
        long k = rt_read(d->p[0], &c, 1);
        check(k == 1 || k == -110, "net: deadline read");
        if (k == -110) {
            __atomic_fetch_add(&timeouts, 1, __ATOMIC_SEQ_CST);
            rt_set_read_deadline(d->p[0], 0);
            k = rt_read(d->p[0], &c, 1); /* the writer's byte, or EOF */
            check(k == 1 || k == 0, "net: read after clearing the deadline");
        }
        check(rt_close(d->p[0]) == 0, "net: close read end");
    }
    rt_wg_done(&wg);
}

static volatile int reader_started[8];

static void blocked_reader(void *arg)
{
    int fd = (int)((long)arg & 0xffffff);
    int id = (int)((long)arg >> 24);
    char c;
    /* A deadline far beyond the close: should the read still start after
     * it (see closer), it fails clearly instead of waiting forever on a
     * number someone else got. */
    rt_set_read_deadline(fd, rt_nanotime() + 30000000000LL);
    __atomic_store_n(&reader_started[id], 1, __ATOMIC_SEQ_CST);
    long k = rt_read(fd, &c, 1);
    check(k != -110, "net: the reader started only after the close (the test's margin is too small)");
    check(k == -9, "net: read on a closed descriptor must give -9");
    __atomic_fetch_add(&closes, 1, __ATOMIC_SEQ_CST);
    rt_wg_done(&wg);
}

static void closer(void *arg)
{
    long id = (long)arg;
    unsigned long long seed = (unsigned long long)id + 11;
    for (long r = 0; r < drounds; r++) {
        int p[2];
        check(rt_pipe(p) == 0, "net: closer pipe");
        rt_wg_add(&wg, 1);
        reader_started[id] = 0;
        rt_go(blocked_reader, (void *)(id << 24 | p[0]));
        /* Close only once the read is under way: before it, the number
         * could be closed, reused by another goroutine's dial or accept,
         * and read by mistake (a C descriptor is only a number; a race of
         * close against a read that starts is tests/c/net.c's, where
         * nothing else makes descriptors). */
        while (!__atomic_load_n(&reader_started[id], __ATOMIC_SEQ_CST))
            rt_sleep(100000);
        rt_sleep(rng_next(&seed) % 2 ? 20000000 : 30000000);
        check(rt_close(p[0]) == 0, "net: close under a reader");
        rt_close(p[1]);
    }
    rt_wg_done(&wg);
}

static void resizer(void *arg)
{
    unsigned long long seed = 77;
    (void)arg;
    while (!finished) {
        rt_gomaxprocs(1 + rng_next(&seed) % 4);
        rt_sleep(300000);
    }
    rt_wg_done(&resizer_wg);
}

void main_main(void)
{
    long nc = arg_or(1, 8);
    rounds = arg_or(2, 40);
    long nd = arg_or(3, 2);
    drounds = arg_or(4, 40);
    check(nc >= 1 && nc <= 16 && nd >= 0 && nd <= 8, "net: 1-16 clients, 0-8 deadliners");
    int lfd = rt_listen("tcp4", "127.0.0.1:0");
    check(lfd >= 0, "net: listen");
    check(rt_sockname(lfd, addr, sizeof addr) > 0, "net: sockname");
    rt_go(acceptor, (void *)(long)lfd);
    rt_wg_add(&wg, nc + 2 * nd);
    for (long i = 0; i < nc; i++)
        rt_go(client, (void *)i);
    for (long i = 0; i < nd; i++) {
        rt_go(deadliner, (void *)i);
        rt_go(closer, (void *)i);
    }
    rt_wg_add(&resizer_wg, 1);
    rt_go(resizer, 0);
    rt_wg_wait(&wg);
    finished = 1;
    rt_wg_wait(&resizer_wg);
    rt_close(lfd);
    out_kv("connections", total);
    out_kv("closes", closes);
}
