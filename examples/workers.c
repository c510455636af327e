/* workers [JOBS] [WORKERS]: a pool of WORKERS goroutines (default 4)
 * takes JOBS jobs (default 100) from one channel, and their results are
 * fanned in to one channel that main reads until it is closed.
 *
 *     cargo xtask run workers-c 20 3
 *
 * Prints "job J: R (worker W)" for each job as its result arrives (in
 * whatever order the workers finish), then "jobs=JOBS sum=S", the sum of
 * every result. A job's result is 1*1 + 2*2 + ... + J*J computed the slow
 * way, so the workers really share the load.
 *
 * The shape is Go's: a feeder goroutine sends the jobs and closes the
 * channel; each worker receives until it is closed; a WaitGroup counts
 * the workers, and the goroutine waiting on it closes the results
 * channel, which ends main's loop. */
#include <ctype.h>
#include <runtime.h>
#include <stdio.h>
#include <stdlib.h>

struct done {
    unsigned long long job, result;
    long worker;
};

struct pool {
    rt_chan *jobs, *results;
    rt_waitgroup wg;
    unsigned long long njobs;
};

struct worker {
    struct pool *pool;
    long id;
};

static void feed(void *arg)
{
    struct pool *p = arg;
    for (unsigned long long j = 1; j <= p->njobs; j++)
        rt_chan_send(p->jobs, &j);
    rt_chan_close(p->jobs);
}

static void work(void *arg)
{
    struct worker *w = arg;
    unsigned long long job;
    while (rt_chan_recv(w->pool->jobs, &job)) {
        struct done d = {job, 0, w->id};
        for (unsigned long long k = 1; k <= job; k++)
            d.result += k * k;
        rt_chan_send(w->pool->results, &d);
    }
    rt_wg_done(&w->pool->wg);
}

/* Fan-in: the results channel closes once every worker is done. */
static void closer(void *arg)
{
    struct pool *p = arg;
    rt_wg_wait(&p->wg);
    rt_chan_close(p->results);
}

/* Argument i as a count from 1 to 1000000009, def without one; exits on
 * bad input. */
static unsigned long long arg(int i, unsigned long long def)
{
    if (rt_argc() <= i)
        return def;
    const char *s = rt_argv(i);
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)*s) || *end || n == 0 || n > 1000000009) {
        fprintf(stderr, "workers: not a positive count: \"%s\"\n", s);
        exit(2);
    }
    return n;
}

void main_main(void)
{
    static struct pool p;
    p.njobs = arg(1, 100);
    long nworkers = (long)arg(2, 4);
    p.jobs = rt_chan_make(sizeof(unsigned long long), 16);
    p.results = rt_chan_make(sizeof(struct done), 16);
    rt_go(feed, &p);
    for (long w = 1; w <= nworkers; w++) {
        struct worker *wk = rt_malloc(sizeof *wk);
        wk->pool = &p;
        wk->id = w;
        rt_wg_add(&p.wg, 1);
        rt_go(work, wk);
    }
    rt_go(closer, &p);

    unsigned long long n = 0, sum = 0;
    struct done d;
    while (rt_chan_recv(p.results, &d)) {
        printf("job %llu: %llu (worker %ld)\n", d.job, d.result, d.worker);
        n++;
        sum += d.result;
    }
    printf("jobs=%llu sum=%llu\n", n, sum);
}
