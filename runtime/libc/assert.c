/* <assert.h>'s failure path, with glibc's message. */
#include <assert.h>
#include <runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void __assert_fail(const char *expr, const char *file, unsigned int line, const char *func)
{
    /* glibc names the program by argv[0]'s last component. */
    const char *prog = rt_argv(0);
    const char *slash = prog ? strrchr(prog, '/') : NULL;
    prog = slash ? slash + 1 : prog ? prog : "";
    fprintf(stderr, "%s%s%s:%u: %s%sAssertion `%s' failed.\n", prog, *prog ? ": " : "", file,
            line, func ? func : "", func ? ": " : "", expr);
    abort();
}
