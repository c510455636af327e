/* The C library subset (include/stdio.h, string.h, stdlib.h, ctype.h,
 * errno.h, assert.h), exercised so that its output can be compared byte
 * for byte with glibc's: xtask builds this same file with the host's cc
 * against glibc (-DLIBC_HOST), runs both, and wants the same stdout,
 * stderr and exit code. Nothing printed depends on the data model (long
 * is 32 bits on armv7): values of long and size_t stay within 32 bits,
 * and the 64-bit cases use long long and intmax_t.
 *
 * Modes (argv[1]): table (the default) prints everything; exit prints to
 * both streams and calls exit(3); assert fails an assertion; abort calls
 * abort. */
#ifdef LIBC_HOST
#define _POSIX_C_SOURCE 200809L /* strnlen, strdup, fileno, dprintf */
#endif
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LIBC_HOST
static int nargs;
static char **args;
#define ARGC() nargs
#define ARGV(i) ((const char *)args[i])
void main_main(void);
int main(int argc, char **argv)
{
    nargs = argc;
    args = argv;
    main_main();
    return 0;
}
#else
#include <runtime.h>
#define ARGC() rt_argc()
#define ARGV(i) rt_argv(i)
#endif

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Formats chosen at run time, so that the compiler checks none of them:
 * some are glibc's answers to questions the standard leaves open. */
static const char *const double_formats[] = {
    "%f", "%e", "%g", "%a", "%F", "%E", "%G", "%A", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f",
    "%.20f", "%.60f", "%.0e", "%.1e", "%.3e", "%.17e", "%.30e", "%.0g", "%.1g", "%.2g", "%.6g",
    "%.10g", "%.17g", "%.25g", "%#g", "%#.0f", "%#.0e", "%#.3g", "%#.2g", "%.0a", "%.1a",
    "%.3a", "%.13a", "%.20a", "%#a", "%+f", "% f", "%+e", "%20f", "%-20f|", "%020f", "%+020e",
    "%-+20g|", "%020a", "% 020g", "%+.3a", "%30.10e", "%#.0a", "%.400f", "%.800e", "%05G",
};

static const double *double_values(size_t *n)
{
    static double v[48];
    size_t i = 0;
    v[i++] = 0.0;
    v[i++] = -0.0;
    v[i++] = 1.0;
    v[i++] = -1.0;
    v[i++] = 0.1;
    v[i++] = 0.2;
    v[i++] = 0.3;
    v[i++] = 0.5;
    v[i++] = 1.5;
    v[i++] = 2.5;
    v[i++] = -2.5;
    v[i++] = 0.125;
    v[i++] = 0.375;
    v[i++] = 1e300;
    v[i++] = 5e-324;
    v[i++] = -5e-324;
    v[i++] = DBL_MAX;
    v[i++] = -DBL_MAX;
    v[i++] = DBL_MIN;
    v[i++] = DBL_MIN / 2;
    v[i++] = DBL_EPSILON;
    v[i++] = 123456789.0;
    v[i++] = 1e-5;
    v[i++] = 1e-4;
    v[i++] = 99999.5;
    v[i++] = 999999.5;
    v[i++] = 9.9999995;
    v[i++] = 0.000123456;
    v[i++] = 1e21;
    v[i++] = 1e22;
    v[i++] = 1e23;
    v[i++] = 3.14159265358979;
    v[i++] = 2.0 / 3;
    v[i++] = 1e100;
    v[i++] = 4.35;
    v[i++] = 0.045;
    v[i++] = 1e15;
    v[i++] = 1e16;
    v[i++] = 123.456;
    v[i++] = 65536.0;
    v[i++] = 999.9996;
    v[i++] = 99.96;
    v[i++] = 9007199254740993.0;
    v[i++] = from_bits(0x7FF0000000000000ull);  /* inf */
    v[i++] = from_bits(0xFFF0000000000000ull);  /* -inf */
    v[i++] = from_bits(0x7FF8000000000000ull);  /* nan */
    v[i++] = from_bits(0xFFF8000000000000ull);  /* -nan */
    v[i++] = from_bits(0x000FFFFFFFFFFFFFull);  /* the largest subnormal */
    *n = i;
    return v;
}

static void doubles(void)
{
    size_t nv;
    const double *v = double_values(&nv);
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < sizeof double_formats / sizeof *double_formats; j++) {
            printf("%s ", double_formats[j]);
            int r = printf(double_formats[j], v[i]);
            printf(" =%d\n", r);
        }
    /* Random doubles: any bit pattern, short decimals, and integers
     * times powers of two around 1. */
    for (int k = 0; k < 3000; k++) {
        double d = from_bits(next());
        if (k % 3 == 1)
            d = (double)(next() % 1000000) / 1000.0;
        else if (k % 3 == 2) {
            uint64_t m = next() >> 11;
            d = (double)m / (double)(1ull << (next() % 60));
        }
        printf("%.17g %a %.3e %.2f %g %.5a %.0f %#.3g\n", d, d, d, d, d, d, d, d);
    }
    /* Random specifications: flags, width, precision and conversion. */
    static const char *const flags[] = {"", "#", "+", " ", "-", "0", "#0", "+#", "- ", "-#0"};
    for (int k = 0; k < 2000; k++) {
        /* One draw a statement: the order in which a call's arguments
         * are evaluated is the compiler's. */
        char fmt[32];
        const char *f = flags[next() % 10];
        int w = (int)(next() % 30);
        int p = (int)(next() % 40);
        char c = "feEgGaA"[next() % 7];
        snprintf(fmt, sizeof fmt, "%%%s%d.%d%c|", f, w, p, c);
        double d = k % 2 ? from_bits(next()) : (double)(next() % 100000) / 64.0;
        printf("%s ", fmt);
        printf(fmt, d);
        f = flags[next() % 10];
        w = (int)(next() % 30);
        p = (int)(next() % 25);
        c = "diouxX"[next() % 6];
        snprintf(fmt, sizeof fmt, "%%%s%d.%dll%c|", f, w, p, c);
        uint64_t bits = next();
        long long v = (long long)(bits >> (next() % 64));
        printf(" %s ", fmt);
        printf(fmt, k % 3 ? v : -v);
        printf("\n");
    }
    printf("[%Lf][%Le][%Lg]\n", 2.5L, 2.5L, -0.375L);
}

/* Flags the standard leaves undefined for a conversion, and what is not
 * a conversion: glibc's answers. */
static const char *const odd_char_formats[] = {"[%05c]", "[%-05c]", "[%+c]"};
static const char *const odd_str_formats[] = {"[%05s]", "[% s]", "[%#s]"};
static const char *const odd_ptr_formats[] = {
    "[%+p]", "[% p]", "[%#p]", "[%010p]", "[%.3p]", "[%-10p]", "[%10p]", "[%-+12.4p]",
};
static const char *const odd_int_formats[] = {"[%08.3d]", "[%-#010o|]", "[%-+05d|]", "[%0-5d|]"};
static const char *const odd_plain_formats[] = {"[%y]", "[%5y]", "[%-%]", "[%5%]", "[%-5.2%]"};

static void odd_formats(void)
{
    for (size_t i = 0; i < sizeof odd_char_formats / sizeof *odd_char_formats; i++) {
        printf(odd_char_formats[i], 'a');
        printf("\n");
    }
    for (size_t i = 0; i < sizeof odd_str_formats / sizeof *odd_str_formats; i++) {
        printf(odd_str_formats[i], "ab");
        printf("\n");
    }
    for (size_t i = 0; i < sizeof odd_ptr_formats / sizeof *odd_ptr_formats; i++) {
        printf(odd_ptr_formats[i], (void *)0x12);
        printf(odd_ptr_formats[i], (void *)0);
        printf("\n");
    }
    for (size_t i = 0; i < sizeof odd_int_formats / sizeof *odd_int_formats; i++) {
        printf(odd_int_formats[i], 42);
        printf("\n");
    }
    for (size_t i = 0; i < sizeof odd_plain_formats / sizeof *odd_plain_formats; i++) {
        printf(odd_plain_formats[i], 0);
        printf("\n");
    }
}

static void integers(void)
{
    printf("[%d][%5d][%-5d][%05d][%+d][% d][%.3d][%8.3d][%-8.3d|]\n", 42, 42, 42, 42,
           42, 42, 42, 42, 42);
    printf("[%d][%i][%u][%o][%x][%X][%#o][%#x][%#X]\n", -42, -42, 42u, 42u, 255u, 255u, 8u,
           255u, 255u);
    printf("[%d][%d][%u][%x][%o]\n", INT_MAX, INT_MIN, UINT_MAX, UINT_MAX, UINT_MAX);
    /* An int converted to the modifier's type, as the standard says. */
    const char *narrow = "[%hhd][%hd][%hhu][%hu][%#hhx][%hhi]\n";
    printf(narrow, 300, 70000, 300, 70000, -1, -129);
    printf("[%lld][%lld][%llu][%llx][%#llo]\n", LLONG_MIN, LLONG_MAX, ULLONG_MAX,
           0xdeadbeefcafeULL, 01234567012345670ULL);
    printf("[%jd][%ju][%jx][%zu][%zd][%zx][%td][%tx]\n", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)1 << 63,
           (size_t)7, (ptrdiff_t)-7, (size_t)0xabcdef, (ptrdiff_t)-9, (ptrdiff_t)0x7fff);
    printf("[%ld][%lu][%lx][%lo][%li]\n", -123456789L, 123456789UL, 0xabcdefUL, 0777UL, -5L);
    printf("[%.0d][%+.0d][% .0d][%5.0d][%#.0o][%#.0x][%#o][%#x][%.0u]\n", 0, 0, 0, 0, 0, 0, 0, 0, 0u);
    printf("[%#.5o][%#5o][%#05x][%#-8x|][%#.3X]\n", 8u, 8u, 26u, 26u, 26u);
    printf("[%+5d][%+-5d|][% 05d][%+05d]\n", 7, 7, -7, 7);
    printf("[%c][%5c][%-5c|][%c%c%c]\n", 'a', 'b', 'c', 'x', 0x100 + 'y', 'z');
    printf("[%s][%10s][%-10s|][%.2s][%10.2s][%.0s][%s]\n", "hello", "hi", "hi", "hello", "hello",
           "gone", "");
    printf("[%*d][%-*d][%.*d][%*.*d][%.*f][%*s][%-*s|]\n", 6, 1, 6, 1, 4, 1, 8, 3, 7, -1, 3.5,
           -6, "ab", 4, "c");
    printf("[%%][%p][%p][%8p]\n", (void *)0x1234, (void *)0, (void *)0xff);
    odd_formats();
    printf("[%s][%10s][%.5s][%.6s]\n", (char *)NULL, (char *)NULL, (char *)NULL, (char *)NULL);
    char hh = 0;
    short h = 0;
    int n = 0;
    long l = 0;
    long long ll = 0;
    intmax_t j = 0;
    size_t z = 0;
    ptrdiff_t t = 0;
    printf("abc%hhn%hnde%nf%lng%llnhi%jn%zn%tn|\n", &hh, &h, &n, &l, &ll, &j, &z, &t);
    printf("counts %d %d %d %ld %lld %jd %zu %td\n", hh, h, n, l, ll, j, z, t);
    int r = printf("%s", "");
    printf("empty printf returns %d\n", r);
    errno = 0;
    const char *lone = "trailing %";
    r = printf(lone, 0);
    printf("\nlone %% returns %d errno %d\n", r, errno);
}

static int vsn(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static int vp(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vprintf(fmt, ap);
    va_end(ap);
    return r;
}

static int vfp(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

static void buffers(void)
{
    char buf[16];
    for (size_t n = 0; n <= 12; n += 3) {
        memset(buf, '#', sizeof buf);
        int r = snprintf(buf, n, "%s-%d", "abcdef", 12345);
        printf("snprintf n=%zu r=%d buf=", n, r);
        for (size_t i = 0; i < sizeof buf; i++)
            putchar(buf[i] ? buf[i] : '0');
        putchar('\n');
    }
    int r = snprintf(NULL, 0, "%.50f", 1.0 / 3);
    printf("snprintf(NULL, 0) = %d\n", r);
    r = vsn(buf, sizeof buf, "%x-%c-%s", 0xbeefu, '!', "tail that is long");
    printf("vsnprintf r=%d [%s]\n", r, buf);
    r = sprintf(buf, "%05.1f|%3s", 2.25, "x");
    printf("sprintf r=%d [%s]\n", r, buf);
    r = vp("vprintf %d %s\n", 1, "two");
    printf("vprintf r=%d\n", r);
    r = vfp(stdout, "vfprintf %+.2e\n", 12345.678);
    printf("vfprintf r=%d\n", r);
    r = fprintf(stdout, "fprintf %5.1s|\n", "xyz");
    printf("fprintf r=%d\n", r);
    r = puts("puts line");
    printf("puts r>=0 %d\n", r >= 0);
    r = fputs("fputs no newline", stdout);
    printf(" fputs r>=0 %d\n", r >= 0);
    r = putchar('P');
    printf(" putchar r=%d\n", r);
    r = fputc(0x141, stdout);
    printf(" fputc r=%d\n", r);
    r = putc('Q', stdout);
    printf(" putc r=%d\n", r);
    size_t w = fwrite("fwrite\n", 1, 7, stdout);
    printf("fwrite r=%zu\n", w);
    printf("fflush %d %d\n", fflush(stdout), fflush(NULL));
    printf("fileno %d %d %d ferror %d\n", fileno(stdin), fileno(stdout), fileno(stderr),
           ferror(stdout));
    /* A line longer than any stack buffer, in one call. */
    char *big = malloc(20001);
    memset(big, 'b', 20000);
    big[20000] = 0;
    r = printf("big %s %.300f end\n", big, 1e-300);
    printf("big r=%d\n", r);
    free(big);
}

/* A pointer as an offset into its string, or -1 for NULL. */
static long off(const char *p, const char *s)
{
    return p ? (long)(p - s) : -1L;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void strings(void)
{
    const char *s = "hello, world";
    printf("strlen %zu %zu\n", strlen(s), strlen(""));
    printf("strnlen %zu %zu %zu\n", strnlen(s, 5), strnlen(s, 100), strnlen("", 3));
    const char *cmp[][2] = {
        {"abc", "abc"}, {"abc", "abd"}, {"abd", "abc"}, {"ab", "abc"}, {"abc", "ab"},
        {"", ""}, {"", "a"}, {"\x80", "a"}, {"a", "\xff"}, {"abcdef", "abcxyz"},
    };
    for (size_t i = 0; i < sizeof cmp / sizeof *cmp; i++)
        printf("cmp %zu: strcmp %d strncmp3 %d strncmp0 %d memcmp2 %d\n", i,
               sign(strcmp(cmp[i][0], cmp[i][1])), sign(strncmp(cmp[i][0], cmp[i][1], 3)),
               sign(strncmp(cmp[i][0], cmp[i][1], 0)),
               sign(memcmp(cmp[i][0], cmp[i][1], strlen(cmp[i][0]) < 2 || strlen(cmp[i][1]) < 2 ? 0 : 2)));
    char buf[32];
    printf("strcpy [%s]\n", strcpy(buf, "copy"));
    printf("strcat [%s]\n", strcat(buf, " and more"));
    memset(buf, 'x', sizeof buf);
    strncpy(buf, "ab", 6);
    printf("strncpy pad:");
    for (int i = 0; i < 8; i++)
        printf(" %d", buf[i]);
    printf("\n");
    strncpy(buf, "abcdefgh", 4);
    printf("strncpy cut: %.4s %d\n", buf, buf[4]);
    printf("strchr %ld %ld %ld %ld\n", off(strchr(s, 'o'), s), off(strchr(s, 'z'), s),
           off(strchr(s, 0), s), off(strchr(s, 'h'), s));
    printf("strrchr %ld %ld %ld\n", off(strrchr(s, 'o'), s), off(strrchr(s, 'z'), s),
           off(strrchr(s, 0), s));
    const char *needles[] = {"world", "o", "", "hello, world!", "lo, w", "xyz", "d", "ll"};
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
        printf("strstr [%s] %ld\n", needles[i], off(strstr(s, needles[i]), s));
    printf("strstr empty %ld %ld\n", off(strstr("", ""), ""), off(strstr("", "a"), ""));
    printf("memchr %ld %ld %ld\n", off(memchr(s, 'w', 12), s), off(memchr(s, 'w', 7), s),
           off(memchr(s, 0, 13), s));
    printf("strspn %zu %zu %zu\n", strspn(s, "leh"), strspn(s, ""), strspn(s, "abcdefghijklmnopqrstuvwxyz, "));
    printf("strcspn %zu %zu %zu\n", strcspn(s, ","), strcspn(s, ""), strcspn(s, "xyz"));
    char *d = strdup(s);
    printf("strdup [%s] %d\n", d, d != s);
    free(d);
    char m[16] = "0123456789";
    memmove(m + 2, m, 5);
    printf("memmove [%s]\n", m);
    memcpy(m, "abc", 3);
    memset(m + 3, '-', 2);
    printf("memcpy/memset [%s]\n", m);
}

static void numbers(void)
{
    struct {
        const char *s;
        int base;
    } in[] = {
        {"0", 10}, {"42", 10}, {"  -42xyz", 10}, {"+17", 0}, {"0x1A", 0}, {"0x1A", 16},
        {"1A", 16}, {"0X", 16}, {"0xg", 0}, {"0x", 0}, {"077", 0}, {"077", 10}, {"08", 0},
        {"z", 36}, {"Zz", 36}, {"101", 2}, {"2", 2}, {"", 10}, {"   ", 10}, {"-", 10},
        {"+", 10}, {"\t\n\v\f\r 9", 10}, {"2147483647", 10}, {"-2147483648", 10},
        {"7fffffff", 16}, {"-0", 10}, {"12", 1}, {"12", 37}, {"12", -1},
        {"99999999999999999999999", 10}, {"-99999999999999999999999", 10},
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char *end = (char *)in[i].s;
        errno = 0;
        long v = strtol(in[i].s, &end, in[i].base);
        int e = errno;
        printf("strtol(\"%s\", %d) = ", in[i].s, in[i].base);
        /* The limits differ with the data model: named, when reached. */
        if (e == ERANGE && v == LONG_MAX)
            printf("LONG_MAX");
        else if (e == ERANGE && v == LONG_MIN)
            printf("LONG_MIN");
        else
            printf("%ld", v);
        printf(" end %ld errno %d\n", (long)(end - in[i].s), e);
        errno = 0;
        unsigned long u = strtoul(in[i].s, &end, in[i].base);
        e = errno;
        printf("strtoul = ");
        if (e == ERANGE && u == ULONG_MAX)
            printf("ULONG_MAX");
        else if (u > ULONG_MAX / 2) /* a negated magnitude */
            printf("-%lu", 0 - u);
        else
            printf("%lu", u);
        printf(" end %ld errno %d\n", (long)(end - in[i].s), e);
    }
    const char *in64[] = {
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "-1", "0xffffffffffffffff", "0x10000000000000000", "01777777777777777777777",
        "4294967296", "-4294967296", " +123456789012",
    };
    for (size_t i = 0; i < sizeof in64 / sizeof *in64; i++) {
        char *end;
        errno = 0;
        long long v = strtoll(in64[i], &end, 0);
        int e = errno;
        printf("strtoll(\"%s\") = %lld end %ld errno %d\n", in64[i], v, (long)(end - in64[i]), e);
        errno = 0;
        unsigned long long u = strtoull(in64[i], &end, 0);
        e = errno;
        printf("strtoull = %llu end %ld errno %d\n", u, (long)(end - in64[i]), e);
    }
    printf("strtol NULL end %ld\n", strtol("5", NULL, 10));
    printf("atoi %d %d %d %d %d\n", atoi("123"), atoi("  -45abc"), atoi("x"), atoi("+0"), atoi("2147483647"));
    printf("atol %ld %ld\n", atol("-2147483648"), atol("  77 "));
    printf("abs %d %d %d labs %ld %ld llabs %lld\n", abs(-5), abs(5), abs(0), labs(-70000L),
           labs(2147483647L), llabs(-9000000000LL));
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

struct rec {
    unsigned key;
    char name[13];
};

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static void sorting(void)
{
    static int v[1000];
    for (int n = 0; n <= 1000; n = n < 10 ? n + 1 : n * 3) {
        for (int i = 0; i < n; i++)
            v[i] = (int)(next() % 500) - 250;
        qsort(v, (size_t)n, sizeof *v, cmp_int);
        unsigned long sum = 0;
        int sorted = 1;
        for (int i = 0; i < n; i++) {
            sum = sum * 31 + (unsigned)v[i];
            if (i > 0 && v[i - 1] > v[i])
                sorted = 0;
        }
        printf("qsort n=%d sorted=%d hash=%lu first=%d last=%d\n", n, sorted, sum & 0xffffffffUL,
               n ? v[0] : 0, n ? v[n - 1] : 0);
    }
    static struct rec r[300];
    for (unsigned i = 0; i < 300; i++) {
        r[i].key = (i * 7919u) % 300u;
        snprintf(r[i].name, sizeof r[i].name, "rec%u", r[i].key);
    }
    qsort(r, 300, sizeof *r, cmp_rec);
    int ok = 1;
    for (unsigned i = 0; i < 300; i++)
        ok &= r[i].key == i && strcmp(r[i].name + 3, "") != 0;
    printf("qsort records ok=%d [%s] [%s]\n", ok, r[0].name, r[299].name);
    int keys[] = {-1000, -250, 0, 3, 249, 1000};
    int sorted[] = {-250, -3, 0, 0, 3, 7, 100, 249};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int *p = bsearch(&keys[i], sorted, 8, sizeof *sorted, cmp_int);
        printf("bsearch %d: %s\n", keys[i], p ? (*p == keys[i] ? "found" : "wrong") : "absent");
    }
    printf("bsearch empty: %d\n", bsearch(&keys[0], sorted, 0, sizeof *sorted, cmp_int) == NULL);
}

static void memory(void)
{
    int ok = 1;
    char *ps[64];
    for (int i = 0; i < 64; i++) {
        size_t n = (size_t)(i * i * 37 + i);
        ps[i] = malloc(n);
        ok &= ps[i] != NULL && ((uintptr_t)ps[i] & 15) == 0;
        memset(ps[i], i, n);
    }
    for (int i = 0; i < 64; i++) {
        size_t n = (size_t)(i * i * 37 + i);
        for (size_t k = 0; k < n; k++)
            ok &= ps[i][k] == (char)i;
        free(ps[i]);
    }
    printf("malloc: aligned, distinct, kept %d\n", ok);
    char *z = malloc(0);
    printf("malloc(0) not NULL %d\n", z != NULL);
    free(z);
    free(NULL);
    unsigned *c = calloc(1000, sizeof *c);
    unsigned s = 0;
    for (int i = 0; i < 1000; i++)
        s |= c[i];
    printf("calloc zero %d\n", s == 0);
    free(c);
    errno = 0;
    void *o = calloc(SIZE_MAX / 2, 4);
    printf("calloc overflow NULL %d errno %d\n", o == NULL, errno);
    char *r = malloc(10);
    memcpy(r, "0123456789", 10);
    for (size_t n = 20; n <= 400000; n *= 4) {
        r = realloc(r, n);
        memset(r + 10, 'x', n - 10);
    }
    r = realloc(r, 12);
    printf("realloc kept [%.12s]\n", r);
    free(r);
    char *q = realloc(NULL, 5);
    memcpy(q, "abcd", 5);
    printf("realloc(NULL) [%s]\n", q);
    free(q);
}

static void classes(void)
{
    int (*fn[])(int) = {isalnum, isalpha, isblank, iscntrl, isdigit, isgraph,
                        islower, isprint, ispunct, isspace, isupper, isxdigit};
    for (int c = -1; c < 256; c++) {
        unsigned mask = 0;
        for (size_t i = 0; i < sizeof fn / sizeof *fn; i++)
            mask |= (fn[i](c) != 0) << i;
        printf("%d:%03x:%d:%d%c", c, mask, tolower(c), toupper(c), c % 8 == 7 ? '\n' : ' ');
    }
    printf("\n");
}

static void environment(void)
{
    const char *v = getenv("LIBC_TEST_VAR");
    printf("getenv LIBC_TEST_VAR=[%s]\n", v ? v : "(unset)");
    v = getenv("LIBC_TEST_VA");
    printf("getenv prefix [%s]\n", v ? v : "(unset)");
    v = getenv("LIBC_TEST_UNSET");
    printf("getenv unset [%s]\n", v ? v : "(unset)");
    printf("errno values %d %d %d %d %d %d %d %d %d\n", EDOM, ERANGE, EILSEQ, ENOENT, EINVAL,
           ENOMEM, EAGAIN, EBADF, ETIMEDOUT);
    errno = 0;
    strtoll("99999999999999999999", NULL, 10);
    printf("errno after overflow %d, %s\n", errno, errno == ERANGE ? "ERANGE" : "?");
    errno = 7;
    printf("errno kept %d\n", errno);
    printf("limits %d %d %lld %u %d %d\n", INT_MAX, INT_MIN, LLONG_MAX, UINT_MAX, CHAR_BIT,
           SCHAR_MIN);
    printf("float.h %d %d %.17g %a\n", DBL_MANT_DIG, DBL_DIG, DBL_EPSILON, DBL_MAX);
    bool b = true;
    printf("stdbool %d offsetof %zu\n", b, offsetof(struct rec, name));
    static_assert(sizeof(int32_t) == 4, "int32_t");
    assert(b);
    printf("assert true passed\n");
}

void main_main(void)
{
    const char *mode = ARGC() > 1 ? ARGV(1) : "table";
    if (strcmp(mode, "exit") == 0) {
        printf("to stdout %d\n", 1);
        fprintf(stderr, "to stderr %s %5.2f\n", "x", 2.345);
        fputs("fputs to stderr\n", stderr);
        exit(3);
    }
    if (strcmp(mode, "assert") == 0) {
        int two = 2;
        printf("before\n");
        assert(two + two == 5);
        printf("not reached\n");
        return;
    }
    if (strcmp(mode, "abort") == 0) {
        printf("before\n");
        abort();
    }
    integers();
    buffers();
    strings();
    numbers();
    sorting();
    memory();
    classes();
    environment();
    doubles();
    printf("done\n");
}
