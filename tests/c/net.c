/* Sockets and the network poller: rt_listen, rt_dial, rt_accept,
 * rt_shutdown, rt_sockname, rt_peername, rt_sendto, rt_recvfrom and the
 * deadlines, on loopback only. Each mode prints what it found, key=value,
 * and stops by itself: every wait that could hang is bounded (wait_job
 * gives up after 10 s and says which wait hung). */
#include "common.h"

#if defined(__x86_64__)
enum { NR_write = 1, NR_getpid = 39, NR_setsockopt = 54, NR_unlinkat = 263, NR_prlimit64 = 302 };
#elif defined(__arm__)
enum { NR_write = 4, NR_getpid = 20, NR_setsockopt = 294, NR_unlinkat = 328, NR_prlimit64 = 369 };
#else /* aarch64, riscv64: the generic table */
enum { NR_write = 64, NR_getpid = 172, NR_setsockopt = 208, NR_unlinkat = 35, NR_prlimit64 = 261 };
#endif

enum { SOL_SOCKET = 1, SO_LINGER = 13, RLIMIT_NOFILE = 7, AT_FDCWD = -100 };
#define MS 1000000LL

static long long bound_ms = 10;

/* ---- helpers ------------------------------------------------------------ */

static void out_s(const char *k, const char *v)
{
    out(k);
    out("=");
    out(v);
    out("\n");
}

static int starts_with(const char *s, const char *p)
{
    while (*p)
        if (*s++ != *p++)
            return 0;
    return 1;
}

static void str_cpy(char *d, const char *s, unsigned long n)
{
    unsigned long i = 0;
    for (; i + 1 < n && s[i]; i++)
        d[i] = s[i];
    d[i] = 0;
}

static void str_cat(char *d, const char *s, unsigned long n)
{
    unsigned long i = str_len(d);
    str_cpy(d + i, s, n - i);
}

static void int_str(char *d, long v)
{
    char b[24];
    int i = sizeof b;
    b[--i] = 0;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    do {
        b[--i] = '0' + u % 10;
        u /= 10;
    } while (u);
    if (v < 0)
        b[--i] = '-';
    str_cpy(d, b + i, 24);
}

static long port_of(const char *addr)
{
    const char *p = 0;
    for (const char *s = addr; *s; s++)
        if (*s == ':')
            p = s;
    return p ? to_int(p + 1) : -1;
}

static int bytes_eq(const void *a, const void *b, unsigned long n)
{
    const unsigned char *x = a, *y = b;
    for (unsigned long i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* Reads exactly n bytes (or until end of file or an error): the count read,
 * or the error when nothing was. */
static long read_full(int fd, void *buf, unsigned long n)
{
    unsigned long got = 0;
    while (got < n) {
        long r = rt_read(fd, (char *)buf + got, n - got);
        if (r < 0)
            return got ? (long)got : r;
        if (r == 0)
            break;
        got += r;
    }
    return got;
}

/* Fails the program with a line saying what went wrong. */
static void die(const char *what, long v)
{
    out_kv(what, v);
    out("end\n");
    rt_exit(1);
}

/* A loopback TCP connection: *c dialed, *s accepted, *l the listener. */
static void tcp_pair(int *c, int *s, int *l)
{
    char a[128];
    *l = rt_listen("tcp4", "127.0.0.1:0");
    if (*l < 0)
        die("pair-listen", *l);
    long n = rt_sockname(*l, a, sizeof a);
    if (n <= 0)
        die("pair-sockname", n);
    *c = rt_dial("tcp4", a);
    if (*c < 0)
        die("pair-dial", *c);
    *s = rt_accept(*l);
    if (*s < 0)
        die("pair-accept", *s);
}

/* ---- jobs: one blocking call on its own goroutine ------------------------ */

enum { J_READ, J_WRITE, J_ACCEPT, J_RECVFROM, J_FILL };

static unsigned char chunk[16384];

struct job {
    int fd, op;
    void *buf;
    unsigned long n;
    long r;
    long long at;
    int started, done;
    char from[128];
    rt_chan *ch;
};

static void job_run(void *arg)
{
    struct job *j = arg;
    long r = 0;
    __atomic_store_n(&j->started, 1, __ATOMIC_SEQ_CST);
    switch (j->op) {
    case J_READ:
        r = rt_read(j->fd, j->buf, j->n);
        break;
    case J_WRITE:
        r = rt_write(j->fd, j->buf, j->n);
        break;
    case J_ACCEPT:
        r = rt_accept(j->fd);
        break;
    case J_RECVFROM:
        r = rt_recvfrom(j->fd, j->buf, j->n, j->from, sizeof j->from);
        break;
    case J_FILL: /* writes until a write fails, at most 64 MiB */
        for (int i = 0; i < 4096 && r >= 0; i++) {
            long w = rt_write(j->fd, chunk, sizeof chunk);
            if (w < 0)
                r = w;
        }
        break;
    }
    j->r = r;
    j->at = rt_nanotime();
    __atomic_store_n(&j->done, 1, __ATOMIC_SEQ_CST);
    int one = 1;
    rt_chan_send(j->ch, &one);
}

static void job_start(struct job *j, int fd, int op, void *buf, unsigned long n)
{
    j->fd = fd;
    j->op = op;
    j->buf = buf;
    j->n = n;
    j->r = 0;
    j->at = 0;
    j->done = 0;
    j->started = 0;
    j->from[0] = 0;
    if (!j->ch)
        j->ch = rt_chan_make(sizeof(int), 1);
    rt_go(job_run, j);
}

static int job_done(struct job *j)
{
    return __atomic_load_n(&j->done, __ATOMIC_SEQ_CST);
}

/* Waits for the job, at most 10 s: a hang is reported and ends the run. */
static void job_wait(struct job *j, const char *name)
{
    int v;
    rt_select_case cs[2] = {
        {j->ch, RT_RECV, &v, 0},
        {rt_after(10000 * MS), RT_RECV, 0, 0},
    };
    if (rt_select(cs, 2, 1) != 0) {
        out_s("hung", name);
        out("end\n");
        rt_exit(1);
    }
}

/* ---- 1. TCP round trip ---------------------------------------------------- */

#define BIG (1 << 20)
/* On the heap: aarch64 links with the tiny code model (1 MiB image). */
static unsigned char *big_out, *big_in;

struct echo_srv {
    int lfd, cfd;
    long last, echoed;
    char sock[128], peer[128];
    long sn, pn;
    rt_chan *done;
};

static void echo_server(void *arg)
{
    struct echo_srv *s = arg;
    static char buf[4096];
    s->cfd = rt_accept(s->lfd);
    s->sn = rt_sockname(s->cfd, s->sock, sizeof s->sock);
    s->pn = rt_peername(s->cfd, s->peer, sizeof s->peer);
    for (int i = 0; i < 1000000; i++) {
        long r = rt_read(s->cfd, buf, sizeof buf);
        s->last = r;
        if (r <= 0)
            break;
        long w = rt_write(s->cfd, buf, r);
        if (w != r) {
            s->last = w;
            break;
        }
        s->echoed += r;
    }
    rt_close(s->cfd);
    int one = 1;
    rt_chan_send(s->done, &one);
}

struct writer {
    int fd;
    long r, shut;
    rt_chan *done;
};

static void big_writer(void *arg)
{
    struct writer *w = arg;
    w->r = rt_write(w->fd, big_out, BIG);
    w->shut = rt_shutdown(w->fd, 1);
    int one = 1;
    rt_chan_send(w->done, &one);
}

static void mode_tcp(void)
{
    char addr[128], csock[128], cpeer[128];
    int l = rt_listen("tcp4", "127.0.0.1:0");
    out_kv("listen-ok", l >= 0);
    long n = rt_sockname(l, addr, sizeof addr);
    out_kv("sockname-len-right", n > 0 && n == (long)str_len(addr));
    out_kv("sockname-loopback", starts_with(addr, "127.0.0.1:"));
    long port = port_of(addr);
    out_kv("port-in-range", port > 0 && port < 65536);
    if (port <= 0 || port >= 65536)
        out_s("sockname", addr);
    static struct echo_srv s;
    s.lfd = l;
    s.done = rt_chan_make(sizeof(int), 1);
    rt_go(echo_server, &s);
    int c = rt_dial("tcp4", addr);
    out_kv("dial-ok", c >= 0);
    rt_sockname(c, csock, sizeof csock);
    rt_peername(c, cpeer, sizeof cpeer);
    static struct writer w;
    w.fd = c;
    w.done = rt_chan_make(sizeof(int), 1);
    rt_go(big_writer, &w);
    long got = read_full(c, big_in, BIG);
    out_kv("echoed", got);
    out_kv("bytes-equal", got == BIG && bytes_eq(big_in, big_out, BIG));
    char x;
    out_kv("eof-after-server-close", rt_read(c, &x, 1));
    rt_chan_recv(w.done, 0);
    rt_chan_recv(s.done, 0);
    out_kv("writer-wrote", w.r);
    out_kv("writer-shutdown", w.shut);
    out_kv("server-read-eof", s.last);
    out_kv("server-echoed", s.echoed);
    int m1 = str_eq(cpeer, s.sock), m2 = str_eq(s.peer, csock), m3 = str_eq(cpeer, addr);
    out_kv("client-peer-is-server-sock", m1);
    out_kv("server-peer-is-client-sock", m2);
    out_kv("client-peer-is-listen-addr", m3);
    out_kv("server-names-len-right", s.sn == (long)str_len(s.sock) && s.pn == (long)str_len(s.peer));
    out_kv("client-sock-loopback", starts_with(csock, "127.0.0.1:") && port_of(csock) > 0);
    if (!m1 || !m2 || !m3) {
        out_s("listen", addr);
        out_s("client-sock", csock);
        out_s("client-peer", cpeer);
        out_s("server-sock", s.sock);
        out_s("server-peer", s.peer);
    }
    out_kv("close-client", rt_close(c));
    out_kv("close-listener", rt_close(l));
    out_kv("dial-closed-listener", rt_dial("tcp4", addr));
}

/* ---- 2. many connections --------------------------------------------------- */

static char many_addr[128];
static int many_lfd;
static long many_n, dial_ok, echo_ok, accepted, server_eof, first_err, accept_err;
static rt_waitgroup wg_clients, wg_servers;

static void fill_msg(char *m, long i)
{
    for (int k = 0; k < 64; k++)
        m[k] = (char)('A' + (i * 31 + k * 7) % 53);
    m[0] = '0' + i / 1000 % 10;
    m[1] = '0' + i / 100 % 10;
    m[2] = '0' + i / 10 % 10;
    m[3] = '0' + i % 10;
}

static void many_echo(void *arg)
{
    int fd = (int)(long)arg;
    char buf[64];
    long r = read_full(fd, buf, 64);
    if (r == 64 && rt_write(fd, buf, 64) == 64) {
        char x;
        if (rt_read(fd, &x, 1) == 0)
            __atomic_fetch_add(&server_eof, 1, __ATOMIC_SEQ_CST);
    }
    rt_close(fd);
    rt_wg_done(&wg_servers);
}

static void many_acceptor(void *arg)
{
    (void)arg;
    for (long i = 0; i < many_n; i++) {
        int fd = rt_accept(many_lfd);
        if (fd < 0) {
            accept_err = fd;
            break;
        }
        accepted++;
        rt_wg_add(&wg_servers, 1);
        rt_go(many_echo, (void *)(long)fd);
    }
    rt_wg_done(&wg_servers);
}

static void many_client(void *arg)
{
    long i = (long)arg;
    char m[64], back[64];
    fill_msg(m, i);
    int fd = rt_dial("tcp", many_addr);
    if (fd < 0) {
        long z = 0;
        __atomic_compare_exchange_n(&first_err, &z, (long)fd, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        rt_wg_done(&wg_clients);
        return;
    }
    __atomic_fetch_add(&dial_ok, 1, __ATOMIC_SEQ_CST);
    if (rt_write(fd, m, 64) == 64 && read_full(fd, back, 64) == 64 && bytes_eq(m, back, 64))
        __atomic_fetch_add(&echo_ok, 1, __ATOMIC_SEQ_CST);
    rt_close(fd);
    rt_wg_done(&wg_clients);
}

/* Go raises the soft descriptor limit to the hard one at startup; a test
 * that needs many descriptors does so itself. */
static void want_fds(unsigned long long need)
{
    unsigned long long lim[2];
    if (rt_syscall(NR_prlimit64, 0, RLIMIT_NOFILE, 0, (long)lim, 0, 0) == 0 && lim[0] < need) {
        lim[0] = need < lim[1] ? need : lim[1];
        rt_syscall(NR_prlimit64, 0, RLIMIT_NOFILE, (long)lim, 0, 0, 0);
    }
}

static void mode_many(long n)
{
    if (n > 5000)
        n = 5000;
    many_n = n;
    want_fds(2 * n + 64);
    many_lfd = rt_listen("tcp", "127.0.0.1:0");
    if (many_lfd < 0)
        die("listen", many_lfd);
    rt_sockname(many_lfd, many_addr, sizeof many_addr);
    rt_wg_add(&wg_servers, 1);
    rt_go(many_acceptor, 0);
    rt_wg_add(&wg_clients, n);
    for (long i = 0; i < n; i++)
        rt_go(many_client, (void *)i);
    rt_wg_wait(&wg_clients);
    /* Every connection that echoed was accepted: the acceptor is done,
     * or (a dial failed) waits and is woken by the close. */
    out_kv("close-listener", rt_close(many_lfd));
    rt_wg_wait(&wg_servers);
    out_kv("dialed", dial_ok);
    out_kv("echoed", echo_ok);
    out_kv("accepted", accepted);
    out_kv("server-eof", server_eof);
    if (first_err)
        out_kv("first-dial-error", first_err);
    if (accept_err)
        out_kv("accept-error", accept_err);
}

/* ---- 3. deadlines ----------------------------------------------------------- */

/* Writes chunks until a write fails (at most 64 MiB): the error. */
static long fill(int fd, long *written)
{
    *written = 0;
    for (int i = 0; i < 4096; i++) {
        long r = rt_write(fd, chunk, sizeof chunk);
        if (r < 0)
            return r;
        *written += r;
    }
    return 0;
}

static void mode_deadline(void)
{
    int a, b, l;
    char buf[16];
    static struct job j;
    long long B = bound_ms * MS;
    tcp_pair(&a, &b, &l);

    /* A read with nothing arriving times out at its deadline. */
    long long t0 = rt_nanotime();
    out_kv("set-read-deadline", rt_set_read_deadline(a, t0 + 50 * MS));
    long r = rt_read(a, buf, 1);
    long long el = rt_nanotime() - t0;
    out_kv("read-timeout", r);
    out_kv("waited-50ms", el >= 50 * MS);
    out_kv("within-bound", el < 50 * MS + B);
    if (el < 50 * MS || el >= 50 * MS + B)
        out_kv("waited-ms", (long)(el / MS));
    /* And every later read, at once, even with data waiting. */
    t0 = rt_nanotime();
    out_kv("read-timeout-again", rt_read(a, buf, 1));
    out_kv("again-at-once", rt_nanotime() - t0 < B);
    rt_write(b, "y", 1);
    rt_sleep(5 * MS);
    out_kv("expired-with-data-waiting", rt_read(a, buf, 1));
    /* The write direction has no deadline. */
    out_kv("write-unaffected", rt_write(a, "z", 1));
    out_kv("peer-got-z", rt_read(b, buf, 1) == 1 && buf[0] == 'z');
    /* Cleared: the waiting byte is read. */
    out_kv("clear", rt_set_read_deadline(a, 0));
    r = rt_read(a, buf, 1);
    out_kv("read-after-clear", r);
    out_kv("read-after-clear-byte-y", r == 1 && buf[0] == 'y');

    /* A deadline in the past wakes a blocked reader at once. */
    job_start(&j, a, J_READ, buf, 1);
    rt_sleep(20 * MS);
    out_kv("reader-blocked", !job_done(&j));
    long long t1 = rt_nanotime();
    rt_set_read_deadline(a, t1 - 1000);
    job_wait(&j, "past-deadline-reader");
    out_kv("past-deadline-wakes", j.r);
    out_kv("past-deadline-at-once", j.at - t1 < B);
    if (j.at - t1 >= B)
        out_kv("past-deadline-ms", (long)((j.at - t1) / MS));

    /* Moving a deadline while a reader waits. Each step is tried again
     * (at most 5 times) when this goroutine itself was so late (a loaded
     * machine) that the move came after the old deadline. */
    long long ts;
    /* Extended: it waits for the new one. */
    for (int tries = 0; tries < 5; tries++) {
        rt_set_read_deadline(a, 0);
        t0 = rt_nanotime();
        rt_set_read_deadline(a, t0 + 50 * MS);
        job_start(&j, a, J_READ, buf, 1);
        rt_sleep(20 * MS);
        ts = rt_nanotime();
        rt_set_read_deadline(a, t0 + 100 * MS);
        job_wait(&j, "extended-deadline-reader");
        if (ts < t0 + 40 * MS)
            break;
    }
    el = j.at - t0;
    out_kv("extended", j.r);
    out_kv("extended-waited-100ms", el >= 100 * MS);
    out_kv("extended-within-bound", el < 100 * MS + B);
    if (el < 100 * MS || el >= 100 * MS + B)
        out_kv("extended-ms", (long)(el / MS));

    /* Shortened: it wakes at the new one. */
    for (int tries = 0; tries < 5; tries++) {
        rt_set_read_deadline(a, 0);
        t0 = rt_nanotime();
        rt_set_read_deadline(a, t0 + 5000 * MS);
        job_start(&j, a, J_READ, buf, 1);
        rt_sleep(20 * MS);
        ts = rt_nanotime();
        rt_set_read_deadline(a, t0 + 50 * MS);
        job_wait(&j, "shortened-deadline-reader");
        if (ts < t0 + 40 * MS)
            break;
    }
    el = j.at - t0;
    out_kv("shortened", j.r);
    out_kv("shortened-waited-50ms", el >= 50 * MS);
    out_kv("shortened-within-bound", el < 50 * MS + B);
    if (el < 50 * MS || el >= 50 * MS + B)
        out_kv("shortened-ms", (long)(el / MS));

    /* Cleared: the old deadline passes unnoticed, then data arrives. */
    for (int tries = 0; tries < 5; tries++) {
        rt_set_read_deadline(a, 0);
        t0 = rt_nanotime();
        rt_set_read_deadline(a, t0 + 40 * MS);
        job_start(&j, a, J_READ, buf, 1);
        rt_sleep(10 * MS);
        ts = rt_nanotime();
        rt_set_read_deadline(a, 0);
        rt_sleep(60 * MS);
        int blocked = !job_done(&j);
        if (ts >= t0 + 30 * MS && !blocked) {
            job_wait(&j, "cleared-deadline-reader-late");
            continue;
        }
        out_kv("cleared-still-blocked", blocked);
        rt_write(b, "c", 1);
        job_wait(&j, "cleared-deadline-reader");
        out_kv("cleared-then-read", j.r);
        break;
    }

    /* The farthest deadline never fires (no overflow). */
    rt_set_read_deadline(a, 0x7fffffffffffffffLL);
    job_start(&j, a, J_READ, buf, 1);
    rt_sleep(20 * MS);
    out_kv("far-deadline-blocked", !job_done(&j));
    rt_write(b, "f", 1);
    job_wait(&j, "far-deadline-reader");
    out_kv("far-deadline-read", j.r);

    /* A negative deadline is in the past. */
    rt_set_read_deadline(a, -1);
    t0 = rt_nanotime();
    out_kv("negative-deadline", rt_read(a, buf, 1));
    out_kv("negative-at-once", rt_nanotime() - t0 < B);
    rt_set_read_deadline(a, 0);

    /* rt_set_deadline sets both directions. */
    out_kv("set-both-past", rt_set_deadline(a, rt_nanotime() - 1));
    out_kv("both-read", rt_read(a, buf, 1));
    out_kv("both-write", rt_write(a, "w", 1));
    out_kv("clear-both", rt_set_deadline(a, 0));
    out_kv("write-after-clear-both", rt_write(a, "w", 1));
    out_kv("peer-got-w", rt_read(b, buf, 1) == 1 && buf[0] == 'w');

    /* A write to a peer that never reads, with a write deadline. */
    t0 = rt_nanotime();
    rt_set_write_deadline(a, t0 + 50 * MS);
    long written;
    r = fill(a, &written);
    el = rt_nanotime() - t0;
    out_kv("write-timeout", r);
    out_kv("write-wrote-some", written > 0);
    out_kv("write-waited-50ms", el >= 50 * MS);
    t0 = rt_nanotime();
    out_kv("write-timeout-again", rt_write(a, "w", 1));
    out_kv("write-again-at-once", rt_nanotime() - t0 < B);
    /* The read direction has no deadline: data still arrives. */
    rt_write(b, "r", 1);
    out_kv("read-unaffected", rt_read(a, buf, 1));

    /* Pipes have deadlines too. */
    int p[2];
    rt_pipe(p);
    t0 = rt_nanotime();
    rt_set_read_deadline(p[0], t0 + 30 * MS);
    out_kv("pipe-read-timeout", rt_read(p[0], buf, 1));
    out_kv("pipe-read-waited-30ms", rt_nanotime() - t0 >= 30 * MS);
    rt_set_write_deadline(p[1], rt_nanotime() + 30 * MS);
    out_kv("pipe-write-timeout", fill(p[1], &written));
    out_kv("pipe-wrote-some", written > 0);

    /* And listeners: rt_accept times out. */
    t0 = rt_nanotime();
    out_kv("listener-deadline", rt_set_read_deadline(l, t0 + 30 * MS));
    out_kv("accept-timeout", rt_accept(l));
    out_kv("accept-waited-30ms", rt_nanotime() - t0 >= 30 * MS);

    rt_close(a);
    out_kv("deadline-closed", rt_set_deadline(a, 0));
    rt_close(b);
    rt_close(l);
    rt_close(p[0]);
    rt_close(p[1]);
}

/* ---- 4. close wakes the waiters ----------------------------------------- */

static void closes_then_wakes(struct job *j, int fd, const char *name)
{
    char k[64];
    long long t = rt_nanotime();
    str_cpy(k, name, sizeof k);
    str_cat(k, "-close", sizeof k);
    out_kv(k, rt_close(fd));
    job_wait(j, name);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-woke", sizeof k);
    out_kv(k, j->r);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-prompt", sizeof k);
    out_kv(k, j->at - t < bound_ms * MS);
    if (j->at - t >= bound_ms * MS) {
        str_cat(k, "-ms", sizeof k);
        out_kv(k, (long)((j->at - t) / MS));
    }
    str_cpy(k, name, sizeof k);
    str_cat(k, "-close-again", sizeof k);
    out_kv(k, rt_close(fd));
}

static void mode_close(void)
{
    int a, b, l, p1[2], p2[2];
    static struct job jr, jp, jw, ja;
    static char b1[16], b2[16];
    tcp_pair(&a, &b, &l);
    rt_pipe(p1);
    rt_pipe(p2);
    int l2 = rt_listen("tcp4", "127.0.0.1:0");
    job_start(&jr, a, J_READ, b1, sizeof b1);
    job_start(&jp, p1[0], J_READ, b2, sizeof b2);
    job_start(&jw, p2[1], J_WRITE, big_out, BIG);
    job_start(&ja, l2, J_ACCEPT, 0, 0);
    rt_sleep(50 * MS);
    out_kv("all-blocked", !job_done(&jr) + !job_done(&jp) + !job_done(&jw) + !job_done(&ja));
    closes_then_wakes(&jr, a, "socket-read");
    closes_then_wakes(&jp, p1[0], "pipe-read");
    closes_then_wakes(&jw, p2[1], "pipe-write");
    closes_then_wakes(&ja, l2, "accept");
    char x;
    out_kv("read-closed", rt_read(a, &x, 1));
    out_kv("write-closed", rt_write(p2[1], "x", 1));
    out_kv("accept-closed", rt_accept(l2));
    out_kv("peer-eof", rt_read(b, &x, 1));
    out_kv("close-rest", rt_close(b) + rt_close(l) + rt_close(p1[1]) + rt_close(p2[0]));
}

/* Close races a starting read: whether the read began or not, -9. */
static void mode_close_race(long n)
{
    static struct job j;
    static char buf[4];
    long nine = 0, other = 0;
    for (long i = 0; i < n; i++) {
        int p[2];
        if (rt_pipe(p) != 0)
            die("pipe", i);
        job_start(&j, p[0], J_READ, buf, 1);
        if (i % 3 == 1)
            rt_gosched();
        else if (i % 3 == 2)
            rt_sleep(100000);
        rt_close(p[0]);
        job_wait(&j, "close-race-reader");
        if (j.r == -9)
            nine++;
        else if (!other++)
            out_kv("close-race-other", j.r);
        rt_close(p[1]);
    }
    out_kv("close-race-ebadf", nine);
}

/* Several goroutines in rt_read on one pipe and in rt_accept on one
 * listener (Go serialises them in the fd's read lock): each datum or
 * connection goes to one, close wakes the rest. */
static void mode_shared(void)
{
    static struct job jr[4], ja[4];
    static char bufs[4][4];
    int p[2];
    rt_pipe(p);
    for (int i = 0; i < 4; i++)
        job_start(&jr[i], p[0], J_READ, bufs[i], 1);
    rt_sleep(20 * MS);
    rt_write(p[1], "a", 1);
    rt_sleep(10 * MS);
    rt_write(p[1], "b", 1);
    int done = 0;
    for (int k = 0; k < 500 && done < 2; k++) {
        rt_sleep(2 * MS);
        done = 0;
        for (int i = 0; i < 4; i++)
            done += job_done(&jr[i]);
    }
    rt_sleep(20 * MS);
    done = 0;
    int sum = 0;
    for (int i = 0; i < 4; i++)
        if (job_done(&jr[i])) {
            done++;
            sum += jr[i].r == 1 ? bufs[i][0] : 1000;
        }
    out_kv("readers-got", done);
    out_kv("bytes-a-and-b", sum == 'a' + 'b');
    rt_close(p[0]);
    int nine = 0;
    for (int i = 0; i < 4; i++) {
        job_wait(&jr[i], "shared-reader");
        nine += jr[i].r == -9;
    }
    out_kv("close-woke", nine);
    rt_close(p[1]);

    char addr[128];
    int l = rt_listen("tcp4", "127.0.0.1:0");
    rt_sockname(l, addr, sizeof addr);
    for (int i = 0; i < 4; i++)
        job_start(&ja[i], l, J_ACCEPT, 0, 0);
    rt_sleep(20 * MS);
    int c1 = rt_dial("tcp4", addr), c2 = rt_dial("tcp4", addr);
    done = 0;
    for (int k = 0; k < 500 && done < 2; k++) {
        rt_sleep(2 * MS);
        done = 0;
        for (int i = 0; i < 4; i++)
            done += job_done(&ja[i]);
    }
    rt_sleep(20 * MS);
    done = 0;
    int good = 0;
    for (int i = 0; i < 4; i++)
        if (job_done(&ja[i])) {
            done++;
            good += ja[i].r >= 0;
        }
    out_kv("acceptors-got", done);
    out_kv("accepted-good", good);
    rt_close(l);
    nine = 0;
    for (int i = 0; i < 4; i++) {
        job_wait(&ja[i], "shared-acceptor");
        if (ja[i].r >= 0)
            rt_close(ja[i].r);
        else
            nine += ja[i].r == -9;
    }
    out_kv("accept-close-woke", nine);
    rt_close(c1);
    rt_close(c2);
}

/* ---- 5. reset --------------------------------------------------------------- */

static int linger0_close(int fd)
{
    int lg[2] = {1, 0};
    long r = rt_syscall(NR_setsockopt, fd, SOL_SOCKET, SO_LINGER, (long)lg, sizeof lg, 0);
    if (r != 0)
        die("setsockopt", r);
    return rt_close(fd);
}

static void mode_reset(void)
{
    int a, b, l;
    static struct job j;
    static char buf[16];
    tcp_pair(&a, &b, &l);
    job_start(&j, a, J_READ, buf, sizeof buf);
    rt_sleep(20 * MS);
    out_kv("reader-blocked", !job_done(&j));
    out_kv("close-linger-0", linger0_close(b));
    job_wait(&j, "reset-reader");
    out_kv("read-reset", j.r);
    out_kv("read-after-reset", rt_read(a, buf, 1));
    out_kv("write-after-reset", rt_write(a, "x", 1));
    rt_close(a);
    rt_close(l);

    /* A writer blocked on a full connection gets the reset too. */
    tcp_pair(&a, &b, &l);
    job_start(&j, a, J_FILL, 0, 0);
    rt_sleep(100 * MS);
    out_kv("writer-blocked", !job_done(&j));
    linger0_close(b);
    job_wait(&j, "reset-writer");
    out_kv("write-reset", j.r);
    rt_close(a);
    rt_close(l);
}

/* ---- 6. EPIPE ------------------------------------------------------------ */

static void mode_epipe(void)
{
    int a, b, l;
    char buf[16];
    tcp_pair(&a, &b, &l);
    out_kv("peer-close", rt_close(b));
    out_kv("peer-eof", rt_read(a, buf, 1));
    long r = 0;
    int i;
    for (i = 0; i < 1000; i++) {
        r = rt_write(a, chunk, 4096);
        if (r < 0)
            break;
        rt_sleep(MS);
    }
    out_kv("write-error", r);
    out_kv("within-1000-writes", i < 1000);
    out_kv("write-error-again", rt_write(a, "x", 1));
    rt_close(a);

    /* Half close: our own shutdown(1) fails our writes; the other way
     * still works. */
    tcp_pair(&a, &b, &l);
    out_kv("shutdown-write", rt_shutdown(a, 1));
    out_kv("peer-reads-eof", rt_read(b, buf, 1));
    out_kv("write-after-shutdown", rt_write(a, "x", 1));
    out_kv("peer-still-writes", rt_write(b, "y", 1));
    r = rt_read(a, buf, 1);
    out_kv("still-reads", r == 1 && buf[0] == 'y');
    out_kv("shutdown-read", rt_shutdown(a, 0));
    out_kv("read-after-shutdown-read", rt_read(a, buf, 1));
    rt_close(a);
    rt_close(b);
    rt_close(l);
    out_kv("alive", 1);
}

/* ---- 7. EMFILE -------------------------------------------------------------- */

static void mode_emfile(void)
{
    char addr[128], buf[8];
    static int c[200];
    unsigned long long old[2], lim[2];
    int l = rt_listen("tcp4", "127.0.0.1:0");
    rt_sockname(l, addr, sizeof addr);
    out_kv("getrlimit", rt_syscall(NR_prlimit64, 0, RLIMIT_NOFILE, 0, (long)old, 0, 0));
    lim[0] = 32;
    lim[1] = old[1];
    out_kv("setrlimit", rt_syscall(NR_prlimit64, 0, RLIMIT_NOFILE, (long)lim, 0, 0, 0));
    int n = 0, r = 0;
    for (; n < 200; n++) {
        r = rt_dial("tcp4", addr);
        if (r < 0)
            break;
        c[n] = r;
    }
    out_kv("dial-error", r);
    out_kv("dialed-some", n > 4);
    out_kv("accept-at-limit", rt_accept(l));
    out_kv("timers-still-work", (rt_sleep(MS), 1));
    /* One descriptor free: the first connection in the backlog comes. */
    out_kv("close-last", rt_close(c[n - 1]));
    int s = rt_accept(l);
    out_kv("accept-after-close", s >= 0);
    rt_write(c[0], "hi", 2);
    out_kv("accepted-first-pending", read_full(s, buf, 2) == 2 && bytes_eq(buf, "hi", 2));
    out_kv("accept-at-limit-again", rt_accept(l));
    out_kv("close-accepted", rt_close(s));
    s = rt_accept(l);
    rt_write(c[1], "yo", 2);
    out_kv("accepted-second-pending", s >= 0 && read_full(s, buf, 2) == 2 && bytes_eq(buf, "yo", 2));
    rt_close(s);
    out_kv("restore-rlimit", rt_syscall(NR_prlimit64, 0, RLIMIT_NOFILE, (long)old, 0, 0, 0));
    int d = rt_dial("tcp4", addr);
    out_kv("dial-after-restore", d >= 0);
    /* Left in the backlog: c[2..n-1] (c[n-1] closed by now) and d. */
    rt_set_read_deadline(l, rt_nanotime() + 5000 * MS);
    int cnt = 0;
    for (int i = 0; i < n - 1; i++) {
        int t = rt_accept(l);
        if (t < 0) {
            out_kv("rest-accept-error", t);
            break;
        }
        cnt++;
        rt_close(t);
    }
    out_kv("rest-accepted", cnt == n - 1);
    for (int i = 0; i < n - 1; i++)
        rt_close(c[i]);
    rt_close(d);
    rt_close(l);
}

/* ---- 8. UDP ----------------------------------------------------------------- */

static void mode_udp(void)
{
    char laddr[128], caddr[128], from[128], uaddr[128], buf[128];
    static struct job j;
    int l = rt_listen("udp4", "127.0.0.1:0");
    out_kv("listen-ok", l >= 0);
    rt_sockname(l, laddr, sizeof laddr);
    out_kv("sockname-loopback", starts_with(laddr, "127.0.0.1:") && port_of(laddr) > 0);
    int c = rt_dial("udp", laddr);
    out_kv("dial-ok", c >= 0);
    rt_sockname(c, caddr, sizeof caddr);
    rt_peername(c, buf, sizeof buf);
    out_kv("dialer-peer-is-listener", str_eq(buf, laddr));
    out_kv("sendto-connected", rt_sendto(c, "ping", 4, 0));
    long r = rt_recvfrom(l, buf, sizeof buf, from, sizeof from);
    out_kv("recvfrom", r);
    out_kv("recvfrom-bytes", r == 4 && bytes_eq(buf, "ping", 4));
    out_kv("from-is-dialer", str_eq(from, caddr));
    if (!str_eq(from, caddr)) {
        out_s("from", from);
        out_s("dialer", caddr);
    }
    out_kv("reply", rt_sendto(l, "pong", 4, from));
    r = rt_read(c, buf, sizeof buf);
    out_kv("read-reply", r == 4 && bytes_eq(buf, "pong", 4));
    rt_sendto(l, "pong2", 5, caddr);
    r = rt_recvfrom(c, buf, sizeof buf, from, sizeof from);
    out_kv("recvfrom-reply", r == 5 && bytes_eq(buf, "pong2", 5));
    out_kv("reply-from-listener", str_eq(from, laddr));
    out_kv("write-connected", rt_write(c, "wr", 2));
    r = rt_recvfrom(l, buf, sizeof buf, 0, 0);
    out_kv("recvfrom-null-from", r);

    /* An unconnected socket sends with an address. */
    int u = rt_listen("udp4", "127.0.0.1:0");
    rt_sockname(u, uaddr, sizeof uaddr);
    out_kv("sendto-address", rt_sendto(u, "x", 1, laddr));
    r = rt_recvfrom(l, buf, sizeof buf, from, sizeof from);
    out_kv("from-is-unconnected", r == 1 && str_eq(from, uaddr));
    out_kv("sendto-unconnected-null", rt_sendto(u, "x", 1, 0));

    /* Datagram boundaries, truncation, an empty datagram. */
    rt_sendto(c, chunk, 10, 0);
    rt_sendto(c, chunk, 20, 0);
    rt_sendto(c, chunk, 30, 0);
    long r1 = rt_recvfrom(l, buf, sizeof buf, 0, 0);
    long r2 = rt_recvfrom(l, buf, sizeof buf, 0, 0);
    long r3 = rt_recvfrom(l, buf, 8, 0, 0);
    out_kv("datagram-1", r1);
    out_kv("datagram-2", r2);
    out_kv("datagram-3-truncated", r3);
    out_kv("sendto-empty", rt_sendto(c, buf, 0, 0));
    rt_set_read_deadline(l, rt_nanotime() + 2000 * MS);
    out_kv("recvfrom-empty", rt_recvfrom(l, buf, sizeof buf, from, sizeof from));
    rt_set_read_deadline(l, 0);

    /* A receiver waits in the poller; deadlines time it out. */
    job_start(&j, l, J_RECVFROM, buf, sizeof buf);
    rt_sleep(20 * MS);
    out_kv("receiver-blocked", !job_done(&j));
    rt_sendto(u, "late", 4, laddr);
    job_wait(&j, "udp-receiver");
    out_kv("late-datagram", j.r == 4 && bytes_eq(buf, "late", 4) && str_eq(j.from, uaddr));
    long long t0 = rt_nanotime();
    rt_set_read_deadline(l, t0 + 30 * MS);
    out_kv("recvfrom-timeout", rt_recvfrom(l, buf, sizeof buf, from, sizeof from));
    out_kv("recvfrom-waited-30ms", rt_nanotime() - t0 >= 30 * MS);

    /* A connected socket to a port nobody has: the ICMP error comes back
     * on the next read. */
    int gone = rt_listen("udp4", "127.0.0.1:0");
    char gaddr[128];
    rt_sockname(gone, gaddr, sizeof gaddr);
    rt_close(gone);
    int g = rt_dial("udp4", gaddr);
    out_kv("dial-nobody", g >= 0);
    out_kv("write-nobody", rt_write(g, "?", 1));
    rt_set_read_deadline(g, rt_nanotime() + 2000 * MS);
    out_kv("read-refused", rt_read(g, buf, 1));
    rt_close(g);
    rt_close(u);
    rt_close(c);
    rt_close(l);
}

/* ---- 9. unix -------------------------------------------------------------- */

static void unlink_path(const char *p)
{
    rt_syscall(NR_unlinkat, AT_FDCWD, (long)p, 0, 0, 0, 0);
}

static void unix_round_trip(const char *name, const char *path)
{
    char k[64], got[128], buf[16];
    int l = rt_listen("unix", path);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-listen-ok", sizeof k);
    out_kv(k, l >= 0);
    if (l < 0) {
        out_kv("listen-error", l);
        return;
    }
    rt_sockname(l, got, sizeof got);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-sockname-is-path", sizeof k);
    out_kv(k, str_eq(got, path));
    if (!str_eq(got, path))
        out_s("sockname", got);
    int c = rt_dial("unix", path);
    int s = rt_accept(l);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-connected", sizeof k);
    out_kv(k, c >= 0 && s >= 0);
    rt_peername(c, got, sizeof got);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-dialer-peer-is-path", sizeof k);
    out_kv(k, str_eq(got, path));
    rt_sockname(s, got, sizeof got);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-accepted-sockname-is-path", sizeof k);
    out_kv(k, str_eq(got, path));
    str_cpy(k, name, sizeof k);
    str_cat(k, "-dialer-unnamed", sizeof k); /* Go shows "@" */
    long gn = rt_sockname(c, got, sizeof got);
    out_kv(k, gn == 0 || (gn == 1 && got[0] == '@'));
    if (!(gn == 0 || (gn == 1 && got[0] == '@')))
        out_s("dialer-sockname", got);
    rt_write(c, "hello", 5);
    long r = read_full(s, buf, 5);
    rt_write(s, buf, r > 0 ? r : 0);
    r = read_full(c, buf, 5);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-round-trip", sizeof k);
    out_kv(k, r == 5 && bytes_eq(buf, "hello", 5));
    rt_close(s);
    str_cpy(k, name, sizeof k);
    str_cat(k, "-peer-closed-eof", sizeof k);
    out_kv(k, rt_read(c, buf, 1));
    str_cpy(k, name, sizeof k);
    str_cat(k, "-write-closed-peer", sizeof k);
    out_kv(k, rt_write(c, "x", 1));
    rt_close(c);
    rt_close(l);
}

static void mode_unix(const char *path, const char *abstract)
{
    char p2[128], p3[128], buf[16], from[128];
    unlink_path(path);
    unix_round_trip("path", path);
    unlink_path(path);
    unix_round_trip("abstract", abstract);

    /* Datagrams between two bound unixgram sockets. */
    str_cpy(p2, path, sizeof p2);
    str_cat(p2, ".g2", sizeof p2);
    str_cpy(p3, path, sizeof p3);
    str_cat(p3, ".g3", sizeof p3);
    unlink_path(p2);
    unlink_path(p3);
    int g2 = rt_listen("unixgram", p2), g3 = rt_listen("unixgram", p3);
    out_kv("unixgram-listen-ok", g2 >= 0 && g3 >= 0);
    out_kv("unixgram-sendto", rt_sendto(g3, "dg", 2, p2));
    long r = rt_recvfrom(g2, buf, sizeof buf, from, sizeof from);
    out_kv("unixgram-recvfrom", r == 2 && bytes_eq(buf, "dg", 2));
    out_kv("unixgram-from", str_eq(from, p3));
    rt_sendto(g2, "re", 2, from);
    r = rt_recvfrom(g3, buf, sizeof buf, from, sizeof from);
    out_kv("unixgram-reply", r == 2 && bytes_eq(buf, "re", 2) && str_eq(from, p2));
    int gd = rt_dial("unixgram", p2);
    out_kv("unixgram-dial-write", rt_write(gd, "dd", 2));
    r = rt_recvfrom(g2, buf, sizeof buf, from, sizeof from);
    out_kv("unixgram-from-unnamed", r == 2 && (str_eq(from, "") || str_eq(from, "@")));
    rt_close(gd);
    rt_close(g2);
    rt_close(g3);
    unlink_path(p2);
    unlink_path(p3);

    out_kv("dial-missing", rt_dial("unix", "/nonexistent-dir/sock"));
    /* Closing a listener removes its socket file, as Go's
     * UnixListener.Close does: the path can be listened on again at once,
     * and a dial finds nothing there. */
    int l = rt_listen("unix", path);
    rt_close(l);
    out_kv("close-removes-file", rt_open(path, 0, 0) == -2);
    out_kv("dial-after-close", rt_dial("unix", path));
    l = rt_listen("unix", path);
    out_kv("relisten-after-close-ok", l >= 0);
    out_kv("listen-in-use", rt_listen("unix", path));
    /* A file that was not the listener's own stays: a second listener's
     * failed listen on the path removed nothing. */
    out_kv("in-use-file-kept", rt_open(path, 0, 0) == -6);
    rt_close(l);
    out_kv("closed-again-removed", rt_open(path, 0, 0) == -2);
}

/* ---- 10. IPv6 -------------------------------------------------------------- */

static void mode_ipv6(void)
{
    char addr[128], csock[128], got[128], buf[8];
    int l = rt_listen("tcp6", "[::1]:0");
    if (l == -97 || l == -99) {
        out_kv("skip-no-ipv6-loopback", l);
        return;
    }
    out_kv("listen-ok", l >= 0);
    rt_sockname(l, addr, sizeof addr);
    out_kv("sockname-ipv6-loopback", starts_with(addr, "[::1]:") && port_of(addr) > 0);
    int c = rt_dial("tcp6", addr);
    int s = rt_accept(l);
    out_kv("connected", c >= 0 && s >= 0);
    rt_sockname(c, csock, sizeof csock);
    rt_peername(s, got, sizeof got);
    out_kv("server-peer-is-client-sock", str_eq(got, csock) && starts_with(csock, "[::1]:"));
    rt_peername(c, got, sizeof got);
    out_kv("client-peer-is-listener", str_eq(got, addr));
    rt_write(c, "six", 3);
    out_kv("round-trip", read_full(s, buf, 3) == 3 && bytes_eq(buf, "six", 3));
    rt_close(c);
    rt_close(s);
    rt_close(l);

    /* "tcp" on ":0": every address, IPv4 and IPv6. */
    l = rt_listen("tcp", ":0");
    rt_sockname(l, addr, sizeof addr);
    out_kv("any-sockname", starts_with(addr, "[::]:") && port_of(addr) > 0);
    if (!starts_with(addr, "[::]:"))
        out_s("any", addr);
    char a4[64] = "127.0.0.1:", a6[64] = "[::1]:", ps[24];
    int_str(ps, port_of(addr));
    str_cat(a4, ps, sizeof a4);
    str_cat(a6, ps, sizeof a6);
    int c4 = rt_dial("tcp", a4), c6 = rt_dial("tcp", a6);
    int s4 = rt_accept(l), s6 = rt_accept(l);
    out_kv("any-takes-v4-and-v6", c4 >= 0 && c6 >= 0 && s4 >= 0 && s6 >= 0);
    rt_close(c4), rt_close(c6), rt_close(s4), rt_close(s6), rt_close(l);

    /* UDP over IPv6. */
    int u = rt_listen("udp6", "[::1]:0");
    rt_sockname(u, addr, sizeof addr);
    int d = rt_dial("udp6", addr);
    rt_sockname(d, csock, sizeof csock);
    rt_write(d, "v6", 2);
    long r = rt_recvfrom(u, buf, sizeof buf, got, sizeof got);
    out_kv("udp6-round-trip", r == 2 && bytes_eq(buf, "v6", 2) && str_eq(got, csock));
    rt_close(d);
    rt_close(u);
}

/* ---- 11. careless inputs --------------------------------------------------- */

static void mode_careless(void)
{
    char buf[128], addr[128];
    out_kv("listen-null-network", rt_listen(0, "127.0.0.1:0"));
    out_kv("listen-null-address", rt_listen("tcp", 0));
    out_kv("dial-null-network", rt_dial(0, "127.0.0.1:1"));
    out_kv("dial-null-address", rt_dial("tcp", 0));
    out_kv("listen-unknown-network", rt_listen("sctp", "127.0.0.1:0"));
    out_kv("listen-upper-case-network", rt_listen("TCP", "127.0.0.1:0"));
    out_kv("listen-empty-network", rt_listen("", "127.0.0.1:0"));
    out_kv("dial-unknown-network", rt_dial("ip4", "127.0.0.1:1"));
    static const char *bad[] = {
        "1.2.3", "127.0.0.1", "[::1", ":99999", "[::1]:-1", "1.2.3:80",
        "256.0.0.1:80", "127.0.0.1:80:80", "127.0.0.1:abc", "localhost:80",
        "127.0.0.1:65536", "[::1]]:80", "::1:80",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char k[64] = "malformed-";
        str_cat(k, bad[i], sizeof k);
        long a = rt_listen("tcp", bad[i]), b = rt_dial("tcp", bad[i]);
        out_kv(k, a == b ? a : a * 1000 + b);
    }
    /* An empty address: Go's Listen takes every address and a port the
     * kernel picks; Dial has nowhere to go ("missing address"). */
    int le = rt_listen("tcp", "");
    rt_sockname(le, addr, sizeof addr);
    out_kv("listen-empty-address-everywhere",
           le >= 0 && (starts_with(addr, "[::]:") || starts_with(addr, "0.0.0.0:")) && port_of(addr) > 0);
    rt_close(le);
    int ue = rt_listen("udp", "");
    out_kv("listen-udp-empty-address-ok", ue >= 0);
    rt_close(ue);
    out_kv("dial-empty-address", rt_dial("tcp", ""));
    static char huge[8192];
    for (int i = 0; i < 8000; i++)
        huge[i] = '1';
    huge[8000] = 0;
    out_kv("malformed-8000-chars", rt_dial("tcp", huge));
    static char longpath[300];
    longpath[0] = '/';
    for (int i = 1; i < 200; i++)
        longpath[i] = 'x';
    longpath[200] = 0;
    out_kv("unix-path-too-long", rt_listen("unix", longpath));

    int l = rt_listen("tcp4", "127.0.0.1:0");
    long n = rt_sockname(l, addr, sizeof addr);
    out_kv("sockname-n-0", rt_sockname(l, buf, 0));
    out_kv("sockname-n-5", rt_sockname(l, buf, 5));
    out_kv("sockname-n-len", rt_sockname(l, buf, n));
    out_kv("sockname-n-len+1", rt_sockname(l, buf, n + 1) == n && str_eq(buf, addr));
    out_kv("sockname-null-buf", rt_sockname(l, 0, 64));
    out_kv("peername-listener", rt_peername(l, buf, sizeof buf));
    out_kv("listen-in-use", rt_listen("tcp4", addr));
    out_kv("listen-not-local", rt_listen("tcp4", "192.0.2.1:0"));
    out_kv("sockname-bad-fd", rt_sockname(-1, buf, sizeof buf));
    out_kv("sockname-unopened-fd", rt_sockname(999, buf, sizeof buf));

    int c = rt_dial("tcp4", addr), s = rt_accept(l);
    out_kv("accept-on-connection", rt_accept(c));
    int u = rt_listen("udp4", "127.0.0.1:0");
    out_kv("accept-on-udp", rt_accept(u));
    int p[2];
    rt_pipe(p);
    out_kv("accept-on-pipe", rt_accept(p[0]));
    out_kv("sockname-on-pipe", rt_sockname(p[0], buf, sizeof buf));
    out_kv("accept-bad-fd", rt_accept(-1));
    out_kv("shutdown-bad-how", rt_shutdown(c, 3));
    out_kv("shutdown-bad-fd", rt_shutdown(-1, 1));
    int u2 = rt_listen("udp4", "127.0.0.1:0");
    out_kv("shutdown-udp-unconnected", rt_shutdown(u2, 1));
    rt_close(u2);
    out_kv("peername-n-0", rt_peername(c, buf, 0));
    out_kv("peername-n-3", rt_peername(c, buf, 3));
    /* Nothing arrives on c and u: a deadline bounds a call that would
     * wrongly wait. */
    rt_set_read_deadline(c, rt_nanotime() + 1000 * MS);
    rt_set_read_deadline(u, rt_nanotime() + 1000 * MS);
    out_kv("read-zero-bytes", rt_read(c, buf, 0));
    out_kv("write-zero-bytes", rt_write(c, buf, 0));
    out_kv("read-null", rt_read(c, 0, 4));
    out_kv("write-null", rt_write(c, 0, 4));
    out_kv("sendto-null-buf", rt_sendto(u, 0, 4, addr));
    out_kv("recvfrom-null-buf", rt_recvfrom(u, 0, 4, 0, 0));
    out_kv("sendto-malformed", rt_sendto(u, "x", 1, "127.0.0.1"));
    out_kv("sendto-unknown-port", rt_sendto(u, "x", 1, "127.0.0.1:99999"));

    int f = rt_open("/proc/self/status", 0, 0);
    out_kv("deadline-regular-file", rt_set_deadline(f, rt_nanotime() + MS));
    out_kv("read-deadline-regular-file", rt_set_read_deadline(f, 0));
    out_kv("write-deadline-regular-file", rt_set_write_deadline(f, 0));
    out_kv("accept-regular-file", rt_accept(f));
    rt_close(f);
    out_kv("deadline-bad-fd", rt_set_deadline(-1, 0));
    out_kv("deadline-unopened-fd", rt_set_read_deadline(999, 0));
    out_kv("deadline-closed-fd", rt_set_write_deadline(f, 0));
    out_kv("deadline-stdout", rt_set_deadline(1, rt_nanotime() + MS));
    out_kv("dial-port-0", rt_dial("tcp4", "127.0.0.1:0"));
    rt_close(l);
    out_kv("dial-refused", rt_dial("tcp4", addr));
    rt_close(c), rt_close(s), rt_close(u), rt_close(p[0]), rt_close(p[1]);
}

/* ---- 13. tickers while goroutines wait on idle sockets ------------------- */

static long threads_now(void)
{
    static char st[8192];
    int fd = rt_open("/proc/self/status", 0, 0);
    if (fd < 0)
        return -1;
    long n = read_full(fd, st, sizeof st - 1);
    rt_close(fd);
    if (n <= 0)
        return -1;
    st[n] = 0;
    for (long i = 0; i < n; i++)
        if ((i == 0 || st[i - 1] == '\n') && starts_with(st + i, "Threads:")) {
            const char *p = st + i + 8;
            while (*p == ' ' || *p == '\t')
                p++;
            return to_int(p);
        }
    return -1;
}

static void mode_ticker_idle(long n, long tick_bound)
{
    static struct job j[200];
    static int cs[200], ss[200];
    static char bufs[200][4];
    char addr[128];
    if (n > 200)
        n = 200;
    int l = rt_listen("tcp4", "127.0.0.1:0");
    rt_sockname(l, addr, sizeof addr);
    for (long i = 0; i < n; i++) {
        cs[i] = rt_dial("tcp4", addr);
        ss[i] = rt_accept(l);
        if (cs[i] < 0 || ss[i] < 0)
            die("connect", i);
        job_start(&j[i], cs[i], J_READ, bufs[i], 1);
    }
    rt_sleep(20 * MS);
    long th = threads_now();
    out_kv("goroutines", rt_numgoroutine() - 1);
    out_kv("few-threads", th > 0 && th <= 16);
    if (!(th > 0 && th <= 16))
        out_kv("threads", th);
    long long t0 = rt_nanotime(), when;
    rt_chan *tick = rt_tick(10 * MS);
    int ticks = 0;
    for (int i = 0; i < 10; i++)
        ticks += rt_chan_recv(tick, &when);
    long long d = rt_nanotime() - t0;
    out_kv("ticks", ticks);
    out_kv("ticks-within-bound", d <= tick_bound * MS);
    if (d > tick_bound * MS)
        out_kv("ticks-ms", (long)(d / MS));
    long blocked = 0;
    for (long i = 0; i < n; i++)
        blocked += !job_done(&j[i]);
    out_kv("still-blocked", blocked);
    for (long i = 0; i < n; i++)
        rt_write(ss[i], "t", 1);
    long ok = 0;
    for (long i = 0; i < n; i++) {
        job_wait(&j[i], "idle-reader");
        ok += j[i].r == 1 && bufs[i][0] == 't';
    }
    out_kv("released", ok);
    for (long i = 0; i < n; i++)
        rt_close(cs[i]), rt_close(ss[i]);
    rt_close(l);
}

/* ---- more: stale state, both directions, edges, shutdown, FIFOs ---------- */

/* A deadline pending (or expired) on a closed descriptor does not reach
 * the next descriptor given the same number. */
static void mode_stale(void)
{
    static struct job j;
    static char buf[4];
    int p[2], q[2];
    rt_pipe(p);
    rt_set_read_deadline(p[0], rt_nanotime() + 30 * MS);
    int old = p[0];
    rt_close(p[0]);
    rt_close(p[1]);
    rt_pipe(q);
    out_kv("number-reused", q[0] == old || q[1] == old);
    int rfd = q[0] == old ? q[0] : q[1] == old ? q[1] : q[0];
    int wfd = rfd == q[0] ? q[1] : q[0];
    /* If the old read end's number is now the write end, turn the pipe
     * round: the test needs to read on the reused number. */
    if (rfd == q[1]) {
        rt_close(q[0]);
        rt_close(q[1]);
        rt_pipe(q);
        rfd = q[0];
        wfd = q[1];
    }
    job_start(&j, rfd, J_READ, buf, 1);
    rt_sleep(80 * MS);
    out_kv("pending-deadline-did-not-fire", !job_done(&j));
    rt_write(wfd, "n", 1);
    job_wait(&j, "stale-pending");
    out_kv("new-read", j.r);
    rt_close(q[0]);
    rt_close(q[1]);

    /* An expired deadline: the new descriptor starts without one. */
    rt_pipe(p);
    rt_set_read_deadline(p[0], rt_nanotime() - 1);
    out_kv("expired", rt_read(p[0], buf, 1));
    old = p[0];
    rt_close(p[0]);
    rt_close(p[1]);
    rt_pipe(q);
    out_kv("number-reused-again", q[0] == old);
    rt_write(q[1], "m", 1);
    out_kv("new-read-no-deadline", rt_read(q[0], buf, 1));
    rt_close(q[0]);
    rt_close(q[1]);

    /* The same on sockets: a listener's expired deadline, then a
     * connection given its number. */
    char addr[128];
    int l = rt_listen("tcp4", "127.0.0.1:0");
    rt_set_deadline(l, rt_nanotime() - 1);
    out_kv("listener-expired", rt_accept(l));
    old = l;
    rt_close(l);
    l = rt_listen("tcp4", "127.0.0.1:0");
    out_kv("listener-number-reused", l == old);
    rt_sockname(l, addr, sizeof addr);
    int c = rt_dial("tcp4", addr);
    int s = rt_accept(l);
    out_kv("accept-on-reused-number", s >= 0);
    rt_write(s, "k", 1);
    out_kv("read-on-new-connection", rt_read(c, buf, 1));
    rt_close(c), rt_close(s), rt_close(l);
}

/* Closing while a read is in flight (waiting, or just begun), then making
 * a descriptor that may take the same number and putting data in it: a
 * read parked before the close returns -9, it never reads the new
 * descriptor (Go's fdMutex). A read that only *begins* after the close
 * may legitimately find the new descriptor (a program bug in Go too), and
 * a reader that has said it started may still be a few instructions from
 * its read when its thread is descheduled or its goroutine preempted: so
 * the close waits 5 ms for the parked half, and for the half closed 50 us
 * after the start, either outcome is right but nothing else is. */
static void mode_reuse_race(long n)
{
    static struct job j;
    static char buf[4];
    long nine = 0, wrong = 0, inflight = 0;
    for (long i = 0; i < n; i++) {
        int p[2], q[2];
        rt_pipe(p);
        buf[0] = 0;
        job_start(&j, p[0], J_READ, buf, 1);
        for (int k = 0; k < 100000 && !__atomic_load_n(&j.started, __ATOMIC_SEQ_CST); k++)
            rt_gosched();
        int parked = i % 2;
        rt_sleep(parked ? 5 * MS : 50000);
        rt_close(p[0]);
        rt_pipe(q);
        rt_write(q[1], "Z", 1);
        job_wait(&j, "reuse-race-reader");
        if (parked && j.r == -9)
            nine++;
        else if (!parked && (j.r == -9 || (j.r == 1 && buf[0] == 'Z')))
            inflight++;
        else if (!wrong++)
            out_kv("reuse-race-first-wrong", j.r == 1 && buf[0] == 'Z' ? 1000 : j.r);
        rt_close(p[1]);
        rt_close(q[0]);
        rt_close(q[1]);
    }
    out_kv("reuse-race-parked-ebadf", nine);
    out_kv("reuse-race-inflight-ebadf-or-new", inflight);
}

/* A reader and a writer wait on one socket at once: each direction's
 * deadline wakes only its own waiter. */
static void mode_both(void)
{
    int a, b, l;
    static struct job jr, jw;
    static char buf[4];
    tcp_pair(&a, &b, &l);
    job_start(&jr, a, J_READ, buf, 1);
    job_start(&jw, a, J_FILL, 0, 0);
    rt_sleep(100 * MS);
    out_kv("both-blocked", !job_done(&jr) + !job_done(&jw));
    rt_set_read_deadline(a, rt_nanotime() - 1);
    job_wait(&jr, "both-reader");
    out_kv("reader-timed-out", jr.r);
    rt_sleep(20 * MS);
    out_kv("writer-still-blocked", !job_done(&jw));
    rt_set_write_deadline(a, rt_nanotime() - 1);
    job_wait(&jw, "both-writer");
    out_kv("writer-timed-out", jw.r);
    /* Both again, woken by one close. */
    rt_set_deadline(a, 0);
    job_start(&jr, a, J_READ, buf, 1);
    job_start(&jw, a, J_FILL, 0, 0);
    rt_sleep(50 * MS);
    out_kv("both-blocked-again", !job_done(&jr) + !job_done(&jw));
    rt_close(a);
    job_wait(&jr, "both-reader-close");
    job_wait(&jw, "both-writer-close");
    out_kv("close-reader", jr.r);
    out_kv("close-writer", jw.r);
    rt_close(b);
    rt_close(l);
}

/* Edge-triggered epoll: what one edge made ready is all taken without a
 * new edge: bytes read one at a time, a backlog accepted one by one,
 * queued datagrams, a 1 MiB pipe write drained in small reads. */
/* A short read of a stream: what comes after it (more data, the end, a
 * reset) is still seen, by a reader that was parked when the data came
 * and by one that was not; datagrams queued behind a short one too. */
static void short_eof_round(int a, int b, int park, int *ok)
{
    static struct job j;
    static char buf[64];
    if (park) {
        job_start(&j, a, J_READ, buf, sizeof buf);
        while (!__atomic_load_n(&j.started, __ATOMIC_SEQ_CST))
            rt_gosched();
        rt_gosched();
    }
    rt_write(b, "0123456789", 10);
    rt_close(b);
    long first;
    if (park) {
        job_wait(&j, "short-first");
        first = j.r;
    } else {
        rt_sleep(1 * MS);
        first = rt_read(a, buf, sizeof buf);
    }
    job_start(&j, a, J_READ, buf, sizeof buf);
    job_wait(&j, "short-then-eof");
    *ok += first == 10 && j.r == 0;
}

static void mode_short(long rounds)
{
    int a, b, l, ok = 0;
    for (long i = 0; i < rounds; i++) {
        tcp_pair(&a, &b, &l);
        short_eof_round(a, b, i % 2, &ok);
        rt_close(a), rt_close(l);
    }
    out_kv("tcp-short-then-eof", ok == rounds);

    int p[2];
    ok = 0;
    for (long i = 0; i < rounds; i++) {
        if (rt_pipe(p) != 0)
            die("pipe", -1);
        short_eof_round(p[0], p[1], i % 2, &ok);
        rt_close(p[0]);
    }
    out_kv("pipe-short-then-eof", ok == rounds);

    /* More data after a short read: parked when it comes. */
    static struct job j;
    static char buf[64];
    tcp_pair(&a, &b, &l);
    rt_write(b, "01234", 5);
    long first = rt_read(a, buf, sizeof buf);
    job_start(&j, a, J_READ, buf, sizeof buf);
    rt_sleep(20 * MS);
    int blocked = !job_done(&j);
    rt_write(b, "56789", 5);
    job_wait(&j, "short-then-more");
    out_kv("short-then-more", first == 5 && blocked && j.r == 5 && buf[0] == '5');
    /* A reset after a short read. */
    rt_write(b, "01234", 5);
    rt_sleep(1 * MS);
    first = rt_read(a, buf, sizeof buf);
    linger0_close(b);
    job_start(&j, a, J_READ, buf, sizeof buf);
    job_wait(&j, "short-then-reset");
    out_kv("short-then-reset", first == 5 && j.r == -104);
    rt_close(a), rt_close(l);

    /* Datagrams: a short one read, the next one already queued. */
    char addr[128];
    int u = rt_listen("udp4", "127.0.0.1:0");
    rt_sockname(u, addr, sizeof addr);
    int d = rt_dial("udp4", addr);
    rt_write(d, "one", 3);
    rt_write(d, "second", 6);
    rt_sleep(2 * MS);
    first = rt_read(u, buf, sizeof buf);
    job_start(&j, u, J_READ, buf, sizeof buf);
    job_wait(&j, "datagram-queued");
    out_kv("datagram-after-short", first == 3 && j.r == 6);
    rt_close(d), rt_close(u);
}

static void mode_edge(void)
{
    int a, b, l;
    char buf[64], addr[128];
    tcp_pair(&a, &b, &l);
    rt_write(b, "0123456789", 10);
    rt_sleep(5 * MS);
    rt_set_read_deadline(a, rt_nanotime() + 2000 * MS);
    int ok = 0;
    for (int i = 0; i < 10; i++)
        ok += rt_read(a, buf, 1) == 1 && buf[0] == '0' + i;
    out_kv("bytes-one-by-one", ok);
    rt_close(a), rt_close(b), rt_close(l);

    l = rt_listen("tcp4", "127.0.0.1:0");
    rt_sockname(l, addr, sizeof addr);
    int c[5];
    for (int i = 0; i < 5; i++)
        c[i] = rt_dial("tcp4", addr);
    rt_sleep(5 * MS);
    rt_set_read_deadline(l, rt_nanotime() + 2000 * MS);
    ok = 0;
    for (int i = 0; i < 5; i++) {
        int s = rt_accept(l);
        ok += s >= 0;
        if (s >= 0)
            rt_close(s);
    }
    out_kv("backlog-one-by-one", ok);
    for (int i = 0; i < 5; i++)
        rt_close(c[i]);
    rt_close(l);

    int u = rt_listen("udp4", "127.0.0.1:0");
    rt_sockname(u, addr, sizeof addr);
    int d = rt_dial("udp4", addr);
    for (int i = 0; i < 5; i++)
        rt_write(d, "dgram", 1 + i);
    rt_sleep(5 * MS);
    rt_set_read_deadline(u, rt_nanotime() + 2000 * MS);
    ok = 0;
    for (int i = 0; i < 5; i++)
        ok += rt_recvfrom(u, buf, sizeof buf, 0, 0) == 1 + i;
    out_kv("datagrams-one-by-one", ok);
    rt_close(d), rt_close(u);

    static struct job jw;
    int p[2];
    rt_pipe(p);
    job_start(&jw, p[1], J_WRITE, big_out, BIG);
    rt_set_read_deadline(p[0], rt_nanotime() + 10000 * MS);
    long total = 0;
    for (int i = 0; i < 200000 && total < BIG; i++) {
        long r = rt_read(p[0], big_in, 1000);
        if (r <= 0) {
            out_kv("drain-error", r);
            break;
        }
        total += r;
    }
    job_wait(&jw, "pipe-writer");
    out_kv("pipe-drained", total);
    out_kv("pipe-writer-wrote", jw.r);
    rt_close(p[0]), rt_close(p[1]);
}

/* shutdown wakes waiters; listeners refuse reads and writes; a listener
 * closed with a connection in its backlog resets it. */
static void mode_shutdown(void)
{
    int a, b, l;
    static struct job j;
    static char buf[4];
    char addr[128];
    tcp_pair(&a, &b, &l);
    job_start(&j, a, J_READ, buf, 1);
    rt_sleep(20 * MS);
    out_kv("reader-blocked", !job_done(&j));
    out_kv("shutdown-read", rt_shutdown(a, 0));
    job_wait(&j, "shutdown-reader");
    out_kv("reader-got-eof", j.r);
    job_start(&j, a, J_FILL, 0, 0);
    rt_sleep(100 * MS);
    out_kv("writer-blocked", !job_done(&j));
    out_kv("shutdown-write", rt_shutdown(a, 1));
    job_wait(&j, "shutdown-writer");
    out_kv("writer-got-epipe", j.r);
    rt_close(a), rt_close(b);

    out_kv("read-listener", rt_read(l, buf, 1));
    out_kv("write-listener", rt_write(l, "x", 1));
    rt_sockname(l, addr, sizeof addr);
    int c = rt_dial("tcp4", addr);
    rt_sleep(5 * MS);
    out_kv("close-listener-with-backlog", rt_close(l));
    rt_set_read_deadline(c, rt_nanotime() + 2000 * MS);
    out_kv("backlog-connection-reset", rt_read(c, buf, 1));
    rt_close(c);
    out_kv("alive", 1);
}

#if defined(__x86_64__)
enum { NR_mknodat = 259, NR_nanosleep = 35 };
#elif defined(__arm__)
enum { NR_mknodat = 324, NR_nanosleep = 162 };
#else
enum { NR_mknodat = 33, NR_nanosleep = 101 };
#endif

static const char *fifo_path;
static int fifo_rfd;
static void fifo_opener(void *arg)
{
    rt_chan *ch = arg;
    fifo_rfd = rt_open(fifo_path, 0, 0);
    int one = 1;
    rt_chan_send(ch, &one);
}

/* A FIFO opened with rt_open waits in the poller: it has deadlines, and
 * close wakes its reader. */
static void mode_fifo(const char *path)
{
    static struct job j;
    static char buf[4];
    fifo_path = path;
    unlink_path(path);
    out_kv("mkfifo", rt_syscall(NR_mknodat, AT_FDCWD, (long)path, 0010000 | 0600, 0, 0, 0));
    rt_chan *opened = rt_chan_make(sizeof(int), 1);
    rt_go(fifo_opener, opened);
    rt_sleep(10 * MS);
    int w = rt_open(path, 1, 0);
    rt_chan_recv(opened, 0);
    out_kv("opened", w >= 0 && fifo_rfd >= 0);
    long long t0 = rt_nanotime();
    out_kv("fifo-deadline", rt_set_read_deadline(fifo_rfd, t0 + 30 * MS));
    out_kv("fifo-read-timeout", rt_read(fifo_rfd, buf, 1));
    out_kv("fifo-waited-30ms", rt_nanotime() - t0 >= 30 * MS);
    rt_set_read_deadline(fifo_rfd, 0);
    job_start(&j, fifo_rfd, J_READ, buf, 1);
    rt_sleep(20 * MS);
    out_kv("fifo-reader-blocked", !job_done(&j));
    rt_write(w, "f", 1);
    job_wait(&j, "fifo-reader");
    out_kv("fifo-read", j.r == 1 && buf[0] == 'f');
    job_start(&j, fifo_rfd, J_READ, buf, 1);
    rt_sleep(20 * MS);
    out_kv("fifo-close", rt_close(fifo_rfd));
    job_wait(&j, "fifo-reader-close");
    out_kv("fifo-close-woke", j.r);
    out_kv("fifo-write-no-reader", rt_write(w, "x", 1));
    rt_close(w);
    unlink_path(path);
}

/* Many waiting readers given deadlines spread over 30 ms: each read
 * times out, none early, all within the bound. */
static void mode_many_deadlines(long n)
{
    static struct job j[500];
    static int p[500][2];
    static char bufs[500][4];
    if (n > 500)
        n = 500;
    want_fds(2 * n + 64);
    for (long i = 0; i < n; i++) {
        if (rt_pipe(p[i]) != 0)
            die("pipe", i);
        job_start(&j[i], p[i][0], J_READ, bufs[i], 1);
    }
    rt_sleep(20 * MS); /* all waiting: now the deadlines */
    long long t0 = rt_nanotime();
    for (long i = 0; i < n; i++)
        rt_set_read_deadline(p[i][0], t0 + (20 + i % 30) * MS);
    long long setup = rt_nanotime() - t0, worst = 0;
    long timed = 0, early = 0, late = 0;
    for (long i = 0; i < n; i++) {
        job_wait(&j[i], "many-deadlines");
        timed += j[i].r == -110;
        long long due = t0 + (20 + i % 30) * MS;
        early += j[i].at < due;
        late += j[i].at >= due + bound_ms * MS;
        if (j[i].at - due > worst)
            worst = j[i].at - due;
    }
    out_kv("timed-out", timed);
    out_kv("early", early);
    out_kv("late", late);
    if (late) {
        out_kv("setup-ms", (long)(setup / MS));
        out_kv("worst-late-ms", (long)(worst / MS));
    }
    for (long i = 0; i < n; i++)
        rt_close(p[i][0]), rt_close(p[i][1]);
}

/* Main waits in the poller while the only other goroutine sleeps in the
 * kernel (rt_syscall): no false "all goroutines are asleep". */
static int nfd[2];
static void sleepy_writer(void *arg)
{
    (void)arg;
    long ts[2] = {0, 50 * MS};
    rt_syscall(NR_nanosleep, (long)ts, 0, 0, 0, 0, 0);
    rt_write(nfd[1], "w", 1);
}

static void mode_poll_alone(void)
{
    char c;
    rt_pipe(nfd);
    rt_go(sleepy_writer, 0);
    out_kv("read", rt_read(nfd[0], &c, 1));
    rt_close(nfd[0]), rt_close(nfd[1]);
}

/* sun_path holds 108 bytes: a 107-byte path (and its NUL) fits, a
 * 108-byte one does not; an abstract name may use all 108. */
static void mode_unix_limits(const char *prefix)
{
    static char p107[128], p108[128], a108[128], got[160];
    str_cpy(p107, prefix, sizeof p107);
    while (str_len(p107) < 107)
        str_cat(p107, "x", sizeof p107);
    str_cpy(p108, p107, sizeof p108);
    str_cat(p108, "y", sizeof p108);
    str_cpy(a108, "@", sizeof a108);
    str_cat(a108, p107 + 1, sizeof a108);
    str_cat(a108, "z", sizeof a108);
    unlink_path(p107);
    int l = rt_listen("unix", p107);
    out_kv("path-107", l >= 0);
    long n = rt_sockname(l, got, sizeof got);
    out_kv("path-107-sockname", n == 107 && str_eq(got, p107));
    out_kv("path-107-sockname-n-107", rt_sockname(l, got, 107));
    int c = rt_dial("unix", p107);
    out_kv("path-107-dial", c >= 0);
    rt_close(c), rt_close(l);
    unlink_path(p107);
    out_kv("path-108", rt_listen("unix", p108));
    out_kv("dial-path-108", rt_dial("unix", p108));
    l = rt_listen("unix", a108);
    out_kv("abstract-108", l >= 0);
    if (l < 0)
        out_kv("abstract-108-error", l);
    n = rt_sockname(l, got, sizeof got);
    out_kv("abstract-108-sockname", n == 108 && str_eq(got, a108));
    c = rt_dial("unix", a108);
    out_kv("abstract-108-dial", c >= 0);
    rt_close(c), rt_close(l);
    str_cat(a108, "!", sizeof a108);
    out_kv("abstract-109", rt_listen("unix", a108));
    /* A stream dial to a datagram socket: the kernel's EPROTOTYPE. */
    unlink_path(p107);
    int g = rt_listen("unixgram", p107);
    out_kv("dial-stream-to-dgram", rt_dial("unix", p107));
    rt_close(g);
    unlink_path(p107);
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    const char *arg2 = rt_argc() > 2 ? rt_argv(2) : "";
    const char *arg3 = rt_argc() > 3 ? rt_argv(3) : "";
    big_out = rt_malloc(BIG);
    big_in = rt_malloc(BIG);
    for (long i = 0; i < BIG; i++)
        big_out[i] = (unsigned char)(i * 7 + i / 251);
    if (str_eq(mode, "tcp"))
        mode_tcp();
    else if (str_eq(mode, "many"))
        mode_many(to_int(arg2));
    else if (str_eq(mode, "deadline")) {
        if (*arg2)
            bound_ms = to_int(arg2);
        mode_deadline();
    } else if (str_eq(mode, "close")) {
        if (*arg2)
            bound_ms = to_int(arg2);
        mode_close();
    } else if (str_eq(mode, "close-race"))
        mode_close_race(to_int(arg2));
    else if (str_eq(mode, "shared"))
        mode_shared();
    else if (str_eq(mode, "reset"))
        mode_reset();
    else if (str_eq(mode, "epipe"))
        mode_epipe();
    else if (str_eq(mode, "emfile"))
        mode_emfile();
    else if (str_eq(mode, "udp"))
        mode_udp();
    else if (str_eq(mode, "unix"))
        mode_unix(arg2, arg3);
    else if (str_eq(mode, "ipv6"))
        mode_ipv6();
    else if (str_eq(mode, "careless"))
        mode_careless();
    else if (str_eq(mode, "stale"))
        mode_stale();
    else if (str_eq(mode, "reuse-race"))
        mode_reuse_race(to_int(arg2));
    else if (str_eq(mode, "both"))
        mode_both();
    else if (str_eq(mode, "edge"))
        mode_edge();
    else if (str_eq(mode, "short"))
        mode_short(to_int(arg2));
    else if (str_eq(mode, "shutdown"))
        mode_shutdown();
    else if (str_eq(mode, "fifo"))
        mode_fifo(arg2);
    else if (str_eq(mode, "many-deadlines")) {
        if (*arg3)
            bound_ms = to_int(arg3);
        mode_many_deadlines(to_int(arg2));
    } else if (str_eq(mode, "poll-alone"))
        mode_poll_alone();
    else if (str_eq(mode, "unix-limits"))
        mode_unix_limits(arg2);
    else if (str_eq(mode, "ticker-idle"))
        mode_ticker_idle(to_int(arg2), *arg3 ? to_int(arg3) : 500);
    else
        out_s("unknown-mode", mode);
    out("end\n");
}
