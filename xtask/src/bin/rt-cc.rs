//! `rt-cc`: the installed C compiler driver for the runtime (see
//! `cargo xtask install`, `install.rs`). It reads the words `cargo xtask cc`
//! reads and does what it does, with the headers, scripts and libraries
//! laid out next to its own executable:
//!
//! ```text
//! PREFIX/bin/rt-cc   PREFIX/include/rt/   PREFIX/lib/rt/<triple>/
//! ```
//!
//! Exit codes: 0 built, 1 a build step failed, 2 a bad command line
//! (unknown option or target, C++ or another file type it cannot build).

// The driver is built from xtask's own modules so that both read and build
// the same way; it uses only part of `elf` and `target`.
#[path = "../ccargs.rs"]
mod ccargs;
#[path = "../driver.rs"]
mod driver;
#[allow(dead_code)]
#[path = "../elf.rs"]
mod elf;
#[allow(dead_code)]
#[path = "../target.rs"]
mod target;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T> = std::result::Result<T, String>;

const USAGE: &str = "usage: rt-cc --target TRIPLE [-o OUT] [-c] [-g] [-O2] [-I DIR] [-D NAME[=VALUE]] \
[clang options] FILE.c|FILE.s|FILE.S|FILE.o|FILE.a...
  --target is required; -o defaults to a.out; -c compiles only (FILE.o, or -o OUT for one input);
  -g keeps symbols and debug information.
  rt-cc --help | --version";

/// The installation's root: the directory above the one holding rt-cc.
fn prefix() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find rt-cc itself: {e}"))?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{}: not in PREFIX/bin", exe.display()))
}

/// The targets installed under `lib`, sorted.
fn installed(lib: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(lib)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().join("target.toml").is_file())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A linker for an installed toolchain: the one recorded at installation
/// if it is still there, else the current Rust toolchain's rust-lld, else
/// an `ld.lld` on PATH.
pub fn find_lld(recorded: Option<PathBuf>) -> Result<PathBuf> {
    recorded
        .filter(|p| p.is_file())
        .or_else(driver::toolchain_lld)
        .or_else(|| driver::which("ld.lld"))
        .ok_or_else(|| {
            "no linker: neither rust-lld (from a Rust toolchain: rustup) nor ld.lld (Debian: \
             sudo apt-get install lld) was found"
                .to_string()
        })
}

/// A failure and the exit code it gets.
struct Failure(u8, String);

fn run() -> std::result::Result<(), Failure> {
    let usage = |e: String| Failure(2, format!("{e}\n{USAGE}"));
    let line = ccargs::parse(&mut lexopt::Parser::from_env()).map_err(|e| usage(e.to_string()))?;
    let prefix = prefix().map_err(|e| Failure(1, e))?;
    let lib = prefix.join("lib/rt");
    let cc = match line {
        ccargs::Line::Help => {
            println!("{USAGE}");
            return Ok(());
        }
        ccargs::Line::Version => {
            println!(
                "rt-cc {} (targets: {}; {})",
                env!("CARGO_PKG_VERSION"),
                installed(&lib).join(", "),
                prefix.display()
            );
            return Ok(());
        }
        ccargs::Line::Build(cc) => cc,
    };
    let dir = lib.join(&cc.target);
    let descriptor = dir.join("target.toml");
    if !descriptor.is_file() {
        return Err(usage(format!(
            "unknown target `{}`; installed: {}",
            cc.target,
            installed(&lib).join(", ")
        )));
    }
    let fail = |e: String| Failure(1, e);
    let t = target::load_file(&descriptor, &cc.target, &dir).map_err(fail)?;
    if driver::which("clang").is_none() {
        return Err(fail(
            "clang not found on PATH (Debian: sudo apt-get install clang)".into(),
        ));
    }
    let recorded = std::fs::read_to_string(lib.join("lld"))
        .ok()
        .map(|s| PathBuf::from(s.trim()));
    let tc = driver::Toolchain {
        target: &t,
        include: prefix.join("include/rt"),
        link_dir: dir.join("link"),
        lib: dir.join("libruntime.a"),
        lld: find_lld(recorded).map_err(fail)?,
    };
    if cc.compile_only {
        return driver::compile_only(&tc, &cc.out, &cc.inputs, &cc.flags).map_err(fail);
    }
    let objdir = std::env::temp_dir().join(format!("rt-cc-{}", std::process::id()));
    let r = driver::build(&tc, &cc.out, &cc.inputs, &cc.flags, &objdir, cc.debug());
    let _ = std::fs::remove_dir_all(&objdir);
    r.map_err(fail)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, e)) => {
            eprintln!("rt-cc: {e}");
            ExitCode::from(code)
        }
    }
}
