/* <stdio.h>: formatted output for the three standard streams.
 *
 * There is no buffering: each call (printf, puts, fputs, ...) formats its
 * whole output in memory and hands it to the kernel in one write, under
 * a lock of the stream, so output of one call never interleaves with
 * another's, whatever goroutines make them. fflush has nothing to do.
 *
 * The conversions are C99's: flags - + space # 0, width and precision
 * (also as *), the hh h l ll j z t L modifiers, d i u o x X c s p n %,
 * and f F e E g G a A for doubles (exact decimal expansion, rounded to
 * nearest with ties to even, as glibc). Output is glibc's byte for byte,
 * also for glibc's own choices: "(nil)" for a null %p, "(null)" for a
 * null %s, "-nan". An L double is converted to double first.
 *
 * Not provided: FILE streams other than stdin, stdout and stderr (fopen
 * and friends), input (scanf, getc, fgets), locales, wide characters
 * (%lc, %ls, wprintf), positional arguments (%1$d), perror, remove. */
#ifndef _RT_STDIO_H
#define _RT_STDIO_H

#define __need_size_t
#define __need_NULL
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __rt_FILE FILE;

extern FILE *const stdin;
extern FILE *const stdout;
extern FILE *const stderr;
#define stdin stdin
#define stdout stdout
#define stderr stderr

#define EOF (-1)
#define BUFSIZ 8192

#define __RT_PRINTF(f, a) __attribute__((format(printf, f, a)))

int printf(const char *__restrict fmt, ...) __RT_PRINTF(1, 2);
int fprintf(FILE *__restrict f, const char *__restrict fmt, ...) __RT_PRINTF(2, 3);
int dprintf(int fd, const char *__restrict fmt, ...) __RT_PRINTF(2, 3);
int sprintf(char *__restrict buf, const char *__restrict fmt, ...) __RT_PRINTF(2, 3);
int snprintf(char *__restrict buf, size_t n, const char *__restrict fmt, ...) __RT_PRINTF(3, 4);
int vprintf(const char *__restrict fmt, __builtin_va_list ap) __RT_PRINTF(1, 0);
int vfprintf(FILE *__restrict f, const char *__restrict fmt, __builtin_va_list ap) __RT_PRINTF(2, 0);
int vdprintf(int fd, const char *__restrict fmt, __builtin_va_list ap) __RT_PRINTF(2, 0);
int vsprintf(char *__restrict buf, const char *__restrict fmt, __builtin_va_list ap) __RT_PRINTF(2, 0);
int vsnprintf(char *__restrict buf, size_t n, const char *__restrict fmt, __builtin_va_list ap)
    __RT_PRINTF(3, 0);

int puts(const char *s);
int fputs(const char *__restrict s, FILE *__restrict f);
int putchar(int c);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
size_t fwrite(const void *__restrict p, size_t size, size_t n, FILE *__restrict f);
int fflush(FILE *f);
int fileno(FILE *f);
/* The error indicator: set by a failed write, cleared by clearerr. */
int ferror(FILE *f);
void clearerr(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* _RT_STDIO_H */
