//! Tracebacks: the frames of a three-deep call chain, named by
//! `cargo xtask symbolize` from the unstripped copy beside the
//! executable, in C (a panic and a nil dereference) and in Rust; and the
//! `GOTRACEBACK` levels (none, single, all, system, crash).
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
    let cases: Vec<(Run, i32, Vec<&str>, Vec<&str>, Vec<&str>)> = vec![
        (
            Run { name: "traceback: a C panic names f3, f2, f1, main_main in order".into(), exe: c.clone(), args: &["panic"], env: None },
            2,
            vec![panic_c, "runtime frames hidden]\n"],
            chain.to_vec(),
            vec!["rt_panic(", "runtime::"],
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
        ),
        (
            Run { name: "traceback: a Rust panic names f3, f2, f1, main_main in order".into(), exe: rust.clone(), args: &[], env: None },
            2,
            vec!["panic: boom in f3 (3)\n\ngoroutine 1 [running]:\n\t", "tests/rust/traceback.rs:", "\tret=0x"],
            chain.to_vec(),
            vec!["runtime::panic::"],
        ),
        (
            Run { name: "traceback: GOTRACEBACK=none prints no goroutine".into(), exe: c.clone(), args: &["panic"], env: Some("none") },
            2,
            vec!["panic: boom in f3\n"],
            vec![],
            vec!["goroutine", "ret=0x"],
        ),
        (
            Run { name: "traceback: GOTRACEBACK unset prints the failing goroutine only".into(), exe: c.clone(), args: &["all"], env: None },
            2,
            vec!["panic: boom in f3\n\ngoroutine ", " [running]:\n\tret=0x"],
            chain[..3].to_vec(),
            vec!["[chan receive]", "[sleep]", "blocked("],
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
        ),
        (
            Run { name: "traceback: GOTRACEBACK=system shows the runtime's frames".into(), exe: c.clone(), args: &["all"], env: Some("system") },
            2,
            vec!["panic: boom in f3\n\ngoroutine ", " [running]:\n", " [chan receive]:\n", "runtime frames shown]\n"],
            vec!["rt_panic", "f3", "f2", "f1", "rt_chan_recv", "blocked"],
            vec![],
        ),
        (
            Run { name: "traceback: GOTRACEBACK=crash prints every goroutine, then dies by SIGABRT".into(), exe: c.clone(), args: &["all"], env: Some("crash") },
            128 + 6,
            vec!["panic: boom in f3\n\ngoroutine ", " [running]:\n", "\ngoroutine 1 [sleep]:\n", "runtime frames shown]\n"],
            vec!["f3", "f2", "f1", "main_main"],
            vec![],
        ),
    ];
    // Where a descriptor built Rust programs without frame pointers, a
    // Rust program's chain could not be walked. Every target has them
    // now (riscv64 too: save-restore pays for them, see its descriptor);
    // the check stays for a new target that goes without.
    let rust_fp = t.rustflags.iter().any(|f| f == "force-frame-pointers=non-leaf");
    for (r, code, headers, frames, absent) in cases {
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
            .and_then(|syms| run(t, &r).and_then(|out| judge(&out, code, &headers, &syms, &frames, &absent)));
        tally.record(&name, res);
    }
}
