//! `cargo xtask new DIR`: a Rust application on the runtime, outside this
//! repository, built with plain `cargo build` / `cargo run`.
//!
//! The files follow the embedded-Rust convention (cortex-m-rt's): the
//! runtime's build script (`runtime/build.rs`) puts the target's linker
//! script on the linker's search path as `runtime.ld`, and the project's
//! `.cargo/config.toml` holds, per target, the flags every executable on
//! the runtime needs and a qemu runner:
//!
//! - `relocation-model=static` and `+crt-static`: a static executable, no
//!   PIE (which the runtime's `_start` does not relocate: x86_64 would die
//!   with SIGSEGV before the first boot step), no dynamic loader;
//! - rust-lld as the linker, `-Truntime.ld` for the layout, `-static`;
//! - a default `[build] target`, the host's triple: with a target named,
//!   cargo keeps target rustflags off host build scripts, which must still
//!   link against the host's C library.
//!
//! `panic = "abort"` is in the profiles of `Cargo.toml` (the runtime never
//! unwinds). The descriptors' unstable target features (`+thumb-mode`,
//! `-outline-atomics`, `+relax`) are left out: rustc warns about each of
//! them once per crate, and the runtime does not need them (they make
//! code smaller; xtask's own builds use them for the 32 KiB hello).

use crate::target::{self, Target};
use crate::Result;
use std::fmt::Write;
use std::path::Path;

/// A package name from the directory's name, as `cargo new` accepts it.
fn package_name(dir: &Path) -> Result<String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{}: no usable directory name", dir.display()))?;
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(format!(
            "{name:?} cannot be a package name: use letters, digits, `-` and `_`, starting with a letter"
        ));
    }
    Ok(name.to_string())
}

/// A TOML string (the paths here are the user's and may hold anything).
fn toml_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(o, "\\u{:04X}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The descriptor's rustflags without the unstable target features, and
/// with frame records in every function (`force-frame-pointers=yes`,
/// stable) where the runtime's own builds keep them in non-leaf ones only
/// (`non-leaf` needs `-Z unstable-options`).
fn stable_rustflags(t: &Target) -> Vec<String> {
    let mut out = Vec::new();
    let mut words = t.rustflags.iter().peekable();
    while let Some(w) = words.next() {
        if w == "-C" && words.peek().is_some_and(|v| v.starts_with("target-feature=")) {
            words.next();
        } else if w == "-Z" && words.peek().is_some_and(|v| *v == "unstable-options") {
            words.next();
        } else if w == "force-frame-pointers=non-leaf" {
            out.push("force-frame-pointers=yes".into());
        } else if !w.starts_with("-Ctarget-feature=") {
            out.push(w.clone());
        }
    }
    out
}

fn config(root: &Path, default: &str, host: &str) -> Result<String> {
    let mut c = String::from(
        "# Flags for executables on the Go-style runtime, per target (written by\n\
         # `cargo xtask new`; see the runtime's README). `cargo build` builds for the\n\
         # target below; `cargo build --target <triple>` for another one.\n\
         #\n\
         # relocation-model=static, +crt-static, -static: a static executable that\n\
         # is not position-independent (the runtime's _start does not relocate one).\n\
         # rust-lld links it with the layout the runtime's build script puts on the\n\
         # search path (runtime.ld).\n\
         # The runtime's own builds add unstable target features (+thumb-mode on\n\
         # armv7, -outline-atomics on aarch64, +relax on riscv64) for smaller code;\n\
         # rustc warns about them once per crate, so they are not used here.\n\n\
         [build]\n\
         # Named even when it is this machine's own: with a target given, cargo\n\
         # keeps these rustflags off build scripts, which link for the host.\n",
    );
    let _ = writeln!(c, "target = {}", toml_str(default));
    for triple in target::known(root) {
        let t = target::load(root, &triple)?;
        let _ = writeln!(c, "\n[target.{triple}]\nrustflags = [");
        let mut flags: Vec<String> = [
            "-C", "relocation-model=static",
            "-C", "target-feature=+crt-static",
            "-C", "linker=rust-lld",
            "-C", "linker-flavor=ld.lld",
            "-C", "link-arg=-Truntime.ld",
            "-C", "link-arg=-static",
        ]
        .map(String::from)
        .to_vec();
        flags.extend(stable_rustflags(&t));
        for pair in flags.chunks(2) {
            let words: Vec<String> = pair.iter().map(|w| toml_str(w)).collect();
            let _ = writeln!(c, "    {},", words.join(", "));
        }
        c.push_str("]\n");
        match &t.qemu {
            Some(q) if triple != host => {
                let _ = writeln!(c, "runner = {}", toml_str(q));
            }
            _ => {}
        }
    }
    Ok(c)
}

fn manifest(root: &Path, name: &str) -> Result<String> {
    let runtime = root.join("runtime");
    let runtime = runtime
        .to_str()
        .ok_or_else(|| format!("{}: not UTF-8", runtime.display()))?;
    Ok(format!(
        "[package]\n\
         name = {name}\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         \n\
         [dependencies]\n\
         runtime = {{ path = {runtime} }}\n\
         \n\
         # The runtime never unwinds: a panic is reported Go-style and ends the\n\
         # process with exit code 2.\n\
         [profile.dev]\n\
         panic = \"abort\"\n\
         \n\
         [profile.release]\n\
         panic = \"abort\"\n\
         opt-level = \"s\"\n\
         lto = true\n\
         codegen-units = 1\n\
         strip = true\n\
         \n\
         # A project of its own, even inside another workspace's directory.\n\
         [workspace]\n",
        name = toml_str(name),
        runtime = toml_str(runtime),
    ))
}

/// The greeting the template prints (the tests check for it).
pub const GREETING: &str = "hello from a goroutine";

fn main_rs() -> String {
    format!(
        "//! A program on the Go-style runtime: the runtime owns the entry point,\n\
         //! boots, and calls `main_main` on the main goroutine; returning from it\n\
         //! ends the process with exit code 0.\n\
         #![no_std]\n\
         #![no_main]\n\
         \n\
         use runtime::Chan;\n\
         \n\
         #[unsafe(no_mangle)]\n\
         pub extern \"C\" fn main_main() {{\n\
         \x20   let greetings: Chan<&'static [u8]> = Chan::new(0);\n\
         \x20   let tx = greetings.clone();\n\
         \x20   runtime::go(move || tx.send(b\"{GREETING}\\n\"));\n\
         \x20   let Some(msg) = greetings.recv() else {{\n\
         \x20       runtime::exit(1);\n\
         \x20   }};\n\
         \x20   if runtime::write(1, msg).is_err() {{\n\
         \x20       runtime::exit(1);\n\
         \x20   }}\n\
         }}\n"
    )
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Creates the project at `dir`, which must not exist or be empty.
pub fn create(root: &Path, dir: &Path) -> Result<()> {
    let dir = std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!("{}: exists and is not empty", dir.display()));
    }
    let name = package_name(&dir)?;
    let host = target::host_triple()?;
    let known = target::known(root);
    let default = if known.contains(&host) { host.clone() } else { known[0].clone() };
    write(&dir.join("Cargo.toml"), &manifest(root, &name)?)?;
    write(&dir.join(".cargo/config.toml"), &config(root, &default, &host)?)?;
    write(&dir.join("src/main.rs"), &main_rs())?;
    write(&dir.join(".gitignore"), "/target\n")?;
    // The toolchain the runtime is built and tested with, and its targets.
    let toolchain = std::fs::read_to_string(root.join("rust-toolchain.toml"))
        .map_err(|e| format!("rust-toolchain.toml: {e}"))?;
    write(&dir.join("rust-toolchain.toml"), &toolchain)?;
    // The versions of the runtime's dependencies it is tested with (and no
    // registry look-up for a first build).
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        write(&dir.join("Cargo.lock"), &lock)?;
    }
    crate::build::step(&format!("created {} ({name}, default target {default})", dir.display()));
    println!("{}", dir.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        for ok in ["app", "my_app-2", "A"] {
            assert_eq!(package_name(Path::new(ok)).as_deref(), Ok(ok));
        }
        for bad in ["2app", "my app", "-x", "é"] {
            assert!(package_name(Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(toml_str(r#"a"b\c"#), r#""a\"b\\c""#);
        let v: toml::Table = format!("k = {}", toml_str("x\ny\"")).parse().unwrap();
        assert_eq!(v["k"].as_str(), Some("x\ny\""));
    }

    #[test]
    fn config_per_target() {
        let root = crate::root();
        let host = "x86_64-unknown-linux-gnu";
        let c: toml::Table = config(&root, host, host).unwrap().parse().unwrap();
        assert_eq!(c["build"]["target"].as_str(), Some(host));
        for triple in target::known(&root) {
            let t = &c["target"][triple.as_str()];
            let flags: Vec<&str> = t["rustflags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            for want in ["relocation-model=static", "target-feature=+crt-static", "linker=rust-lld", "link-arg=-Truntime.ld"] {
                assert!(flags.contains(&want), "{triple}: {flags:?}");
            }
            assert!(
                !flags.iter().any(|f| f.starts_with("target-feature=") && *f != "target-feature=+crt-static"),
                "{triple}: {flags:?}"
            );
            assert_eq!(t.get("runner").is_some(), triple != host, "{triple}");
        }
        let aarch64 = &c["target"]["aarch64-unknown-linux-gnu"]["rustflags"];
        assert!(aarch64.as_array().unwrap().iter().any(|v| v.as_str() == Some("code-model=tiny")));
    }
}
