/* <stdlib.h>: the freestanding subset the runtime provides (C locale).
 *
 * malloc and friends are the runtime's allocator (the same blocks as
 * rt_malloc/rt_free): 16-byte aligned; running out of memory ends the
 * program with Go's "fatal error: out of memory" (exit 2) rather than
 * returning NULL, and free of a pointer that is not a live block is a
 * fatal error naming it. exit ends the process at once (there is no
 * buffering to flush and no atexit); abort raises SIGABRT, which the
 * runtime reports as Go does (exit 2). Not provided: atexit, system,
 * rand, strtod, atof, div, the multibyte functions. */
#ifndef _RT_STDLIB_H
#define _RT_STDLIB_H

#define __need_size_t
#define __need_wchar_t
#define __need_NULL
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t n) __attribute__((malloc));
void *calloc(size_t nmemb, size_t size) __attribute__((malloc));
void *realloc(void *p, size_t n);
void free(void *p);

long strtol(const char *__restrict s, char **__restrict end, int base);
unsigned long strtoul(const char *__restrict s, char **__restrict end, int base);
long long strtoll(const char *__restrict s, char **__restrict end, int base);
unsigned long long strtoull(const char *__restrict s, char **__restrict end, int base);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);

int abs(int v);
long labs(long v);
long long llabs(long long v);

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));

void exit(int status) __attribute__((noreturn));
void _Exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));
char *getenv(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* _RT_STDLIB_H */
