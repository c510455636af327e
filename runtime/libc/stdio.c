/* <stdio.h>: the three standard streams, unbuffered. Each call formats
 * its whole output into one buffer (on the stack, or from malloc when it
 * outgrows that) and writes it with one rt_write under the stream's lock:
 * the kernel sees one write per call (atomic on a pipe up to PIPE_BUF
 * bytes), and the lock, a goroutine mutex, keeps calls from different
 * goroutines apart also when a write is longer or comes back short. */
#include "format.h"

#include <errno.h>
#include <limits.h>
#include <runtime.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

struct __rt_FILE {
    int fd;
    int error;
    rt_mutex lock;
};

static struct __rt_FILE streams[3] = {{0, 0, {0, 0}}, {1, 0, {0, 0}}, {2, 0, {0, 0}}};
FILE *const stdin = &streams[0];
FILE *const stdout = &streams[1];
FILE *const stderr = &streams[2];

/* Stack room for one call's output before it moves to the heap. */
#define STACKBUF 512

/* Writes what the sink holds to f in one write; the result of the call
 * (count, or -1 with errno and the stream's error indicator). */
static int flush_sink(FILE *f, struct sink *s, int fmt_result)
{
    int r = fmt_result < 0 ? -1 : s->total > INT_MAX ? INT_MAX : (int)s->total;
    if (s->len > 0) {
        rt_mutex_lock(&f->lock);
        long w = rt_write(f->fd, s->buf, s->len);
        if (w < 0) {
            f->error = 1;
            rt_mutex_unlock(&f->lock);
            errno = (int)-w;
            r = -1;
        } else {
            rt_mutex_unlock(&f->lock);
        }
    }
    if (s->heap)
        free(s->buf);
    return r;
}

static int valid(FILE *f)
{
    if (f == stdin || f == stdout || f == stderr)
        return 1;
    errno = EBADF;
    return 0;
}

int vfprintf(FILE *__restrict f, const char *__restrict fmt, va_list ap)
{
    if (!valid(f))
        return -1;
    char buf[STACKBUF];
    struct sink s = {buf, sizeof buf, 0, 0, 1, 0, 0};
    int r = __rt_vformat(&s, fmt, ap);
    return flush_sink(f, &s, r);
}

int vprintf(const char *__restrict fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int fprintf(FILE *__restrict f, const char *__restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

int printf(const char *__restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return r;
}

/* To any descriptor: one write, no lock (the descriptor is the caller's). */
int vdprintf(int fd, const char *__restrict fmt, va_list ap)
{
    char buf[STACKBUF];
    struct sink s = {buf, sizeof buf, 0, 0, 1, 0, 0};
    int r = __rt_vformat(&s, fmt, ap) < 0 ? -1 : (int)s.total;
    if (s.len > 0) {
        long w = rt_write(fd, s.buf, s.len);
        if (w < 0) {
            errno = (int)-w;
            r = -1;
        }
    }
    if (s.heap)
        free(s.buf);
    return r;
}

int dprintf(int fd, const char *__restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

int vsnprintf(char *__restrict buf, size_t n, const char *__restrict fmt, va_list ap)
{
    /* n - 1 bytes of output at most, then the NUL; n == 0 writes nothing. */
    struct sink s = {buf, n ? n - 1 : 0, 0, 0, 0, 0, 0};
    int r = __rt_vformat(&s, fmt, ap);
    if (n)
        buf[s.len] = 0;
    return r < 0 ? -1 : (int)s.total;
}

int snprintf(char *__restrict buf, size_t n, const char *__restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

int vsprintf(char *__restrict buf, const char *__restrict fmt, va_list ap)
{
    return vsnprintf(buf, (size_t)INT_MAX + 1, fmt, ap);
}

int sprintf(char *__restrict buf, const char *__restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsprintf(buf, fmt, ap);
    va_end(ap);
    return r;
}

/* n bytes of p, then `nl` newlines, as one write to f. */
static int put(FILE *f, const char *p, size_t n, int nl)
{
    if (!valid(f))
        return EOF;
    if (!nl) {
        /* The caller's bytes as they are. */
        struct sink d = {(char *)p, n, n, n, 0, 0, 0};
        return flush_sink(f, &d, 0) < 0 ? EOF : 0;
    }
    char buf[STACKBUF];
    struct sink s = {buf, sizeof buf, 0, 0, 1, 0, 0};
    __rt_out(&s, p, n);
    __rt_out(&s, "\n", 1);
    return flush_sink(f, &s, 0) < 0 ? EOF : 0;
}

int puts(const char *s) { return put(stdout, s, strlen(s), 1) < 0 ? EOF : 1; }
int fputs(const char *__restrict s, FILE *__restrict f) { return put(f, s, strlen(s), 0) < 0 ? EOF : 1; }

int fputc(int c, FILE *f)
{
    char b = (char)c;
    return put(f, &b, 1, 0) < 0 ? EOF : (unsigned char)c;
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

size_t fwrite(const void *__restrict p, size_t size, size_t n, FILE *__restrict f)
{
    if (size == 0 || n == 0)
        return 0;
    if (n > (size_t)-1 / size) {
        errno = EOVERFLOW;
        return 0;
    }
    return put(f, p, size * n, 0) < 0 ? 0 : n;
}

int fflush(FILE *f)
{
    /* Nothing is buffered: every call has written its output already. */
    if (f && !valid(f))
        return EOF;
    return 0;
}

int fileno(FILE *f) { return valid(f) ? f->fd : -1; }
int ferror(FILE *f) { return valid(f) ? f->error : 0; }

void clearerr(FILE *f)
{
    if (valid(f))
        f->error = 0;
}
