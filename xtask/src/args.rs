//! The command line of `cargo xtask`, read with `lexopt`.
//!
//! xtask's own options are long ones, `--name VALUE` or `--name=VALUE`;
//! anything else given to `build`, `test`, `bench` or `stress` is an error
//! that names it, followed by the usage. Two commands carry words meant
//! for another program:
//!
//! - `run`: everything after the example's name goes to the example as
//!   it is (`-x`, `--target`, `--` included).
//! - `cc`: besides xtask's `--target`, the words are clang's. An option
//!   that takes a value takes it attached (`-Idir`, `-DX=1`, `-MFdeps`)
//!   or as the next word (`-I dir`, `-include x.h`), and is passed to
//!   clang with it; `-o` names the output; every other option is passed
//!   to clang as it is; the words left are the input files (`.c` compiled,
//!   anything else linked), and so is everything after `--`.

use crate::bench;
use crate::stress;
use lexopt::prelude::*;
use lexopt::Parser;
use std::ffi::OsString;
use std::path::PathBuf;

pub const USAGE: &str = "usage:
  cargo xtask build [--target TRIPLE]
  cargo xtask cc --target TRIPLE -o OUT FILE.c|FILE.o... [clang flags]
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
    Cc(Cc),
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

/// `cargo xtask cc`'s arguments.
#[derive(Debug, PartialEq)]
pub struct Cc {
    pub target: Option<String>,
    pub out: PathBuf,
    pub inputs: Vec<PathBuf>,
    /// For clang, in their order, each option with its value.
    pub flags: Vec<String>,
}

/// clang's options of one letter that take a value, attached or as the
/// next word (`-o` is taken out for the output).
const CLANG_SHORT_WITH_VALUE: [char; 7] = ['o', 'I', 'D', 'U', 'L', 'l', 'x'];

/// clang's longer options whose value is attached or the next word.
const CLANG_JOINED_OR_SEPARATE: [&str; 15] = [
    "-include",
    "-imacros",
    "-isystem",
    "-isystem-after",
    "-idirafter",
    "-iquote",
    "-isysroot",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-ivfsoverlay",
    "-MF",
    "-MT",
    "-MQ",
    "-MJ",
];

/// clang's options whose value is always the next word.
const CLANG_SEPARATE: [&str; 9] = [
    "-Xclang",
    "-Xpreprocessor",
    "-Xassembler",
    "-Xlinker",
    "-mllvm",
    "-include-pch",
    "-target",
    "--sysroot",
    "-arch",
];

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

/// The longest of `names` that `word` starts with.
fn longest_prefix<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| word.starts_with(n))
        .max_by_key(|n| n.len())
}

fn cc(p: &mut Parser) -> Parsed<Command> {
    // Options of more than one letter behind a single dash are clang's
    // syntax, not lexopt's (which would read `-include` as `-i nclude`):
    // each word is looked at before lexopt parses it, and lexopt is left
    // the ones it reads as clang does: `--target`, `--`, and one-letter
    // options with their values. An `=` after such a letter is part of the
    // value (`-I=dir` is relative to the sysroot), except after `-o`,
    // where `-o=OUT` has always meant OUT.
    p.set_short_equals(false);
    let mut target = None;
    let mut outs: Vec<PathBuf> = Vec::new();
    let mut inputs: Vec<PathBuf> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    loop {
        // Values are always taken whole, so no word is half read here.
        let Some(mut raw) = p.try_raw_args() else {
            return Err("internal: an option's value was left unread"
                .to_string()
                .into());
        };
        let Some(word) = raw.peek().map(|w| w.to_owned()) else {
            break;
        };
        let Some(w) = word.to_str() else {
            // Not UTF-8: an input file unless it is an option.
            if word.as_encoded_bytes().starts_with(b"-") {
                return Err(lexopt::Error::NonUnicodeValue(word));
            }
            raw.next();
            inputs.push(word.into());
            continue;
        };
        if w == "--" {
            raw.next();
            inputs.extend(raw.map(PathBuf::from));
            break;
        }
        if w == "--target" || w.starts_with("--target=") {
            match p.next()? {
                Some(Long("target")) => target_once(p, &mut target)?,
                _ => unreachable!("lexopt reads {w:?} as --target"),
            }
        } else if w == "--help" || w == "-h" {
            return Ok(Command::Help);
        } else if let Some(name) = CLANG_SEPARATE.iter().find(|&&n| n == w) {
            raw.next();
            let Some(v) = raw.next() else {
                return Err(lexopt::Error::MissingValue {
                    option: Some(name.to_string()),
                });
            };
            flags.push(w.to_string());
            flags.push(v.string()?);
        } else if let Some(name) = longest_prefix(w, &CLANG_JOINED_OR_SEPARATE) {
            raw.next();
            flags.push(w.to_string());
            if w == name {
                let Some(v) = raw.next() else {
                    return Err(lexopt::Error::MissingValue {
                        option: Some(name.to_string()),
                    });
                };
                flags.push(v.string()?);
            }
        } else if w
            .strip_prefix('-')
            .and_then(|r| r.chars().next())
            .is_some_and(|c| CLANG_SHORT_WITH_VALUE.contains(&c))
        {
            let Some(Short(c)) = p.next()? else {
                unreachable!("lexopt reads {w:?} as a short option");
            };
            if c == 'o' {
                p.set_short_equals(true);
                let out = p.value();
                p.set_short_equals(false);
                outs.push(out?.into());
            } else {
                let v = p.value()?.string()?;
                // As given: attached stays attached.
                if w.len() == 2 {
                    flags.push(w.to_string());
                    flags.push(v);
                } else {
                    flags.push(w.to_string());
                }
            }
        } else if w.starts_with('-') && w != "-" {
            raw.next();
            flags.push(w.to_string());
        } else {
            raw.next();
            inputs.push(word.into());
        }
    }
    let out = match <[PathBuf; 1]>::try_from(outs) {
        Ok([out]) => out,
        Err(_) => return Err("cc needs one -o OUT".to_string().into()),
    };
    if inputs.is_empty() {
        return Err("cc needs input files".to_string().into());
    }
    Ok(Command::Cc(Cc {
        target,
        out,
        inputs,
        flags,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> crate::Result<Command> {
        super::parse(args.iter().copied())
    }

    fn cc(args: &[&str]) -> Cc {
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
            "-I", "dir", "-Ifoo", "-DX=1", "-D", "Y", "-o", "out", "a.c", "b.o",
        ]);
        assert_eq!(c.inputs, paths(&["a.c", "b.o"]));
        assert_eq!(c.out, PathBuf::from("out"));
        assert_eq!(
            c.flags,
            strings(&["-I", "dir", "-Ifoo", "-DX=1", "-D", "Y"])
        );
        assert_eq!(c.target, None);
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
        assert_eq!(c.target.as_deref(), Some("T"));
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
        assert_eq!(cc(&["-o=out", "a.c"]).out, PathBuf::from("out"));
        assert_eq!(cc(&["a.c", "-o", "-out"]).out, PathBuf::from("-out"));
        assert_eq!(
            cc(&["--target=T", "-oout", "a.c"]).target.as_deref(),
            Some("T")
        );
    }

    #[test]
    fn cc_errors() {
        for (args, want) in [
            (
                &["-o", "a", "-o", "b", "x.c"][..],
                "cc: cc needs one -o OUT\n",
            ),
            (&["x.c"], "cc: cc needs one -o OUT\n"),
            (&["-o", "out", "-I", "dir"], "cc: cc needs input files\n"),
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
