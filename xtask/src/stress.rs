//! `cargo xtask stress`: the concurrency test programs, many times over.
//!
//! A race that loses once in a thousand runs passes any single test run.
//! This command runs every concurrency program again and again, at
//! GOMAXPROCS 1, 2, 4 and 8, with chaos mode (`GODEBUG=schedchaos=N`, see
//! `runtime/src/chaos.rs`) off and on, on every target (natively and
//! under each qemu), while busy-looping host threads keep the cores
//! loaded so that the runtime's threads are preempted at arbitrary
//! points. It ends with a table of failures per program and
//! configuration, each with the first failing output, and exits non-zero
//! if anything failed.
//!
//! ```text
//! cargo xtask stress [--target T]... [--runs N] [--seconds S]
//!                    [--filter TEXT] [--procs 1,2,4,8] [--chaos N] [--load K]
//! ```
//! `--runs` rounds (default 20) of every (program, GOMAXPROCS, chaos)
//! configuration, or with `--seconds` as many rounds as fit in that time
//! per target (at least one); `--filter` keeps the programs whose name
//! contains TEXT; `--chaos` is the N of `schedchaos` (default 10);
//! `--load` is the number of busy host threads (default: one per CPU).
//!
//! `cargo xtask test` runs a bounded pass of the same programs (`bounded`):
//! the dedicated stress programs a few times each at GOMAXPROCS 1 and 4
//! with chaos on, each (program, GOMAXPROCS) group one check.

use crate::check::Case;
use crate::target::Target;
use crate::tests::{self, Tally};
use crate::Result;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `schedchaos` for the chaos-on runs: one perturbation per 10 hand-off
/// points finds the known races in tens of runs and slows the programs
/// down by a factor of 2–5.
pub const DEFAULT_CHAOS: u32 = 10;

/// The dedicated stress programs (`tests/c/stress_*.c`), with the output
/// that does not depend on the schedule.
fn stress_programs() -> Vec<Case> {
    vec![
        Case::new("sleepers", "stress_sleepers").stdout("wakes=30000\n"),
        Case::new("mutex-sleep", "stress_mutex").stdout("counter=640\n"),
        Case::new("select-timeout", "stress_select").stdout("received=1600\n"),
        Case::new("close", "stress_close").stdout("received=20000\n"),
        Case::new("gomaxprocs", "stress_gomaxprocs").stdout("resizes=90\n"),
        Case::new("syscall", "stress_syscall").stdout("rounds=1200\n"),
        Case::new("net", "stress_net").stdout("connections=320\ncloses=80\n"),
        Case::new("preempt", "stress_preempt").stdout("counter=18000\nchecksums-equal=6\n"),
    ]
}

/// Every concurrency program: the stress programs, then the concurrency
/// tests of `cargo xtask test` (smaller sizes where the test is long; not
/// the benchmarks, which chaos mode slows past any useful deadline).
fn all_programs() -> Vec<Case> {
    let mut v = stress_programs();
    v.extend([
        Case::new("chanspec", "chanspec").stdout(tests::CHANSPEC_OUT),
        Case::new("select", "select").stdout(
            "fair=1\ndefault=-1\nclosed-case=1\nclosed-ok=0\nsend-case=1\ntimeout-case=1\ntimeout-waited=1\ncrossed\n",
        ),
        Case::new("chan", "chan").args(["basic"]).stdout(
            "unbuffered-received=5\nunbuffered-in-order=1\nclosed-value=0\nlen=5\ncap=5\ndrained-after-close=5\nbuffered-in-order=1\nrecv-closed-again=0\nnil-len-cap=0\nwoken-by-close=5\nwide-equal=1\nend\n",
        ),
        // Not its NumGoroutine line: Wait may return before the last
        // goroutine to call Done has exited (in Go too).
        Case::new("sync-mutex", "sync")
            .args(["mutex"])
            .stdout_has(&["counter=800000\n"]),
        Case::new("time-many", "time")
            .args(["many", "2000"])
            .stdout("woke=2000\nend\n"),
        Case::new("time-timers", "time")
            .args(["timers"])
            .stdout("after-waited=1\nticks-increasing=1\nticked-5-times=1\nend\n"),
        Case::new("sched", "sched").stdout(
            "main-goid=1\nnumgoroutine-start=1\nnumgoroutine-10-parked=11\ndistinct-ids=1\nnumgoroutine-end=1\nresize-total=160000\ngoexit-ran-past=0\n",
        ),
        Case::new("spawn", "spawn")
            .args(["10000", "5"])
            .stdout("total=50000\nnumgoroutine=1\n"),
        Case::new("fairness", "fairness").stdout("workers=10\n"),
    ]);
    v
}

/// A run's deadline: generous for a healthy run under emulation, chaos
/// and (with `loaded`) the busy host threads (unloaded, every stress
/// program ends within 2 s even under qemu) — a yield under load can
/// cost a whole kernel time slice, which makes the 30,000 sleeps of
/// `stress_sleepers` at GOMAXPROCS=1 take up to ~15 s natively — yet
/// short enough that a hang costs little.
fn timeout(t: &Target, loaded: bool) -> u64 {
    match (t.qemu.is_some(), loaded) {
        (false, false) => 10,
        (true, false) => 30,
        (false, true) => 60,
        (true, true) => 180,
    }
}

/// `c` at one configuration.
fn configure(c: &Case, procs: u32, chaos: u32, timeout: u64) -> Case {
    let mut c = c.clone().timeout(timeout);
    c.env.push(("GOMAXPROCS".into(), procs.to_string()));
    c.env
        .push(("GODEBUG".into(), format!("schedchaos={chaos}")));
    c
}

/// Busy-looping host threads, stopped when dropped.
struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(n: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..n)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x: u64 = 1;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..10_000 {
                            x = std::hint::black_box(
                                x.wrapping_mul(6364136223846793005).wrapping_add(1),
                            );
                        }
                    }
                })
            })
            .collect();
        Load { stop, threads }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Options of `cargo xtask stress`.
#[derive(Debug)]
pub struct Options {
    pub runs: usize,
    pub seconds: Option<u64>,
    pub filter: Option<String>,
    pub procs: Vec<u32>,
    pub chaos: u32,
    pub load: usize,
}

/// Outcome of one (program, target, GOMAXPROCS, chaos) configuration.
struct Row {
    prog: String,
    arch: String,
    procs: u32,
    chaos: u32,
    runs: usize,
    failed: usize,
    first: Option<String>,
}

/// `cargo xtask stress` for the given targets.
pub fn run(root: &Path, targets: &[Target], o: &Options) -> Result<u8> {
    let progs: Vec<Case> = all_programs()
        .into_iter()
        .filter(|c| o.filter.as_deref().is_none_or(|f| c.name.contains(f)))
        .collect();
    if progs.is_empty() {
        return Err("no stress program matches the filter".into());
    }
    let chaos_values = [0, o.chaos];
    let mut rows: Vec<Row> = Vec::new();
    for t in targets {
        println!("== {}: building", t.triple);
        tests::build_programs(root, t)?;
        let start_row = rows.len();
        for c in &progs {
            for &procs in &o.procs {
                for &chaos in &chaos_values {
                    rows.push(Row {
                        prog: c.name.clone(),
                        arch: t.arch().to_string(),
                        procs,
                        chaos,
                        runs: 0,
                        failed: 0,
                        first: None,
                    });
                }
            }
        }
        let _load = Load::start(o.load);
        let began = Instant::now();
        let budget = o.seconds.map(Duration::from_secs);
        let mut round = 0;
        loop {
            round += 1;
            let mut k = start_row;
            let mut round_failed = 0;
            for c in &progs {
                for &procs in &o.procs {
                    for &chaos in &chaos_values {
                        let case = configure(c, procs, chaos, timeout(t, o.load > 0));
                        let r = tests::run_case(root, t, &case);
                        let row = &mut rows[k];
                        row.runs += 1;
                        if let Err(e) = r {
                            row.failed += 1;
                            round_failed += 1;
                            row.first.get_or_insert(e);
                        }
                        k += 1;
                    }
                }
            }
            println!(
                "   {} round {round}: {round_failed} failed ({:.0?} so far)",
                t.arch(),
                began.elapsed()
            );
            let done = match budget {
                Some(b) => began.elapsed() >= b,
                None => round >= o.runs,
            };
            if done {
                break;
            }
        }
    }
    report(&rows);
    Ok(if rows.iter().any(|r| r.failed > 0) {
        1
    } else {
        0
    })
}

fn report(rows: &[Row]) {
    println!(
        "\n{:<16} {:<8} {:>10} {:>6} {:>12}",
        "program", "target", "GOMAXPROCS", "chaos", "failed/runs"
    );
    for r in rows.iter().filter(|r| r.failed > 0) {
        let chaos = if r.chaos == 0 {
            "off".to_string()
        } else {
            r.chaos.to_string()
        };
        println!(
            "{:<16} {:<8} {:>10} {:>6} {:>12}",
            r.prog,
            r.arch,
            r.procs,
            chaos,
            format!("{}/{}", r.failed, r.runs)
        );
    }
    let runs: usize = rows.iter().map(|r| r.runs).sum();
    let failed: usize = rows.iter().map(|r| r.failed).sum();
    let bad: Vec<&Row> = rows.iter().filter(|r| r.failed > 0).collect();
    if bad.is_empty() {
        println!("(no failures)");
    } else {
        println!("\nfirst failure of each failing configuration:");
        for r in &bad {
            let chaos = if r.chaos == 0 {
                "off".to_string()
            } else {
                r.chaos.to_string()
            };
            println!(
                "  {} {} GOMAXPROCS={} chaos={}:\n    {}",
                r.prog,
                r.arch,
                r.procs,
                chaos,
                clip(r.first.as_deref().unwrap_or("?"))
            );
        }
    }
    println!(
        "\nstress: {runs} runs, {failed} failed, in {} of {} configurations",
        bad.len(),
        rows.len()
    );
}

/// The start of a failure report: the stream comparisons quote the whole
/// expected output, which the table does not need.
fn clip(s: &str) -> String {
    let lines: Vec<&str> = s
        .lines()
        .filter(|l| {
            !l.trim_start().starts_with("stdout: want")
                && !l.trim_start().starts_with("stderr: want")
        })
        .collect();
    let mut t = lines.join("\n    ");
    if t.len() > 600 {
        let mut end = 600;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
        t.push('…');
    }
    t
}

/// Runs per configuration in the bounded pass of `cargo xtask test`.
const BOUNDED_RUNS: usize = 10;

/// The bounded stress pass of `cargo xtask test` for `t`: every stress
/// program `BOUNDED_RUNS` times at GOMAXPROCS 2 and 8 (more threads than
/// cores: the OS interleaves them; GOMAXPROCS=1 has found nothing the
/// others did not), chaos on; one check
/// per (program, GOMAXPROCS), which fails at its first failing run (so a
/// hang costs one timeout, not five). Programs are built by the caller.
pub fn bounded(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    for c in stress_programs() {
        for procs in [2, 8] {
            let name = format!(
                "{}/stress: {} x{BOUNDED_RUNS}, GOMAXPROCS={procs}, schedchaos={DEFAULT_CHAOS}",
                t.arch(),
                c.name
            );
            if filter.is_some_and(|f| !name.contains(f)) {
                continue;
            }
            let case = configure(&c, procs, DEFAULT_CHAOS, timeout(t, false));
            let mut first = None;
            let mut runs = 0;
            while runs < BOUNDED_RUNS && first.is_none() {
                runs += 1;
                first = tests::run_case(root, t, &case).err();
            }
            let r = match first {
                None => Ok(()),
                Some(e) => Err(format!("run {runs} of {BOUNDED_RUNS} failed:\n    {e}")),
            };
            tally.record(&name, r);
        }
    }
}

/// Parses `--procs 1,2,4,8`.
pub fn parse_procs(s: &str) -> Result<Vec<u32>> {
    s.split(',')
        .map(|p| {
            p.trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    format!("--procs takes positive numbers separated by commas, not `{s}`")
                })
        })
        .collect()
}

/// The concurrency programs once each against a runtime built with its
/// debug checks on (`Target::checked`: every lock taken in rank order,
/// every unlock by a holder), natively only, at
/// GOMAXPROCS=4 with chaos mode. A violation is a `fatal error` and a
/// failed case.
pub fn checked(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    if t.qemu.is_some() {
        return;
    }
    let tc = t.checked();
    let built = tests::build_programs(root, &tc).map(|_| ());
    let prefix = format!("{}/checked runtime", t.arch());
    if filter.is_none_or(|f| prefix.contains(f)) {
        tally.record(&format!("{prefix}: builds with --cfg rt_checked (lock ranks)"), built.clone());
    }
    if built.is_err() {
        return;
    }
    for c in all_programs() {
        let name = format!("{prefix}: {}, GOMAXPROCS=4, schedchaos={DEFAULT_CHAOS}", c.name);
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let case = configure(&c, 4, DEFAULT_CHAOS, timeout(t, true));
        tally.record(&name, tests::run_case(root, &tc, &case));
    }
}
