/* <assert.h>. A failed assertion prints glibc's message to stderr,
 *     prog: file:line: func: Assertion `expr' failed.
 * and calls abort (SIGABRT: Go's report, exit 2). No include guard: the
 * standard wants assert redefined by each inclusion, after NDEBUG. */
#undef assert

#ifdef NDEBUG
#define assert(e) ((void)0)
#else

#ifndef _RT_ASSERT_FAIL
#define _RT_ASSERT_FAIL
#ifdef __cplusplus
extern "C" {
#endif
void __assert_fail(const char *expr, const char *file, unsigned int line,
                   const char *func) __attribute__((noreturn));
#ifdef __cplusplus
}
#endif
#endif

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#else
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, 0))
#endif

#endif /* NDEBUG */

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__cplusplus)
#undef static_assert
#define static_assert _Static_assert
#endif
