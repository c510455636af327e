//! The command line of `cargo xtask`, read with `lexopt`.
//!
//! xtask's own options are long ones, `--name VALUE` or `--name=VALUE`;
//! anything else given to `build`, `test`, `bench` or `stress` is an error
//! that names it, followed by the usage. Two commands carry words meant
//! for another program:
//!
//! - `run`: everything after the example's name goes to the example as
//!   it is (`-x`, `--target`, `--` included).
//! - `cc`: besides the required `--target`, the words are clang's, read
//!   as the installed `rt-cc` reads them (`ccargs.rs`).

use crate::bench;
use crate::ccargs;
use crate::stress;
use lexopt::prelude::*;
use lexopt::Parser;
use std::ffi::OsString;
use std::path::PathBuf;

pub const USAGE: &str = "usage:
  cargo xtask build [--target TRIPLE]
  cargo xtask cc --target TRIPLE [-o OUT] [-c] [-g] [clang flags] FILE.c|.s|.S|.o|.a...
  cargo xtask install [--prefix DIR] [--target TRIPLE]...
  cargo xtask new DIR
  cargo xtask run [--target TRIPLE] EXAMPLE [ARGS...]
  cargo xtask test [--target TRIPLE]... [--filter TEXT]
  cargo xtask bench [--target TRIPLE]... [--runs N] [--filter TEXT] [--seconds S]
  cargo xtask stress [--target TRIPLE]... [--runs N] [--seconds S] [--filter TEXT]
                     [--procs 1,2,4,8] [--chaos N] [--load THREADS]
  cargo xtask symbolize EXE < REPORT";

/// A parsed command line. A `target` of None (no `--target`) means the
/// host's triple; empty `targets`, every target in `targets/` (`test`,
/// `stress`) or the host's (`bench`).
#[derive(Debug)]
pub enum Command {
    Help,
    Build {
        target: Option<String>,
    },
    Cc(ccargs::Cc),
    Install {
        prefix: Option<std::path::PathBuf>,
        targets: Vec<String>,
    },
    New {
        dir: std::path::PathBuf,
    },
    Run {
        target: Option<String>,
        example: String,
        args: Vec<OsString>,
    },
    Test {
        targets: Vec<String>,
        filter: Option<String>,
    },
    Bench {
        targets: Vec<String>,
        options: bench::Options,
    },
    Stress {
        targets: Vec<String>,
        options: stress::Options,
    },
    Symbolize {
        exe: PathBuf,
    },
}

/// Parses the arguments after `cargo xtask`.
pub fn parse<I>(args: I) -> crate::Result<Command>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut p = Parser::from_args(args);
    let cmd = match p.next() {
        Ok(None) => return Err(USAGE.into()),
        Ok(Some(Long("help") | Short('h'))) => return Ok(Command::Help),
        Ok(Some(Value(v))) => v.to_string_lossy().into_owned(),
        Ok(Some(Long(o))) => return Err(format!("unknown command `--{o}`\n{USAGE}")),
        Ok(Some(Short(o))) => return Err(format!("unknown command `-{o}`\n{USAGE}")),
        Err(e) => return Err(format!("{e}\n{USAGE}")),
    };
    let parsed = match cmd.as_str() {
        "build" => build(&mut p),
        "cc" => cc(&mut p),
        "install" => install(&mut p),
        "new" => new(&mut p),
        "run" => run(&mut p),
        "test" => test(&mut p),
        "bench" => bench(&mut p),
        "stress" => stress(&mut p),
        "symbolize" => symbolize(&mut p),
        "help" => Ok(Command::Help),
        other => return Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    parsed.map_err(|e| format!("{cmd}: {e}\n{USAGE}"))
}

type Parsed<T> = Result<T, lexopt::Error>;

/// The value of a `--target` given at most once.
fn target_once(p: &mut Parser, target: &mut Option<String>) -> Parsed<()> {
    let t = p.value()?.string()?;
    if target.replace(t).is_some() {
        return Err("give --target once".to_string().into());
    }
    Ok(())
}

/// The value of `option` as a number.
fn number<T: std::str::FromStr>(p: &mut Parser, option: &str) -> Parsed<T> {
    let v = p.value()?.string()?;
    v.parse()
        .map_err(|_| format!("{option} takes a number, not `{v}`").into())
}

fn build(p: &mut Parser) -> Parsed<Command> {
    let mut target = None;
    while let Some(arg) = p.next()? {
        match arg {
            Long("target") => target_once(p, &mut target)?,
            Long("help") | Short('h') => return Ok(Command::Help),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Build { target })
}

fn run(p: &mut Parser) -> Parsed<Command> {
    let mut target = None;
    loop {
        match p.next()? {
            Some(Long("target")) => target_once(p, &mut target)?,
            Some(Long("help") | Short('h')) => return Ok(Command::Help),
            Some(Value(example)) => {
                let example = example.string()?;
                // The rest is the example's, unread.
                let args = p.raw_args()?.collect();
                return Ok(Command::Run {
                    target,
                    example,
                    args,
                });
            }
            Some(arg) => return Err(arg.unexpected()),
            None => return Err("run needs an example name".to_string().into()),
        }
    }
}

fn symbolize(p: &mut Parser) -> Parsed<Command> {
    let exe = match p.next()? {
        Some(Value(exe)) => exe,
        Some(Long("help") | Short('h')) => return Ok(Command::Help),
        _ => return Err("symbolize takes one executable".to_string().into()),
    };
    match p.next()? {
        None => Ok(Command::Symbolize { exe: exe.into() }),
        Some(arg) => Err(arg.unexpected()),
    }
}

fn test(p: &mut Parser) -> Parsed<Command> {
    let (mut targets, mut filter) = (Vec::new(), None);
    while let Some(arg) = p.next()? {
        match arg {
            Long("target") => targets.push(p.value()?.string()?),
            Long("filter") => filter = Some(p.value()?.string()?),
            Long("help") | Short('h') => return Ok(Command::Help),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Test { targets, filter })
}

fn bench(p: &mut Parser) -> Parsed<Command> {
    let mut targets = Vec::new();
    let mut o = bench::Options {
        runs: 5,
        filter: None,
        seconds: None,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("target") => targets.push(p.value()?.string()?),
            Long("runs") => o.runs = number::<usize>(p, "--runs")?.max(1),
            Long("filter") => o.filter = Some(p.value()?.string()?),
            Long("seconds") => o.seconds = Some(number::<u64>(p, "--seconds")?.max(1)),
            Long("help") | Short('h') => return Ok(Command::Help),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Bench {
        targets,
        options: o,
    })
}

fn stress(p: &mut Parser) -> Parsed<Command> {
    let mut targets = Vec::new();
    let mut o = stress::Options {
        runs: 20,
        seconds: None,
        filter: None,
        procs: vec![1, 2, 4, 8],
        chaos: stress::DEFAULT_CHAOS,
        load: std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("target") => targets.push(p.value()?.string()?),
            Long("runs") => o.runs = number::<u64>(p, "--runs")?.max(1) as usize,
            Long("seconds") => o.seconds = Some(number(p, "--seconds")?),
            Long("chaos") => o.chaos = number::<u64>(p, "--chaos")?.max(1) as u32,
            Long("load") => o.load = number::<u64>(p, "--load")? as usize,
            Long("procs") => o.procs = stress::parse_procs(&p.value()?.string()?)?,
            Long("filter") => o.filter = Some(p.value()?.string()?),
            Long("help") | Short('h') => return Ok(Command::Help),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Stress {
        targets,
        options: o,
    })
}

fn cc(p: &mut Parser) -> Parsed<Command> {
    Ok(match ccargs::parse(p)? {
        ccargs::Line::Build(c) => Command::Cc(c),
        ccargs::Line::Help | ccargs::Line::Version => Command::Help,
    })
}

fn install(p: &mut Parser) -> Parsed<Command> {
    let (mut prefix, mut targets) = (None, Vec::new());
    while let Some(arg) = p.next()? {
        match arg {
            Long("prefix") => prefix = Some(p.value()?.into()),
            Long("target") => targets.push(p.value()?.string()?),
            Long("help") | Short('h') => return Ok(Command::Help),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Install { prefix, targets })
}

fn new(p: &mut Parser) -> Parsed<Command> {
    let mut dir = None;
    while let Some(arg) = p.next()? {
        match arg {
            Value(v) if dir.is_none() => dir = Some(v.into()),
            Long("help") | Short('h') => return Ok(Command::Help),
            _ => return Err(arg.unexpected()),
        }
    }
    match dir {
        Some(dir) => Ok(Command::New { dir }),
        None => Err("new needs a directory".to_string().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> crate::Result<Command> {
        super::parse(args.iter().copied())
    }

    use std::path::PathBuf;

    fn cc(args: &[&str]) -> ccargs::Cc {
        match parse(&[&["cc"], args].concat()) {
            Ok(Command::Cc(c)) => c,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn paths(v: &[&str]) -> Vec<PathBuf> {
        v.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn run_passes_everything_after_the_example() {
        let Ok(Command::Run {
            target,
            example,
            args,
        }) = parse(&[
            "run", "--target", "T", "hello", "-v", "--x", "--", "y", "--target", "U", "-h",
        ])
        else {
            panic!()
        };
        assert_eq!(target.as_deref(), Some("T"));
        assert_eq!(example, "hello");
        assert_eq!(args, ["-v", "--x", "--", "y", "--target", "U", "-h"]);
    }

    #[test]
    fn run_target_forms_and_default() {
        let Ok(Command::Run { target, args, .. }) = parse(&["run", "--target=T", "hello"]) else {
            panic!()
        };
        assert_eq!(target.as_deref(), Some("T"));
        assert!(args.is_empty());
        let Ok(Command::Run {
            target,
            example,
            args,
        }) = parse(&["run", "--", "hello", "-v"])
        else {
            panic!()
        };
        assert_eq!((target, example.as_str()), (None, "hello"));
        assert_eq!(args, ["-v"]);
    }

    #[test]
    fn run_needs_an_example() {
        let e = parse(&["run", "--target", "T"]).unwrap_err();
        assert!(
            e.starts_with("run: run needs an example name\nusage:"),
            "{e}"
        );
    }

    #[test]
    fn run_rejects_an_unknown_option_before_the_example() {
        let e = parse(&["run", "-v", "hello"]).unwrap_err();
        assert!(e.starts_with("run: invalid option '-v'\nusage:"), "{e}");
    }

    #[test]
    fn cc_values_attached_or_separate() {
        let c = cc(&[
            "-I", "dir", "-Ifoo", "-DX=1", "-D", "Y", "-o", "out", "a.c", "b.o", "--target", "T",
        ]);
        assert_eq!(c.inputs, paths(&["a.c", "b.o"]));
        assert_eq!(c.out, PathBuf::from("out"));
        assert_eq!(
            c.flags,
            strings(&["-I", "dir", "-Ifoo", "-DX=1", "-D", "Y"])
        );
        assert_eq!(c.target, "T");
    }

    #[test]
    fn cc_long_clang_options_and_plain_flags() {
        let c = cc(&[
            "--target",
            "T",
            "-include",
            "x.h",
            "-isystem",
            "sys",
            "-isystem-after",
            "late",
            "-iquoteq",
            "-MF",
            "deps.d",
            "-MD",
            "-x",
            "c",
            "-Xclang",
            "-ast-dump",
            "-O2",
            "-Wall",
            "-std=c11",
            "-ofile",
            "-Lld",
            "-l",
            "m",
            "-I=sysrel",
            "main.c",
            "--",
            "-odd.c",
        ]);
        assert_eq!(c.target, "T");
        assert_eq!(c.out, PathBuf::from("file"));
        assert_eq!(c.inputs, paths(&["main.c", "-odd.c"]));
        assert_eq!(
            c.flags,
            strings(&[
                "-include",
                "x.h",
                "-isystem",
                "sys",
                "-isystem-after",
                "late",
                "-iquoteq",
                "-MF",
                "deps.d",
                "-MD",
                "-x",
                "c",
                "-Xclang",
                "-ast-dump",
                "-O2",
                "-Wall",
                "-std=c11",
                "-Lld",
                "-l",
                "m",
                "-I=sysrel",
            ])
        );
    }

    #[test]
    fn cc_output_forms() {
        assert_eq!(cc(&["--target=T", "-o=out", "a.c"]).out, PathBuf::from("out"));
        assert_eq!(cc(&["--target=T", "a.c", "-o", "-out"]).out, PathBuf::from("-out"));
        assert_eq!(cc(&["--target=T", "-oout", "a.c"]).target, "T");
        assert_eq!(cc(&["--target=T", "a.c"]).out, PathBuf::from("a.out"));
    }

    #[test]
    fn cc_errors() {
        for (args, want) in [
            (
                &["--target=T", "-o", "a", "-o", "b", "x.c"][..],
                "cc: give -o once\n",
            ),
            (&["-o", "out", "x.c"], "cc: --target TRIPLE is required\n"),
            (&["--target=T", "-o", "out", "-I", "dir"], "cc: no input files\n"),
            (
                &["--target=T", "hello.cpp"],
                "cc: hello.cpp: C++ is not supported (only .c, .s, .S, .o, .a)\n",
            ),
            (
                &["--target=T", "x.c", "add.txt"],
                "cc: add.txt: unknown file type `.txt` (only .c, .s, .S, .o, .a)\n",
            ),
            (
                &["-o", "out", "x.c", "-I"],
                "cc: missing argument for option '-I'\n",
            ),
            (
                &["-o", "out", "x.c", "-include"],
                "cc: missing argument for option '-include'\n",
            ),
            (
                &["--target", "A", "--target", "B", "-o", "o", "x.c"],
                "cc: give --target once\n",
            ),
        ] {
            let e = parse(&[&["cc"], args].concat()).unwrap_err();
            assert!(
                e.starts_with(want) && e.contains("\nusage:"),
                "{args:?}: {e}"
            );
        }
    }

    #[test]
    fn missing_target_means_the_default() {
        assert!(matches!(
            parse(&["build"]),
            Ok(Command::Build { target: None })
        ));
        let Ok(Command::Test { targets, filter }) = parse(&["test"]) else {
            panic!()
        };
        assert!(targets.is_empty() && filter.is_none());
        let Ok(Command::Bench { targets, options }) = parse(&["bench"]) else {
            panic!()
        };
        assert!(targets.is_empty());
        assert_eq!(options.runs, 5);
        assert!(options.filter.is_none() && options.seconds.is_none());
        let Ok(Command::Stress { targets, options }) = parse(&["stress"]) else {
            panic!()
        };
        assert!(targets.is_empty());
        assert_eq!((options.runs, options.procs), (20, vec![1, 2, 4, 8]));
    }

    #[test]
    fn own_options() {
        let Ok(Command::Test { targets, filter }) = parse(&[
            "test",
            "--target",
            "A",
            "--target=B",
            "--filter",
            "x",
            "--filter=y",
        ]) else {
            panic!()
        };
        assert_eq!(targets, ["A", "B"]);
        assert_eq!(filter.as_deref(), Some("y"));
        assert!(matches!(
            parse(&["bench", "--runs", "0"]),
            Ok(Command::Bench {
                options: bench::Options { runs: 1, .. },
                ..
            })
        ));
        let Ok(Command::Bench { options, .. }) =
            parse(&["bench", "--filter", "net", "--seconds=2"])
        else {
            panic!()
        };
        assert_eq!(
            (options.filter.as_deref(), options.seconds),
            (Some("net"), Some(2))
        );
        let Ok(Command::Stress { targets, options }) = parse(&[
            "stress",
            "--target",
            "A",
            "--runs=3",
            "--seconds",
            "9",
            "--procs",
            "2,4",
            "--chaos",
            "5",
            "--load",
            "0",
            "--filter",
            "close",
        ]) else {
            panic!()
        };
        assert_eq!(targets, ["A"]);
        assert_eq!(
            (options.runs, options.seconds, options.chaos, options.load),
            (3, Some(9), 5, 0)
        );
        assert_eq!(options.procs, [2, 4]);
        assert_eq!(options.filter.as_deref(), Some("close"));
        assert!(matches!(
            parse(&["build", "--target", "T"]),
            Ok(Command::Build { target: Some(t) }) if t == "T"
        ));
    }

    #[test]
    fn unknown_xtask_options_are_errors() {
        for (args, want) in [
            (
                &["test", "--verbose"][..],
                "test: invalid option '--verbose'\n",
            ),
            (&["build", "-x"], "build: invalid option '-x'\n"),
            (
                &["build", "extra"],
                "build: unexpected argument \"extra\"\n",
            ),
            (
                &["bench", "--runs", "many"],
                "bench: --runs takes a number, not `many`\n",
            ),
            (
                &["stress", "--procs", "0"],
                "stress: --procs takes positive numbers",
            ),
            (
                &["test", "--target"],
                "test: missing argument for option '--target'\n",
            ),
            (
                &["test", "--filter"],
                "test: missing argument for option '--filter'\n",
            ),
            (&["frobnicate"], "unknown command `frobnicate`\n"),
            (&["--frobnicate"], "unknown command `--frobnicate`\n"),
        ] {
            let e = parse(args).unwrap_err();
            assert!(
                e.starts_with(want) && e.contains("usage:\n  cargo xtask build"),
                "{args:?}: {e}"
            );
        }
        assert_eq!(parse(&[]).unwrap_err(), USAGE);
    }

    #[test]
    fn help() {
        for args in [
            &["help"][..],
            &["--help"],
            &["-h"],
            &["test", "--help"],
            &["cc", "-h"],
        ] {
            assert!(matches!(parse(args), Ok(Command::Help)), "{args:?}");
        }
    }
}
