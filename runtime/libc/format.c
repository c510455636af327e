/* The printf engine: parses C99 conversion specifications and formats
 * integers, characters, strings and pointers (doubles: float.c). Output
 * goes to a sink (format.h), so that one call's output is one buffer.
 * Where the standard leaves a choice, the choice is glibc's: "(null)" for
 * a null %s (when the precision allows 6 bytes, else nothing), "(nil)"
 * for a null %p, %p as %#lx with the + and space flags, an unknown
 * conversion copied as written. */
#include "format.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void __rt_out(struct sink *s, const char *p, size_t n)
{
    s->total += n;
    if (s->cap - s->len < n && s->grow) {
        size_t cap = s->cap * 2;
        if (cap < s->len + n)
            cap = s->len + n;
        char *b = malloc(cap);
        memcpy(b, s->buf, s->len);
        if (s->heap)
            free(s->buf);
        s->buf = b;
        s->cap = cap;
        s->heap = 1;
    }
    size_t room = s->cap - s->len;
    if (n > room)
        n = room;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

void __rt_pad(struct sink *s, char c, size_t n)
{
    char chunk[32];
    memset(chunk, c, sizeof chunk);
    for (; n > sizeof chunk; n -= sizeof chunk)
        __rt_out(s, chunk, sizeof chunk);
    __rt_out(s, chunk, n);
}

/* Bytes of padding a field of n bytes needs. */
static size_t padding(const struct spec *sp, size_t n)
{
    return sp->width > 0 && (size_t)sp->width > n ? (size_t)sp->width - n : 0;
}

void __rt_pad_before(struct sink *s, const struct spec *sp, const char *prefix, size_t plen,
                     size_t len, int zero_ok)
{
    size_t pad = padding(sp, plen + len);
    int zeros = zero_ok && sp->zero && !sp->left;
    if (!sp->left && !zeros)
        __rt_pad(s, ' ', pad);
    __rt_out(s, prefix, plen);
    if (zeros)
        __rt_pad(s, '0', pad);
}

void __rt_pad_after(struct sink *s, const struct spec *sp, size_t plen, size_t len)
{
    if (sp->left)
        __rt_pad(s, ' ', padding(sp, plen + len));
}

/* An integer conversion: `v` is the magnitude, `neg` its sign (signed
 * conversions only). */
static void format_int(struct sink *s, const struct spec *sp, uintmax_t v, int neg)
{
    char digits[3 * sizeof v + 1];
    const char *alphabet = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = 10;
    if (sp->conv == 'o')
        base = 8;
    else if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
        base = 16;
    size_t n = 0;
    char *end = digits + sizeof digits;
    for (uintmax_t x = v; x != 0; x /= base)
        end[-(long)++n] = alphabet[x % base];
    /* Precision 0 prints no digit for 0; otherwise 0 is one digit. */
    if (v == 0 && sp->prec != 0)
        end[-(long)++n] = '0';
    size_t prec = sp->prec > 0 ? (size_t)sp->prec : 0;
    if (prec < n)
        prec = n;
    /* %#o: the first digit printed is a 0. */
    if (sp->conv == 'o' && sp->alt && (n == 0 || end[-(long)n] != '0') && prec <= n)
        prec = n + 1;
    char prefix[2];
    size_t plen = 0;
    if (sp->conv == 'd' || sp->conv == 'i' || sp->conv == 'p') {
        if (neg)
            prefix[plen++] = '-';
        else if (sp->plus)
            prefix[plen++] = '+';
        else if (sp->space)
            prefix[plen++] = ' ';
    }
    char hex[2] = {'0', sp->conv == 'X' ? 'X' : 'x'};
    const char *pre = prefix;
    if ((sp->conv == 'x' || sp->conv == 'X') && sp->alt && v != 0) {
        pre = hex;
        plen = 2;
    }
    char both[3];
    if (sp->conv == 'p') {
        /* A sign (+ or space) and then 0x. */
        memcpy(both, prefix, plen);
        memcpy(both + plen, hex, 2);
        pre = both;
        plen += 2;
    }
    /* The 0 flag is ignored when a precision is given. */
    __rt_pad_before(s, sp, pre, plen, prec, sp->prec < 0);
    __rt_pad(s, '0', prec - n);
    __rt_out(s, end - n, n);
    __rt_pad_after(s, sp, plen, prec);
}

static void format_str(struct sink *s, const struct spec *sp, const char *str)
{
    if (!str)
        str = sp->prec < 0 || sp->prec >= 6 ? "(null)" : "";
    size_t n = sp->prec < 0 ? strlen(str) : strnlen(str, (size_t)sp->prec);
    __rt_pad_before(s, sp, "", 0, n, 0);
    __rt_out(s, str, n);
    __rt_pad_after(s, sp, 0, n);
}

/* The length modifiers. */
enum { L_NONE, L_HH, L_H, L_L, L_LL, L_J, L_Z, L_T, L_BIG_L };

static intmax_t signed_arg(va_list *ap, int len)
{
    switch (len) {
    case L_HH: return (signed char)va_arg(*ap, int);
    case L_H: return (short)va_arg(*ap, int);
    case L_L: return va_arg(*ap, long);
    case L_LL: return va_arg(*ap, long long);
    case L_J: return va_arg(*ap, intmax_t);
    case L_Z: return (ptrdiff_t)va_arg(*ap, size_t);
    case L_T: return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

static uintmax_t unsigned_arg(va_list *ap, int len)
{
    switch (len) {
    case L_HH: return (unsigned char)va_arg(*ap, unsigned);
    case L_H: return (unsigned short)va_arg(*ap, unsigned);
    case L_L: return va_arg(*ap, unsigned long);
    case L_LL: return va_arg(*ap, unsigned long long);
    case L_J: return va_arg(*ap, uintmax_t);
    case L_Z: return va_arg(*ap, size_t);
    case L_T: return (size_t)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned);
    }
}

/* %n: the count so far, stored in the type the modifier names. */
static void store_count(va_list *ap, int len, size_t count)
{
    switch (len) {
    case L_HH: *va_arg(*ap, signed char *) = (signed char)count; break;
    case L_H: *va_arg(*ap, short *) = (short)count; break;
    case L_L: *va_arg(*ap, long *) = (long)count; break;
    case L_LL: *va_arg(*ap, long long *) = (long long)count; break;
    case L_J: *va_arg(*ap, intmax_t *) = (intmax_t)count; break;
    case L_Z: *va_arg(*ap, size_t *) = count; break;
    case L_T: *va_arg(*ap, ptrdiff_t *) = (ptrdiff_t)count; break;
    default: *va_arg(*ap, int *) = (int)count; break;
    }
}

/* A decimal number in a format (a width or a precision), saturated. */
static int number(const char **f)
{
    int v = 0;
    for (; **f >= '0' && **f <= '9'; (*f)++)
        v = v > (INT_MAX - 9) / 10 ? INT_MAX : v * 10 + (**f - '0');
    return v;
}

/* One conversion, `*f` just after its '%'; advances *f past it. */
static void conversion(struct sink *s, const char **f, va_list *ap)
{
    const char *start = *f - 1;
    struct spec sp = {0, 0, 0, 0, 0, 0, -1, 0};
    for (;; (*f)++) {
        char c = **f;
        if (c == '-') sp.left = 1;
        else if (c == '+') sp.plus = 1;
        else if (c == ' ') sp.space = 1;
        else if (c == '#') sp.alt = 1;
        else if (c == '0') sp.zero = 1;
        else break;
    }
    if (**f == '*') {
        (*f)++;
        int w = va_arg(*ap, int);
        if (w < 0) {
            sp.left = 1;
            w = w == INT_MIN ? INT_MAX : -w;
        }
        sp.width = w;
    } else {
        sp.width = number(f);
    }
    if (**f == '.') {
        (*f)++;
        if (**f == '*') {
            (*f)++;
            int p = va_arg(*ap, int);
            sp.prec = p < 0 ? -1 : p;
        } else {
            sp.prec = number(f);
        }
    }
    int len = L_NONE;
    switch (**f) {
    case 'h':
        len = (*f)[1] == 'h' ? L_HH : L_H;
        *f += len == L_HH ? 2 : 1;
        break;
    case 'l':
        len = (*f)[1] == 'l' ? L_LL : L_L;
        *f += len == L_LL ? 2 : 1;
        break;
    case 'j': len = L_J; (*f)++; break;
    case 'z': len = L_Z; (*f)++; break;
    case 't': len = L_T; (*f)++; break;
    case 'L': len = L_BIG_L; (*f)++; break;
    }
    sp.conv = **f;
    if (sp.conv)
        (*f)++;
    switch (sp.conv) {
    case 'd':
    case 'i': {
        intmax_t v = signed_arg(ap, len);
        format_int(s, &sp, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v, v < 0);
        break;
    }
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        format_int(s, &sp, unsigned_arg(ap, len), 0);
        break;
    case 'p': {
        void *p = va_arg(*ap, void *);
        if (p) {
            format_int(s, &sp, (uintptr_t)p, 0);
        } else {
            sp.prec = -1;
            format_str(s, &sp, "(nil)");
        }
        break;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        __rt_pad_before(s, &sp, "", 0, 1, 0);
        __rt_out(s, &c, 1);
        __rt_pad_after(s, &sp, 0, 1);
        break;
    }
    case 's':
        format_str(s, &sp, va_arg(*ap, const char *));
        break;
    case 'n':
        store_count(ap, len, s->total);
        break;
    case '%':
        __rt_out(s, "%", 1);
        break;
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A': {
        double v = len == L_BIG_L ? (double)va_arg(*ap, long double) : va_arg(*ap, double);
        __rt_format_double(s, &sp, v);
        break;
    }
    case 0:
        /* A lone '%' at the end of the format: nothing printed for it,
         * and the call fails with EINVAL, as glibc's. */
        s->bad = 1;
        break;
    default:
        /* Not a conversion: copied as written. */
        __rt_out(s, start, (size_t)(*f - start));
        break;
    }
}

int __rt_vformat(struct sink *s, const char *fmt, va_list ap)
{
    va_list a;
    va_copy(a, ap);
    while (*fmt) {
        const char *p = fmt;
        while (*p && *p != '%')
            p++;
        __rt_out(s, fmt, (size_t)(p - fmt));
        fmt = p;
        if (*fmt == '%') {
            fmt++;
            conversion(s, &fmt, &a);
        }
    }
    va_end(a);
    if (s->bad) {
        errno = EINVAL;
        return -1;
    }
    if (s->total > INT_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return 0;
}
