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

/* Writes all n bytes of buf to fd, retrying short writes and EINTR.
 * Returns n, or -errno on failure (e.g. -9 for a bad descriptor). */
long rt_write(int fd, const void *buf, unsigned long n);

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

/* The calling goroutine's id: 1 for main_main, then increasing, never
 * reused. */
long rt_goid(void);

/* The number of goroutines that exist now (runtime.NumGoroutine). */
int rt_numgoroutine(void);

/* The id of the runtime thread (M) running the caller: 0 is the main
 * thread. For diagnostics; a goroutine may move between threads. */
long rt_mid(void);

/* ---- Memory ------------------------------------------------------------ */

/* n bytes, 16-byte aligned; rt_malloc(0) returns a unique pointer. Never
 * returns NULL: when memory is exhausted the process ends with
 * "fatal error: out of memory", status 2, as Go does. */
void *rt_malloc(unsigned long n);

/* Frees memory from rt_malloc; NULL is ignored. */
void rt_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* RUNTIME_H */
