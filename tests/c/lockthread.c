/* rt_lock_os_thread / rt_unlock_os_thread (Go's LockOSThread): a locked
 * goroutine stays on its thread across every way of blocking, no other
 * goroutine runs there meanwhile, and a goroutine that exits locked takes
 * its thread with it. Modes (argv[1]):
 *   stable      one locked goroutine blocks 300 times (sleep, channel,
 *               yield, system call, pipe read) among 8 busy goroutines
 *   nest        two locks and one unlock still lock; the second unlocks
 *   exit        a goroutine exiting locked ends its thread
 *   unlocked    one that locked and unlocked again does not
 *   many [N]    N (300) locked goroutines exit one after another: the
 *               thread count stays bounded (no thread is left behind)
 *   main        the main goroutine locked, blocking while others work
 *   spin        a locked goroutine spinning at GOMAXPROCS=1 is preempted
 *   deadlock    a locked goroutine asleep forever is a deadlock like any
 *   concurrent  8 goroutines lock, block and exit at once, 20 rounds */
#include "common.h"

#if defined(__x86_64__)
enum { NR_gettid = 186, NR_getppid = 110 };
#elif defined(__arm__)
enum { NR_gettid = 224, NR_getppid = 64 };
#else
enum { NR_gettid = 178, NR_getppid = 173 };
#endif

static long gettid(void)
{
    return rt_syscall(NR_gettid, 0, 0, 0, 0, 0, 0);
}

/* The "Threads:" line of /proc/self/status. */
static long threads_now(void)
{
    char buf[2048];
    int fd = rt_open("/proc/self/status", 0, 0);
    if (fd < 0)
        return -1;
    long n = 0, r;
    while (n < (long)sizeof buf - 1 && (r = rt_read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    rt_close(fd);
    buf[n] = 0;
    for (long i = 0; i + 8 < n; i++)
        if ((i == 0 || buf[i - 1] == '\n') && buf[i] == 'T' && buf[i + 1] == 'h' &&
            buf[i + 2] == 'r' && buf[i + 7] == ':')
            return to_int(buf + i + 8 + (buf[i + 8] == '\t'));
    return -1;
}

/* Whether thread `tid` of this process still exists. */
static int task_exists(long tid)
{
    char path[48] = "/proc/self/task/", digits[24];
    int n = str_len(path), d = 0;
    for (long t = tid; t; t /= 10)
        digits[d++] = '0' + t % 10;
    while (d)
        path[n++] = digits[--d];
    path[n] = 0;
    int fd = rt_open(path, 0 /* O_RDONLY: opens a directory too */, 0);
    if (fd >= 0)
        rt_close(fd);
    return fd >= 0;
}

static volatile long locked_tid;
static volatile int stop_others;
static long others_on_locked;
static rt_waitgroup wg;

/* Busy goroutines: they block and wake all the time, and must never run
 * on the locked goroutine's thread while it is locked. */
static void other(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop_others, __ATOMIC_SEQ_CST)) {
        /* The lock is in force from before locked_tid is set until after
         * it is cleared, so a gettid between two loads that both see the
         * locked thread ran while it was locked. One load after gettid
         * is not enough: this goroutine may read tid X, lose its P in
         * exitsyscall, resume elsewhere, and only then see the locked
         * goroutine's lock on X taken meanwhile (1 in ~100 loaded runs
         * at GOMAXPROCS=1 under qemu-aarch64). */
        long before = __atomic_load_n(&locked_tid, __ATOMIC_SEQ_CST);
        long t = gettid();
        if (t == before && t == __atomic_load_n(&locked_tid, __ATOMIC_SEQ_CST))
            __atomic_fetch_add(&others_on_locked, 1, __ATOMIC_SEQ_CST);
        for (volatile int i = 0; i < 2000; i++)
            ;
        if (t & 1)
            rt_gosched();
        else
            rt_sleep(50000);
    }
    rt_wg_done(&wg);
}

static rt_chan *ping, *pong;
static int pipefd[2];

static void partner(void *arg)
{
    (void)arg;
    long v;
    while (rt_chan_recv(ping, &v) && v >= 0) {
        rt_chan_send(pong, &v);
        if (v % 5 == 4) /* for the locked goroutine's pipe read */
            rt_write(pipefd[1], "x", 1);
    }
    rt_wg_done(&wg);
}

/* Blocks in each way the runtime knows, n times; returns how many times
 * the thread id differed from the first one. */
static long block_many(long n)
{
    long tid = gettid(), moved = 0;
    for (long i = 0; i < n; i++) {
        switch (i % 5) {
        case 0:
            rt_sleep(100000);
            break;
        case 1:
        case 4: {
            long v = i, w;
            rt_chan_send(ping, &v);
            rt_chan_recv(pong, &w);
            if (i % 5 == 4) {
                char c;
                rt_read(pipefd[0], &c, 1);
            }
            break;
        }
        case 2:
            rt_gosched();
            break;
        case 3:
            rt_syscall(NR_getppid, 0, 0, 0, 0, 0, 0);
            break;
        }
        moved += gettid() != tid;
    }
    return moved;
}

static void start_partner(void)
{
    ping = rt_chan_make(sizeof(long), 0);
    pong = rt_chan_make(sizeof(long), 0);
    rt_pipe(pipefd);
    rt_wg_add(&wg, 1);
    rt_go(partner, 0);
}

static void stop_partner(void)
{
    long v = -1;
    rt_chan_send(ping, &v);
}

static rt_chan *done;

static void locked_blocker(void *arg)
{
    (void)arg;
    rt_lock_os_thread();
    __atomic_store_n(&locked_tid, gettid(), __ATOMIC_SEQ_CST);
    long moved = block_many(300);
    __atomic_store_n(&locked_tid, 0, __ATOMIC_SEQ_CST);
    rt_unlock_os_thread();
    rt_chan_send(done, &moved);
}

static rt_chan *hold, *tids;

/* Locks (twice with `arg` 2, or locks and unlocks with 0), reports its
 * thread id, waits to be released, then exits. */
static void exiter(void *arg)
{
    long mode = (long)arg, tid;
    rt_lock_os_thread();
    if (mode == 2)
        rt_lock_os_thread();
    if (mode == 0)
        rt_unlock_os_thread();
    long v;
    for (int i = 0; i < 2; i++) {
        tid = gettid();
        rt_chan_send(tids, &tid);
        rt_chan_recv(hold, &v);
    }
    if (mode == 2)
        rt_unlock_os_thread(); /* still locked once */
}

static void quick_exiter(void *arg)
{
    (void)arg;
    rt_lock_os_thread();
    rt_sleep(10000);
    rt_wg_done(&wg);
}

static volatile int spun;

static void locked_spinner(void *arg)
{
    (void)arg;
    rt_lock_os_thread();
    while (!__atomic_load_n(&spun, __ATOMIC_SEQ_CST))
        ;
    rt_wg_done(&wg);
}

static long round_tids[8 * 20];

static void locked_round(void *arg)
{
    rt_lock_os_thread();
    long tid = gettid(), moved = 0;
    round_tids[(long)arg] = tid;
    for (int i = 0; i < 10; i++) {
        if (i & 1)
            rt_sleep(20000);
        else
            rt_gosched();
        moved += gettid() != tid;
    }
    __atomic_fetch_add(&others_on_locked, moved, __ATOMIC_SEQ_CST);
    rt_wg_done(&wg);
}

static void sleep_forever(void *arg)
{
    (void)arg;
    rt_lock_os_thread();
    long v;
    rt_chan_recv(rt_chan_make(sizeof(long), 0), &v);
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    done = rt_chan_make(sizeof(long), 1);
    hold = rt_chan_make(sizeof(long), 0);
    tids = rt_chan_make(sizeof(long), 0);
    /* The main thread only sleeps when a goroutine locked to it exits (its
     * exit would leave a zombie process, as Go notes): for the modes that
     * watch threads end, main holds it, so others run on other threads. */
    if (str_eq(mode, "nest") || str_eq(mode, "exit") || str_eq(mode, "unlocked") ||
        str_eq(mode, "many") || str_eq(mode, "concurrent"))
        rt_lock_os_thread();
    if (str_eq(mode, "stable")) {
        start_partner();
        rt_wg_add(&wg, 8);
        for (int i = 0; i < 8; i++)
            rt_go(other, 0);
        rt_go(locked_blocker, 0);
        long moved;
        rt_chan_recv(done, &moved);
        stop_partner();
        __atomic_store_n(&stop_others, 1, __ATOMIC_SEQ_CST);
        rt_wg_wait(&wg);
        out_kv("locked-moved", moved);
        out_kv("others-on-locked-thread", others_on_locked);
    } else if (str_eq(mode, "nest") || str_eq(mode, "exit") || str_eq(mode, "unlocked")) {
        /* nest: locked twice, unlocked once before exit: still locked, so
         * the thread ends; unlocked: locked and unlocked, so it stays. */
        long arg = str_eq(mode, "nest") ? 2 : str_eq(mode, "exit") ? 1 : 0;
        long tid, v = 0;
        rt_go(exiter, (void *)arg);
        rt_chan_recv(tids, &tid);
        /* A rehearsal: the exiter wakes once and waits again, so the
         * hand-offs of its last wake-up find the idle threads they need
         * already started, and the count below moves by its exit alone. */
        rt_chan_send(hold, &v);
        rt_chan_recv(tids, &tid);
        rt_sleep(20000000);
        rt_chan_send(hold, &v);
        /* A thread that ended is gone from /proc/self/task. (The count in
         * /proc/self/status need not drop by one: the scheduler may start
         * a thread meanwhile to hand a P to, as Go's may.) */
        int gone = 0;
        for (int i = 0; i < (arg ? 500 : 10) && !gone; i++) {
            rt_sleep(10000000);
            gone = !task_exists(tid);
        }
        out_kv("thread-ended", gone);
    } else if (str_eq(mode, "many")) {
        long start = threads_now(), most = start;
        long rounds = rt_argc() > 2 ? to_int(rt_argv(2)) : 300;
        for (int i = 0; i < rounds; i++) {
            rt_wg_add(&wg, 1);
            rt_go(quick_exiter, 0);
            rt_wg_wait(&wg);
            long t = threads_now();
            if (t > most)
                most = t;
        }
        /* Each exit ends a thread and the next goroutine's M is a new one
         * (reusing the M and stacks that thread left): the count stays
         * at the few the scheduler's hand-offs need (6-8 here at any
         * number of rounds), where leaked threads would number 300. */
        out_kv("threads-bounded", start > 0 && most <= start + 10);
    } else if (str_eq(mode, "main")) {
        rt_lock_os_thread();
        long tid = gettid();
        __atomic_store_n(&locked_tid, tid, __ATOMIC_SEQ_CST);
        start_partner();
        rt_wg_add(&wg, 8);
        for (int i = 0; i < 8; i++)
            rt_go(other, 0);
        long moved = block_many(300);
        stop_partner();
        __atomic_store_n(&stop_others, 1, __ATOMIC_SEQ_CST);
        rt_wg_wait(&wg);
        out_kv("main-moved", moved + (gettid() != tid));
        out_kv("others-on-locked-thread", others_on_locked);
        rt_unlock_os_thread();
    } else if (str_eq(mode, "spin")) {
        rt_wg_add(&wg, 1);
        rt_go(locked_spinner, 0);
        rt_sleep(1000000);
        rt_chan *tick = rt_tick(10000000);
        long when, got = 0;
        for (int i = 0; i < 5; i++)
            got += rt_chan_recv(tick, &when);
        out_kv("ticks-while-locked-spinner", got);
        __atomic_store_n(&spun, 1, __ATOMIC_SEQ_CST);
        rt_wg_wait(&wg);
    } else if (str_eq(mode, "deadlock")) {
        rt_go(sleep_forever, 0);
        long v;
        rt_chan_recv(hold, &v);
    } else if (str_eq(mode, "concurrent")) {
        for (long round = 0; round < 20; round++) {
            rt_wg_add(&wg, 8);
            for (long i = 0; i < 8; i++)
                rt_go(locked_round, (void *)(round * 8 + i));
            rt_wg_wait(&wg);
        }
        out_kv("moved", others_on_locked);
        /* Every locked goroutine's thread ended with it. */
        long alive = 0;
        for (int tries = 0; tries < 500; tries++) {
            alive = 0;
            for (int i = 0; i < 8 * 20; i++)
                alive += task_exists(round_tids[i]);
            if (!alive)
                break;
            rt_sleep(10000000);
        }
        out_kv("threads-alive", alive);
    }
    out("end\n");
}
