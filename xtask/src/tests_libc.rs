//! The C library subset against glibc: `tests/c/libc.c` is built a second
//! time with the host's `cc` against glibc and run natively; the runtime's
//! build must print the same bytes on every target (stdout, stderr, exit
//! code), and fail assertions and abort as Go reports SIGABRT. Then
//! `tests/c/libc_lines.c`: eight goroutines printing lines at once never
//! interleave within a line; and the headers compile cleanly as C99 and
//! C11 with `-Wall -Wextra -pedantic`.

use crate::build;
use crate::check::{self, Case, Outcome};
use crate::target::Target;
use crate::tests::Tally;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The cases compared with glibc, in `glibc_cases`' order.
const GLIBC_NAMES: [&str; 4] = [
    "libc: printf, string.h, stdlib.h, ctype.h output is glibc's, byte for byte",
    "libc: fprintf to stdout and stderr, exit(3): as glibc",
    "libc: a failed assert prints glibc's message, then SIGABRT's report, exit 2",
    "libc: abort raises SIGABRT: Go's report, exit 2",
];

/// The environment both builds see (getenv's cases).
const ENV: (&str, &str) = ("LIBC_TEST_VAR", "x=y");

/// Builds `tests/c/libc.c` against glibc, as `target/libc-host/libc`: the
/// same base name and the same source path as the runtime's build, so an
/// assertion's message (program, file) is the same. Rebuilt only when
/// the source is newer.
fn host_build(root: &Path) -> Result<PathBuf> {
    let src = root.join("tests/c/libc.c");
    let dir = root.join("target/libc-host");
    let exe = dir.join("libc");
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if mtime(&exe).is_some() && mtime(&exe) >= mtime(&src) {
        return Ok(exe);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // Any host compiler will do: it is glibc that is compared with.
    let cc = ["cc", "gcc", "clang"]
        .iter()
        .find_map(|c| crate::tools::which(c))
        .ok_or("a host C compiler (cc, gcc or clang, with glibc's headers) is needed to compare the C library with glibc's")?;
    // -w: the file asks glibc questions the compiler warns about on
    // purpose (a null %s, a lone % at the end of a format).
    let out = Command::new(cc)
        .args(["-std=c11", "-O1", "-w", "-DLIBC_HOST", "-o"])
        .arg(&exe)
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cc failed on {}:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}

/// One run of the glibc build.
fn host_run(exe: &Path, mode: &str) -> Result<Outcome> {
    let mut cmd = Command::new(exe);
    cmd.arg(mode).env(ENV.0, ENV.1);
    check::run(cmd, Duration::from_secs(60))
}

/// The cases that compare with glibc, from glibc's outcomes: the table's
/// outcome (compared line by line, to name the first difference) and the
/// other runs as cases.
fn glibc_cases(root: &Path) -> Result<(Outcome, Vec<Case>)> {
    let exe = host_build(root)?;
    let table = host_run(&exe, "table")?;
    if table.code != Some(0) || !table.stdout.ends_with("done\n") {
        return Err(format!("the glibc build of libc.c failed: {:?} {}", table.code, table.stderr));
    }
    let exit = host_run(&exe, "exit")?;
    let assert = host_run(&exe, "assert")?;
    let assertion = assert.stderr.lines().next().unwrap_or("").to_string();
    if !assertion.contains("Assertion `two + two == 5' failed.") {
        return Err(format!("glibc's assertion message is not as expected: {:?}", assert.stderr));
    }
    Ok((table, vec![
        Case::new(GLIBC_NAMES[1], "libc")
            .args(["exit"])
            .env(ENV.0, ENV.1)
            .code(exit.code.unwrap_or(-1))
            .stdout(&exit.stdout)
            .stderr(&exit.stderr),
        // glibc's message, then abort: SIGABRT, reported as Go does.
        Case::new(GLIBC_NAMES[2], "libc")
            .args(["assert"])
            .code(2)
            // glibc's stdout is buffered and abort loses it; ours is not.
            .stdout("before\n")
            .stderr_has(&[format!("{assertion}\nSIGABRT: abort\nPC=0x"), " m=0 ".into(), "goroutine 1 [running]:\n".into()]),
        Case::new(GLIBC_NAMES[3], "libc")
            .args(["abort"])
            .code(2)
            .stdout("before\n")
            .stderr_has(&["SIGABRT: abort\nPC=0x", " m=0 ", "goroutine 1 [running]:\n"]),
    ]))
}

/// The table mode on `t` against glibc's: the same exit code, stderr,
/// and stdout byte for byte; a difference is named by its first line.
fn table_check(root: &Path, t: &Target, want: &Outcome) -> std::result::Result<(), String> {
    let exe = build::out_dir(root, t).join("tests/libc");
    let mut cmd = build::runner(t, &exe);
    cmd.arg("table").env(ENV.0, ENV.1);
    let got = check::run(cmd, Duration::from_secs(180))?;
    if got.timed_out || got.code != want.code || got.stderr != want.stderr {
        return Err(format!(
            "exit {:?} (glibc {:?}, timed out: {}), stderr {:?} (glibc {:?})",
            got.code,
            want.code,
            got.timed_out,
            clip(&got.stderr),
            clip(&want.stderr)
        ));
    }
    if got.stdout == want.stdout {
        return Ok(());
    }
    let mut g = got.stdout.split_inclusive('\n');
    for (n, w) in want.stdout.split_inclusive('\n').enumerate() {
        match g.next() {
            Some(l) if l == w => continue,
            l => return Err(format!("stdout line {}: want {:?}\n           got {:?}", n + 1, w, l.unwrap_or("(end)"))),
        }
    }
    Err(format!("stdout goes on after glibc's ends: {:?}", g.next().unwrap_or("")))
}

/// The payload length of line `i` (`LEN` in tests/c/libc_lines.c).
fn line_len(i: usize) -> usize {
    if i % 50 == 49 {
        5000
    } else {
        i * 37 % 300
    }
}

const GOROUTINES: usize = 8;
const LINES: usize = 400;

/// Every line of libc_lines.c's output whole, each goroutine's in order.
fn lines_check(out: &Outcome) -> std::result::Result<(), String> {
    if out.code != Some(0) || out.timed_out {
        return Err(format!("exit {:?} (timed out: {}), stderr {:?}", out.code, out.timed_out, out.stderr));
    }
    let mut next = [0usize; GOROUTINES];
    let mut errno_ok = 0;
    let mut lines = out.stdout.lines().peekable();
    let mut count = 0;
    while let Some(line) = lines.next() {
        count += 1;
        if line == "done" && lines.peek().is_none() {
            break;
        }
        let bad = || format!("line {count} is not whole: {:?}", clip(line));
        let mut f = line.split(' ');
        let g: usize = f
            .next()
            .and_then(|w| w.strip_prefix('g'))
            .and_then(|w| w.parse().ok())
            .filter(|g| *g < GOROUTINES)
            .ok_or_else(bad)?;
        let second = f.next().ok_or_else(bad)?;
        if second == "errno" {
            if f.next() != Some("ok") || next[g] != LINES {
                return Err(format!("goroutine {g}: {line:?} after {} lines", next[g]));
            }
            errno_ok += 1;
            continue;
        }
        let i: usize = second.parse().map_err(|_| bad())?;
        if i != next[g] {
            return Err(format!("goroutine {g}: line {i} where {} was due", next[g]));
        }
        let payload = f.next().ok_or_else(bad)?;
        let letter = (b'a' + g as u8) as char;
        if payload.len() != line_len(i)
            || payload.chars().any(|c| c != letter)
            || f.next() != Some("end")
            || f.next().is_some()
        {
            return Err(bad());
        }
        next[g] += 1;
    }
    if errno_ok != GOROUTINES || !out.stdout.ends_with("\ndone\n") {
        return Err(format!(
            "{errno_ok} of {GOROUTINES} goroutines kept their errno; lines per goroutine {next:?}; ends {:?}",
            clip(&out.stdout[out.stdout.len().saturating_sub(100)..])
        ));
    }
    if !out.stderr.is_empty() {
        return Err(format!("stderr: {:?}", clip(&out.stderr)));
    }
    Ok(())
}

/// libc_lines.c under strace: one write to stdout per line it prints.
fn writes_check(root: &Path, exe: &Path) -> std::result::Result<(), String> {
    let strace = crate::tools::which("strace").ok_or("strace is not installed (apt-get install strace)")?;
    let log = root.join("target/libc-host/libc_lines.strace");
    std::fs::create_dir_all(root.join("target/libc-host")).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(strace);
    cmd.args(["-f", "-qq", "-e", "trace=write", "-o"]).arg(&log).arg(exe);
    let out = check::run(cmd, Duration::from_secs(120))?;
    lines_check(&out)?;
    let trace = std::fs::read_to_string(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    // A write another thread interrupts is split in two lines by strace,
    // "write(1, ... <unfinished ...>" and "<... write resumed>": counted once.
    let writes = trace.lines().filter(|l| l.contains(" write(1,")).count();
    let calls = GOROUTINES * (LINES + 1) + 1;
    if writes == calls {
        Ok(())
    } else {
        Err(format!("{writes} writes to stdout for {calls} calls"))
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// The headers, compiled for `t` in a C standard: no warning at all.
fn headers_check(root: &Path, t: &Target, std: &str) -> std::result::Result<(), String> {
    let dir = build::out_dir(root, t).join("libc-headers");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let src = dir.join(format!("all-{std}.c"));
    let text = "#include <assert.h>\n#include <ctype.h>\n#include <errno.h>\n#include <float.h>\n\
        #include <limits.h>\n#include <stdarg.h>\n#include <stdbool.h>\n#include <stddef.h>\n\
        #include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\
        #include <runtime.h>\n#include <assert.h>\n\
        int use(const char *s, ...);\n\
        int use(const char *s, ...)\n{\n    va_list ap;\n    va_start(ap, s);\n    \
        int r = vfprintf(stderr, s, ap);\n    va_end(ap);\n    assert(r >= 0);\n    \
        errno = 0;\n    bool b = isdigit(s[0]) && strlen(s) < SIZE_MAX && INT_MAX > 0 && DBL_DIG > 0;\n    \
        return printf(\"%d %zu %s\\n\", (int)b, sizeof(int32_t), getenv(\"X\")) + r;\n}\n";
    std::fs::write(&src, text).map_err(|e| format!("{}: {e}", src.display()))?;
    let out = Command::new("clang")
        .args(&t.cflags)
        .args(["-ffreestanding", "-nostdlibinc", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg(format!("-std={std}"))
        .arg("-I")
        .arg(root.join("include"))
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run clang: {e}"))?;
    if out.status.success() && out.stderr.is_empty() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A mismatched printf format, which the header's `format` attributes
/// let clang find: the compile must fail on each of the calls.
fn format_checked(root: &Path, t: &Target) -> std::result::Result<(), String> {
    let dir = build::out_dir(root, t).join("libc-headers");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let src = dir.join("format-checked.c");
    let calls = [
        "printf(\"%d\\n\", \"x\")",
        "fprintf(stderr, \"%s\\n\", 1)",
        "snprintf(b, 8, \"%ld\", 1.5)",
        "dprintf(2, \"%f\", 1)",
    ];
    let body: String = calls.iter().map(|c| format!("    {c};\n")).collect();
    let text = format!("#include <stdio.h>\nvoid f(char *b);\nvoid f(char *b)\n{{\n{body}}}\n");
    std::fs::write(&src, text).map_err(|e| format!("{}: {e}", src.display()))?;
    let out = Command::new("clang")
        .args(&t.cflags)
        .args(["-ffreestanding", "-nostdlibinc", "-fsyntax-only", "-Werror=format", "-I"])
        .arg(root.join("include"))
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run clang: {e}"))?;
    let diag = String::from_utf8_lossy(&out.stderr);
    let found = diag.matches("[-Werror,-Wformat]").count();
    if !out.status.success() && found == calls.len() {
        Ok(())
    } else {
        Err(format!("{found} of {} bad formats reported: {diag}", calls.len()))
    }
}

/// The C library's cases on `t` (those whose name contains `filter`).
pub fn run(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    let a = t.arch().to_string();
    let wanted = |name: &str| filter.is_none_or(|f| format!("{a}/{name}").contains(f));
    if GLIBC_NAMES.iter().any(|n| wanted(n)) {
        match glibc_cases(root) {
            Ok((table, cases)) => {
                if wanted(GLIBC_NAMES[0]) {
                    tally.record(&format!("{a}/{}", GLIBC_NAMES[0]), table_check(root, t, &table));
                }
                for c in cases {
                    let name = format!("{a}/{}", c.name);
                    if filter.is_some_and(|f| !name.contains(f)) {
                        continue;
                    }
                    let r = crate::tests::run_case(root, t, &c);
                    tally.record(&name, r);
                }
            }
            Err(e) => tally.record(&format!("{a}/libc: the glibc build to compare with"), Err(e)),
        }
    }
    let exe = build::out_dir(root, t).join("tests/libc_lines");
    for procs in [1, 2, 8] {
        let name = format!("libc: 8 goroutines printf lines at once, none interleaved (GOMAXPROCS={procs})");
        if !wanted(&name) {
            continue;
        }
        let mut cmd = build::runner(t, &exe);
        cmd.env("GOMAXPROCS", procs.to_string());
        let r = check::run(cmd, Duration::from_secs(120)).and_then(|out| lines_check(&out));
        tally.record(&format!("{a}/{name}"), r);
    }
    let name = "libc: printf and puts to a closed stdout fail with EBADF and set ferror";
    if wanted(name) {
        let c = Case::new(name, "libc_lines")
            .args(["closed"])
            .stdout("")
            .stderr("printf=-1 errno=9 ferror=1\nputs=-1 errno=9\nafter clearerr ferror=0 stderr ferror=0\n");
        tally.record(&format!("{a}/{name}"), crate::tests::run_case(root, t, &c));
    }
    // One write per call, counted by strace (native runs only: strace
    // would trace qemu's own calls).
    let name = "libc: one write system call per printf, puts and fputs (strace)";
    if t.qemu.is_none() && wanted(name) {
        tally.record(&format!("{a}/{name}"), writes_check(root, &exe));
    }
    let name = "libc: the printf family's formats are checked by the compiler";
    if wanted(name) {
        tally.record(&format!("{a}/{name}"), format_checked(root, t));
    }
    for std in ["c99", "c11"] {
        let name = format!("libc: the headers compile as {std} with -Wall -Wextra -pedantic, no warning");
        if wanted(&name) {
            tally.record(&format!("{a}/{name}"), headers_check(root, t, std));
        }
    }
}
