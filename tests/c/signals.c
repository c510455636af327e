/* Signals as Go's runtime and os/signal treat them.
 *
 *   signals wait MS      prints "ready", sleeps MS, prints "survived": what
 *                        a signal sent meanwhile from outside does
 *   signals notify       SIGINT and SIGTERM on a channel: prints each as it
 *                        comes, then shuts down cleanly ("shutdown")
 *   signals self         SIGUSR1 by tgkill and SIGUSR2 by kill from inside,
 *                        both asked for: both arrive
 *   signals drop         an unbuffered channel nobody reads: the signal is
 *                        dropped, the sender never blocks
 *   signals stop         asked for, then Stop: SIGUSR1 is ignored again
 *   signals ignore MS    Ignore(SIGTERM), then as wait
 *   signals reset MS     Notify(SIGTERM), Reset(SIGTERM), then as wait
 *   signals bad          invalid requests are refused with -EINVAL
 */
#include "common.h"

#if defined(__x86_64__)
#define NR_GETPID 39
#define NR_GETTID 186
#define NR_KILL 62
#define NR_TGKILL 234
#elif defined(__arm__)
#define NR_GETPID 20
#define NR_GETTID 224
#define NR_KILL 37
#define NR_TGKILL 268
#else /* aarch64, riscv64: the generic table */
#define NR_GETPID 172
#define NR_GETTID 178
#define NR_KILL 129
#define NR_TGKILL 131
#endif

#define SIGINT 2
#define SIGKILL 9
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGTERM 15

static long sys(long nr, long a, long b, long c)
{
    return rt_syscall(nr, a, b, c, 0, 0, 0);
}

/* Receives one int from c within ms, or returns -1. */
static int recv_within(rt_chan *c, long ms)
{
    int sig = -1;
    long long at;
    rt_select_case cases[2] = {
        {c, RT_RECV, &sig, 0},
        {rt_after(ms * 1000000LL), RT_RECV, &at, 0},
    };
    return rt_select(cases, 2, 1) == 0 ? sig : -1;
}

static int wait(long ms)
{
    out("ready\n");
    rt_sleep(ms * 1000000LL);
    out("survived\n");
    return 0;
}

static int notify(void)
{
    rt_chan *c = rt_chan_make(sizeof(int), 2);
    if (rt_signal_notify(c, SIGINT) || rt_signal_notify(c, SIGTERM))
        return 1;
    out("ready\n");
    for (int i = 0; i < 2; i++) {
        int sig = recv_within(c, 10000);
        if (sig < 0) {
            out("timeout\n");
            return 1;
        }
        out_kv("got", sig);
    }
    rt_signal_stop(c);
    out("shutdown\n");
    return 0;
}

static int self(void)
{
    rt_chan *c = rt_chan_make(sizeof(int), 4);
    if (rt_signal_notify(c, SIGUSR1) || rt_signal_notify(c, SIGUSR2))
        return 1;
    long pid = sys(NR_GETPID, 0, 0, 0), tid = sys(NR_GETTID, 0, 0, 0);
    sys(NR_TGKILL, pid, tid, SIGUSR1);
    out_kv("got", recv_within(c, 5000));
    sys(NR_KILL, pid, SIGUSR2, 0);
    out_kv("got", recv_within(c, 5000));
    return 0;
}

static int drop(void)
{
    rt_chan *c = rt_chan_make(sizeof(int), 0);
    if (rt_signal_notify(c, SIGUSR1))
        return 1;
    long pid = sys(NR_GETPID, 0, 0, 0);
    for (int i = 0; i < 3; i++)
        sys(NR_KILL, pid, SIGUSR1, 0);
    rt_sleep(200 * 1000000LL);
    /* Nobody was receiving: the sends were dropped, none is waiting. */
    int sig;
    rt_select_case cs = {c, RT_RECV, &sig, 0};
    out(rt_select(&cs, 1, 0) < 0 ? "dropped\n" : "delivered late\n");
    return 0;
}

static int stop(void)
{
    rt_chan *c = rt_chan_make(sizeof(int), 1);
    if (rt_signal_notify(c, SIGUSR1))
        return 1;
    rt_signal_stop(c);
    long pid = sys(NR_GETPID, 0, 0, 0);
    sys(NR_KILL, pid, SIGUSR1, 0);
    out(recv_within(c, 200) < 0 ? "not delivered\n" : "delivered\n");
    out("survived\n");
    return 0;
}

static int bad(void)
{
    rt_chan *c = rt_chan_make(sizeof(int), 1);
    rt_chan *wide = rt_chan_make(sizeof(long long), 1);
    out_kv("zero", rt_signal_notify(c, 0));
    out_kv("negative", rt_signal_notify(c, -1));
    out_kv("huge", rt_signal_notify(c, 65));
    out_kv("kill", rt_signal_notify(c, SIGKILL));
    out_kv("null", rt_signal_notify(0, SIGUSR1));
    out_kv("wide", rt_signal_notify(wide, SIGUSR1));
    out_kv("ignore0", rt_signal_ignore(0));
    out_kv("reset65", rt_signal_reset(65));
    rt_signal_stop(c); /* never registered */
    rt_signal_stop(0);
    out_kv("twice", rt_signal_notify(c, SIGUSR1) + rt_signal_notify(c, SIGUSR1));
    return 0;
}

void main_main(void)
{
    const char *mode = rt_argv(1);
    long ms = to_int(rt_argv(2) ? rt_argv(2) : "0");
    int r = 2;
    if (!mode)
        r = 2;
    else if (str_eq(mode, "wait"))
        r = wait(ms);
    else if (str_eq(mode, "notify"))
        r = notify();
    else if (str_eq(mode, "self"))
        r = self();
    else if (str_eq(mode, "drop"))
        r = drop();
    else if (str_eq(mode, "stop"))
        r = stop();
    else if (str_eq(mode, "ignore")) {
        r = rt_signal_ignore(SIGTERM) ? 1 : wait(ms);
    } else if (str_eq(mode, "reset")) {
        rt_chan *c = rt_chan_make(sizeof(int), 1);
        r = rt_signal_notify(c, SIGTERM) || rt_signal_reset(SIGTERM) ? 1 : wait(ms);
    } else if (str_eq(mode, "bad"))
        r = bad();
    rt_exit(r);
}
