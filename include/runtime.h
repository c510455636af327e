/*
 * runtime.h — the C API of the Go-style runtime.
 *
 * A C program that includes this header and links libruntime.a (with
 * `cargo xtask cc`) becomes a static executable without libc. The runtime
 * owns the entry point: it boots the way Go boots and calls the program's
 * main_main() on the main goroutine. When main_main returns, the process
 * exits with status 0, whatever other goroutines are doing. Constructors
 * (__attribute__((constructor))) run on that goroutine before main_main,
 * as Go runs package initialisers. Thread-local variables (__thread) are
 * not supported yet: such a program does not link.
 *
 * Failures are reported as Go reports them: an unrecovered panic prints
 * "panic: <message>" and "goroutine N [running]:" on stderr and exits with
 * status 2; a runtime failure (out of memory, deadlock) prints
 * "fatal error: <what>" and exits with status 2.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by the program: its entry point, run on goroutine 1. */
void main_main(void);

/* ---- Process ----------------------------------------------------------- */

/* The number of command-line arguments (argv[0] included). */
int rt_argc(void);

/* Argument i, or NULL when i < 0 or i >= rt_argc(). */
const char *rt_argv(int i);

/* The value of environment variable `name`, or NULL when it is unset.
 * The first definition wins when a name appears twice. The string lives
 * for the whole process. */
const char *rt_getenv(const char *name);

/* Writes all n bytes of buf to fd, retrying short writes and EINTR, in the
 * poller where fd waits there, else through the system-call path (see
 * "System calls, files, pipes and sockets" below).
 * Returns n, or -errno on failure (e.g. -9 for a bad descriptor, -32 for a
 * pipe nobody reads). As in Go, a broken pipe on fd 1 or 2 instead ends the
 * program as killed by SIGPIPE (a shell reports status 141), silently. */
long rt_write(int fd, const void *buf, unsigned long n);

/* ---- System calls, files, pipes and sockets ----------------------------
 *
 * Two ways to wait, as in Go:
 * - Pipes and sockets made here (rt_pipe, rt_listen, rt_dial, rt_accept),
 *   and FIFOs, terminals and sockets opened with rt_open, are non-blocking
 *   and watched by the network poller (epoll): a read or write that would
 *   block parks only the goroutine; no thread waits. Such a descriptor can
 *   have deadlines (rt_set_deadline).
 * - Regular files, rt_syscall, and descriptors the runtime did not make
 *   (0, 1, 2 inherited from the parent) block in the kernel through the
 *   scheduler's system-call path (Go's entersyscall/exitsyscall): the OS
 *   thread blocks, but the processor (P) it held goes to another thread
 *   within a sysmon tick (20 us to 10 ms), so other goroutines, tickers and
 *   timers run on, even at GOMAXPROCS=1. Inherited descriptors are used as
 *   they are: their modes, shared with the parent, are never changed (one
 *   found non-blocking is watched by the poller from its first EAGAIN on).
 *
 * Each function returns a descriptor, a byte count or 0 on success, and
 * -errno on failure (-2 ENOENT, -9 EBADF, -14 EFAULT for a NULL buffer,
 * -22 EINVAL, -32 EPIPE, -104 ECONNRESET, -110 ETIMEDOUT, -111
 * ECONNREFUSED, ...). Calls interrupted by a signal (EINTR) are retried,
 * except close, which Linux never restarts. New descriptors are
 * close-on-exec. SIGPIPE never kills the program for a write to a pipe or
 * socket other than fd 1 and 2: the write returns -32. */

/* Any system call by number (the kernel's, per architecture), blocking or
 * not, through the system-call path. Returns the kernel's result, -errno on
 * failure (EINTR included: only the caller knows whether its call can be
 * repeated). A negative nr returns -ENOSYS. */
long rt_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* openat(AT_FDCWD, path, flags | O_CLOEXEC, mode): a descriptor, or -errno
 * (-14 for a NULL path). flags and mode are Linux's (O_RDONLY 0, O_WRONLY 1,
 * O_RDWR 2, O_CREAT 0100, O_TRUNC 01000, O_APPEND 02000, octal). Blocks
 * while the file system does (a FIFO opens when its other end does). */
int rt_open(const char *path, int flags, int mode);

/* Reads up to n bytes: the count, 0 at end of file (and for n == 0), or
 * -errno. Waits until data arrives on pipes, sockets and terminals; -110
 * (ETIMEDOUT) once the read deadline has passed (Go's "i/o timeout"), -9
 * (EBADF) when the descriptor is closed, also while waiting (Go's "use of
 * closed network connection"). */
long rt_read(int fd, void *buf, unsigned long n);

/* read and write at offset off (>= 0, else -22), leaving the file offset
 * where it was; one attempt each (pwrite may write less than n). */
long rt_pread(int fd, void *buf, unsigned long n, long long off);
long rt_pwrite(int fd, const void *buf, unsigned long n, long long off);

/* Closes fd: 0, or -errno (-9 for a descriptor not open, so a second close
 * of the same number fails unless it was reused meanwhile). Goroutines
 * waiting on fd in the poller wake with -9; the number itself is released
 * once the last call in flight on it has returned, so it is never reused
 * under one (Go's fdMutex). */
int rt_close(int fd);

/* A pipe: fds[0] the read end, fds[1] the write end; 0 or -errno. Both ends
 * wait in the poller. A write to a pipe whose read end is closed returns
 * -32 (EPIPE), and the program lives (unless fd is 1 or 2: see rt_write). */
int rt_pipe(int fds[2]);

/* Sockets, with Go's networks and address syntax. network: "tcp", "tcp4",
 * "tcp6", "udp", "udp4", "udp6" or "unix" (a stream socket; "unixgram"
 * for datagrams); anything else is -97 (EAFNOSUPPORT). address: numeric
 * only, no DNS: "127.0.0.1:8080", "[::1]:0", ":0" (every address: for
 * "tcp"/"udp" both IPv4 and IPv6), "/path/sock" (unix; a leading '@' names
 * an abstract socket). A malformed address is -22 (EINVAL). Port 0 picks a
 * free port: rt_sockname tells which.
 *
 * rt_listen: a listening TCP or unix socket (SO_REUSEADDR, the kernel's
 * largest backlog), or a UDP socket bound to the address (Go's
 * ListenPacket). rt_dial: a TCP or unix connection (waits for it in the
 * poller: -111 ECONNREFUSED if nobody listens), or a UDP socket connected
 * to the address. TCP connections have TCP_NODELAY set, as in Go. */
int rt_listen(const char *network, const char *address);
int rt_dial(const char *network, const char *address);

/* Waits for and returns the next connection on a listener, or -errno:
 * -24 (EMFILE) / -23 (ENFILE) at the descriptor limit (the connection
 * waits in the backlog; the listener keeps working once descriptors are
 * freed), -110 past the listener's read deadline, -9 once it is closed. */
int rt_accept(int lfd);

/* shutdown(2): how 0 stops reading, 1 writing (the peer reads end of
 * file), 2 both. */
int rt_shutdown(int fd, int how);

/* The local (rt_sockname) or remote (rt_peername) address of a socket as
 * text, in the syntax rt_dial takes ("127.0.0.1:41234", "[::1]:80",
 * "/tmp/s"), NUL-terminated in buf: its length, or -errno (-34 ERANGE if n
 * cannot hold it with its NUL). */
int rt_sockname(int fd, char *buf, unsigned long n);
int rt_peername(int fd, char *buf, unsigned long n);

/* UDP (and unixgram): one datagram to address (NULL on a connected socket),
 * and one datagram received, its sender's address written into from (when
 * not NULL, as rt_sockname writes it). Counts or -errno, waiting in the
 * poller as rt_read/rt_write do. */
long rt_sendto(int fd, const void *buf, unsigned long n, const char *address);
long rt_recvfrom(int fd, void *buf, unsigned long n, char *from, unsigned long fromlen);

/* Deadlines (Go's SetDeadline, SetReadDeadline, SetWriteDeadline): ns is an
 * absolute time on the rt_nanotime clock, 0 clears. A call waiting in the
 * poller past the deadline returns -110 (ETIMEDOUT), and so does every
 * later call in that direction until the deadline is moved; setting a
 * deadline in the past wakes the waiters at once. Only for descriptors
 * that wait in the poller: -95 (EOPNOTSUPP) for a regular file or a
 * blocking inherited descriptor. */
int rt_set_deadline(int fd, long long ns);
int rt_set_read_deadline(int fd, long long ns);
int rt_set_write_deadline(int fd, long long ns);

/* Ends the whole process with `code`; does not return. */
void rt_exit(int code) __attribute__((noreturn));

/* A Go-style panic: prints "panic: <msg>" (msg NULL prints "nil"), a blank
 * line and "goroutine N [running]:" to stderr, exits with status 2. */
void rt_panic(const char *msg) __attribute__((noreturn));

/* ---- Scheduler --------------------------------------------------------- */

/* The number of CPUs this process may run on (its affinity mask). */
int rt_ncpu(void);

/* runtime.GOMAXPROCS: when n > 0, sets the number of Ps (processors that
 * run goroutines) to n, at most 1024; n <= 0 only queries. Returns the
 * previous value. At startup it is $GOMAXPROCS when that is a positive
 * integer, else rt_ncpu(). */
int rt_gomaxprocs(int n);

/* Starts a goroutine running f(arg) (Go's `go f(arg)`). Goroutines run on
 * GOMAXPROCS threads at once, scheduled by the runtime; each has its own
 * stack: 64 KiB on 64-bit targets, 16 KiB on armv7, with a guard page
 * below it. Running off the end prints "fatal error: stack overflow" and
 * exits with status 2. f == NULL is "fatal error: go of nil func value". */
void rt_go(void (*f)(void *), void *arg);

/* Like rt_go, on a stack of stack_bytes (rounded up to whole pages, at
 * least 8 KiB), for goroutines that need more (or less) than the default. */
void rt_go_stack(void (*f)(void *), void *arg, unsigned long stack_bytes);

/* Yields the processor: the caller goes to the back of the global run
 * queue and other goroutines run (runtime.Gosched). */
void rt_gosched(void);

/* Ends the calling goroutine (runtime.Goexit). Called from main_main, the
 * program continues until the other goroutines end, then exits with
 * "fatal error: no goroutines (main called runtime.Goexit) - deadlock!". */
void rt_goexit(void) __attribute__((noreturn));

/* Wires the calling goroutine to the OS thread it runs on
 * (runtime.LockOSThread): until it has called rt_unlock_os_thread as many
 * times as this, it runs on that thread only, and the thread runs no other
 * goroutine (it sleeps while the goroutine blocks). For thread state that
 * must not leak to other goroutines: unshare(2), setns(2), a thread's
 * signal mask, a library bound to one thread. A goroutine that ends while
 * locked ends its thread with it (the thread leaves the process: its
 * state cannot reach other goroutines); the main goroutine's thread only
 * sleeps instead. Nesting deeper than 2^32-1 panics. */
void rt_lock_os_thread(void);

/* Undoes one rt_lock_os_thread (runtime.UnlockOSThread); without a
 * matching lock it does nothing. */
void rt_unlock_os_thread(void);

/* The calling goroutine's id: 1 for main_main, then increasing, never
 * reused. */
long rt_goid(void);

/* The number of goroutines that exist now (runtime.NumGoroutine). */
int rt_numgoroutine(void);

/* The id of the runtime thread (M) running the caller: 0 is the main
 * thread. For diagnostics; a goroutine may move between threads. */
long rt_mid(void);

/* ---- Channels and select ------------------------------------------------ */

/* A channel, as Go's: a FIFO of fixed-size elements with a capacity (0:
 * unbuffered, every send waits for its receiver). A NULL channel blocks
 * forever in send and receive, as a nil channel does in Go. */
typedef struct rt_chan rt_chan;

/* A channel of `cap` elements of `elem_size` bytes (< 64 KiB). Channels
 * are never freed (Go collects them; here they live until exit). */
rt_chan *rt_chan_make(unsigned long elem_size, unsigned long cap);

/* Sends a copy of *elem, waiting for a receiver or buffer room. On a
 * closed channel: "panic: send on closed channel", exit 2. */
void rt_chan_send(rt_chan *c, const void *elem);

/* Receives into *elem (elem may be NULL to drop the value). Returns 1 for
 * a value, 0 once the channel is closed and drained (then *elem is zeroed). */
int rt_chan_recv(rt_chan *c, void *elem);

/* Closes the channel: receivers drain the buffer then get 0; blocked
 * senders panic. Closing twice panics "close of closed channel", closing
 * NULL "close of nil channel". */
void rt_chan_close(rt_chan *c);

/* Elements buffered now, and the capacity. */
unsigned long rt_chan_len(rt_chan *c);
unsigned long rt_chan_cap(rt_chan *c);

#define RT_SEND 1
#define RT_RECV 2

/* One case of rt_select: send *elem on chan, or receive into elem. `ok` is
 * set for the receive case chosen: 1 for a value, 0 for a closed channel. */
typedef struct {
    rt_chan *chan;
    int dir;   /* RT_SEND or RT_RECV */
    void *elem;
    int ok;
} rt_select_case;

/* Go's select over n (at most 64) cases: performs one ready case, chosen
 * uniformly at random among the ready ones, and returns its index. With
 * block == 0 and no case ready, returns -1 (a select with default). Cases
 * on NULL channels never proceed; n == 0 with block blocks forever. */
int rt_select(rt_select_case *cases, int n, int block);

/* ---- Sync ----------------------------------------------------------------- */

/* A mutex that parks goroutines (not threads), with Go's starvation
 * protection. Zero-initialised means unlocked: `static rt_mutex m;` or
 * `rt_mutex m = {0};`. */
typedef struct {
    unsigned int state;
    unsigned int sema;
} rt_mutex;

void rt_mutex_lock(rt_mutex *m);
void rt_mutex_unlock(rt_mutex *m); /* unlocked twice: fatal error */

/* Go's sync.WaitGroup. Zero-initialised means a counter of 0. A negative
 * counter panics "sync: negative WaitGroup counter". */
typedef struct {
    unsigned long long state __attribute__((aligned(8)));
    unsigned int sema;
} rt_waitgroup;

void rt_wg_add(rt_waitgroup *wg, long delta);
void rt_wg_done(rt_waitgroup *wg);
void rt_wg_wait(rt_waitgroup *wg);

/* ---- Time ------------------------------------------------------------------ */

/* Parks the calling goroutine for at least ns nanoseconds. */
void rt_sleep(long long ns);

/* Monotonic time in nanoseconds. */
long long rt_nanotime(void);

/* A channel of `long long` that receives rt_nanotime() once, after ns
 * (Go's time.After). */
rt_chan *rt_after(long long ns);

/* A channel of `long long` that receives rt_nanotime() every ns (Go's
 * time.Tick); ticks a slow receiver misses are dropped. For ns <= 0 it
 * returns NULL, a nil channel (receiving from it blocks forever), as
 * time.Tick returns nil. */
rt_chan *rt_tick(long long ns);

/* ---- Signals (Go's os/signal) ------------------------------------------ */

/* Without a request, signals do what Go's runtime makes them do: SIGHUP,
 * SIGINT and SIGTERM end the program (an inherited SIG_IGN for SIGHUP or
 * SIGINT is kept); SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGSTKFLT and SIGSYS
 * end it with "SIGQUIT: quit" (or the signal's name), "PC=... m=...
 * sigcode=...", every goroutine, exit 2; a fault (SIGSEGV, SIGBUS,
 * SIGFPE) in user code is Go's "panic: runtime error: ..." (exit 2);
 * SIGPIPE fails the write with -EPIPE (and ends the program on fd 1 or
 * 2); every other signal whose default would kill (SIGUSR1, SIGUSR2,
 * SIGALRM, SIGPROF, SIGVTALRM, SIGIO, SIGPWR, SIGXCPU, SIGXFSZ, 32-64) is
 * ignored; SIGCHLD, SIGWINCH, SIGURG, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU
 * keep their default. */

/* Go's signal.Notify(c, sig): from now on `sig` (1-64, not SIGKILL or
 * SIGSTOP) is sent, as an int, on `c` (a channel of int: elem size 4),
 * without blocking: when `c` is full the signal is dropped for it, so give
 * it a buffer. The runtime's handler only records the signal; a goroutine
 * of the runtime sends it. Call once per signal; `c` must stay open and
 * alive until rt_signal_stop(c). Returns 0, or -EINVAL (bad signal, NULL
 * channel, wrong element size). */
int rt_signal_notify(rt_chan *c, int sig);

/* Go's signal.Stop(c): no more signals on c; when it returns none is on
 * its way to c either. Unknown channels are ignored. */
void rt_signal_stop(rt_chan *c);

/* Go's signal.Ignore(sig): no channel gets `sig` any more and the kernel
 * discards it (SIG_IGN). Signals a program cannot ask for (SIGSEGV...)
 * are left alone. 0, or -EINVAL. */
int rt_signal_ignore(int sig);

/* Go's signal.Reset(sig): no channel gets `sig` any more and it does what
 * it does by default again (above). 0, or -EINVAL. */
int rt_signal_reset(int sig);

/* ---- Memory ------------------------------------------------------------ */

/* n bytes, 16-byte aligned; rt_malloc(0) returns a unique pointer. Never
 * returns NULL: when memory is exhausted the process ends with
 * "fatal error: out of memory", status 2, as Go does. */
void *rt_malloc(unsigned long n);

/* Frees memory from rt_malloc; NULL is ignored. Anything else that is not
 * a live block from rt_malloc ends the process with status 2, naming the
 * pointer: "runtime: pointer=0x..." then "fatal error: rt_free: double
 * free" for a block freed before (unless it was handed out again since),
 * or "fatal error: rt_free: pointer not from rt_malloc". */
void rt_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* RUNTIME_H */
