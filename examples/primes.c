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
#include <runtime.h>

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

/* Decimal digits of s as a count; -1 unless s is all digits and fits. */
static long parse_count(const char *s)
{
    long n = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > 100000000)
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

/* Writes v and a newline in one rt_write. */
static void print_line(unsigned long v)
{
    char buf[24];
    int i = sizeof buf;
    buf[--i] = '\n';
    do
        buf[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    rt_write(1, buf + i, sizeof buf - (unsigned long)i);
}

static unsigned long len(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

void main_main(void)
{
    long n = 25;
    if (rt_argc() > 1 && (n = parse_count(rt_argv(1))) < 0) {
        rt_write(2, "primes: not a count: \"", 22);
        rt_write(2, rt_argv(1), len(rt_argv(1)));
        rt_write(2, "\"\n", 2);
        rt_exit(2);
    }
    rt_chan *ch = rt_chan_make(sizeof(unsigned long), 0);
    rt_go(generate, ch);
    for (long k = 0; k < n; k++) {
        unsigned long prime;
        rt_chan_recv(ch, &prime);
        print_line(prime);
        struct filter *f = rt_malloc(sizeof *f);
        f->in = ch;
        f->out = rt_chan_make(sizeof(unsigned long), 0);
        f->prime = prime;
        rt_go(filter, f);
        ch = f->out;
    }
}
