//! workers [JOBS] [WORKERS]: a pool of WORKERS goroutines (default 4)
//! takes JOBS jobs (default 100) from one channel, and their results are
//! fanned in to one channel that main reads until it is closed.
//!
//!     cargo xtask run workers 20 3
//!
//! Prints `job J: R (worker W)` for each job as its result arrives (in
//! whatever order the workers finish), then `jobs=JOBS sum=S`, the sum of
//! every result. A job's result is the sum of the squares 1² + ... + J²
//! computed the slow way, so the workers really share the load.
//!
//! The shape is Go's: a feeder goroutine sends the jobs and closes the
//! channel; each worker ranges over it; a WaitGroup counts the workers,
//! and the goroutine waiting on it closes the results channel, which ends
//! main's loop.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::sync::Arc;
use rt::{Chan, WaitGroup};
use runtime as rt;

/// One job's outcome.
struct Done {
    job: u64,
    result: u64,
    worker: u32,
}

/// The work: 1² + 2² + ... + job².
fn work(job: u64) -> u64 {
    (1..=job).map(|k| k * k).sum()
}

/// Argument `i` as a positive count, `default` without one.
fn arg(i: usize, default: u64) -> u64 {
    let Some(a) = rt::args().nth(i) else { return default };
    match core::str::from_utf8(a).ok().and_then(|s| s.parse().ok()) {
        Some(n) if n > 0 => n,
        _ => {
            rt::eprintln!("workers: not a positive count: {:?}", core::str::from_utf8(a).unwrap_or("?"));
            rt::exit(2);
        }
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    let jobs_n = arg(1, 100);
    let workers = arg(2, 4) as u32;
    let jobs: Chan<u64> = Chan::new(16);
    let results: Chan<Done> = Chan::new(16);

    let feed = jobs.clone();
    rt::go(move || {
        for j in 1..=jobs_n {
            feed.send(j);
        }
        feed.close();
    });

    let wg = Arc::new(WaitGroup::new());
    for w in 1..=workers {
        wg.add(1);
        let (jobs, results, wg) = (jobs.clone(), results.clone(), wg.clone());
        rt::go(move || {
            while let Some(job) = jobs.recv() {
                results.send(Done { job, result: work(job), worker: w });
            }
            wg.done();
        });
    }
    // Fan-in: the results channel closes once every worker is done.
    let closer = results.clone();
    rt::go(move || {
        wg.wait();
        closer.close();
    });

    let (mut n, mut sum) = (0u64, 0u64);
    while let Some(d) = results.recv() {
        rt::println!("job {}: {} (worker {})", d.job, d.result, d.worker);
        n += 1;
        sum += d.result;
    }
    rt::println!("jobs={n} sum={sum}");
}
