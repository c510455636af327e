/* Arguments and environment as the runtime parsed them from the initial
 * stack: argc, the first and last arguments, out-of-range indexes, one
 * variable, and the count and total size of variables BIG00, BIG01, ... */
#include "common.h"

void main_main(void)
{
    int n = rt_argc();
    out_kv("argc", n);
    for (int i = 1; i < n && i < 4; i++) {
        out("argv[");
        out_int(i);
        out("]=<");
        out(rt_argv(i));
        out(">\n");
    }
    if (n > 4) {
        out("last=<");
        out(rt_argv(n - 1));
        out(">\n");
    }
    out(rt_argv(n) == 0 && rt_argv(-1) == 0 ? "out-of-range=NULL\n" : "out-of-range=BAD\n");
    const char *v = rt_getenv("RT_TEST_VAR");
    out("RT_TEST_VAR=");
    out(v ? v : "(unset)");
    out("\n");
    out(rt_getenv("RT_TEST") == 0 ? "prefix-lookup=NULL\n" : "prefix-lookup=BAD\n");
    char name[] = "BIG00";
    long count = 0, bytes = 0;
    for (int i = 0; i < 100; i++) {
        name[3] = '0' + i / 10;
        name[4] = '0' + i % 10;
        const char *s = rt_getenv(name);
        if (!s)
            break;
        count++;
        bytes += str_len(s);
    }
    out_kv("bigvars", count);
    out_kv("bigbytes", bytes);
}
