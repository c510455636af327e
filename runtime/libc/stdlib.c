/* <stdlib.h>: number parsing, sorting and searching, the environment and
 * exit. malloc and friends and abort are the runtime's (Rust:
 * runtime/src/clib.rs). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <runtime.h>
#include <stdlib.h>

/* The value of digit c in bases up to 36, or 36 for a non-digit. */
static int digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 36;
}

/* What the strto* functions share: white space, a sign, the base's
 * prefix, the digits. Returns the magnitude (saturated at `max`, with
 * *over set) and sets *neg; *end is after the last digit, or s when there
 * is none. A base outside 0 and 2..36 is EINVAL (and *end is not set). */
static unsigned long long parse(const char *s, char **end, int base, unsigned long long max,
                                int *neg, int *over)
{
    const char *p = s;
    *neg = 0;
    *over = 0;
    /* A bad base leaves *end alone, as glibc. */
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        return 0;
    }
    if (end)
        *end = (char *)s;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    /* "0x" counts as a prefix only when a hex digit follows it: in
     * "0xg" only the 0 is a number. */
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    unsigned long long v = 0;
    const char *first = p;
    for (int d; (d = digit((unsigned char)*p)) < base; p++) {
        if (*over)
            continue;
        if (v > (max - (unsigned)d) / (unsigned)base) {
            *over = 1;
            v = max;
        } else {
            v = v * (unsigned)base + (unsigned)d;
        }
    }
    if (p == first)
        return 0;
    if (end)
        *end = (char *)p;
    return v;
}

/* A signed result in [min, max]; a magnitude beyond it saturates with
 * ERANGE. */
static long long signed_result(unsigned long long v, int neg, int over, long long min,
                               long long max)
{
    unsigned long long limit = neg ? (unsigned long long)max + 1 : (unsigned long long)max;
    if (over || v > limit) {
        errno = ERANGE;
        return neg ? min : max;
    }
    return neg ? (long long)(0 - v) : (long long)v;
}

long strtol(const char *__restrict s, char **__restrict end, int base)
{
    int neg, over;
    unsigned long long v = parse(s, end, base, ULLONG_MAX, &neg, &over);
    return (long)signed_result(v, neg, over, LONG_MIN, LONG_MAX);
}

long long strtoll(const char *__restrict s, char **__restrict end, int base)
{
    int neg, over;
    unsigned long long v = parse(s, end, base, ULLONG_MAX, &neg, &over);
    return signed_result(v, neg, over, LLONG_MIN, LLONG_MAX);
}

/* As the standard says, a minus sign negates the magnitude in the
 * unsigned type; only a magnitude too large for it is ERANGE. */
unsigned long strtoul(const char *__restrict s, char **__restrict end, int base)
{
    int neg, over;
    unsigned long long v = parse(s, end, base, ULONG_MAX, &neg, &over);
    if (over) {
        errno = ERANGE;
        return ULONG_MAX;
    }
    return neg ? 0 - (unsigned long)v : (unsigned long)v;
}

unsigned long long strtoull(const char *__restrict s, char **__restrict end, int base)
{
    int neg, over;
    unsigned long long v = parse(s, end, base, ULLONG_MAX, &neg, &over);
    if (over) {
        errno = ERANGE;
        return ULLONG_MAX;
    }
    return neg ? 0 - v : v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }

int abs(int v) { return v < 0 ? -v : v; }
long labs(long v) { return v < 0 ? -v : v; }
long long llabs(long long v) { return v < 0 ? -v : v; }

static void swap(unsigned char *a, unsigned char *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* Moves element i down the heap of n elements until both children are
 * no greater. */
static void sift(unsigned char *base, size_t i, size_t n, size_t size,
                 int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < n && cmp(base + l * size, base + big * size) > 0)
            big = l;
        if (r < n && cmp(base + r * size, base + big * size) > 0)
            big = r;
        if (big == i)
            return;
        swap(base + i * size, base + big * size, size);
        i = big;
    }
}

/* Heapsort: O(n log n) in every case, no recursion and no memory beyond
 * the array (a goroutine's stack is small). Not stable, which the
 * standard does not ask for. */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *b = base;
    if (n < 2 || size == 0)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift(b, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap(b, b + end * size, size);
        sift(b, 0, end, size, cmp);
    }
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
    const unsigned char *lo = base;
    while (n > 0) {
        const unsigned char *mid = lo + (n / 2) * size;
        int c = cmp(key, mid);
        if (c == 0)
            return (void *)mid;
        if (c > 0) {
            lo = mid + size;
            n -= n / 2 + 1;
        } else {
            n /= 2;
        }
    }
    return NULL;
}

char *getenv(const char *name) { return (char *)rt_getenv(name); }

void exit(int status) { rt_exit(status); }
void _Exit(int status) { rt_exit(status); }
