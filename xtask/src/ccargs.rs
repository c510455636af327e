//! The command line of a C compiler driver: `cargo xtask cc` and the
//! installed `rt-cc` read the same words the same way.
//!
//! Besides `--target TRIPLE` (required: there is no useful default, the
//! host's C library is not the runtime), `-o OUT` (default `a.out`), `-c`
//! (compile only: objects, not an executable), `--help` and `--version`,
//! the words are clang's (`-E`, `-S` and `-M` are refused: they make no
//! object). An option that takes a
//! value takes it attached (`-Idir`, `-DX=1`, `-MFdeps`) or as the next
//! word (`-I dir`, `-include x.h`), and is passed to clang with it; every
//! other option is passed to clang as it is; the words left are the input
//! files, and so is everything after `--`. Inputs are known by their
//! extension (`input_kind`): anything else is refused here, before
//! anything is built, rather than handed to the linker, which would read
//! it as a linker script.

use lexopt::prelude::*;
use lexopt::Parser;
use std::path::{Path, PathBuf};

/// A parsed compiler command line.
#[derive(Debug, PartialEq)]
pub enum Line {
    Help,
    Version,
    Build(Cc),
}

/// What to build.
#[derive(Debug, PartialEq)]
pub struct Cc {
    pub target: String,
    /// The executable; with `compile_only`, the object of the one input,
    /// or empty for `<stem>.o` of each input in the current directory.
    pub out: PathBuf,
    pub compile_only: bool,
    pub inputs: Vec<PathBuf>,
    /// For clang, in their order, each option with its value.
    pub flags: Vec<String>,
}

impl Cc {
    /// `-g` in any of its forms (`-g3`, `-ggdb`, `-gdwarf-4`), not undone
    /// by a later `-g0`: the executable then keeps its symbols and debug
    /// information (no stripping), for gdb and addr2line.
    pub fn debug(&self) -> bool {
        let mut debug = false;
        for f in &self.flags {
            if f == "-g0" {
                debug = false;
            } else if f == "-g"
                || f.starts_with("-ggdb")
                || f.starts_with("-gdwarf")
                || (f.len() == 3 && f.starts_with("-g") && f.as_bytes()[2].is_ascii_digit())
            {
                debug = true;
            }
        }
        debug
    }
}

/// What an input file is, from its extension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `.c`: compiled.
    C,
    /// `.s` (assembled) or `.S` (preprocessed, then assembled), by clang.
    Asm,
    /// `.o` or `.a`: linked.
    Object,
}

/// The kind of `path`, or why it cannot be an input.
pub fn input_kind(path: &Path) -> Result<Kind, String> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "c" => Ok(Kind::C),
        "s" | "S" => Ok(Kind::Asm),
        "o" | "a" => Ok(Kind::Object),
        "cc" | "cpp" | "cxx" | "c++" | "C" | "cp" | "CPP" | "ii" | "hpp" | "hh" | "hxx" => Err(
            format!(
                "{}: C++ is not supported (only .c, .s, .S, .o, .a)",
                path.display()
            ),
        ),
        "" => Err(format!(
            "{}: no file extension (only .c, .s, .S, .o, .a)",
            path.display()
        )),
        _ => Err(format!(
            "{}: unknown file type `.{ext}` (only .c, .s, .S, .o, .a)",
            path.display()
        )),
    }
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

/// The longest of `names` that `word` starts with.
fn longest_prefix<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .copied()
        .filter(|n| word.starts_with(n))
        .max_by_key(|n| n.len())
}

/// Reads a compiler command line (the words after `cc`, or after `rt-cc`).
pub fn parse(p: &mut Parser) -> Result<Line, lexopt::Error> {
    // Options of more than one letter behind a single dash are clang's
    // syntax, not lexopt's (which would read `-include` as `-i nclude`):
    // each word is looked at before lexopt parses it, and lexopt is left
    // the ones it reads as clang does: `--target`, `--`, and one-letter
    // options with their values. An `=` after such a letter is part of the
    // value (`-I=dir` is relative to the sysroot), except after `-o`,
    // where `-o=OUT` has always meant OUT.
    p.set_short_equals(false);
    let mut target: Option<String> = None;
    let mut outs: Vec<PathBuf> = Vec::new();
    let mut inputs: Vec<PathBuf> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    let mut compile_only = false;
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
                Some(Long("target")) => {
                    let t = p.value()?.string()?;
                    if target.replace(t).is_some() {
                        return Err("give --target once".to_string().into());
                    }
                }
                _ => unreachable!("lexopt reads {w:?} as --target"),
            }
        } else if w == "--help" || w == "-h" {
            return Ok(Line::Help);
        } else if w == "--version" {
            return Ok(Line::Version);
        } else if w == "-c" {
            raw.next();
            compile_only = true;
        } else if ["-E", "-S", "-M", "-MM", "-fsyntax-only"].contains(&w) {
            return Err(format!(
                "{w} is not supported: this driver makes executables, or objects with -c"
            )
            .into());
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
        Err(v) if v.is_empty() && compile_only => PathBuf::new(),
        Err(v) if v.is_empty() => PathBuf::from("a.out"),
        Err(_) => return Err("give -o once".to_string().into()),
    };
    let Some(target) = target else {
        return Err("--target TRIPLE is required".to_string().into());
    };
    if inputs.is_empty() {
        return Err("no input files".to_string().into());
    }
    for i in &inputs {
        if input_kind(i)? == Kind::Object && compile_only {
            return Err(format!("{}: nothing to compile with -c", i.display()).into());
        }
    }
    if compile_only && inputs.len() > 1 && !out.as_os_str().is_empty() {
        return Err("-c with -o makes one object: give one input".to_string().into());
    }
    Ok(Line::Build(Cc {
        target,
        out,
        compile_only,
        inputs,
        flags,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(args: &[&str]) -> Result<Line, String> {
        parse(&mut Parser::from_args(args.iter().copied())).map_err(|e| e.to_string())
    }

    #[test]
    fn kinds() {
        for (f, k) in [
            ("a.c", Kind::C),
            ("dir.x/b.s", Kind::Asm),
            ("c.S", Kind::Asm),
            ("d.o", Kind::Object),
            ("libx.a", Kind::Object),
        ] {
            assert_eq!(input_kind(Path::new(f)), Ok(k), "{f}");
        }
        assert_eq!(
            input_kind(Path::new("hello.cpp")).unwrap_err(),
            "hello.cpp: C++ is not supported (only .c, .s, .S, .o, .a)"
        );
        assert_eq!(
            input_kind(Path::new("foo.txt")).unwrap_err(),
            "foo.txt: unknown file type `.txt` (only .c, .s, .S, .o, .a)"
        );
        assert!(input_kind(Path::new("script")).unwrap_err().contains("no file extension"));
    }

    #[test]
    fn refusals_before_building() {
        for (args, want) in [
            (&["--target", "T", "hello.cpp"][..], "hello.cpp: C++ is not supported"),
            (&["--target", "T", "a.c", "link.ld"], "link.ld: unknown file type `.ld`"),
            (&["a.c"], "--target TRIPLE is required"),
            (&["--target", "T"], "no input files"),
            (&["--target", "T", "-o", "a", "-o", "b", "x.c"], "give -o once"),
            (&["--target", "T", "-S", "x.c"], "-S is not supported"),
            (&["--target", "T", "-c", "x.o"], "x.o: nothing to compile with -c"),
            (&["--target", "T", "-c", "-o", "x.o", "a.c", "b.c"], "-c with -o makes one object"),
        ] {
            let e = line(args).unwrap_err();
            assert!(e.starts_with(want), "{args:?}: {e}");
        }
    }

    #[test]
    fn defaults_help_version_debug() {
        let Ok(Line::Build(c)) = line(&["--target=T", "x.c", "y.S", "z.a"]) else {
            panic!()
        };
        assert_eq!(c.out, PathBuf::from("a.out"));
        assert!(!c.debug() && !c.compile_only);
        let Ok(Line::Build(c)) = line(&["--target=T", "-c", "x.c", "y.s"]) else {
            panic!()
        };
        assert!(c.compile_only && c.out.as_os_str().is_empty() && c.flags.is_empty());
        assert_eq!(line(&["--version"]), Ok(Line::Version));
        assert_eq!(line(&["-o", "x", "--help"]), Ok(Line::Help));
        for (flags, want) in [
            (&["-g"][..], true),
            (&["-g3"], true),
            (&["-ggdb"], true),
            (&["-gdwarf-4"], true),
            (&["-g", "-g0"], false),
            (&["-gsplit-dwarf"], false),
            (&["-O2"], false),
        ] {
            let words = [&["--target", "T", "x.c"][..], flags].concat();
            let Ok(Line::Build(c)) = line(&words) else { panic!() };
            assert_eq!(c.debug(), want, "{flags:?}");
        }
    }
}
