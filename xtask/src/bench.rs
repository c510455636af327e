//! `cargo xtask bench`: the same workloads in this runtime and in Go,
//! side by side, on each `--target` (by default the host's).
//!
//! Each of the seven workloads exists twice: `benches/c/<name>.c` (linked
//! with the runtime by `build::cc`) and `benches/go/<name>/main.go` (built
//! by Debian's Go, `CGO_ENABLED=0`, `GOARCH`/`GOARM` from the target's
//! descriptor); hello world is the C example `hello-c` against
//! `benches/go/hello`. `fanout` runs twice, at GOMAXPROCS=1 and 2; the
//! others with whatever GOMAXPROCS the environment has, the same for both.
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
//! 100,000 goroutines), and hello's executable sizes and system calls
//! (strace natively, qemu's -strace otherwise).

use crate::build;
use crate::target::Target;
use crate::tools;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const WORKLOADS: [&str; 7] = ["spawn", "pingpong", "yield", "sieve", "parked", "fanout", "syscall"];

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

pub fn run(root: &Path, t: &Target, runs: usize) -> Result<()> {
    tools::ensure_target(root, t, true)?;
    tools::ensure_commands(&[("go", "golang-go")])?;
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
            cases.push((w.clone(), ours.clone(), go.clone(), vec![], None));
        }
    }
    cases.push((
        "hello".into(),
        ours_hello.clone(),
        go_hello.clone(),
        vec![],
        None,
    ));
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
