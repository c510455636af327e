/* primes [N]: the first N primes (default 25), one per line, by Go's
 * classic concurrent sieve: a goroutine generates 2, 3, 4, ... and each
 * prime found adds a filter goroutine to the chain, which passes on only
 * the numbers its prime does not divide.
 *
 *     cargo xtask run primes-c 10
 *
 * Every hand-off is an unbuffered channel of unsigned long. When
 * main_main returns the process ends, with the generator and the filters
 * still blocked, as in Go. */
#include <ctype.h>
#include <runtime.h>
#include <stdio.h>
#include <stdlib.h>

struct filter {
    rt_chan *in, *out;
    unsigned long prime;
};

/* Sends 2, 3, 4, ... on the channel forever. */
static void generate(void *arg)
{
    rt_chan *out = arg;
    for (unsigned long i = 2;; i++)
        rt_chan_send(out, &i);
}

/* Passes on the numbers its prime does not divide. */
static void filter(void *arg)
{
    struct filter *f = arg;
    unsigned long i;
    while (rt_chan_recv(f->in, &i))
        if (i % f->prime != 0)
            rt_chan_send(f->out, &i);
}

/* s as a count from 0 to 1000000009; -1 unless s is all decimal digits
 * and in that range. */
static long parse_count(const char *s)
{
    char *end;
    unsigned long n = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)*s) || *end || n > 1000000009)
        return -1;
    return (long)n;
}

void main_main(void)
{
    long n = 25;
    if (rt_argc() > 1 && (n = parse_count(rt_argv(1))) < 0) {
        fprintf(stderr, "primes: not a count: \"%s\"\n", rt_argv(1));
        exit(2);
    }
    rt_chan *ch = rt_chan_make(sizeof(unsigned long), 0);
    rt_go(generate, ch);
    for (long k = 0; k < n; k++) {
        unsigned long prime;
        rt_chan_recv(ch, &prime);
        printf("%lu\n", prime);
        struct filter *f = rt_malloc(sizeof *f);
        f->in = ch;
        f->out = rt_chan_make(sizeof(unsigned long), 0);
        f->prime = prime;
        rt_go(filter, f);
        ch = f->out;
    }
}
