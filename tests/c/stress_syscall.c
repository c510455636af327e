/* System calls under churn: P pairs (default 4) play ping-pong through
 * two pipes K times (default 300), so every round blocks a goroutine in
 * rt_read until its partner's rt_write; Q goroutines (default 2) make quick
 * getppid calls and short kernel sleeps (which sysmon may retake their P
 * from); one resizer changes GOMAXPROCS all along, stopping the world with
 * Ps in system calls. Every byte arrives in order; every call returns its
 * value; nothing hangs. */
#include "stress.h"

#if defined(__x86_64__)
enum { NR_nanosleep = 35, NR_getppid = 110 };
#elif defined(__arm__)
enum { NR_nanosleep = 162, NR_getppid = 64 };
#else
enum { NR_nanosleep = 101, NR_getppid = 173 };
#endif

static long rounds, quick;
static rt_waitgroup wg, resizer_wg;
static volatile long finished;
static long total;

struct pair {
    int ab[2], ba[2];
};
static struct pair pairs[16];

static void ping(void *arg)
{
    struct pair *p = arg;
    for (long i = 0; i < rounds; i++) {
        unsigned char b = (unsigned char)i, r;
        check(rt_write(p->ab[1], &b, 1) == 1, "syscall: ping write");
        check(rt_read(p->ba[0], &r, 1) == 1, "syscall: ping read");
        check(r == (unsigned char)(i + 1), "syscall: pong out of order");
        __atomic_fetch_add(&total, 1, __ATOMIC_SEQ_CST);
    }
    rt_wg_done(&wg);
}

static void pong(void *arg)
{
    struct pair *p = arg;
    for (long i = 0; i < rounds; i++) {
        unsigned char b;
        check(rt_read(p->ab[0], &b, 1) == 1, "syscall: pong read");
        check(b == (unsigned char)i, "syscall: ping out of order");
        b++;
        check(rt_write(p->ba[1], &b, 1) == 1, "syscall: pong write");
    }
    rt_wg_done(&wg);
}

static void quick_calls(void *arg)
{
    unsigned long long seed = (long)arg + 5;
    long want = rt_syscall(NR_getppid, 0, 0, 0, 0, 0, 0);
    for (long i = 0; i < quick; i++) {
        check(rt_syscall(NR_getppid, 0, 0, 0, 0, 0, 0) == want, "syscall: getppid");
        if (rng_next(&seed) % 64 == 0) {
            /* A preemption signal may interrupt it (EINTR: nanosleep is
             * never restarted): sleep what is left, as a caller must. */
            long ts[2] = {0, 50000}, r;
            while ((r = rt_syscall(NR_nanosleep, (long)ts, (long)ts, 0, 0, 0, 0)) == -4)
                ;
            check(r == 0, "syscall: nanosleep");
        }
    }
    rt_wg_done(&wg);
}

static void resizer(void *arg)
{
    unsigned long long seed = 99;
    (void)arg;
    while (!finished) {
        rt_gomaxprocs(1 + rng_next(&seed) % 4);
        rt_sleep(200000);
    }
    rt_wg_done(&resizer_wg);
}

void main_main(void)
{
    long np = arg_or(1, 4);
    rounds = arg_or(2, 300);
    long nq = arg_or(3, 2);
    quick = arg_or(4, 3000);
    check(np >= 1 && np <= 16, "syscall: 1-16 pairs");
    rt_wg_add(&wg, 2 * np + nq);
    for (long i = 0; i < np; i++) {
        check(rt_pipe(pairs[i].ab) == 0 && rt_pipe(pairs[i].ba) == 0, "syscall: pipe");
        rt_go(ping, &pairs[i]);
        rt_go(pong, &pairs[i]);
    }
    for (long i = 0; i < nq; i++)
        rt_go(quick_calls, (void *)i);
    rt_wg_add(&resizer_wg, 1);
    rt_go(resizer, 0);
    rt_wg_wait(&wg);
    finished = 1;
    rt_wg_wait(&resizer_wg);
    out_kv("rounds", total);
}
