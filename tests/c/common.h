/* Output helpers for the test programs: there is no printf without libc. */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H
#include <runtime.h>

static inline unsigned long str_len(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static inline void out(const char *s)
{
    rt_write(1, s, str_len(s));
}

static inline void out_int(long v)
{
    char buf[24];
    int i = sizeof buf;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    do {
        buf[--i] = '0' + u % 10;
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--i] = '-';
    rt_write(1, buf + i, sizeof buf - i);
}

static inline void out_kv(const char *k, long v)
{
    out(k);
    out("=");
    out_int(v);
    out("\n");
}

static inline long to_int(const char *s)
{
    long v = 0;
    int neg = *s == '-';
    if (neg)
        s++;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return neg ? -v : v;
}

static inline int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}
#endif
