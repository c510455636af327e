/* printf's doubles: %f %F %e %E %g %G %a %A.
 *
 * The decimal conversions work on the exact decimal expansion of the
 * double (every double is a finite decimal: m * 2^e is m * 5^-e / 10^-e
 * when e < 0), computed with a big integer in base 10^9, and round it
 * to the precision asked, to nearest with ties to even, as glibc does in
 * the default rounding mode. So %.20f and %.17g print the digits glibc
 * prints, and %.0f of 0.5 and 2.5 is "0" and "2". A double has at most
 * 767 significant decimal digits; the rest of a large precision is zeros.
 *
 * %a prints the binary value in hex, glibc's way: a leading 1 (0 for
 * zero and subnormals, which keep the exponent -1022), as many hex digits
 * as needed (or the precision, rounded to even), and rounding may make
 * the leading digit 2 ("%.0a" of 1.5 is "0x2p+0"). */
#include "format.h"

#include <stdint.h>
#include <string.h>

/* Limbs of 9 decimal digits: a double's integer part has at most 309
 * digits, m * 5^1074 at most 767. */
#define LIMBS 88
#define BASE 1000000000u
/* Digits of the exact expansion, and a few to spare. */
#define MAXDIG (LIMBS * 9)

struct big {
    uint32_t l[LIMBS]; /* little-endian, each < BASE */
    int n;
};

static void mul_small(struct big *b, uint32_t f)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->l[i] * f + carry;
        b->l[i] = (uint32_t)(t % BASE);
        carry = t / BASE;
    }
    while (carry && b->n < LIMBS) {
        b->l[b->n++] = (uint32_t)(carry % BASE);
        carry /= BASE;
    }
}

/* The decimal digits of the finite, non-zero m * 2^e2 into d (ASCII, the
 * first not '0', no trailing '0'); returns how many, and sets *dp so
 * that the value is d[0].d[1]d[2]... * 10^*dp. */
static int exact_digits(uint64_t m, int e2, char *d, int *dp)
{
    while (!(m & 1) && e2 < 0) {
        m >>= 1;
        e2++;
    }
    struct big b;
    b.n = 0;
    for (uint64_t x = m; x; x /= BASE)
        b.l[b.n++] = (uint32_t)(x % BASE);
    int k = 0; /* decimal places: the value is b / 10^k */
    if (e2 >= 0) {
        for (; e2 >= 29; e2 -= 29)
            mul_small(&b, 1u << 29);
        mul_small(&b, 1u << e2);
    } else {
        k = -e2;
        int i = k;
        for (; i >= 13; i -= 13)
            mul_small(&b, 1220703125u); /* 5^13 */
        uint32_t f = 1;
        while (i-- > 0)
            f *= 5;
        mul_small(&b, f);
    }
    /* The top limb without its leading zeros, then 9 digits a limb. */
    int n = 0;
    char top[10];
    int t = 0;
    for (uint32_t x = b.l[b.n - 1]; x; x /= 10)
        top[t++] = (char)('0' + x % 10);
    while (t > 0)
        d[n++] = top[--t];
    for (int i = b.n - 2; i >= 0; i--) {
        uint32_t x = b.l[i];
        for (int j = 8; j >= 0; j--) {
            d[n + j] = (char)('0' + x % 10);
            x /= 10;
        }
        n += 9;
    }
    *dp = n - 1 - k;
    while (n > 1 && d[n - 1] == '0')
        n--;
    return n;
}

/* Whether keeping the first r of the n digits rounds up: the rest is
 * more than half a unit of the last kept digit, or exactly half and that
 * digit is odd (before the first digit there is an even 0). */
static int rounds_up(const char *d, int n, long long r)
{
    if (r < 0 || r >= n)
        return 0;
    if (d[r] != '5')
        return d[r] > '5';
    if (r + 1 < n)
        return 1; /* no trailing zeros: something follows the 5 */
    return r > 0 && ((d[r - 1] - '0') & 1);
}

/* Keeps r digits, rounded; a value that rounds to nothing becomes "0"
 * with *dp 0. Trailing zeros are dropped. Returns the new count. */
static int round_at(char *d, int n, int *dp, long long r)
{
    if (r >= n)
        return n;
    if (rounds_up(d, n, r)) {
        long long i = r - 1;
        while (i >= 0 && d[i] == '9')
            i--;
        if (i < 0) {
            d[0] = '1';
            (*dp)++;
            return 1;
        }
        d[i]++;
        return (int)i + 1;
    }
    while (r > 0 && d[r - 1] == '0')
        r--;
    if (r <= 0) {
        d[0] = '0';
        *dp = 0;
        return 1;
    }
    return (int)r;
}

/* Writes digits [from, from+count) of the expansion. */
static void out_digits(struct sink *s, const char *d, int n, long long from, long long count)
{
    while (count > 0 && from < 0) {
        __rt_out(s, "0", 1);
        from++, count--;
    }
    if (count <= 0)
        return;
    if (from < n) {
        long long k = n - from < count ? n - from : count;
        __rt_out(s, d + from, (size_t)k);
        count -= k;
    }
    __rt_pad(s, '0', (size_t)count);
}

/* The digits as %f lays them out, with `frac` digits after the point. */
static void put_f(struct sink *s, const struct spec *sp, const char *sign, const char *d, int n,
                  int dp, long long frac, int point)
{
    long long intlen = dp < 0 ? 1 : (long long)dp + 1;
    size_t slen = strlen(sign);
    size_t len = (size_t)(intlen + point + frac);
    __rt_pad_before(s, sp, sign, slen, len, 1);
    if (dp < 0)
        __rt_out(s, "0", 1);
    else
        out_digits(s, d, n, 0, intlen);
    if (point)
        __rt_out(s, ".", 1);
    out_digits(s, d, n, (long long)dp + 1, frac);
    __rt_pad_after(s, sp, slen, len);
}

/* The digits as %e lays them out, with `frac` digits after the point. */
static void put_e(struct sink *s, const struct spec *sp, const char *sign, const char *d, int n,
                  int dp, long long frac, int point, int upper)
{
    char exp[8];
    int e = dp < 0 ? -dp : dp;
    int elen = 0;
    char rev[6];
    int r = 0;
    do {
        rev[r++] = (char)('0' + e % 10);
        e /= 10;
    } while (e);
    if (r < 2)
        rev[r++] = '0';
    exp[elen++] = upper ? 'E' : 'e';
    exp[elen++] = dp < 0 ? '-' : '+';
    while (r > 0)
        exp[elen++] = rev[--r];
    size_t slen = strlen(sign);
    size_t len = (size_t)(1 + point + frac + elen);
    __rt_pad_before(s, sp, sign, slen, len, 1);
    __rt_out(s, d, 1);
    if (point)
        __rt_out(s, ".", 1);
    out_digits(s, d, n, 1, frac);
    __rt_out(s, exp, (size_t)elen);
    __rt_pad_after(s, sp, slen, len);
}

/* %a: the binary value in hex. */
static void put_a(struct sink *s, const struct spec *sp, const char *sign, uint64_t bits)
{
    int upper = sp->conv == 'A';
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int ebits = (int)(bits >> 52 & 0x7ff);
    uint64_t x = bits & ((1ull << 52) - 1); /* lead digit above 52 bits of fraction */
    int exp = 0;
    if (ebits) {
        x |= 1ull << 52;
        exp = ebits - 1023;
    } else if (x) {
        exp = -1022;
    }
    int ndig = 13; /* hex digits after the point */
    if (sp->prec >= 0 && sp->prec < 13) {
        int shift = 52 - 4 * sp->prec;
        uint64_t rem = x & ((1ull << shift) - 1), half = 1ull << (shift - 1);
        x >>= shift;
        if (rem > half || (rem == half && (x & 1)))
            x++;
        x <<= shift;
        ndig = sp->prec;
    } else if (sp->prec < 0) {
        while (ndig > 0 && !(x >> (52 - 4 * ndig) & 0xf))
            ndig--;
    }
    char body[32];
    int n = 0;
    body[n++] = hex[x >> 52];
    if (ndig > 0 || sp->alt)
        body[n++] = '.';
    for (int i = 1; i <= ndig && i <= 13; i++)
        body[n++] = hex[x >> (52 - 4 * i) & 0xf];
    long long extra = sp->prec > 13 ? sp->prec - 13 : 0;
    char tail[8];
    int t = 0;
    tail[t++] = upper ? 'P' : 'p';
    tail[t++] = exp < 0 ? '-' : '+';
    char rev[6];
    int r = 0;
    for (int e = exp < 0 ? -exp : exp; r == 0 || e; e /= 10)
        rev[r++] = (char)('0' + e % 10);
    while (r > 0)
        tail[t++] = rev[--r];
    char prefix[4];
    size_t plen = strlen(sign);
    memcpy(prefix, sign, plen);
    prefix[plen++] = '0';
    prefix[plen++] = upper ? 'X' : 'x';
    size_t len = (size_t)n + (size_t)extra + (size_t)t;
    __rt_pad_before(s, sp, prefix, plen, len, 1);
    __rt_out(s, body, (size_t)n);
    __rt_pad(s, '0', (size_t)extra);
    __rt_out(s, tail, (size_t)t);
    __rt_pad_after(s, sp, plen, len);
}

void __rt_format_double(struct sink *s, const struct spec *sp, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 63);
    const char *sign = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    char conv = sp->conv;
    int upper = conv == 'F' || conv == 'E' || conv == 'G' || conv == 'A';
    int ebits = (int)(bits >> 52 & 0x7ff);
    uint64_t frac = bits & ((1ull << 52) - 1);
    if (ebits == 0x7ff) {
        /* inf and nan: never zero-padded. */
        const char *t = frac ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        size_t slen = strlen(sign);
        __rt_pad_before(s, sp, sign, slen, 3, 0);
        __rt_out(s, t, 3);
        __rt_pad_after(s, sp, slen, 3);
        return;
    }
    if (conv == 'a' || conv == 'A') {
        put_a(s, sp, sign, bits);
        return;
    }
    char d[MAXDIG];
    int dp = 0, n = 1;
    if (ebits == 0 && frac == 0)
        d[0] = '0';
    else if (ebits == 0)
        n = exact_digits(frac, -1074, d, &dp);
    else
        n = exact_digits(frac | 1ull << 52, ebits - 1075, d, &dp);
    long long prec = sp->prec < 0 ? 6 : sp->prec;
    if (conv == 'f' || conv == 'F') {
        n = round_at(d, n, &dp, (long long)dp + prec + 1);
        put_f(s, sp, sign, d, n, dp, prec, prec > 0 || sp->alt);
    } else if (conv == 'e' || conv == 'E') {
        n = round_at(d, n, &dp, prec + 1);
        put_e(s, sp, sign, d, n, dp, prec, prec > 0 || sp->alt, upper);
    } else {
        /* %g: P significant digits; X is the exponent %e would print. */
        long long p = prec == 0 ? 1 : prec;
        long long x = dp;
        int carried = 0;
        if (rounds_up(d, n, p)) {
            long long i = 0;
            while (i < p && d[i] == '9')
                i++;
            if (i == p)
                x++, carried = 1;
        }
        if (p > x && x >= -4) {
            long long fp = p - 1 - x;
            n = round_at(d, n, &dp, (long long)dp + fp + 1);
            long long need = n - 1 - (long long)dp;
            long long f = sp->alt ? fp : need > 0 ? need : 0;
            put_f(s, sp, sign, d, n, dp, f, f > 0 || sp->alt);
        } else {
            n = round_at(d, n, &dp, p);
            long long f = sp->alt ? p - 1 : n - 1;
            /* glibc's choice: when rounding carries the exponent from
             * P - 1 (%f style, no digit after the point) up to P, %#g
             * keeps no digit after the point ("%#g" of 999999.5 is
             * "1.e+06"). */
            if (sp->alt && carried && x == p)
                f = 0;
            put_e(s, sp, sign, d, n, dp, f, f > 0 || sp->alt, upper);
        }
    }
}
