/* cat [FILE...]: copies each FILE (or stdin, also for "-") to stdout.
 *
 *     cargo xtask run cat-c README.md
 *
 * Regular files are read through the scheduler's system-call path; pipes
 * and terminals the same way when inherited (their modes are the
 * parent's), so `producer | cat` works as with any cat. */
#include <runtime.h>
#include <stdio.h>

/* "cat: open FILE: no such file or directory", as Go's os errors read. */
static void fail(const char *what, const char *name, long err)
{
    static const struct {
        long err;
        const char *text;
    } texts[] = {
        {-2, "no such file or directory"}, {-13, "permission denied"},
        {-21, "is a directory"},           {-9, "bad file descriptor"},
        {-5, "input/output error"},        {-24, "too many open files"},
    };
    for (unsigned i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].err == err) {
            fprintf(stderr, "cat: %s%s: %s\n", what, name, texts[i].text);
            return;
        }
    fprintf(stderr, "cat: %s%s: errno %lu\n", what, name, (unsigned long)-err);
}

static char buf[1 << 16];

/* Copies fd to stdout: 0, or 1 after a failure it reported. */
static int copy(int fd, const char *name)
{
    long n;
    while ((n = rt_read(fd, buf, sizeof buf)) > 0) {
        long w = rt_write(1, buf, (unsigned long)n);
        if (w < 0) {
            fail("write ", "stdout", w);
            return 1;
        }
    }
    if (n < 0) {
        fail("read ", name, n);
        return 1;
    }
    return 0;
}

void main_main(void)
{
    int status = 0;
    if (rt_argc() < 2)
        status = copy(0, "stdin");
    for (int i = 1; i < rt_argc(); i++) {
        const char *name = rt_argv(i);
        if (name[0] == '-' && name[1] == 0) {
            status |= copy(0, "stdin");
            continue;
        }
        int fd = rt_open(name, 0, 0);
        if (fd < 0) {
            fail("open ", name, fd);
            status = 1;
            continue;
        }
        status |= copy(fd, name);
        rt_close(fd);
    }
    if (status)
        rt_exit(1);
}
