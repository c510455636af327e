/* The smallest C program on the runtime: it prints a greeting.
 *
 * Build and run it with
 *     cargo xtask run --target armv7-unknown-linux-gnueabihf hello-c
 * or link your own file the same way:
 *     cargo xtask cc --target armv7-unknown-linux-gnueabihf -o hello examples/hello.c
 */
#include <runtime.h>

void main_main(void)
{
    static const char msg[] = "hello, world\n";
    if (rt_write(1, msg, sizeof msg - 1) < 0)
        rt_exit(1);
}
