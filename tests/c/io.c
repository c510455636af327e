/* System calls, files and pipes: calls that block hand their P off. */
#include "common.h"

#if defined(__x86_64__)
enum { NR_read = 0, NR_nanosleep = 35, NR_getppid = 110, NR_pipe2 = 293 };
#elif defined(__arm__)
enum { NR_read = 3, NR_nanosleep = 162, NR_getppid = 64, NR_pipe2 = 359 };
#else /* aarch64, riscv64: the generic table */
enum { NR_read = 63, NR_nanosleep = 101, NR_getppid = 173, NR_pipe2 = 59 };
#endif

static rt_waitgroup wg;
static int pipefd[2];
static volatile long got, done_flag;

/* Blocks in rt_read on the pipe until main writes. */
static void reader(void *arg)
{
    (void)arg;
    char c;
    got = rt_read(pipefd[0], &c, 1) == 1 && c == 'x';
    rt_wg_done(&wg);
}

/* rt_read until the descriptor is closed under it: got = its -9. */
static void closed_reader(void *arg)
{
    (void)arg;
    char c;
    long r = rt_read(pipefd[0], &c, 1);
    got = r;
    rt_wg_done(&wg);
}

/* The same, through the raw system call. */
static void raw_reader(void *arg)
{
    (void)arg;
    char c;
    got = rt_syscall(NR_read, pipefd[0], (long)&c, 1, 0, 0, 0) == 1 && c == 'x';
    rt_wg_done(&wg);
}

/* Sleeps in the kernel for the given milliseconds. */
static void kernel_sleeper(void *arg)
{
    long ts[2] = {0, (long)arg * 1000000L};
    if ((long)arg >= 1000) {
        ts[0] = (long)arg / 1000;
        ts[1] = (long)arg % 1000 * 1000000L;
    }
    /* A signal may interrupt the sleep (the runtime's SIGURG, sent to a
     * thread whose goroutine has just left user code): sleep what is left,
     * as a program calling nanosleep must. */
    while (rt_syscall(NR_nanosleep, (long)ts, (long)ts, 0, 0, 0, 0) == -4)
        ;
    done_flag = 1;
    rt_wg_done(&wg);
}

/* n ticks of period ms; prints whether they all came within bound_ms. */
static void tick_n(int n, long period_ms, long bound_ms)
{
    long long t0 = rt_nanotime(), when;
    rt_chan *tick = rt_tick(period_ms * 1000000L);
    int ticks = 0;
    for (int i = 0; i < n; i++)
        ticks += rt_chan_recv(tick, &when);
    long long d = rt_nanotime() - t0;
    out_kv("ticks", ticks);
    out_kv("ticks-within-bound", d <= bound_ms * 1000000LL);
    if (d > bound_ms * 1000000LL)
        out_kv("ticks-ms", (long)(d / 1000000));
}

struct per_pipe {
    int fd[2];
    long ok;
};
static struct per_pipe pipes[200];

static void pipe_reader(void *arg)
{
    struct per_pipe *p = arg;
    char c;
    p->ok = rt_read(p->fd[0], &c, 1) == 1 && c == 'y';
    rt_wg_done(&wg);
}

static long ppid_sum;
static void getppid_loop(void *arg)
{
    long n = (long)arg, sum = 0, want = rt_syscall(NR_getppid, 0, 0, 0, 0, 0, 0);
    for (long i = 0; i < n; i++)
        sum += rt_syscall(NR_getppid, 0, 0, 0, 0, 0, 0) == want;
    __atomic_fetch_add(&ppid_sum, sum, __ATOMIC_SEQ_CST);
    rt_wg_done(&wg);
}

static int bytes_eq(const char *a, const char *b, long n)
{
    for (long i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    long bound = rt_argc() > 2 ? to_int(rt_argv(2)) : 1000;
    if (str_eq(mode, "ticker-read") || str_eq(mode, "ticker-raw-read") ||
        str_eq(mode, "ticker-nonblock-read")) {
        /* A goroutine blocked reading an empty pipe: ticks go on. rt_pipe's
         * ends wait in the poller; the raw read needs a blocking pipe,
         * made without the runtime (rt_write then blocks in the kernel
         * too, through entersyscall). */
        if (str_eq(mode, "ticker-read"))
            rt_pipe(pipefd);
        else if (str_eq(mode, "ticker-nonblock-read")) /* O_NONBLOCK: as a
            parent may hand one over; rt_read waits in ppoll for it */
            rt_syscall(NR_pipe2, (long)pipefd, 04000, 0, 0, 0, 0);
        else
            rt_syscall(NR_pipe2, (long)pipefd, 0, 0, 0, 0, 0);
        rt_wg_add(&wg, 1);
        rt_go(str_eq(mode, "ticker-raw-read") ? raw_reader : reader, 0);
        rt_sleep(1000000);
        tick_n(10, 10, bound);
        out_kv("reader-still-blocked", got == 0);
        rt_write(pipefd[1], "x", 1);
        rt_wg_wait(&wg);
        out_kv("reader-got", got);
    } else if (str_eq(mode, "nonblock-close")) {
        /* A non-blocking pipe the runtime did not make, read once the
         * poller exists (an rt_pipe made it): its first EAGAIN registers
         * it, so rt_close wakes the reader with -9, as Go's File.Close
         * wakes a reader of a descriptor os.NewFile found non-blocking. */
        int other[2];
        rt_pipe(other);
        rt_syscall(NR_pipe2, (long)pipefd, 04000, 0, 0, 0, 0);
        rt_wg_add(&wg, 1);
        rt_go(closed_reader, 0);
        rt_sleep(20000000);
        out_kv("reader-still-blocked", got == 0);
        out_kv("close", rt_close(pipefd[0]));
        rt_wg_wait(&wg);
        out_kv("reader-got", got);
    } else if (str_eq(mode, "ticker-nanosleep")) {
        /* A goroutine in a 2 s kernel sleep: 10 ticks of 10 ms end first. */
        rt_wg_add(&wg, 1);
        rt_go(kernel_sleeper, (void *)2000L);
        rt_sleep(1000000);
        tick_n(10, 10, bound);
        out_kv("sleeper-still-asleep", done_flag == 0);
        rt_wg_wait(&wg);
        out_kv("sleeper-done", done_flag);
    } else if (str_eq(mode, "files")) {
        const char *path = rt_argv(2);
        int fd = rt_open(path, 0100 | 01000 | 2, 0600); /* O_CREAT|O_TRUNC|O_RDWR */
        out_kv("open", fd >= 0);
        out_kv("write", rt_write(fd, "hello, world\n", 13));
        out_kv("pwrite", rt_pwrite(fd, "W", 1, 7));
        char buf[32];
        out_kv("read-at-end", rt_read(fd, buf, sizeof buf));
        long n = rt_pread(fd, buf, sizeof buf, 0);
        out_kv("pread", n);
        out_kv("pread-bytes", n == 13 && bytes_eq(buf, "hello, World\n", 13));
        out_kv("pread-past-end", rt_pread(fd, buf, sizeof buf, 1000));
        out_kv("pread-negative", rt_pread(fd, buf, 1, -1));
        out_kv("read-zero", rt_read(fd, buf, 0));
        out_kv("read-null", rt_read(fd, 0, 5));
        out_kv("close", rt_close(fd));
        out_kv("close-again", rt_close(fd));
        out_kv("read-closed", rt_read(fd, buf, 1));
        out_kv("open-missing", rt_open("/nonexistent/file", 0, 0));
        out_kv("open-null", rt_open(0, 0, 0));
        out_kv("pipe-null", rt_pipe(0));
        out_kv("syscall-negative", rt_syscall(-1, 0, 0, 0, 0, 0, 0));
        fd = rt_open(path, 0, 0);
        n = rt_read(fd, buf, sizeof buf);
        out_kv("reread", n == 13 && bytes_eq(buf, "hello, World\n", 13));
        out_kv("eof", rt_read(fd, buf, sizeof buf));
        /* A careless huge length: the kernel reads what the file has (13
         * bytes; qemu-user refuses the range with EFAULT); no crash. */
        long huge = rt_pread(fd, buf, (unsigned long)-1, 0);
        out_kv("pread-huge-n-sane", huge == 13 || huge == -14);
        out_kv("write-null", rt_write(fd, 0, 5));
        out_kv("write-zero", rt_write(fd, "x", 0));
        rt_close(fd);
    } else if (str_eq(mode, "epipe")) {
        /* A write to a pipe nobody reads fails with EPIPE; we live on. */
        rt_pipe(pipefd);
        rt_close(pipefd[0]);
        out_kv("write", rt_write(pipefd[1], "x", 1));
        out_kv("alive", 1);
    } else if (str_eq(mode, "many-blocked")) {
        /* n goroutines blocked in reads while GOMAXPROCS changes (stopping
         * the world with Ps in system calls), then all released. */
        long n = to_int(rt_argv(2));
        if (n > 200)
            n = 200;
        rt_wg_add(&wg, n);
        for (long i = 0; i < n; i++) {
            rt_pipe(pipes[i].fd);
            rt_go(pipe_reader, &pipes[i]);
        }
        rt_sleep(20000000);
        int p0 = rt_gomaxprocs(4);
        rt_gomaxprocs(1);
        rt_sleep(5000000);
        rt_gomaxprocs(p0);
        out_kv("goroutines", rt_numgoroutine() - 1);
        for (long i = 0; i < n; i++)
            rt_write(pipes[i].fd[1], "y", 1);
        rt_wg_wait(&wg);
        long ok = 0;
        for (long i = 0; i < n; i++)
            ok += pipes[i].ok;
        out_kv("released", ok);
    } else if (str_eq(mode, "short-syscalls")) {
        /* Goroutines making quick system calls while GOMAXPROCS changes:
         * every call returns its value, nothing hangs. */
        long per = to_int(rt_argv(2));
        rt_wg_add(&wg, 4);
        for (int i = 0; i < 4; i++)
            rt_go(getppid_loop, (void *)per);
        for (int i = 0; i < 20; i++) {
            rt_gomaxprocs(1 + i % 4);
            rt_sleep(1000000);
        }
        rt_wg_wait(&wg);
        out_kv("calls-right", ppid_sum == 4 * per);
    }
    out("end\n");
}
