//! `cargo xtask`: the project's build tool, run on the host.
//!
//! ```text
//! cargo xtask build [--target T]                  runtime + examples for T
//! cargo xtask cc --target T -o OUT FILE.c|FILE.o… [clang flags]
//! cargo xtask run [--target T] EXAMPLE [ARGS…]   build and run an example
//! cargo xtask test [--target T]… [--filter S]    every test on every target
//! cargo xtask bench [--target T]… [--runs N]      the same workloads here and in Go
//! cargo xtask stress [--target T]… [--runs N] [--seconds S] [--filter S]
//!                    [--procs 1,2,4,8] [--chaos N] [--load K]
//!                                                 concurrency tests, many times
//! ```
//! `--target` defaults to the host triple for build/cc/run and to every
//! target in `targets/` for test. Missing tools (the Rust target, qemu-user,
//! clang) are installed when possible, or named with the command to run.

mod bench;
mod build;
mod check;
mod elf;
mod layers;
mod loader;
mod stress;
mod target;
mod tests;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

const USAGE: &str = "usage:
  cargo xtask build [--target TRIPLE]
  cargo xtask cc --target TRIPLE -o OUT FILE.c|FILE.o... [clang flags]
  cargo xtask run [--target TRIPLE] EXAMPLE [ARGS...]
  cargo xtask test [--target TRIPLE]... [--filter TEXT]
  cargo xtask bench [--target TRIPLE]... [--runs N]
  cargo xtask stress [--target TRIPLE]... [--runs N] [--seconds S] [--filter TEXT]
                     [--procs 1,2,4,8] [--chaos N] [--load THREADS]";

/// Splits `--target X` (repeatable) and `--filter X` out of `args`.
fn take_opt(args: &mut Vec<String>, name: &str) -> Result<Vec<String>> {
    let mut vals = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == name {
            if i + 1 >= args.len() {
                return Err(format!("{name} needs a value\n{USAGE}"));
            }
            vals.push(args.remove(i + 1));
            args.remove(i);
        } else if let Some(v) = args[i].strip_prefix(&format!("{name}=")) {
            vals.push(v.to_string());
            args.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(vals)
}

/// The `--target` values given, or every target in `targets/`.
fn or_every_target(root: &Path, triples: Vec<String>) -> Vec<String> {
    if triples.is_empty() {
        target::known(root)
    } else {
        triples
    }
}

fn one_target(root: &Path, args: &mut Vec<String>) -> Result<target::Target> {
    let mut t = take_opt(args, "--target")?;
    let triple = match t.len() {
        0 => target::host_triple()?,
        1 => t.remove(0),
        _ => return Err("give --target once".into()),
    };
    target::load(root, &triple)
}

fn run(mut args: Vec<String>) -> Result<u8> {
    let root = root();
    if args.is_empty() {
        return Err(USAGE.into());
    }
    let cmd = args.remove(0);
    match cmd.as_str() {
        "build" => {
            let t = one_target(&root, &mut args)?;
            for exe in build::examples(&root, &t)? {
                println!("{}", exe.display());
            }
            Ok(0)
        }
        "cc" => {
            let t = one_target(&root, &mut args)?;
            let out = take_opt(&mut args, "-o")?;
            let [out] = out.as_slice() else {
                return Err(format!("cc needs one -o OUT\n{USAGE}"));
            };
            let (flags, inputs): (Vec<String>, Vec<String>) =
                args.into_iter().partition(|a| a.starts_with('-'));
            if inputs.is_empty() {
                return Err(format!("cc needs input files\n{USAGE}"));
            }
            tools::ensure_target(&root, &t, true)?;
            let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
            let inputs: Vec<PathBuf> = inputs.iter().map(|i| cwd.join(i)).collect();
            build::cc(&root, &t, &cwd.join(out), &inputs, &flags, false)?;
            Ok(0)
        }
        "run" => {
            let t = one_target(&root, &mut args)?;
            if args.is_empty() {
                return Err(format!("run needs an example name\n{USAGE}"));
            }
            let name = args.remove(0);
            let built = build::examples(&root, &t)?;
            let Some(exe) = built
                .iter()
                .find(|p| p.file_name().is_some_and(|f| f == name.as_str()))
            else {
                let names: Vec<String> = built
                    .iter()
                    .filter_map(|p| Some(p.file_name()?.to_str()?.to_string()))
                    .collect();
                return Err(format!(
                    "no example `{name}`; examples: {}",
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
        "test" => {
            let triples = take_opt(&mut args, "--target")?;
            let filter = take_opt(&mut args, "--filter")?.pop();
            if let Some(a) = args.first() {
                return Err(format!("unexpected `{a}`\n{USAGE}"));
            }
            let triples = or_every_target(&root, triples);
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
        "bench" => {
            let triples = take_opt(&mut args, "--target")?;
            let runs = match take_opt(&mut args, "--runs")?.pop() {
                Some(r) => r
                    .parse::<usize>()
                    .map_err(|_| format!("--runs takes a number, not `{r}`"))?
                    .max(1),
                None => 5,
            };
            if let Some(a) = args.first() {
                return Err(format!("unexpected `{a}`\n{USAGE}"));
            }
            let triples = if triples.is_empty() {
                vec![target::host_triple()?]
            } else {
                triples
            };
            for triple in &triples {
                bench::run(&root, &target::load(&root, triple)?, runs)?;
            }
            Ok(0)
        }
        "stress" => {
            let triples = take_opt(&mut args, "--target")?;
            let num = |v: Option<String>, what: &str| -> Result<Option<u64>> {
                v.map(|r| {
                    r.parse::<u64>()
                        .map_err(|_| format!("{what} takes a number, not `{r}`"))
                })
                .transpose()
            };
            let runs = num(take_opt(&mut args, "--runs")?.pop(), "--runs")?;
            let seconds = num(take_opt(&mut args, "--seconds")?.pop(), "--seconds")?;
            let chaos = num(take_opt(&mut args, "--chaos")?.pop(), "--chaos")?;
            let load = num(take_opt(&mut args, "--load")?.pop(), "--load")?;
            let procs = match take_opt(&mut args, "--procs")?.pop() {
                Some(p) => stress::parse_procs(&p)?,
                None => vec![1, 2, 4, 8],
            };
            let filter = take_opt(&mut args, "--filter")?.pop();
            if let Some(a) = args.first() {
                return Err(format!("unexpected `{a}`\n{USAGE}"));
            }
            let triples = or_every_target(&root, triples);
            let targets = triples
                .iter()
                .map(|t| target::load(&root, t))
                .collect::<Result<Vec<_>>>()?;
            let opts = stress::Options {
                runs: runs.unwrap_or(20).max(1) as usize,
                seconds,
                filter,
                procs,
                chaos: chaos.unwrap_or(stress::DEFAULT_CHAOS as u64).max(1) as u32,
                load: load
                    .map(|l| l as usize)
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
            };
            stress::run(&root, &targets, &opts)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(0)
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
