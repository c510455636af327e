/* rt_malloc/rt_free and the compiler-called memory functions, as a user
 * program sees them: alignment, reuse, struct copies, overlapping moves,
 * comparisons, 64-bit atomics and division (which need compiler-rt
 * helpers on armv7). Prints "ok" or the first failure. */
#include "common.h"

struct big { long a[40]; char tail[13]; };

static int fail(const char *what)
{
    out("FAIL ");
    out(what);
    out("\n");
    rt_exit(1);
}

/* Constructors run on the main goroutine before main_main, with the
 * runtime up (here: the allocator). */
static char *from_ctor;
__attribute__((constructor)) static void ctor(void)
{
    from_ctor = rt_malloc(8);
    __builtin_memcpy(from_ctor, "ctor", 5);
}

void main_main(void)
{
    if (!from_ctor || __builtin_memcmp(from_ctor, "ctor", 5) != 0)
        fail("constructor did not run before main_main");
    /* Allocation: alignment, distinct blocks, contents kept. */
    char *ptrs[200];
    for (int i = 0; i < 200; i++) {
        unsigned long n = (unsigned long)i * 37 + 1;
        ptrs[i] = rt_malloc(n);
        if ((unsigned long)ptrs[i] % 16)
            fail("rt_malloc alignment");
        __builtin_memset(ptrs[i], i & 0xff, n);
    }
    for (int i = 0; i < 200; i++) {
        unsigned long n = (unsigned long)i * 37 + 1;
        for (unsigned long j = 0; j < n; j++)
            if ((unsigned char)ptrs[i][j] != (i & 0xff))
                fail("rt_malloc blocks overlap");
    }
    for (int i = 0; i < 200; i += 2)
        rt_free(ptrs[i]);
    rt_free(0);
    void *z1 = rt_malloc(0), *z2 = rt_malloc(0);
    if (!z1 || !z2 || z1 == z2)
        fail("rt_malloc(0) is not unique");
    /* A large block (its own mapping) and its release. */
    char *large = rt_malloc(1 << 20);
    large[0] = 1;
    large[(1 << 20) - 1] = 2;
    rt_free(large);

    /* Struct copy and zeroing: memcpy and memset calls. */
    static struct big src, dst;
    for (int i = 0; i < 40; i++)
        src.a[i] = i * 1000003L;
    __builtin_memcpy(src.tail, "hello, world", 13);
    dst = src;
    if (__builtin_memcmp(&dst, &src, sizeof src) != 0)
        fail("struct copy");
    __builtin_memset(&dst, 0, sizeof dst);
    for (int i = 0; i < 40; i++)
        if (dst.a[i])
            fail("memset");

    /* Overlapping moves both ways. */
    char buf[64];
    for (int i = 0; i < 64; i++)
        buf[i] = (char)i;
    __builtin_memmove(buf + 3, buf, 50);
    if (buf[3] != 0 || buf[52] != 49)
        fail("memmove up");
    __builtin_memmove(buf, buf + 5, 50);
    if (buf[0] != 2 || buf[49] != 54)
        fail("memmove down");
    if (__builtin_strlen(src.tail) != 12)
        fail("strlen");
    if (__builtin_memcmp("abc", "abd", 3) >= 0)
        fail("memcmp order");

    /* 64-bit atomics and division. */
    static long long counter;
    for (int i = 0; i < 1000; i++)
        __atomic_fetch_add(&counter, 3, __ATOMIC_SEQ_CST);
    volatile unsigned long long num = 0x123456789abcdefULL, den = 12345;
    if (counter != 3000 || num / den != 6641193132157ULL || num % den != 8730)
        fail("64-bit arithmetic");
    out("ok\n");
}
