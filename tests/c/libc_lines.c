/* Eight goroutines print lines at once through printf, puts and fputs,
 * some lines longer than printf's stack buffer; xtask checks that every
 * line arrives whole and each goroutine's in order. Each goroutine also
 * keeps its own errno across yields and calls on other threads.
 *
 * Line i of goroutine g: "g<g> <i> <payload> end", the payload being
 * len(i) copies of the letter 'a' + g (see LEN below, which xtask
 * repeats).
 *
 * With the argument "closed", stdout is closed first: printf and puts
 * fail with EBADF and set the stream's error indicator (reported on
 * stderr). */
#include <errno.h>
#include <runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOROUTINES 8
#define LINES 400
/* Most lines are short; every 50th is longer than a pipe's atomic write. */
#define LEN(i) ((i) % 50 == 49 ? 5000 : (i) * 37 % 300)

static rt_waitgroup wg;

static void printer(void *arg)
{
    int g = (int)(long)arg;
    char *payload = malloc(5001);
    memset(payload, 'a' + g, 5000);
    errno = 1000 + g;
    int errno_ok = 1;
    for (int i = 0; i < LINES; i++) {
        int n = LEN(i);
        switch (i % 3) {
        case 0:
            printf("g%d %d %.*s end\n", g, i, n, payload);
            break;
        case 1: {
            char *line = malloc((size_t)n + 32);
            snprintf(line, (size_t)n + 32, "g%d %d %.*s end", g, i, n, payload);
            puts(line);
            free(line);
            break;
        }
        default: {
            char *line = malloc((size_t)n + 32);
            int k = snprintf(line, (size_t)n + 32, "g%d %d %.*s end\n", g, i, n, payload);
            if (k != n + (int)strlen(" end\n") + snprintf(NULL, 0, "g%d %d ", g, i))
                rt_panic("snprintf count");
            fputs(line, stdout);
            free(line);
            break;
        }
        }
        if (i % 10 == 0)
            rt_gosched();
        errno_ok &= errno == 1000 + g;
    }
    free(payload);
    printf("g%d errno %s\n", g, errno_ok ? "ok" : "BAD");
    rt_wg_done(&wg);
}

static void closed(void)
{
    rt_close(1);
    errno = 0;
    int r = printf("lost %d\n", 1);
    fprintf(stderr, "printf=%d errno=%d ferror=%d\n", r, errno, ferror(stdout));
    errno = 0;
    r = puts("lost");
    fprintf(stderr, "puts=%d errno=%d\n", r, errno);
    clearerr(stdout);
    fprintf(stderr, "after clearerr ferror=%d stderr ferror=%d\n", ferror(stdout), ferror(stderr));
}

void main_main(void)
{
    if (rt_argc() > 1 && strcmp(rt_argv(1), "closed") == 0) {
        closed();
        return;
    }
    rt_wg_add(&wg, GOROUTINES);
    for (long g = 0; g < GOROUTINES; g++)
        rt_go(printer, (void *)g);
    rt_wg_wait(&wg);
    printf("done\n");
}
