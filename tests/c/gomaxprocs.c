/* GOMAXPROCS as the runtime chose it at boot, and (with argument
 * "resize") changed at run time: set, query, negative query, above cap. */
#include "common.h"

void main_main(void)
{
    out_kv("ncpu", rt_ncpu());
    out_kv("gomaxprocs", rt_gomaxprocs(0));
    if (rt_argc() > 1 && str_eq(rt_argv(1), "resize")) {
        out_kv("set3-prev", rt_gomaxprocs(3));
        out_kv("query", rt_gomaxprocs(0));
        out_kv("negative-query", rt_gomaxprocs(-5));
        out_kv("set-huge-prev", rt_gomaxprocs(2000000000));
        out_kv("after-huge", rt_gomaxprocs(0));
        out_kv("set1-prev", rt_gomaxprocs(1));
        out_kv("final", rt_gomaxprocs(0));
    }
}
