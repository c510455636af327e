/* syscall: 4 goroutines make 250,000 getppid system calls each, every one
 * through entersyscall/exitsyscall (rt_syscall; Go: syscall.Syscall). */
#include <runtime.h>

#if defined(__x86_64__)
enum { NR_getppid = 110 };
#elif defined(__arm__)
enum { NR_getppid = 64 };
#else /* aarch64, riscv64 */
enum { NR_getppid = 173 };
#endif

static rt_waitgroup wg;

static void caller(void *arg)
{
    (void)arg;
    for (int i = 0; i < 250000; i++)
        rt_syscall(NR_getppid, 0, 0, 0, 0, 0, 0);
    rt_wg_done(&wg);
}

void main_main(void)
{
    rt_wg_add(&wg, 4);
    for (int i = 0; i < 4; i++)
        rt_go(caller, 0);
    rt_wg_wait(&wg);
}
