//! Cases for the Rust `print!` family (`tests/rust/print.rs`), the
//! examples that show what the runtime is for (`primes`, `workers`,
//! `pipeline`, each in Rust and in C), and the runtime's documentation
//! (`cargo doc` shows the API only, without a warning).

use crate::check::Case;
use crate::target::Target;
use crate::tests::Tally;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The first `n` primes, one per line, computed here by trial division.
fn primes_out(n: usize) -> String {
    let mut v: Vec<u64> = Vec::new();
    let mut k = 2u64;
    while v.len() < n {
        if v.iter().take_while(|p| *p * *p <= k).all(|p| !k.is_multiple_of(*p)) {
            v.push(k);
        }
        k += 1;
    }
    v.iter().map(|p| format!("{p}\n")).collect()
}

/// 8 goroutines × 1000 lines of `print.rs lines`, then `done`: every line
/// exactly as formatted (none cut, joined or mixed with another), each
/// once, each goroutine's in its own order.
fn print_lines_whole(out: &str) -> Result<(), String> {
    let mut next = [0u32; 8];
    let mut lines = out.split_inclusive('\n').peekable();
    let mut n = 0;
    while let Some(l) = lines.next() {
        if lines.peek().is_none() {
            return match l {
                "done\n" if n == 8000 => Ok(()),
                "done\n" => Err(format!("done after {n} lines, want 8000")),
                _ => Err(format!("last line {l:?}, want \"done\\n\"")),
            };
        }
        let g = l
            .strip_prefix('g')
            .and_then(|r| r.split(' ').next())
            .and_then(|g| g.parse::<u32>().ok())
            .filter(|g| *g < 8)
            .ok_or_else(|| format!("line {n}: {l:?} is not a goroutine's line"))?;
        let i = next[g as usize];
        let want = format!("g{g} line {i:04} {:-<24} sum={}\n", "payload", g * 1000 + i);
        if l != want {
            return Err(format!("line {n}: {l:?}, want {want:?} (goroutine {g}'s next line)"));
        }
        next[g as usize] += 1;
        n += 1;
    }
    Err("no output".into())
}

/// `print.rs long`: the 70,000-byte line whole, then `after`, then the
/// 600-byte literal.
fn long_line_whole(out: &str) -> Result<(), String> {
    let sixty = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX";
    let want = format!("{}\nafter\n{}\n", "0123456789".repeat(7000), sixty.repeat(10));
    if out == want {
        Ok(())
    } else {
        let first = out.find('\n').unwrap_or(out.len());
        Err(format!("{} bytes, first line {first} bytes; want 70,000, \"after\", then 600", out.len()))
    }
}

/// What `workers JOBS WORKERS` must print, in any order of jobs: each
/// job's line once with its result and a worker in range, then the total.
fn workers_out(out: &str, jobs: u64, workers: u64) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    let mut sum = 0u64;
    let mut lines: Vec<&str> = out.lines().collect();
    let last = lines.pop().ok_or("no output")?;
    for l in lines {
        let parse = || -> Option<(u64, u64, u64)> {
            let r = l.strip_prefix("job ")?;
            let (j, r) = r.split_once(": ")?;
            let (res, r) = r.split_once(" (worker ")?;
            let w = r.strip_suffix(')')?;
            Some((j.parse().ok()?, res.parse().ok()?, w.parse().ok()?))
        };
        let (j, res, w) = parse().ok_or_else(|| format!("malformed line {l:?}"))?;
        let want: u64 = (1..=j).map(|k| k * k).sum();
        if !(1..=jobs).contains(&j) || res != want || !(1..=workers).contains(&w) {
            return Err(format!("{l:?}: want job 1..={jobs}, result {want}, worker 1..={workers}"));
        }
        if !seen.insert(j) {
            return Err(format!("job {j} reported twice"));
        }
        sum += res;
    }
    if seen.len() as u64 != jobs {
        return Err(format!("{} of {jobs} jobs reported", seen.len()));
    }
    let want = format!("jobs={jobs} sum={sum}");
    if last != want {
        return Err(format!("last line {last:?}, want {want:?}"));
    }
    Ok(())
}

fn workers_100_4(out: &str) -> Result<(), String> {
    workers_out(out, 100, 4)
}

fn workers_500_16(out: &str) -> Result<(), String> {
    workers_out(out, 500, 16)
}

/// `pipeline`'s lines for items 1..=n, and the sum when `sum`.
fn pipeline_out(n: u64, sum: bool) -> String {
    let mut s: String = (1..=n).map(|i| format!("item {i}: {}\n", i * i)).collect();
    if sum {
        s.push_str(&format!("sum={}\n", (1..=n).map(|i| i * i).sum::<u64>()));
    }
    s
}

/// The cases for `t`.
pub fn cases(_t: &Target) -> Vec<Case> {
    let mut v = Vec::new();
    for procs in ["1", "2", "8"] {
        v.push(
            Case::new(&format!("println!: 8 goroutines × 1000 lines, none mixed or lost, GOMAXPROCS={procs}"), "rust-print")
                .args(["lines"])
                .env("GOMAXPROCS", procs)
                .stdout_check(print_lines_whole),
        );
    }
    // Chaos mode slows the hand-offs, so that printers meet at the
    // stream's lock and park there.
    v.push(
        Case::new("println!: 8 goroutines × 1000 lines, none mixed or lost, GOMAXPROCS=4, schedchaos=10", "rust-print")
            .args(["lines"])
            .env("GOMAXPROCS", "4")
            .env("GODEBUG", "schedchaos=10")
            .stdout_check(print_lines_whole),
    );
    v.extend([
        Case::new("println!: a 70,000-byte line and a 600-byte literal come out whole", "rust-print")
            .args(["long"])
            .stdout_check(long_line_whole),
        Case::new("print!, eprint!, eprintln!: formatted, to their streams", "rust-print")
            .args(["stderr"])
            .stdout("out 1\n")
            .stderr("err ff (1, \"two\")\n\n"),
        // As in tests.rs's rt_write cases: the shell keeps the real stdout
        // as fd 4 and reports the program's status there.
        Case::new("println! into a broken pipe kills by SIGPIPE, silently", "rust-print")
            .args(["epipe"])
            .wrapper(["sh", "-c", r#"exec 4>&1; { "$@" 4>&-; echo "status=$?" >&4; } | true"#, "sh"])
            .stdout("status=141\n"),
        Case::new("println! to a closed stdout is dropped, the program goes on", "rust-print")
            .args(["closed"])
            .wrapper(["sh", "-c", r#""$@" >&-"#, "sh"])
            .stderr("after\n"),
    ]);
    for (lang, sfx) in [("Rust", ""), ("C", "-c")] {
        let primes = format!("primes{sfx}");
        let workers = format!("workers{sfx}");
        let pipeline = format!("pipeline{sfx}");
        v.extend([
            Case::new(&format!("example primes ({lang}): the first 25 primes"), &primes).stdout(&primes_out(25)),
            Case::new(&format!("example primes ({lang}): 300 primes, GOMAXPROCS=2"), &primes)
                .args(["300"])
                .env("GOMAXPROCS", "2")
                .stdout(&primes_out(300)),
            Case::new(&format!("example primes ({lang}): 0 primes"), &primes).args(["0"]).stdout(""),
            Case::new(&format!("example primes ({lang}): a bad count"), &primes)
                .args(["x1"])
                .code(2)
                .stdout("")
                .stderr("primes: not a count: \"x1\"\n"),
            Case::new(&format!("example workers ({lang}): 100 jobs, 4 workers, each result once"), &workers)
                .stdout_check(workers_100_4),
            Case::new(&format!("example workers ({lang}): 500 jobs, 16 workers, GOMAXPROCS=4"), &workers)
                .args(["500", "16"])
                .env("GOMAXPROCS", "4")
                .stdout_check(workers_500_16),
            // One worker takes the jobs in the order they were sent.
            Case::new(&format!("example workers ({lang}): one worker, in order"), &workers)
                .args(["3", "1"])
                .stdout("job 1: 1 (worker 1)\njob 2: 5 (worker 1)\njob 3: 14 (worker 1)\njobs=3 sum=20\n"),
            Case::new(&format!("example workers ({lang}): a bad count"), &workers)
                .args(["0"])
                .code(2)
                .stdout("")
                .stderr("workers: not a positive count: \"0\"\n"),
            Case::new(&format!("example pipeline ({lang}): every item within the timeout"), &pipeline)
                .args(["10", "10000"])
                .stdout(&pipeline_out(10, true)),
            Case::new(&format!("example pipeline ({lang}): a stalled stage hits the timeout"), &pipeline)
                .args(["10", "300", "4"])
                .code(1)
                .stdout(&pipeline_out(3, false))
                .stderr("pipeline: timed out after 300 ms waiting for item 4\n"),
            Case::new(&format!("example pipeline ({lang}): no arguments"), &pipeline)
                .code(2)
                .stderr("usage: pipeline N TIMEOUT_MS [STALL_AT]\n"),
        ]);
    }
    v
}

/// The modules and macros the documentation may show.
const DOC_MODULES: [&str; 5] = ["fmt", "fs", "io", "net", "signal"];
const DOC_MACROS: [&str; 5] = ["eprint", "eprintln", "print", "println", "select"];

/// Item pages that need no example of their own: numbers documented as a
/// group (the open flags, the signals) and `embedded-io`'s re-exported
/// traits, documented by that crate.
fn example_exempt(page: &str) -> bool {
    page.contains("/constant.")
        || page.starts_with("io/trait.")
        || page == "io/enum.ErrorKind.html"
        || page == "io/type.Result.html"
}

/// `href="X"` targets in an HTML text.
fn hrefs(html: &str) -> Vec<&str> {
    html.split("href=\"").skip(1).filter_map(|r| r.split('"').next()).collect()
}

/// `cargo doc` for the runtime on `t`: no warning, and the pages show the
/// API only (the modules and macros above, every item with an example).
fn doc_check(root: &Path, t: &Target) -> Result<(), String> {
    let dir = root.join("target/doc-check");
    let doc = dir.join(&t.triple).join("doc/runtime");
    let _ = std::fs::remove_dir_all(&doc);
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["doc", "-p", "runtime", "--no-deps", "--target", &t.triple, "--target-dir"])
        .arg(&dir)
        .env_remove("RUSTDOCFLAGS")
        .env_remove("RUSTFLAGS")
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo doc: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning") || l.starts_with("error"))
        .collect();
    if !out.status.success() || !warnings.is_empty() {
        return Err(format!("cargo doc: {}\n{stderr}", out.status));
    }
    let read = |p: &str| {
        std::fs::read_to_string(doc.join(p)).map_err(|e| format!("{}: {e}", doc.join(p).display()))
    };
    let index = read("index.html")?;
    let modules: BTreeSet<&str> = hrefs(&index)
        .into_iter()
        .filter_map(|h| h.strip_suffix("/index.html"))
        .filter(|m| !m.contains('/') && !m.starts_with('.'))
        .collect();
    let macros: BTreeSet<&str> = hrefs(&index)
        .into_iter()
        .filter_map(|h| h.strip_prefix("macro.")?.strip_suffix(".html"))
        .collect();
    if modules != BTreeSet::from(DOC_MODULES) {
        return Err(format!("index.html lists modules {modules:?}, want {DOC_MODULES:?}"));
    }
    if macros != BTreeSet::from(DOC_MACROS) {
        return Err(format!("index.html lists macros {macros:?}, want {DOC_MACROS:?}"));
    }
    let all = read("all.html")?;
    let mut problems = Vec::new();
    for page in hrefs(&all).into_iter().filter(|h| h.ends_with(".html") && !h.starts_with("..")) {
        if let Some((m, _)) = page.split_once('/') {
            if !DOC_MODULES.contains(&m) {
                problems.push(format!("{page}: outside the public modules"));
                continue;
            }
        }
        if example_exempt(page) {
            continue;
        }
        let text = read(page)?;
        if !text.contains("rust-example-rendered") {
            problems.push(format!("{page}: no example"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n    "))
    }
}

/// The documentation check on `t`, once per target.
pub fn doc(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    let name = format!("{}/rustdoc: the runtime's pages show the API only, each item with a code sample, no warning", t.arch());
    if filter.is_some_and(|f| !name.contains(f)) {
        return;
    }
    tally.record(&name, doc_check(root, t));
}
