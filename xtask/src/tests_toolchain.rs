//! The toolchain as a user outside this repository meets it: `cargo xtask
//! install` into a temporary prefix, then the installed `rt-cc` run from a
//! temporary directory with no checkout on PATH and no cargo in the
//! environment; `cargo xtask new` and the project's own `cargo build`,
//! `cargo build --release` and `cargo run`; and builds whose output has no
//! line saying `warning:`.

use crate::build;
use crate::check;
use crate::target::Target;
use crate::tests::Tally;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

type Check = std::result::Result<(), String>;

/// A C program with goroutines, a channel and a function in assembly: its
/// output shows all three worked.
const PROG_C: &str = r#"#include <runtime.h>

long answer(void); /* answer.S */

static void square(void *arg)
{
    rt_chan *c = arg;
    long v;
    rt_chan_recv(c, &v);
    v *= v;
    rt_chan_send(c, &v);
}

void main_main(void)
{
    rt_chan *c = rt_chan_make(sizeof(long), 0);
    rt_go(square, c);
    long v = answer();
    rt_chan_send(c, &v);
    rt_chan_recv(c, &v);
    static char out[] = "answer squared: 0000\n";
    for (int i = 19; i >= 16; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    if (rt_write(1, out, sizeof out - 1) < 0)
        rt_exit(1);
}
"#;

/// `answer` returns 42, on each target (preprocessed: a `.S` file).
const ANSWER_S: &str = r#"    .text
    .globl answer
#if defined(__x86_64__)
answer:
    movl $42, %eax
    ret
#elif defined(__aarch64__)
answer:
    mov w0, #42
    ret
#elif defined(__riscv)
answer:
    li a0, 42
    ret
#elif defined(__arm__)
    .syntax unified
    .thumb
    .thumb_func
    .type answer, %function
answer:
    movs r0, #42
    bx lr
#else
#error "no answer for this architecture"
#endif
"#;

const PROG_OUT: &str = "answer squared: 1764\n";

/// A scratch directory outside the tree, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(t: &Target) -> std::result::Result<Scratch, String> {
        let d = std::env::temp_dir().join(format!("rt-toolchain-{}-{}", t.arch(), std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        Ok(Scratch(d))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// PATH without any directory inside the checkout.
fn path_without(root: &Path) -> std::ffi::OsString {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.canonicalize().unwrap_or_else(|_| d.clone()).starts_with(&root))
        .collect();
    std::env::join_paths(dirs).unwrap_or_default()
}

/// `cmd` as a user outside the checkout runs it: in `cwd`, with no
/// checkout on PATH and none of the variables cargo sets for xtask.
fn outside(mut cmd: Command, root: &Path, cwd: &Path) -> Command {
    cmd.current_dir(cwd).env("PATH", path_without(root));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CARGO") || k == "RUSTFLAGS" || k == "RUSTC_BOOTSTRAP" || k == "RUSTUP_TOOLCHAIN" {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// Runs `cmd`; Err names `what` and shows its output unless it exited 0.
fn ok(what: &str, cmd: Command, secs: u64) -> std::result::Result<check::Outcome, String> {
    let out = check::run(cmd, Duration::from_secs(secs))?;
    if out.code == Some(0) && !out.timed_out {
        Ok(out)
    } else {
        Err(format!(
            "{what}: {:?}{}\n{}{}",
            out.status,
            if out.timed_out { " (timed out)" } else { "" },
            out.stdout,
            out.stderr
        ))
    }
}

/// The lines of `text` that hold `warning:`.
fn warning_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains("warning:")).collect()
}

fn no_warnings(what: &str, out: &check::Outcome) -> Check {
    let w = warning_lines(&out.stderr)
        .into_iter()
        .chain(warning_lines(&out.stdout))
        .collect::<Vec<_>>();
    if w.is_empty() {
        Ok(())
    } else {
        Err(format!("{what} printed:\n      {}", w.join("\n      ")))
    }
}

/// Runs the executable `exe` for `t` in `cwd` and checks its stdout.
fn runs(t: &Target, exe: &Path, cwd: &Path, want: &str) -> Check {
    let mut cmd = build::runner(t, exe);
    cmd.current_dir(cwd);
    let out = ok(&exe.display().to_string(), cmd, 60)?;
    if out.stdout == want {
        Ok(())
    } else {
        Err(format!("{}: stdout {:?}, want {want:?}", exe.display(), out.stdout))
    }
}

/// Symbols and debug information of an ELF file: (has `name` in its
/// symbol table, has .debug_info).
fn symbols(exe: &Path, name: &str) -> std::result::Result<(bool, bool), String> {
    use object::{Object, ObjectSymbol};
    let data = std::fs::read(exe).map_err(|e| format!("{}: {e}", exe.display()))?;
    let f = object::File::parse(&*data).map_err(|e| format!("{}: {e}", exe.display()))?;
    let sym = f.symbols().any(|s| s.name() == Ok(name));
    Ok((sym, f.section_by_name(".debug_info").is_some()))
}

fn write(path: &Path, text: &str) -> Check {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The installed rt-cc, from a scratch directory.
fn rt_cc_cases(root: &Path, t: &Target, tmp: &Path, record: &mut dyn FnMut(&str, Check)) {
    let prefix = tmp.join("p");
    let xtask = match std::env::current_exe() {
        Ok(x) => x,
        Err(e) => return record(INSTALL[0], Err(e.to_string())),
    };
    let mut install = Command::new(xtask);
    install.args(["install", "--prefix"]).arg(&prefix).args(["--target", &t.triple]);
    install.current_dir(tmp);
    let installed = ok("cargo xtask install", install, 600).and_then(|out| {
        let want = [
            "bin/rt-cc".to_string(),
            "include/rt/runtime.h".into(),
            format!("lib/rt/{}/libruntime.a", t.triple),
            format!("lib/rt/{}/target.toml", t.triple),
            format!("lib/rt/{}/link/common.ld", t.triple),
        ];
        if let Some(f) = want.iter().find(|f| !prefix.join(f).is_file()) {
            return Err(format!("no {f} under the prefix"));
        }
        // Nothing installed may lead back into the checkout.
        let checkout = root.to_string_lossy().into_owned();
        for f in ["bin/rt-cc", "lib/rt/lld"] {
            let data = std::fs::read(prefix.join(f)).map_err(|e| format!("{f}: {e}"))?;
            if data.windows(checkout.len()).any(|w| w == checkout.as_bytes()) {
                return Err(format!("{f} names the checkout ({checkout})"));
            }
        }
        no_warnings("cargo xtask install", &out)
    });
    let failed = installed.is_err();
    record(INSTALL[0], installed);
    if failed {
        return;
    }
    let rt_cc = prefix.join("bin/rt-cc");
    let cc = |args: &[&str]| {
        let mut c = Command::new(&rt_cc);
        c.arg("--target").arg(&t.triple).args(args);
        outside(c, root, tmp)
    };
    let sources = write(&tmp.join("prog.c"), PROG_C).and_then(|()| write(&tmp.join("answer.S"), ANSWER_S));
    let built = sources
        .and_then(|()| ok("rt-cc", cc(&["-O2", "-o", "prog", "prog.c", "answer.S"]), 120))
        .and_then(|out| no_warnings("rt-cc", &out))
        .and_then(|()| runs(t, &tmp.join("prog"), tmp, PROG_OUT))
        .and_then(|()| match symbols(&tmp.join("prog"), "main_main")? {
            (false, false) => Ok(()),
            s => Err(format!("without -g: (symbol, debug info) = {s:?}, want stripped")),
        });
    record(INSTALL[1], built);
    let debug = ok("rt-cc -g", cc(&["-g", "-o", "prog-g", "prog.c", "answer.S"]), 120)
        .and_then(|_| runs(t, &tmp.join("prog-g"), tmp, PROG_OUT))
        .and_then(|()| match symbols(&tmp.join("prog-g"), "main_main")? {
            (true, true) => Ok(()),
            s => Err(format!("with -g: (symbol main_main, .debug_info) = {s:?}")),
        });
    record(INSTALL[2], debug);
    let refused = write(&tmp.join("hello.cpp"), "int main() { return 0; }\n").and_then(|()| {
        let out = check::run(cc(&["-o", "cpp", "hello.cpp"]), Duration::from_secs(30))?;
        let want = "rt-cc: hello.cpp: C++ is not supported (only .c, .s, .S, .o, .a)\n";
        if out.code != Some(2) || !out.stderr.starts_with(want) {
            Err(format!("exit {:?}, stderr {:?}; want 2 and {want:?}", out.code, out.stderr))
        } else if tmp.join("cpp").exists() {
            Err("an output file was written".into())
        } else {
            Ok(())
        }
    });
    record(INSTALL[3], refused);
    let separately = ok("rt-cc -c", cc(&["-c", "prog.c", "answer.S"]), 120)
        .and_then(|_| ok("rt-cc (link)", cc(&["-o", "prog-o", "prog.o", "answer.o"]), 120))
        .and_then(|_| runs(t, &tmp.join("prog-o"), tmp, PROG_OUT));
    record(INSTALL[4], separately);
}

/// `cargo xtask new`, then the project's own cargo commands.
fn new_app_cases(root: &Path, t: &Target, tmp: &Path, record: &mut dyn FnMut(&str, Check)) {
    let app = tmp.join("app");
    let xtask = match std::env::current_exe() {
        Ok(x) => x,
        Err(e) => return record(NEW[0], Err(e.to_string())),
    };
    let mut new = Command::new(xtask);
    new.arg("new").arg(&app).current_dir(tmp);
    let made = ok("cargo xtask new", new, 60).and_then(|out| no_warnings("cargo xtask new", &out));
    let failed = made.is_err();
    record(NEW[0], made);
    if failed {
        return;
    }
    // The host's target is the project's default: plain `cargo build`.
    let host = crate::target::host_triple().unwrap_or_default();
    let target_args: Vec<&str> = if t.triple == host { vec![] } else { vec!["--target", &t.triple] };
    // The runtime's build is cached from run to run (the project is new
    // each time; cargo rebuilds whatever changed).
    let target_dir = root.join("target/app-test");
    let cargo = |args: &[&str]| {
        let mut c = Command::new("cargo");
        c.args(args).args(&target_args);
        let mut c = outside(c, root, &app);
        c.env("CARGO_TARGET_DIR", &target_dir);
        c
    };
    let greeting = format!("{}\n", crate::newapp::GREETING);
    for (name, flag, dir) in [(NEW[1], None, "debug"), (NEW[2], Some("--release"), "release")] {
        let args: Vec<&str> = ["build"].into_iter().chain(flag).collect();
        let exe = target_dir.join(&t.triple).join(dir).join("app");
        let r = ok(&format!("cargo {}", args.join(" ")), cargo(&args), 600)
            .and_then(|out| no_warnings("cargo build", &out))
            .and_then(|()| runs(t, &exe, tmp, &greeting));
        record(name, r);
    }
    let r = ok("cargo run", cargo(&["run", "--quiet"]), 600).and_then(|out| {
        if out.stdout == greeting {
            Ok(())
        } else {
            Err(format!("stdout {:?}, want {greeting:?}", out.stdout))
        }
    });
    record(NEW[3], r);
}

/// `cargo xtask build`, and `cargo xtask cc` of the C programs (crash.c's
/// code would draw warnings): nothing in their output says `warning:`.
fn quiet_cases(root: &Path, t: &Target, tmp: &Path, record: &mut dyn FnMut(&str, Check)) {
    let xtask = |args: &[&str]| {
        let mut c = Command::new("cargo");
        c.arg("xtask").args(args).current_dir(root);
        c
    };
    let r = ok("cargo xtask build", xtask(&["build", "--target", &t.triple]), 600)
        .and_then(|out| no_warnings("cargo xtask build", &out));
    record(QUIET[0], r);
    // Every C program of the tree, crash.c's intended infinite recursion
    // included, compiled in one command (objects into the scratch dir).
    let mut sources: Vec<String> = Vec::new();
    for dir in ["tests/c", "benches/c", "examples"] {
        let files = build::files_with(&root.join(dir), "c");
        sources.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    }
    // The running xtask itself: cargo's `xtask` alias works only in the
    // checkout, and the objects are to go to the scratch directory.
    let mut cc = Command::new(std::env::current_exe().unwrap_or_else(|_| "xtask".into()));
    cc.args(["cc", "--target", &t.triple, "-c"]).args(&sources).current_dir(tmp);
    let r = if sources.iter().any(|s| s.ends_with("tests/c/crash.c")) {
        ok("cargo xtask cc -c", cc, 300).and_then(|out| no_warnings("cargo xtask cc", &out))
    } else {
        Err("tests/c/crash.c not found".into())
    };
    record(QUIET[1], r);
}

/// The cases' names, by group (a group runs when one of them is wanted).
const INSTALL: [&str; 5] = [
    "cargo xtask install --prefix DIR lays out rt-cc, libruntime.a, scripts, headers",
    "rt-cc --target T -o prog prog.c answer.S, outside the checkout: builds, runs, stripped",
    "rt-cc -g keeps the symbol table and debug information",
    "rt-cc refuses a C++ file: a clear message and exit code 2",
    "rt-cc -c makes objects, rt-cc links them",
];
const NEW: [&str; 4] = [
    "cargo xtask new DIR",
    "cargo xtask new: `cargo build` (debug) builds a program that runs",
    "cargo xtask new: `cargo build --release` (release) builds a program that runs",
    "cargo xtask new: `cargo run` runs it (under qemu off the host)",
];
const QUIET: [&str; 2] = [
    "cargo xtask build prints no compiler warnings",
    "cargo xtask cc -c of every C test, benchmark and example (crash.c too) prints no compiler warnings",
];

/// The toolchain cases for `t` whose names contain `filter`.
pub fn run(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    let a = t.arch().to_string();
    let full = |name: &str| format!("{a}/toolchain: {name}");
    let wanted = |name: &str| filter.is_none_or(|f| full(name).contains(f));
    let groups = [INSTALL.iter().any(|n| wanted(n)), NEW.iter().any(|n| wanted(n)), QUIET.iter().any(|n| wanted(n))];
    if !groups.contains(&true) {
        return;
    }
    let mut record = |name: &str, r: Check| {
        if wanted(name) {
            tally.record(&full(name), r);
        }
    };
    let tmp = match Scratch::new(t) {
        Ok(s) => s,
        Err(e) => return record(INSTALL[0], Err(e)),
    };
    if groups[0] {
        rt_cc_cases(root, t, &tmp.0, &mut record);
    }
    if groups[1] {
        new_app_cases(root, t, &tmp.0, &mut record);
    }
    if groups[2] {
        quiet_cases(root, t, &tmp.0, &mut record);
    }
}
