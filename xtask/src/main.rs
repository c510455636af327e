//! `cargo xtask`: the project's build tool, run on the host.
//!
//! ```text
//! cargo xtask build [--target T]                  runtime + examples for T
//! cargo xtask cc --target T [-o OUT] [-g] [clang flags] FILE.c|.s|.S|.o|.a…
//! cargo xtask install [--prefix DIR] [--target T]…
//!                                                 rt-cc, libraries, scripts, headers
//! cargo xtask new DIR                             a Rust application project
//! cargo xtask run [--target T] EXAMPLE [ARGS…]   build and run an example
//! cargo xtask test [--target T]… [--filter S]    every test on every target
//! cargo xtask bench [--target T]… [--runs N] [--filter S] [--seconds S]
//!                                                 the same workloads here and in Go
//! cargo xtask stress [--target T]… [--runs N] [--seconds S] [--filter S]
//!                    [--procs 1,2,4,8] [--chaos N] [--load K]
//!                                                 concurrency tests, many times
//! ```
//! `--target` defaults to the host triple for build/run/bench and to
//! every target in `targets/` for test/stress/install; `cc` requires it. `run` passes every word
//! after the example's name to it untouched; `cc` passes clang's options
//! to clang, each with its value (`-I dir`, `-Idir`), and takes the other
//! words as input files (see `args.rs`). Missing tools (the Rust target,
//! qemu-user, clang) are installed when possible, or named with the
//! command to run.

mod args;
mod bench;
mod build;
mod ccargs;
mod check;
mod clib;
mod driver;
mod elf;
mod install;
mod layers;
mod loader;
mod newapp;
mod servers;
mod stress;
mod symbolize;
mod target;
mod tests;
mod tests_rustapi;
mod tests_libc;
mod tests_toolchain;
mod tests_traceback;
mod tools;

use args::{Command, USAGE};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The `--target` values given, or every target in `targets/`.
fn or_every_target(root: &Path, triples: Vec<String>) -> Vec<String> {
    if triples.is_empty() {
        target::known(root)
    } else {
        triples
    }
}

/// The target named, or the host's.
fn one_target(root: &Path, triple: Option<String>) -> Result<target::Target> {
    let triple = match triple {
        Some(t) => t,
        None => target::host_triple()?,
    };
    target::load(root, &triple)
}

fn run(cmd: Command) -> Result<u8> {
    let root = root();
    match cmd {
        Command::Help => {
            println!("{USAGE}");
            Ok(0)
        }
        Command::Build { target } => {
            let t = one_target(&root, target)?;
            for exe in build::examples(&root, &t)? {
                println!("{}", exe.display());
            }
            Ok(0)
        }
        Command::Cc(cc) => {
            let t = target::load(&root, &cc.target)?;
            tools::ensure_target(&root, &t, true)?;
            let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
            let inputs: Vec<PathBuf> = cc.inputs.iter().map(|i| cwd.join(i)).collect();
            if cc.compile_only {
                let out = if cc.out.as_os_str().is_empty() { PathBuf::new() } else { cwd.join(&cc.out) };
                let tc = build::toolchain(&root, &t, build::out_dir(&root, &t).join("libruntime.a"))?;
                driver::compile_only(&tc, &out, &inputs, &cc.flags)?;
            } else {
                let debug = cc.debug();
                build::cc(&root, &t, &cwd.join(&cc.out), &inputs, &cc.flags, debug)?;
            }
            Ok(0)
        }
        Command::Install { prefix, targets } => {
            let prefix = match prefix {
                Some(p) => p,
                None => install::default_prefix()?,
            };
            install::install(&root, &prefix, &or_every_target(&root, targets))?;
            Ok(0)
        }
        Command::New { dir } => {
            newapp::create(&root, &dir)?;
            Ok(0)
        }
        Command::Run {
            target,
            example,
            args,
        } => {
            let t = one_target(&root, target)?;
            let built = build::examples(&root, &t)?;
            let Some(exe) = built
                .iter()
                .find(|p| p.file_name().is_some_and(|f| f == example.as_str()))
            else {
                let names: Vec<String> = built
                    .iter()
                    .filter_map(|p| Some(p.file_name()?.to_str()?.to_string()))
                    .collect();
                return Err(format!(
                    "no example `{example}`; examples: {}",
                    names.join(", ")
                ));
            };
            let st = build::runner(&t, exe)
                .args(&args)
                .status()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
            use std::os::unix::process::ExitStatusExt;
            Ok(st
                .code()
                .or_else(|| st.signal().map(|s| 128 + s))
                .unwrap_or(1) as u8)
        }
        Command::Test { targets, filter } => {
            let triples = or_every_target(&root, targets);
            let mut tally = tests::Tally::default();
            if filter.is_none() {
                tests::host(&root, &mut tally);
            }
            for triple in &triples {
                let t = target::load(&root, triple)?;
                if let Err(e) = tests::target(&root, &t, filter.as_deref(), &mut tally) {
                    tally.record(&format!("{}/build", t.arch()), Err(e));
                }
            }
            if !tally.failures.is_empty() {
                println!("\nfailed:");
                for f in &tally.failures {
                    println!("  {f}");
                }
            }
            println!("\n{} passed, {} failed", tally.passed, tally.failed);
            Ok(if tally.failed == 0 { 0 } else { 1 })
        }
        Command::Bench { targets, options } => {
            let triples = if targets.is_empty() {
                vec![target::host_triple()?]
            } else {
                targets
            };
            for triple in &triples {
                bench::run(&root, &target::load(&root, triple)?, &options)?;
            }
            Ok(0)
        }
        Command::Stress { targets, options } => {
            let targets = or_every_target(&root, targets)
                .iter()
                .map(|t| target::load(&root, t))
                .collect::<Result<Vec<_>>>()?;
            stress::run(&root, &targets, &options)
        }
        Command::Symbolize { exe } => symbolize::run(&exe).map(|()| 0),
    }
}

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)).and_then(run) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
