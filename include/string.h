/* <string.h>: the freestanding subset the runtime provides (C locale).
 *
 * memcpy, memmove, memset, memcmp and strlen are the runtime's own (the
 * compiler calls them too: runtime/mem); the rest are in runtime/libc/string.c. Not provided:
 * strerror, strtok, strcoll, strxfrm and the wide-character functions. */
#ifndef _RT_STRING_H
#define _RT_STRING_H

#define __need_size_t
#define __need_NULL
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *memcpy(void *__restrict dst, const void *__restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *__restrict dst, const char *__restrict src);
char *strncpy(char *__restrict dst, const char *__restrict src, size_t n);
char *strcat(char *__restrict dst, const char *__restrict src);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
/* A copy in memory from malloc (free it with free). */
char *strdup(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* _RT_STRING_H */
