/* <string.h> beyond the memory functions and strlen (which the runtime
 * has in Rust, runtime/mem).
 * Bytes compare as unsigned char, as the standard says. Simple loops: the
 * strings C programs handle here are short, and each function stays in a
 * section of its own, linked only when called. */
#include <stdlib.h>
#include <string.h>

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n > 0; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

size_t strnlen(const char *s, size_t maxlen)
{
    size_t n = 0;
    while (n < maxlen && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y)
        x++, y++;
    return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n > 0; n--, x++, y++)
        if (*x != *y || !*x)
            return *x - *y;
    return 0;
}

char *strcpy(char *__restrict dst, const char *__restrict src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}

char *strncpy(char *__restrict dst, const char *__restrict src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

char *strcat(char *__restrict dst, const char *__restrict src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return (char *)haystack;
    for (; (haystack = strchr(haystack, *needle)); haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    return NULL;
}

/* The set of bytes in `set`, as a 256-bit map. */
static void byteset(unsigned long *map, const char *set)
{
    const unsigned bits = 8 * sizeof *map;
    for (unsigned i = 0; i < 256 / bits; i++)
        map[i] = 0;
    for (const unsigned char *p = (const unsigned char *)set; *p; p++)
        map[*p / bits] |= 1UL << (*p % bits);
}

static int inset(const unsigned long *map, unsigned char c)
{
    const unsigned bits = 8 * sizeof *map;
    return (map[c / bits] >> (c % bits)) & 1;
}

size_t strspn(const char *s, const char *accept)
{
    unsigned long map[256 / (8 * sizeof(unsigned long))];
    byteset(map, accept);
    size_t n = 0;
    while (s[n] && inset(map, (unsigned char)s[n]))
        n++;
    return n;
}

size_t strcspn(const char *s, const char *reject)
{
    unsigned long map[256 / (8 * sizeof(unsigned long))];
    byteset(map, reject);
    size_t n = 0;
    while (s[n] && !inset(map, (unsigned char)s[n]))
        n++;
    return n;
}

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
