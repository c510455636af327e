/* Ways a program ends: rt_exit with a code, rt_panic with a message or
 * NULL, a write to a bad descriptor or a broken pipe, a bad rt_free,
 * memory exhaustion. */
#include "common.h"

static long not_a_block[8];

/* rt_free of what rt_malloc did not hand out, or of a block twice. */
static void bad_free(const char *kind)
{
    long on_stack[8] = {0};
    if (str_eq(kind, "twice-small") || str_eq(kind, "twice-medium") ||
        str_eq(kind, "twice-large")) {
        unsigned long n = str_eq(kind, "twice-small")    ? 100
                          : str_eq(kind, "twice-medium") ? 5000
                                                         : 1UL << 20;
        char *p = rt_malloc(n);
        rt_free(p);
        out("freed once\n");
        rt_free(p);
    } else if (str_eq(kind, "static")) {
        rt_free(&not_a_block[4]);
    } else if (str_eq(kind, "stack")) {
        rt_free(&on_stack[4]);
    } else if (str_eq(kind, "interior")) {
        long *p = rt_malloc(64);
        for (int i = 0; i < 8; i++)
            p[i] = 0;
        rt_free(p + 4);
    } else if (str_eq(kind, "unaligned")) {
        rt_free((char *)rt_malloc(64) + 1);
    } else if (str_eq(kind, "large-interior")) {
        char *p = rt_malloc(1UL << 20);
        rt_free(p + 4096);
    }
    out("survived\n");
}

void main_main(void)
{
    const char *mode = rt_argc() > 1 ? rt_argv(1) : "";
    out("before\n");
    if (str_eq(mode, "exit")) {
        rt_exit((int)to_int(rt_argv(2)));
    } else if (str_eq(mode, "panic")) {
        rt_panic(rt_argc() > 2 ? rt_argv(2) : 0);
    } else if (str_eq(mode, "badfd")) {
        out_kv("badfd", rt_write(99, "x", 1));
        out_kv("zero", rt_write(99, "x", 0));
    } else if (str_eq(mode, "epipe-fd3")) {
        /* fd 3 is a pipe whose reader goes away: once the pipe is full or
         * the reader gone, the write fails with EPIPE and we carry on. */
        static char buf[4096];
        long r;
        while ((r = rt_write(3, buf, sizeof buf)) > 0)
            ;
        out_kv("rt_write", r);
    } else if (str_eq(mode, "epipe-stdout")) {
        /* The same on fd 1: the program must end as killed by SIGPIPE. */
        static char buf[4096];
        long r;
        while ((r = rt_write(1, buf, sizeof buf)) > 0)
            ;
        rt_write(2, "rt_write returned\n", 18);
        rt_exit(1);
    } else if (str_eq(mode, "badfree")) {
        bad_free(rt_argv(2));
    } else if (str_eq(mode, "oom-huge")) {
        /* More than the address space: the size computation overflows. */
        rt_malloc(~0UL - 8);
    } else if (str_eq(mode, "oom-loop")) {
        /* Exhaust the address space 64 MiB at a time. */
        for (long i = 0;; i++) {
            char *p = rt_malloc(64UL << 20);
            p[0] = (char)i;
        }
    } else if (str_eq(mode, "oom-reach")) {
        /* As oom-small, saying when argv[2] bytes are in use: the
         * allocator must use the address space there is before it gives
         * up. */
        unsigned long long goal = 0, total = 0;
        for (const char *s = rt_argv(2); *s >= '0' && *s <= '9'; s++)
            goal = goal * 10 + (unsigned)(*s - '0');
        for (long i = 0;; i++) {
            char *p = rt_malloc(100000);
            p[0] = (char)i;
            total += 100000;
            if (total - 100000 < goal && total >= goal)
                out("reached\n");
        }
    } else if (str_eq(mode, "oom-small")) {
        /* Exhaust it through the small-object arenas. */
        for (long i = 0;; i++) {
            char *p = rt_malloc(100000);
            p[0] = (char)i;
        }
    }
    out("after\n");
}
