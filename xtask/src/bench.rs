//! `cargo xtask bench`: the same workloads in this runtime and in Go,
//! side by side, on each `--target` (by default the host's).
//!
//! Each of the eight workloads exists twice: `benches/c/<name>.c` (linked
//! with the runtime by `build::cc`) and `benches/go/<name>/main.go` (built
//! by Debian's Go, `CGO_ENABLED=0`, `GOARCH`/`GOARM` from the target's
//! descriptor); hello world is the C example `hello-c` against
//! `benches/go/hello`. `fanout` runs twice, at GOMAXPROCS=1 and 2,
//! `preempt` at GOMAXPROCS=1; the others with whatever GOMAXPROCS the
//! environment has, the same for both.
//! Ours and Go's run alternately, `--runs` times each (default 5), under
//! the same qemu (or natively). The table shows the medians of wall time,
//! their ratio (ours / Go: below 1 is faster), the peak RSS of each (the
//! largest over the runs of the process's VmHWM, read from /proc every
//! half millisecond; under qemu it includes the emulator's own, the same
//! for both; a program that ends before the first reading shows none) and
//! the most threads each had at once. Below it: the time per `go`+run and
//! per Gosched (the medians of `spawn` and `yield`, whole runs, over their
//! 1,000,000 operations), the speed-up of `fanout` from GOMAXPROCS=1 to 2,
//! the peak RSS per parked goroutine (`parked`'s above hello's, over its
//! 100,000 goroutines), the preemption latency (`preempt`'s 100 rounds
//! each last 10 ms, the time a goroutine may run before it is preempted,
//! plus the time until the goroutine waiting behind it runs: the median
//! run's time per round minus 10 ms), and hello's executable sizes and system calls
//! (strace natively, qemu's -strace otherwise).
//!
//! Then the network benchmarks (`mod net` below): an echo server at 1,
//! 100 and 1,000 connections, 10,000 idle connections, and an HTTP
//! responder under wrk, each ours against Go's. `--filter TEXT` runs only
//! the rows whose name contains TEXT (`--filter net` the network ones,
//! `--filter fanout` both fanout rows); `--seconds S` sets the length of
//! each timed network run.

use crate::build;
use crate::target::Target;
use crate::tools;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const WORKLOADS: [&str; 8] =
    ["spawn", "pingpong", "yield", "sieve", "parked", "fanout", "syscall", "preempt"];

/// The network benchmarks (module `net` below), by their `--filter` names.
const NET: [&str; 3] = ["net/echo", "net/idle", "net/http"];

/// A row of the table: its name, our executable, Go's, their arguments
/// and the GOMAXPROCS to set, if any.
type BenchCase = (String, PathBuf, PathBuf, Vec<String>, Option<&'static str>);

struct Sample {
    secs: f64,
    maxrss_kb: i64,
    /// Most threads seen at once.
    threads: i64,
}

/// Runs a command to completion, measuring wall time, peak RSS and the
/// most threads it had at once (both from /proc/<pid>/status).
fn measure(mut cmd: Command) -> Result<Sample> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // Peak RSS: the child's VmHWM (its own high-water mark, which execve
    // resets; wait4's ru_maxrss would carry this process's size into a
    // small child), and its thread count, read every half millisecond
    // until it exits.
    let status_file = format!("/proc/{pid}/status");
    let mut hwm_kb = 0i64;
    let mut threads = 0i64;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let field = |name: &str| -> i64 {
                text.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap_or(0)
            };
            hwm_kb = hwm_kb.max(field("VmHWM:"));
            threads = threads.max(field("Threads:"));
        }
        // SAFETY: polling our own child; status is valid.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        if r < 0 {
            return Err(format!("waitpid failed for {:?}", cmd.get_program()));
        }
        std::thread::sleep(std::time::Duration::from_micros(500));
    }
    let secs = start.elapsed().as_secs_f64();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let mut err = String::new();
        if let Some(mut e) = child.stderr {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        return Err(format!(
            "{:?} failed (status {status}): {}",
            cmd.get_args().collect::<Vec<_>>(),
            err.trim()
        ));
    }
    Ok(Sample {
        secs,
        maxrss_kb: hwm_kb,
        threads,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn build_go(root: &Path, t: &Target, name: &str, out: &Path) -> Result<()> {
    let mut c = Command::new("go");
    c.args(["build", "-trimpath", "-o"])
        .arg(out)
        .arg(root.join("benches/go").join(name).join("main.go"));
    c.env("GOOS", "linux")
        .env("GOARCH", &t.goarch)
        .env("CGO_ENABLED", "0")
        .env("GO111MODULE", "off");
    if !t.goarm.is_empty() {
        c.env("GOARM", &t.goarm);
    }
    let st = c.status().map_err(|e| format!("cannot run go: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("go build {name} for {} failed", t.triple))
    }
}

/// System calls made by one run (strace natively, qemu's -strace otherwise).
fn syscalls(t: &Target, exe: &Path) -> Result<usize> {
    let text = match &t.qemu {
        Some(q) => {
            let out = Command::new(q)
                .arg("-strace")
                .arg(exe)
                .output()
                .map_err(|e| e.to_string())?;
            String::from_utf8_lossy(&out.stderr).into_owned()
        }
        None => {
            tools::ensure_commands(&[("strace", "strace")])?;
            let out = Command::new("strace")
                .arg("-f")
                .arg(exe)
                .output()
                .map_err(|e| e.to_string())?;
            String::from_utf8_lossy(&out.stderr).into_owned()
        }
    };
    // One line per call: "[pid] name(args) = result"; execve is the
    // tracer's, not the program's.
    Ok(text
        .lines()
        .filter(|l| {
            let l = l.trim_start_matches(|c: char| {
                c.is_ascii_digit()
                    || c == ' '
                    || c == '['
                    || c == ']'
                    || c == 'p'
                    || c == 'i'
                    || c == 'd'
            });
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            !name.is_empty() && l[name.len()..].starts_with('(') && name != "execve"
        })
        .count())
}

/// `cargo xtask bench`'s options (see `args.rs`).
#[derive(Debug)]
pub struct Options {
    pub runs: usize,
    /// Only the rows whose name contains this (the seven workloads,
    /// `fanout P=1`/`P=2`, `hello`, and `net/echo`, `net/idle`,
    /// `net/http`: `--filter net` runs the network ones).
    pub filter: Option<String>,
    /// The length of each timed network run (echo's load, wrk's `-d`);
    /// None: 3 s for echo, 5 s for wrk.
    pub seconds: Option<u64>,
}

fn wanted(filter: Option<&str>, name: &str) -> bool {
    filter.is_none_or(|f| name.contains(f))
}

pub fn run(root: &Path, t: &Target, o: &Options) -> Result<()> {
    tools::ensure_target(root, t, true)?;
    tools::ensure_commands(&[("go", "golang-go")])?;
    let filter = o.filter.as_deref();
    let classic = WORKLOADS
        .iter()
        .flat_map(|&w| match w {
            "fanout" => vec!["fanout P=1", "fanout P=2"],
            w => vec![w],
        })
        .chain(["hello"])
        .any(|n| wanted(filter, n));
    if classic {
        workloads(root, t, o.runs, filter)?;
    }
    let net = NET.iter().any(|n| wanted(filter, n));
    if net {
        net::run(root, t, o)?;
    }
    if !classic && !net {
        return Err(format!(
            "--filter {}: no benchmark matches (workloads: {}, fanout P=1, fanout P=2, hello, {})",
            filter.unwrap_or(""),
            WORKLOADS.join(", "),
            NET.join(", ")
        ));
    }
    Ok(())
}

/// The seven workloads and hello, in the table described at the top.
fn workloads(root: &Path, t: &Target, runs: usize, filter: Option<&str>) -> Result<()> {
    let dir = build::out_dir(root, t).join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let examples = build::examples(root, t)?;
    let ours_hello = examples
        .iter()
        .find(|p| p.ends_with("hello-c"))
        .cloned()
        .ok_or("no hello-c example")?;
    let go_hello = dir.join("go-hello");
    build_go(root, t, "hello", &go_hello)?;
    let mut pairs: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for w in WORKLOADS {
        let names = if w == "fanout" {
            vec!["fanout P=1", "fanout P=2"]
        } else {
            vec![w]
        };
        if !names.iter().any(|n| wanted(filter, n)) {
            continue;
        }
        let ours = dir.join(w);
        build::cc(
            root,
            t,
            &ours,
            &[root.join("benches/c").join(format!("{w}.c"))],
            &[],
            false,
        )?;
        let go = dir.join(format!("go-{w}"));
        build_go(root, t, w, &go)?;
        pairs.push((w.to_string(), ours, go));
    }
    let fanout_iters = if t.qemu.is_some() {
        "40000000"
    } else {
        "400000000"
    };
    println!("== {} ({} runs each, alternating; medians)", t.triple, runs);
    println!(
        "{:<16} {:>11} {:>11} {:>7} {:>11} {:>11} {:>8}",
        "workload", "ours ms", "go ms", "ratio", "ours RSS", "go RSS", "threads"
    );
    let mut results = std::collections::HashMap::new();
    let mut cases: Vec<BenchCase> = Vec::new();
    for (w, ours, go) in &pairs {
        if w == "fanout" {
            for p in ["1", "2"] {
                cases.push((
                    format!("fanout P={p}"),
                    ours.clone(),
                    go.clone(),
                    vec![fanout_iters.into()],
                    Some(p),
                ));
            }
        } else {
            let procs = (w == "preempt").then_some("1");
            cases.push((w.clone(), ours.clone(), go.clone(), vec![], procs));
        }
    }
    cases.push((
        "hello".into(),
        ours_hello.clone(),
        go_hello.clone(),
        vec![],
        None,
    ));
    cases.retain(|c| wanted(filter, &c.0));
    for (name, ours, go, args, procs) in &cases {
        let mut o = Vec::new();
        let mut g = Vec::new();
        for _ in 0..runs {
            for (exe, acc) in [(ours, &mut o), (go, &mut g)] {
                let mut cmd = build::runner(t, exe);
                cmd.args(args);
                if let Some(p) = procs {
                    cmd.env("GOMAXPROCS", p);
                }
                acc.push(measure(cmd)?);
            }
        }
        let om = median(o.iter().map(|s| s.secs).collect());
        let gm = median(g.iter().map(|s| s.secs).collect());
        let orss = o.iter().map(|s| s.maxrss_kb).max().unwrap_or(0);
        let grss = g.iter().map(|s| s.maxrss_kb).max().unwrap_or(0);
        let othr = o.iter().map(|s| s.threads).max().unwrap_or(0);
        let gthr = g.iter().map(|s| s.threads).max().unwrap_or(0);
        println!(
            "{name:<16} {:>11.1} {:>11.1} {:>7.2} {:>8} KB {:>8} KB {:>3} / {:<3}",
            om * 1e3,
            gm * 1e3,
            om / gm,
            orss,
            grss,
            othr,
            gthr
        );
        results.insert(name.clone(), (om, gm, orss, grss));
    }
    if let (Some(s), Some(y)) = (results.get("spawn"), results.get("yield")) {
        println!(
            "per operation: go+run {:.0} ns (Go {:.0} ns), Gosched {:.0} ns (Go {:.0} ns)",
            s.0 * 1e9 / 1e6,
            s.1 * 1e9 / 1e6,
            y.0 * 1e9 / 1e6,
            y.1 * 1e9 / 1e6
        );
    }
    if let (Some(p1), Some(p2)) = (results.get("fanout P=1"), results.get("fanout P=2")) {
        println!(
            "fanout speed-up from GOMAXPROCS=1 to 2: ours {:.2}x, go {:.2}x",
            p1.0 / p2.0,
            p1.1 / p2.1
        );
    }
    if let Some(p) = results.get("preempt") {
        let latency = |secs: f64| secs * 1e3 / 100.0 - 10.0;
        println!(
            "preemption latency beyond the 10 ms slice: ours {:.2} ms, go {:.2} ms (per round of `preempt`)",
            latency(p.0),
            latency(p.1)
        );
    }
    if let (Some(parked), Some(hello)) = (results.get("parked"), results.get("hello")) {
        let per = |p: i64, h: i64| (p - h) as f64 * 1024.0 / 100_000.0;
        println!(
            "parked: peak RSS above hello per goroutine: ours {:.0} B, go {:.0} B (whole process / 100,000: ours {:.0} B, go {:.0} B)",
            per(parked.2, hello.2),
            per(parked.3, hello.3),
            parked.2 as f64 * 1024.0 / 100_000.0,
            parked.3 as f64 * 1024.0 / 100_000.0
        );
    }
    if !results.contains_key("hello") {
        return Ok(());
    }
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let (os, gs) = (size(&ours_hello), size(&go_hello));
    println!(
        "hello: {} bytes vs {} bytes ({:.0}x smaller); system calls: ours {}, go {}",
        os,
        gs,
        gs as f64 / os.max(1) as f64,
        syscalls(t, &ours_hello)?,
        syscalls(t, &go_hello)?
    );
    Ok(())
}

/// The network benchmarks, `net/echo`, `net/idle` and `net/http`: servers
/// of this runtime and Go's, started on `127.0.0.1:0` (natively, or under
/// the target's qemu-user as every workload above), each announcing its
/// port with a `listening on <address>` line, and load generators run
/// natively on the host against them.
///
/// - `net/echo`: one client, `benches/go/echoclient` (built for the host),
///   against `examples/echo.c` (`echo-c`) and `benches/go/echoserver`
///   (Go's `net`, a goroutine per connection): 1, 100 and 1,000
///   connections, each sending 64 bytes and waiting for them back, again
///   and again for `--seconds` (default 3). Requests per second, the p50
///   and p99 of the round trips, the server's CPU time (user + system,
///   /proc/<pid>/stat) per request and its peak RSS (VmHWM).
/// - `net/idle`: 10,000 connections held open after one round trip each
///   (so that each has its goroutine waiting in a read): the server's
///   VmRSS with them minus before them, per connection. The same client
///   then makes one more round trip on every connection.
/// - `net/http`: after a `curl` check (two requests on one connection:
///   `200 OK`, `hello, world\n`, the connection kept alive), `wrk -t2
///   -c100 -d5s --latency` (`-d` from `--seconds` when given) against the
///   Rust example `httpd`, `benches/go/httpserver` (Go's `net`, minimal
///   HTTP/1.1) and `benches/go/nethttp` (Go's `net/http`, for reference).
///
/// A fresh server serves each run; ours and Go's alternate, `--runs` times
/// each; the tables show medians. xtask raises its RLIMIT_NOFILE (inherited
/// by servers and clients) to what 10,000 connections need, or says why it
/// cannot and holds fewer. A run that fails (a server that dies, a client
/// that sees a reset, a wrong byte or no answer for 10 s, wrk's socket
/// errors) is reported under its table and makes the command fail.
mod net {
    use super::{build_go, median, wanted, Options};
    use crate::build;
    use crate::target::{self, Target};
    use crate::tools;
    use crate::Result;
    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, Read};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::sync::mpsc;
    use std::thread::JoinHandle;
    use std::time::Duration;

    const LOADS: [usize; 3] = [1, 100, 1000];
    const MESSAGE: usize = 64;
    const IDLE: usize = 10_000;
    /// Descriptors besides the connections (listener, stdio, epoll, qemu's).
    const SPARE_FDS: usize = 200;

    /// A server under test, killed when dropped.
    struct Server {
        name: String,
        child: Child,
        pid: i32,
        addr: String,
        stderr: PathBuf,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl Server {
        /// Starts `exe 127.0.0.1:0` and reads its `listening on` line.
        fn start(t: &Target, name: &str, exe: &Path, dir: &Path) -> Result<Server> {
            let stderr = dir.join(format!("net-{}.stderr", name.replace(['/', ' '], "-")));
            let f = std::fs::File::create(&stderr).map_err(|e| e.to_string())?;
            let mut cmd = build::runner(t, exe);
            cmd.arg("127.0.0.1:0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(f);
            let mut child = cmd
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
            let pid = child.id() as i32;
            let out = child.stdout.take().expect("piped");
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut r = BufReader::new(out);
                let mut line = String::new();
                let _ = r.read_line(&mut line);
                let _ = tx.send(line);
                // Whatever else it prints, until it exits.
                let _ = std::io::copy(&mut r, &mut std::io::sink());
            });
            let line = rx.recv_timeout(Duration::from_secs(30));
            let mut s = Server {
                name: name.into(),
                child,
                pid,
                addr: String::new(),
                stderr,
            };
            match line {
                Ok(l) if l.starts_with("listening on ") => {
                    s.addr = l["listening on ".len()..].trim().to_string();
                    Ok(s)
                }
                Ok(l) => Err(format!(
                    "{name} printed {l:?}, not `listening on <address>`{}",
                    s.exited()
                )),
                Err(_) => Err(format!(
                    "{name}: no `listening on` line within 30 s{}",
                    s.exited()
                )),
            }
        }

        /// "" while it runs, else how it ended and its last words.
        fn exited(&mut self) -> String {
            match self.child.try_wait() {
                Ok(Some(st)) => {
                    let err = std::fs::read_to_string(&self.stderr).unwrap_or_default();
                    let tail: Vec<&str> = err.lines().rev().take(8).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    format!(
                        "; it exited ({}){}{}",
                        describe(st),
                        if tail.is_empty() {
                            ""
                        } else {
                            ", stderr:\n    "
                        },
                        tail.join("\n    ")
                    )
                }
                _ => String::new(),
            }
        }

        /// An error if the server has died.
        fn check(&mut self) -> Result<()> {
            match self.exited() {
                e if e.is_empty() => Ok(()),
                e => Err(format!("{} died during the run{e}", self.name)),
            }
        }
    }

    fn describe(st: ExitStatus) -> String {
        use std::os::unix::process::ExitStatusExt;
        match (st.code(), st.signal()) {
            (Some(c), _) => format!("status {c}"),
            (_, Some(s)) => format!("killed by signal {s}"),
            _ => format!("{st}"),
        }
    }

    /// A field of /proc/<pid>/status, in kB (0 if unreadable).
    fn status_kb(pid: i32, field: &str) -> i64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix(field))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    /// The user + system CPU time of a process so far, in seconds.
    fn cpu_secs(pid: i32) -> f64 {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return 0.0;
        };
        // After "pid (comm) ", fields 3..: utime and stime are 14 and 15.
        let Some(rest) = text.rsplit_once(')').map(|(_, r)| r) else {
            return 0.0;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            f.get(i - 3)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        (ticks(14) + ticks(15)) / hz
    }

    fn reader<R: Read + Send + 'static>(mut r: R) -> JoinHandle<String> {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    }

    /// Runs `cmd` to its end, killing it after `limit`: (status, stdout,
    /// stderr); a run killed at the limit is an error.
    fn run_timeout(cmd: Command, limit: Duration) -> Result<(ExitStatus, String, String)> {
        let prog = format!("{:?}", cmd.get_program());
        let o = crate::check::run(cmd, limit)?;
        if o.timed_out {
            let err = o.stderr.trim();
            let err = if err.is_empty() { String::new() } else { format!(": {err}") };
            return Err(format!("{prog} did not finish within {} s (killed){err}", limit.as_secs()));
        }
        Ok((o.status, o.stdout, o.stderr))
    }

    /// `key=value` pairs of a line, the values as numbers.
    fn fields(line: &str) -> HashMap<String, f64> {
        line.split_whitespace()
            .filter_map(|w| {
                let (k, v) = w.split_once('=')?;
                Some((k.to_string(), v.parse().ok()?))
            })
            .collect()
    }

    /// Microseconds for a table: one decimal below 100.
    fn us(x: f64) -> String {
        if x < 100.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.0}")
        }
    }

    /// Makes the soft RLIMIT_NOFILE (inherited by every child) the hard
    /// one, raising the hard one to `need` if it is lower and this process
    /// may. Returns the limit in force.
    fn raise_nofile(need: u64) -> u64 {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: r is a valid rlimit to fill / read.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
                eprintln!("xtask: getrlimit(RLIMIT_NOFILE) failed");
                return 1024;
            }
            if r.rlim_max < need {
                let want = libc::rlimit {
                    rlim_cur: need,
                    rlim_max: need,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                    return need;
                }
                println!(
                    "note: RLIMIT_NOFILE's hard limit is {}, below the {need} descriptors {IDLE} idle connections need, and cannot be raised here ({}); as root: ulimit -Hn {need}",
                    r.rlim_max,
                    std::io::Error::last_os_error()
                );
            }
            if r.rlim_cur < r.rlim_max {
                let want = libc::rlimit {
                    rlim_cur: r.rlim_max,
                    rlim_max: r.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                    r.rlim_cur = r.rlim_max;
                } else {
                    println!(
                        "note: cannot raise RLIMIT_NOFILE from {} to {}: {}",
                        r.rlim_cur,
                        r.rlim_max,
                        std::io::Error::last_os_error()
                    );
                }
            }
        }
        r.rlim_cur
    }

    /// The programs under test.
    struct Programs {
        client: PathBuf,
        echo_ours: PathBuf,
        echo_go: PathBuf,
        /// None: examples/httpd.rs is not there (yet), with why.
        httpd: std::result::Result<PathBuf, String>,
        http_go: PathBuf,
        nethttp: PathBuf,
    }

    fn programs(root: &Path, t: &Target, dir: &Path) -> Result<Programs> {
        let examples = match build::examples(root, t) {
            Ok(v) => v,
            Err(e) => {
                // Another example may be half written: echo-c alone.
                println!("note: building the examples failed ({e}); building echo-c alone");
                let echo = dir.join("echo-c");
                build::cc(root, t, &echo, &[root.join("examples/echo.c")], &[], false)?;
                vec![echo]
            }
        };
        let named = |n: &str| {
            examples
                .iter()
                .find(|p| p.file_name().is_some_and(|f| f == n))
                .cloned()
        };
        let echo_ours = named("echo-c").ok_or("no echo-c example")?;
        let httpd = if !root.join("examples/httpd.rs").is_file() {
            Err("examples/httpd.rs does not exist (yet)".to_string())
        } else {
            match named("httpd") {
                Some(p) if p.is_file() => Ok(p),
                _ => Err("examples/httpd.rs exists but `cargo xtask build` made no httpd (is it in examples/Cargo.toml?)".to_string()),
            }
        };
        let host = target::load(root, &target::host_triple()?)?;
        let client = dir.join("host-echoclient");
        build_go(root, &host, "echoclient", &client)?;
        let go = |n: &str| -> Result<PathBuf> {
            let p = dir.join(format!("go-{n}"));
            build_go(root, t, n, &p)?;
            Ok(p)
        };
        Ok(Programs {
            client,
            echo_ours,
            echo_go: go("echoserver")?,
            httpd,
            http_go: go("httpserver")?,
            nethttp: go("nethttp")?,
        })
    }

    pub fn run(root: &Path, t: &Target, o: &Options) -> Result<()> {
        let filter = o.filter.as_deref();
        let dir = build::out_dir(root, t).join("bench");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let limit = raise_nofile((IDLE + SPARE_FDS) as u64);
        let p = programs(root, t, &dir)?;
        println!(
            "== {} network ({} runs each, alternating; medians; servers {}, clients native)",
            t.triple,
            o.runs,
            match &t.qemu {
                Some(q) => format!("under {q}"),
                None => "native".into(),
            }
        );
        let mut problems: Vec<String> = Vec::new();
        if wanted(filter, "net/echo") {
            echo(t, &dir, &p, o, &mut problems);
        }
        if wanted(filter, "net/idle") {
            let n = if limit >= (IDLE + SPARE_FDS) as u64 {
                IDLE
            } else {
                let n = (limit as usize).saturating_sub(SPARE_FDS) / 1000 * 1000;
                println!("note: idle holds {n} connections, not {IDLE}: RLIMIT_NOFILE is {limit}");
                n
            };
            if n > 0 {
                idle(t, &dir, &p, o.runs, n, &mut problems);
            }
        }
        if wanted(filter, "net/http") {
            http(t, &dir, &p, o, &mut problems);
        }
        if problems.is_empty() {
            return Ok(());
        }
        println!("\nnetwork benchmark failures on {}:", t.triple);
        for f in &problems {
            println!("  {f}");
        }
        Err(format!("{} network benchmark runs failed", problems.len()))
    }

    struct EchoRun {
        rps: f64,
        p50: f64,
        p99: f64,
        cpu_us: f64,
        hwm_kb: i64,
    }

    fn echo_once(
        t: &Target,
        dir: &Path,
        name: &str,
        exe: &Path,
        client: &Path,
        conns: usize,
        secs: u64,
    ) -> Result<EchoRun> {
        let mut s = Server::start(t, name, exe, dir)?;
        let cpu0 = cpu_secs(s.pid);
        let mut c = Command::new(client);
        c.args(["-mode", "rr", "-conns"])
            .arg(conns.to_string())
            .arg("-seconds")
            .arg(secs.to_string())
            .arg("-size")
            .arg(MESSAGE.to_string())
            .arg(&s.addr);
        let r = run_timeout(c, Duration::from_secs(secs + 120));
        let cpu = cpu_secs(s.pid) - cpu0;
        let hwm_kb = status_kb(s.pid, "VmHWM:");
        s.check()?;
        let (st, out, err) = r.map_err(|e| format!("{name}, {conns} connections: {e}"))?;
        let f = fields(out.lines().last().unwrap_or(""));
        let get = |k: &str| f.get(k).copied().unwrap_or(0.0);
        if !st.success() || get("errors") > 0.0 || !f.contains_key("rps") {
            return Err(format!(
                "{name}, {conns} connections: client {}: {} {}",
                describe(st),
                out.trim(),
                err.trim()
            ));
        }
        Ok(EchoRun {
            rps: get("rps"),
            p50: get("p50_us"),
            p99: get("p99_us"),
            cpu_us: cpu * 1e6 / get("requests").max(1.0),
            hwm_kb,
        })
    }

    fn echo(t: &Target, dir: &Path, p: &Programs, o: &Options, problems: &mut Vec<String>) {
        let secs = o.seconds.unwrap_or(3);
        println!(
            "\nnet/echo: {MESSAGE}-byte request/response, {secs} s per run; ours = examples/echo.c, go = benches/go/echoserver (net)"
        );
        println!(
            "ratio = ours / go: above 1 is more requests/s, below 1 is lower latency / less CPU"
        );
        println!(
            "{:>5} | {:>9} {:>9} {:>5} | {:>8} {:>8} {:>5} | {:>8} {:>8} {:>5} | {:>6} {:>6} | {:>9} {:>9}",
            "conns", "req/s", "go", "ratio", "p50 us", "go", "ratio", "p99 us", "go", "ratio",
            "CPU us", "go", "peak RSS", "go"
        );
        for conns in LOADS {
            let mut runs: [Vec<EchoRun>; 2] = [Vec::new(), Vec::new()];
            let mut failed = false;
            for _ in 0..o.runs {
                for (i, (name, exe)) in [("echo-c", &p.echo_ours), ("go echoserver", &p.echo_go)]
                    .into_iter()
                    .enumerate()
                {
                    match echo_once(t, dir, name, exe, &p.client, conns, secs) {
                        Ok(r) => runs[i].push(r),
                        Err(e) => {
                            problems.push(format!("net/echo: {e}"));
                            failed = true;
                        }
                    }
                }
            }
            if runs[0].is_empty() || runs[1].is_empty() {
                println!("{conns:>5} | failed (see below)");
                continue;
            }
            let m = |i: usize, f: fn(&EchoRun) -> f64| median(runs[i].iter().map(f).collect());
            let (r0, r1) = (m(0, |r| r.rps), m(1, |r| r.rps));
            let (a0, a1) = (m(0, |r| r.p50), m(1, |r| r.p50));
            let (b0, b1) = (m(0, |r| r.p99), m(1, |r| r.p99));
            let (c0, c1) = (m(0, |r| r.cpu_us), m(1, |r| r.cpu_us));
            let h = |i: usize| runs[i].iter().map(|r| r.hwm_kb).max().unwrap_or(0);
            println!(
                "{conns:>5} | {r0:>9.0} {r1:>9.0} {:>5.2} | {:>8} {:>8} {:>5.2} | {:>8} {:>8} {:>5.2} | {:>6.1} {:>6.1} | {:>6} KB {:>6} KB{}",
                r0 / r1,
                us(a0),
                us(a1),
                a0 / a1,
                us(b0),
                us(b1),
                b0 / b1,
                c0,
                c1,
                h(0),
                h(1),
                if failed { "  (some runs failed)" } else { "" }
            );
        }
        println!("CPU us = the server's user+system CPU time per request; peak RSS = its VmHWM");
    }

    /// The server's VmRSS before and with `n` idle connections, and its
    /// threads then.
    fn idle_once(
        t: &Target,
        dir: &Path,
        name: &str,
        exe: &Path,
        client: &Path,
        n: usize,
    ) -> Result<(i64, i64, i64)> {
        let mut s = Server::start(t, name, exe, dir)?;
        std::thread::sleep(Duration::from_millis(200));
        let before = status_kb(s.pid, "VmRSS:");
        let mut c = Command::new(client);
        c.args(["-mode", "idle", "-conns"])
            .arg(n.to_string())
            .arg("-size")
            .arg(MESSAGE.to_string())
            .arg(&s.addr)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c
            .spawn()
            .map_err(|e| format!("cannot start the echo client: {e}"))?;
        let stdin = child.stdin.take();
        let out = child.stdout.take().expect("piped");
        let err = reader(child.stderr.take().expect("piped"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let fail = |child: &mut Child, s: &mut Server, what: String, err: JoinHandle<String>| {
            let _ = child.kill();
            let _ = child.wait();
            let died = s.exited();
            format!(
                "{name}, {n} idle connections: {what}{died}{}",
                match err.join().unwrap_or_default().trim() {
                    "" => String::new(),
                    e => format!("; client: {e}"),
                }
            )
        };
        let ready = rx.recv_timeout(Duration::from_secs(300));
        match ready {
            Ok(l) if l.starts_with("ready") => {}
            Ok(l) => return Err(fail(&mut child, &mut s, format!("client said {l:?}"), err)),
            Err(_) => {
                return Err(fail(
                    &mut child,
                    &mut s,
                    "the client never got ready".into(),
                    err,
                ))
            }
        }
        std::thread::sleep(Duration::from_millis(500));
        let with = status_kb(s.pid, "VmRSS:");
        let threads = status_kb(s.pid, "Threads:");
        drop(stdin);
        let done = rx.recv_timeout(Duration::from_secs(300));
        let st = child.wait().map_err(|e| e.to_string())?;
        s.check()?;
        match done {
            Ok(l) if st.success() && l.starts_with("ok=") => Ok((before, with, threads)),
            other => Err(format!(
                "{name}, {n} idle connections: the second round trips: client {} ({:?}): {}",
                describe(st),
                other.ok(),
                err.join().unwrap_or_default().trim()
            )),
        }
    }

    fn idle(
        t: &Target,
        dir: &Path,
        p: &Programs,
        runs: usize,
        n: usize,
        problems: &mut Vec<String>,
    ) {
        println!(
            "\nnet/idle: {n} idle connections (one {MESSAGE}-byte round trip each, then none), the server's VmRSS"
        );
        println!(
            "{:<14} {:>12} {:>12} {:>12} {:>8}",
            "server", "before", "with conns", "per conn", "threads"
        );
        let mut per = [0.0f64; 2];
        for (i, (name, exe)) in [("echo-c", &p.echo_ours), ("go echoserver", &p.echo_go)]
            .into_iter()
            .enumerate()
        {
            let mut samples = Vec::new();
            for _ in 0..runs {
                match idle_once(t, dir, name, exe, &p.client, n) {
                    Ok(s) => samples.push(s),
                    Err(e) => problems.push(format!("net/idle: {e}")),
                }
            }
            if samples.is_empty() {
                println!("{name:<14} failed (see below)");
                continue;
            }
            let b = median(samples.iter().map(|s| s.0 as f64).collect());
            let w = median(samples.iter().map(|s| s.1 as f64).collect());
            let th = samples.iter().map(|s| s.2).max().unwrap_or(0);
            let d = median(samples.iter().map(|s| (s.1 - s.0) as f64).collect());
            per[i] = d * 1024.0 / n as f64;
            println!(
                "{name:<14} {:>9.0} KB {:>9.0} KB {:>10.0} B {th:>8}",
                b, w, per[i]
            );
        }
        if per[0] > 0.0 && per[1] > 0.0 {
            println!(
                "per connection, ours / go: {:.2}{}",
                per[0] / per[1],
                if t.qemu.is_some() {
                    " (under qemu: the emulator's own memory for the connections included, the same for both)"
                } else {
                    ""
                }
            );
        }
    }

    struct WrkRun {
        rps: f64,
        p50: f64,
        p99: f64,
        cpu_us: f64,
        hwm_kb: i64,
    }

    /// A wrk latency ("123.45us", "1.20ms", "2.00s") in microseconds.
    fn wrk_us(v: &str) -> Option<f64> {
        for (unit, scale) in [("us", 1.0), ("ms", 1e3), ("s", 1e6), ("m", 60e6)] {
            if let Some(x) = v.strip_suffix(unit) {
                if let Ok(x) = x.parse::<f64>() {
                    return Some(x * scale);
                }
            }
        }
        None
    }

    /// Requests/s, p50, p99 (us), requests, and wrk's error lines.
    fn parse_wrk(out: &str) -> Option<(f64, f64, f64, f64, Vec<String>)> {
        let mut rps = None;
        let (mut p50, mut p99, mut requests) = (None, None, 0.0);
        let mut errors = Vec::new();
        for l in out.lines().map(str::trim) {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                ["Requests/sec:", v] => rps = v.parse().ok(),
                ["50%", v] => p50 = wrk_us(v),
                ["99%", v] => p99 = wrk_us(v),
                [n, "requests", "in", ..] => requests = n.parse().unwrap_or(0.0),
                _ if l.starts_with("Socket errors") || l.starts_with("Non-2xx") => {
                    errors.push(l.to_string())
                }
                _ => {}
            }
        }
        Some((rps?, p50?, p99?, requests, errors))
    }

    /// Two requests on one connection with curl: both `200` with the body
    /// `hello, world\n`, the connection kept.
    fn curl_check(name: &str, addr: &str) -> Result<()> {
        let url = format!("http://{addr}/");
        let mut c = Command::new("curl");
        c.args(["-sv", "--max-time", "10", &url, &url]);
        let (st, out, err) = run_timeout(c, Duration::from_secs(30))?;
        let oks = err
            .lines()
            .filter(|l| l.starts_with("< HTTP/1.1 200"))
            .count();
        if !st.success() || out != "hello, world\nhello, world\n" || oks != 2 {
            return Err(format!(
                "{name}: curl {url} {url}: {}, body {out:?}, {oks} of 2 answers `HTTP/1.1 200`:\n{}",
                describe(st),
                err.trim()
            ));
        }
        if !err.contains("existing connection") {
            return Err(format!(
                "{name}: curl did not reuse the connection for the second request (no keep-alive?):\n{}",
                err.trim()
            ));
        }
        Ok(())
    }

    fn wrk_once(
        t: &Target,
        dir: &Path,
        name: &str,
        exe: &Path,
        secs: u64,
        check: bool,
    ) -> Result<WrkRun> {
        let mut s = Server::start(t, name, exe, dir)?;
        if check {
            curl_check(name, &s.addr)?;
        }
        let cpu0 = cpu_secs(s.pid);
        let mut c = Command::new("wrk");
        c.args(["-t2", "-c100"])
            .arg(format!("-d{secs}s"))
            .args(["--latency", "--timeout", "10s"])
            .arg(format!("http://{}/", s.addr));
        let r = run_timeout(c, Duration::from_secs(secs + 60));
        let cpu = cpu_secs(s.pid) - cpu0;
        let hwm_kb = status_kb(s.pid, "VmHWM:");
        s.check()?;
        let (st, out, err) = r.map_err(|e| format!("{name}: {e}"))?;
        let Some((rps, p50, p99, requests, errors)) = parse_wrk(&out) else {
            return Err(format!(
                "{name}: wrk {}: {} {}",
                describe(st),
                out.trim(),
                err.trim()
            ));
        };
        if !st.success() || !errors.is_empty() {
            return Err(format!(
                "{name}: wrk {}: {}",
                describe(st),
                errors.join("; ")
            ));
        }
        Ok(WrkRun {
            rps,
            p50,
            p99,
            cpu_us: cpu * 1e6 / requests.max(1.0),
            hwm_kb,
        })
    }

    fn http(t: &Target, dir: &Path, p: &Programs, o: &Options, problems: &mut Vec<String>) {
        if let Err(e) = tools::ensure_commands(&[("wrk", "wrk"), ("curl", "curl")]) {
            problems.push(format!("net/http: {e}"));
            return;
        }
        let secs = o.seconds.unwrap_or(5);
        println!(
            "\nnet/http: wrk -t2 -c100 -d{secs}s --latency (native), GET / answered `200 OK`, `hello, world\\n`"
        );
        let mut servers: Vec<(&str, &Path)> = Vec::new();
        match &p.httpd {
            Ok(h) => servers.push(("httpd", h)),
            Err(why) => println!("skipping httpd: {why}"),
        }
        servers.push(("go net", &p.http_go));
        servers.push(("go net/http", &p.nethttp));
        let mut runs: Vec<Vec<WrkRun>> = servers.iter().map(|_| Vec::new()).collect();
        for run in 0..o.runs {
            for (i, (name, exe)) in servers.iter().enumerate() {
                match wrk_once(t, dir, name, exe, secs, run == 0) {
                    Ok(r) => runs[i].push(r),
                    Err(e) => problems.push(format!("net/http: {e}")),
                }
            }
        }
        println!(
            "{:<12} {:>9} {:>8} {:>8} {:>7} {:>9}",
            "server", "req/s", "p50 us", "p99 us", "CPU us", "peak RSS"
        );
        let mut med: Vec<Option<(f64, f64, f64)>> = Vec::new();
        for (i, (name, _)) in servers.iter().enumerate() {
            let r = &runs[i];
            if r.is_empty() {
                println!("{name:<12} failed (see below)");
                med.push(None);
                continue;
            }
            let m = |f: fn(&WrkRun) -> f64| median(r.iter().map(f).collect());
            let (a, b, c, d) = (m(|r| r.rps), m(|r| r.p50), m(|r| r.p99), m(|r| r.cpu_us));
            println!(
                "{name:<12} {a:>9.0} {:>8} {:>8} {d:>7.1} {:>6} KB{}",
                us(b),
                us(c),
                r.iter().map(|r| r.hwm_kb).max().unwrap_or(0),
                if r.len() < o.runs {
                    "  (some runs failed)"
                } else {
                    ""
                }
            );
            med.push(Some((a, b, c)));
        }
        if servers[0].0 == "httpd" {
            if let Some(Some(ours)) = med.first() {
                for (j, other) in med.iter().enumerate().skip(1) {
                    if let Some(g) = other {
                        println!(
                            "httpd / {}: req/s {:.2}, p50 {:.2}, p99 {:.2}",
                            servers[j].0,
                            ours.0 / g.0,
                            ours.1 / g.1,
                            ours.2 / g.2
                        );
                    }
                }
            }
        }
    }
}
