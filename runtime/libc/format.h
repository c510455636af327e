/* The printf engine's internals, shared by format.c (the conversions),
 * float.c (the doubles) and stdio.c (where the output goes). */
#ifndef RT_LIBC_FORMAT_H
#define RT_LIBC_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Where formatted bytes go: a buffer of `cap` bytes. `total` counts every
 * byte produced, also those that did not fit (snprintf's result). When
 * `grow` is set the buffer is replaced by a larger one from malloc as
 * needed (`heap` then says it must be freed), so that a whole call's
 * output can be written at once. */
struct sink {
    char *buf;
    size_t cap;
    size_t len;
    size_t total;
    int grow;
    int heap;
    int bad; /* the format is malformed (a '%' ends it) */
};

/* One conversion specification, parsed. */
struct spec {
    int left, plus, space, alt, zero;
    int width;
    int prec; /* -1: none given */
    char conv;
};

void __rt_out(struct sink *s, const char *p, size_t n);
void __rt_pad(struct sink *s, char c, size_t n);
/* A field of `plen` prefix bytes (a sign, "0x") and `len` body bytes,
 * padded to the width: before the body go the spaces of a right-aligned
 * field, the prefix, and the zeros of the 0 flag (when `zero_ok`); after
 * it the spaces of a left-aligned one. */
void __rt_pad_before(struct sink *s, const struct spec *sp, const char *prefix, size_t plen,
                     size_t len, int zero_ok);
void __rt_pad_after(struct sink *s, const struct spec *sp, size_t plen, size_t len);
void __rt_format_double(struct sink *s, const struct spec *sp, double v);
/* Formats like vprintf into s; returns 0, or -1 when the count exceeds
 * INT_MAX (errno EOVERFLOW) or the format ends in a lone '%' (EINVAL);
 * what was formatted is in s either way. */
int __rt_vformat(struct sink *s, const char *fmt, va_list ap);

#endif
