//! Tracebacks: the frames of a three-deep call chain, named by
//! `cargo xtask symbolize` from the unstripped copy beside the
//! executable, in C (a panic and a nil dereference) and in Rust; and the
//! `GOTRACEBACK` levels (none, single, all, system, crash). A fault in a
//! leaf function (no frame record) still shows the leaf's caller (from
//! the `lr=` line), and a fault in a non-leaf one no extra frame; every
//! goroutine but the main one ends with `created by FUNC in goroutine N`,
//! N the creator's id as the program printed it.
//!
//! Each case runs the program, checks the report's header lines and exit
//! status, then symbolizes the report in-process (`symbolize::Symbols`,
//! what the command runs) and checks that the named frames appear in
//! order, innermost first.

use crate::build;
use crate::check::{self, Outcome};
use crate::symbolize::Symbols;
use crate::target::Target;
use crate::tests::Tally;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

struct Run<'a> {
    name: String,
    exe: PathBuf,
    args: &'a [&'a str],
    env: Option<&'a str>,
}

fn run(t: &Target, r: &Run) -> Result<Outcome, String> {
    let mut cmd = build::runner(t, &r.exe);
    cmd.args(r.args);
    cmd.env_remove("GOTRACEBACK");
    // One P: the blocked goroutines of the "all" mode have all reached
    // their receive once main has yielded (with more Ps, one may still be
    // runnable on another under load).
    cmd.env("GOMAXPROCS", "1");
    if let Some(v) = r.env {
        cmd.env("GOTRACEBACK", v);
    }
    // GOTRACEBACK=crash dumps core: not into the working tree.
    // SAFETY: between fork and exec, setrlimit is async-signal-safe and
    // touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            Ok(())
        });
    }
    check::run(cmd, std::time::Duration::from_secs(60))
}

/// The position of each function's frame line (`NAME(...)` or
/// `…::NAME(...)`) in `text`, which must be in order.
fn in_order(text: &str, names: &[&str]) -> Result<(), String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    for n in names {
        let at = lines[from..].iter().position(|l| {
            l.strip_suffix("(...)")
                .is_some_and(|f| f == *n || f.ends_with(&format!("::{n}")))
        });
        match at {
            Some(i) => from += i + 1,
            None => return Err(format!("no frame {n}(...) (in order) in:\n{text}")),
        }
    }
    Ok(())
}

/// Exit status, header lines (in order) and the last line's note on the
/// raw report; then the symbolized report's frames in order (`frames`)
/// and lines it must not have (`absent`).
fn judge(
    out: &Outcome,
    code: i32,
    headers: &[&str],
    syms: &Symbols,
    frames: &[&str],
    absent: &[&str],
    extra: Option<Extra>,
) -> Result<(), String> {
    if out.timed_out {
        return Err("timed out".into());
    }
    if out.code != Some(code) {
        return Err(format!("exit code {:?}, want {code}; stderr:\n{}", out.code, out.stderr));
    }
    let mut rest = out.stderr.as_str();
    for h in headers {
        match rest.find(h) {
            Some(i) => rest = &rest[i + h.len()..],
            None => return Err(format!("missing {h:?} (in order) in stderr:\n{}", out.stderr)),
        }
    }
    if !frames.is_empty() && !out.stderr.contains("\n[frames as addresses: `cargo xtask symbolize EXE < report` names them") {
        return Err(format!("no note on naming the frames in:\n{}", out.stderr));
    }
    let named = syms.report(&out.stderr);
    in_order(&named, frames)?;
    for a in absent {
        if named.contains(a) {
            return Err(format!("{a:?} should not be in:\n{named}"));
        }
    }
    extra.map_or(Ok(()), |f| f(out, &named))
}

/// The symbolized report's frames (`NAME(...)` lines), by their last
/// path segment.
fn frame_names(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_suffix("(...)"))
        .map(|f| f.rsplit("::").next().unwrap_or(f))
        .collect()
}

/// `names` appear as consecutive frames: nothing between them (a stale
/// `lr=` line kept as a frame would be).
fn consecutive(text: &str, names: &[&str]) -> Result<(), String> {
    let f = frame_names(text);
    if f.windows(names.len()).any(|w| w == names) {
        Ok(())
    } else {
        Err(format!("frames {names:?} not consecutive in:\n{text}"))
    }
}

/// The `created by FUNC in goroutine N` lines (FUNC by its last path
/// segment) of each goroutine section, in order; each must be followed
/// by a location line.
fn created_by(text: &str) -> Result<Vec<(String, String)>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut v = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(rest) = l.strip_prefix("created by ") {
            let Some((func, n)) = rest.split_once(" in goroutine ") else {
                return Err(format!("malformed {l:?} in:\n{text}"));
            };
            if !lines.get(i + 1).is_some_and(|n| n.starts_with('\t')) {
                return Err(format!("no location after {l:?} in:\n{text}"));
            }
            v.push((func.rsplit("::").next().unwrap_or(func).to_string(), n.to_string()));
        }
    }
    Ok(v)
}

/// The goroutine id the program printed as `creator=N`.
fn creator(out: &Outcome) -> Result<String, String> {
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("creator="))
        .map(str::to_string)
        .ok_or_else(|| format!("no creator= on stdout: {:?}", out.stdout))
}

/// The section of goroutine `n` (header to the next header) in `text`.
fn section<'t>(text: &'t str, n: &str) -> Result<&'t str, String> {
    let h = format!("\ngoroutine {n} [");
    let at = text.find(&h).ok_or_else(|| format!("no goroutine {n} in:\n{text}"))?;
    let rest = &text[at + h.len()..];
    Ok(&rest[..rest.find("\ngoroutine ").unwrap_or(rest.len())])
}

/// More checks on a case: the raw outcome and the symbolized report.
type Extra = fn(&Outcome, &str) -> Result<(), String>;

/// The leaf case, at the default level: leaf, g2, g1 with nothing
/// between, an `lr=` line after the raw report's interrupted pc, and the
/// failing goroutine created by `spawner` in the goroutine that printed
/// its id.
fn leaf_single(out: &Outcome, named: &str) -> Result<(), String> {
    if !out.stderr.contains(" [running]:\n\tpc=0x") || !out.stderr.contains("\n\tlr=0x") {
        return Err(format!("no pc= then lr= line in:\n{}", out.stderr));
    }
    consecutive(named, &["leaf", "g2", "g1"])?;
    let k = creator(out)?;
    let c = created_by(named)?;
    if c.first() != Some(&("spawner".to_string(), k.clone())) {
        return Err(format!("want the first created-by spawner in goroutine {k}, got {c:?} in:\n{named}"));
    }
    // After the frames of its goroutine.
    let g1 = named.find("g1(...)").unwrap_or(usize::MAX);
    if named.find("created by ").is_none_or(|i| i < g1) {
        return Err(format!("created-by before the frames in:\n{named}"));
    }
    Ok(())
}

/// The leaf case at `all`: also `middle`'s goroutine, created by
/// main_main in goroutine 1, and none for goroutine 1, each section
/// checked on its own (their order is the runtime's `allgs`). `middle` is
/// asleep, with its own frame, or runnable when sysmon preempted it
/// (under load) between starting the faulting goroutine and parking:
/// then the signal may have landed in a prologue or epilogue, where the
/// chain misses a frame, so only its created-by line is checked.
fn leaf_all(out: &Outcome, named: &str) -> Result<(), String> {
    leaf_single(out, named)?;
    let k = creator(out)?;
    let mid = section(named, &k)?;
    let has_middle = mid.lines().any(|l| l.rsplit("::").next() == Some("middle(...)"));
    if mid.starts_with("sleep]") && !has_middle {
        return Err(format!("goroutine {k} asleep without its frame middle in:\n{named}"));
    }
    if created_by(mid)? != [("main_main".to_string(), "1".to_string())] {
        return Err(format!("goroutine {k} not created by main_main in goroutine 1 in:\n{named}"));
    }
    if section(named, "1")?.contains("created by") {
        return Err(format!("the main goroutine has a created-by line in:\n{named}"));
    }
    Ok(())
}

/// The "tail" mode: `tail_spawn` ends with its call of rt_go, a jump, so
/// the recorded return address follows main_main's call of tail_spawn;
/// symbolize still names tail_spawn.
fn tail_created(_: &Outcome, named: &str) -> Result<(), String> {
    let c = created_by(named)?;
    if c != [("tail_spawn".to_string(), "1".to_string())] {
        return Err(format!("created-by lines {c:?}, want tail_spawn in goroutine 1 in:\n{named}"));
    }
    Ok(())
}

/// A nil dereference in f3, which keeps a record: its `lr=` candidate is
/// stale and must not become a frame.
fn nonleaf(_: &Outcome, named: &str) -> Result<(), String> {
    consecutive(named, &["f3", "f2", "f1"])
}

/// The `all` mode at GOTRACEBACK=all: the three blocked goroutines and
/// the failing one were started by main_main, the main one by no one.
fn all_created(_: &Outcome, named: &str) -> Result<(), String> {
    let c = created_by(named)?;
    let want = vec![("main_main".to_string(), "1".to_string()); 4];
    if c != want {
        return Err(format!("created-by lines {c:?}, want {want:?} in:\n{named}"));
    }
    if section(named, "1")?.contains("created by") {
        return Err(format!("the main goroutine has a created-by line in:\n{named}"));
    }
    Ok(())
}

/// The traceback cases on `t`.
pub fn run_all(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    let dir = build::out_dir(root, t);
    let c = dir.join("tests/traceback");
    let rust = dir.join("examples/rust-traceback");
    let a = t.arch();
    let chain = ["f3", "f2", "f1", "main_main"];
    let panic_c = "panic: boom in f3\n\ngoroutine 1 [running]:\n\tret=0x";
    let cases: Vec<(Run, i32, Vec<&str>, Vec<&str>, Vec<&str>, Option<Extra>)> = vec![
        (
            Run { name: "traceback: a C panic names f3, f2, f1, main_main in order".into(), exe: c.clone(), args: &["panic"], env: None },
            2,
            vec![panic_c, "runtime frames hidden]\n"],
            chain.to_vec(),
            vec!["rt_panic(", "runtime::"],
            None,
        ),
        (
            Run { name: "traceback: a C nil dereference names f3, f2, f1 from the signal's context".into(), exe: c.clone(), args: &["nil"], env: None },
            2,
            vec![
                "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x",
                "\n\ngoroutine 1 [running]:\n\tpc=0x",
            ],
            chain.to_vec(),
            vec![],
            Some(nonleaf as Extra),
        ),
        (
            Run { name: "traceback: a Rust panic names f3, f2, f1, main_main in order".into(), exe: rust.clone(), args: &[], env: None },
            2,
            vec!["panic: boom in f3 (3)\n\ngoroutine 1 [running]:\n\t", "tests/rust/traceback.rs:", "\tret=0x"],
            chain.to_vec(),
            vec!["runtime::panic::"],
            None,
        ),
        (
            Run { name: "traceback: GOTRACEBACK=none prints no goroutine".into(), exe: c.clone(), args: &["panic"], env: Some("none") },
            2,
            vec!["panic: boom in f3\n"],
            vec![],
            vec!["goroutine", "ret=0x"],
            None,
        ),
        (
            Run { name: "traceback: GOTRACEBACK unset prints the failing goroutine only".into(), exe: c.clone(), args: &["all"], env: None },
            2,
            vec!["panic: boom in f3\n\ngoroutine ", " [running]:\n\tret=0x"],
            chain[..3].to_vec(),
            vec!["[chan receive]", "[sleep]", "blocked("],
            None,
        ),
        (
            Run { name: "traceback: GOTRACEBACK=all prints every goroutine and its frames".into(), exe: c.clone(), args: &["all"], env: Some("all") },
            2,
            vec![
                "panic: boom in f3\n\ngoroutine ",
                " [running]:\n",
                " [chan receive]:\n\tret=0x",
                " [chan receive]:\n\tret=0x",
                " [chan receive]:\n\tret=0x",
                "\ngoroutine 1 [sleep]:\n\tret=0x",
                "runtime frames hidden]\n",
            ],
            vec!["f3", "f2", "f1", "blocked", "blocked", "blocked", "main_main"],
            vec!["rt_panic(", "rt_chan_recv("],
            Some(all_created as Extra),
        ),
        (
            Run { name: "traceback: GOTRACEBACK=system shows the runtime's frames".into(), exe: c.clone(), args: &["all"], env: Some("system") },
            2,
            vec!["panic: boom in f3\n\ngoroutine ", " [running]:\n", " [chan receive]:\n", "runtime frames shown]\n"],
            vec!["rt_panic", "f3", "f2", "f1", "rt_chan_recv", "blocked"],
            vec![],
            None,
        ),
        (
            Run { name: "traceback: GOTRACEBACK=crash prints every goroutine, then dies by SIGABRT".into(), exe: c.clone(), args: &["all"], env: Some("crash") },
            128 + 6,
            vec!["panic: boom in f3\n\ngoroutine ", " [running]:\n", "\ngoroutine 1 [sleep]:\n", "runtime frames shown]\n"],
            vec!["f3", "f2", "f1", "main_main"],
            vec![],
            None,
        ),
        (
            Run { name: "traceback: a C fault in a leaf function names leaf, g2, g1 and the creator".into(), exe: c.clone(), args: &["leaf"], env: None },
            2,
            vec![
                "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x",
                " [running]:\n\tpc=0x",
                "\ncreated by goroutine ",
                "runtime frames hidden]\n",
            ],
            vec!["leaf", "g2", "g1"],
            vec!["[sleep]"],
            Some(leaf_single as Extra),
        ),
        (
            Run { name: "traceback: GOTRACEBACK=all names every goroutine's creator after a C leaf fault".into(), exe: c.clone(), args: &["leaf"], env: Some("all") },
            2,
            vec![" [running]:\n\tpc=0x", "\ncreated by goroutine ", "\ncreated by goroutine 1\n\tret=0x", "runtime frames hidden]\n"],
            vec!["leaf", "g2", "g1"],
            vec![],
            Some(leaf_all as Extra),
        ),
        (
            Run { name: "traceback: a goroutine started by a tail call of rt_go names that function as its creator".into(), exe: c.clone(), args: &["tail"], env: None },
            2,
            vec!["panic: boom in f3\n\ngoroutine ", "\ncreated by goroutine 1\n\tret=0x"],
            chain[..3].to_vec(),
            vec![],
            Some(tail_created as Extra),
        ),
        (
            Run { name: "traceback: a Rust fault in a leaf function names leaf, g2, g1 and the creator".into(), exe: rust.clone(), args: &["leaf"], env: None },
            2,
            vec![
                "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x",
                " [running]:\n\tpc=0x",
                "\ncreated by goroutine ",
            ],
            vec!["leaf", "g2", "g1"],
            vec![],
            Some(leaf_single as Extra),
        ),
        (
            Run { name: "traceback: GOTRACEBACK=all names every goroutine's creator after a Rust leaf fault".into(), exe: rust.clone(), args: &["leaf"], env: Some("all") },
            2,
            vec![" [running]:\n\tpc=0x", "\ncreated by goroutine ", "\ncreated by goroutine 1\n\tret=0x"],
            vec!["leaf", "g2", "g1"],
            vec![],
            Some(leaf_all as Extra),
        ),
    ];
    // Where a descriptor built Rust programs without frame pointers, a
    // Rust program's chain could not be walked. Every target has them
    // now (riscv64 too, see its descriptor);
    // the check stays for a new target that goes without.
    let rust_fp = t.rustflags.iter().any(|f| f == "force-frame-pointers=non-leaf");
    for (r, code, headers, frames, absent, extra) in cases {
        let name = format!("{a}/{}", r.name);
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        if r.exe == rust && !rust_fp {
            println!(
                "skip  {name}: not on {a}, whose Rust programs are built without frame \
                 pointers (targets/{}.toml)",
                t.triple
            );
            continue;
        }
        let res = Symbols::load(&r.exe)
            .and_then(|syms| run(t, &r).and_then(|out| judge(&out, code, &headers, &syms, &frames, &absent, extra)));
        tally.record(&name, res);
    }
}
