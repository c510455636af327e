/* sieve: the concurrent prime sieve (a chain of filter goroutines) up to
 * the 2,000th prime. */
#include <runtime.h>

struct filter { rt_chan *in, *out; long prime; };

static void generate(void *arg)
{
    for (long i = 2;; i++)
        rt_chan_send(arg, &i);
}

static void filter(void *arg)
{
    struct filter *f = arg;
    for (;;) {
        long i;
        rt_chan_recv(f->in, &i);
        if (i % f->prime != 0)
            rt_chan_send(f->out, &i);
    }
}

void main_main(void)
{
    rt_chan *ch = rt_chan_make(sizeof(long), 0);
    rt_go(generate, ch);
    long prime = 0;
    for (int i = 0; i < 2000; i++) {
        rt_chan_recv(ch, &prime);
        struct filter *f = rt_malloc(sizeof *f);
        f->in = ch;
        f->out = rt_chan_make(sizeof(long), 0);
        f->prime = prime;
        rt_go(filter, f);
        ch = f->out;
    }
    if (prime != 17389)
        rt_panic("wrong 2000th prime");
}
