/* echo ADDRESS: a TCP echo server, one goroutine per connection.
 *
 *     cargo xtask run echo-c 127.0.0.1:9000
 *
 * Listens on ADDRESS (":0" picks a free port), prints "listening on
 * <address>" with the real port, and sends back every byte each client
 * sends until it closes. No goroutine blocks a thread: reads, writes and
 * accepts wait in the runtime's network poller. */
#include <runtime.h>
#include <stdio.h>
#include <stdlib.h>

static void serve(void *arg)
{
    int fd = (int)(long)arg;
    /* On the goroutine's stack, 3 KiB: the goroutine waiting in a read
     * (its G at the top of its stack page, the poller's frames below the
     * buffer) stays within one 4 KiB page, so an idle connection costs
     * one page (3.5 KiB reached into a second one: 8.4 KB a connection). */
    char buf[3072];
    long n;
    while ((n = rt_read(fd, buf, sizeof buf)) > 0)
        if (rt_write(fd, buf, (unsigned long)n) < 0)
            break;
    rt_close(fd);
}

void main_main(void)
{
    if (rt_argc() != 2) {
        fputs("usage: echo ADDRESS\n", stderr);
        exit(2);
    }
    int lfd = rt_listen("tcp", rt_argv(1));
    if (lfd < 0) {
        fprintf(stderr, "echo: cannot listen on %s: %s\n", rt_argv(1),
                lfd == -22 ? "bad address" : lfd == -98 ? "address in use" : "error");
        exit(1);
    }
    char name[128];
    rt_sockname(lfd, name, sizeof name);
    printf("listening on %s\n", name);
    long long backoff = 5000000;
    for (;;) {
        int fd = rt_accept(lfd);
        if (fd == -24 || fd == -23 || fd == -12 || fd == -105) {
            /* Out of descriptors or memory: the connection waits in the
             * backlog; try again later (Go's http.Server backs off the
             * same way, from 5 ms to 1 s). */
            rt_sleep(backoff);
            if (backoff < 1000000000)
                backoff *= 2;
            continue;
        }
        if (fd < 0) {
            fputs("echo: accept failed\n", stderr);
            exit(1);
        }
        backoff = 5000000;
        rt_go(serve, (void *)(long)fd);
    }
}
