//! Building the runtime and linking programs with it.
//!
//! Rust code for a target is built by cargo with flags from the target's
//! descriptor: the static relocation model (no PIE, no GOT indirection, no
//! `__tls_get_addr`), and for executables rust-lld with the target's linker
//! script. The flags travel in CARGO_ENCODED_RUSTFLAGS, which with an
//! explicit `--target` applies to the target's crates only — build scripts
//! keep linking for the host.
//!
//! C programs are compiled by clang, freestanding (no libc headers, no
//! startup files) and linked by rust-lld with the same script and
//! `libruntime.a`.

use crate::target::Target;
use crate::tools;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Cargo's target directory for `t`.
fn target_dir(root: &Path, t: &Target) -> PathBuf {
    if t.checked {
        root.join("target").join("checked")
    } else {
        root.join("target")
    }
}

/// Where cargo leaves release artifacts for `t`.
pub fn out_dir(root: &Path, t: &Target) -> PathBuf {
    target_dir(root, t).join(&t.triple).join("release")
}

fn rustflags(root: &Path, t: &Target) -> Vec<String> {
    let link = root.join("link");
    let mut f: Vec<String> = vec![
        "-C".into(),
        "relocation-model=static".into(),
        "-C".into(),
        "target-feature=+crt-static".into(),
        "-C".into(),
        "linker=rust-lld".into(),
        "-C".into(),
        "linker-flavor=ld.lld".into(),
        "-C".into(),
        format!("link-arg=-T{}", t.linker_script.display()),
        "-C".into(),
        format!("link-arg=-L{}", link.display()),
        "-C".into(),
        "link-arg=-static".into(),
        "-C".into(),
        "link-arg=--icf=all".into(),
        // For `force-frame-pointers=non-leaf` (the descriptors' rustflags
        // and `runtime_lib`), unstable in rustc (hence RUSTC_BOOTSTRAP
        // below).
        "-Z".into(),
        "unstable-options".into(),
    ];
    f.extend(t.rustflags.iter().cloned());
    if t.checked {
        // The runtime's own debug checks (lock ranks), without turning on
        // core's: debug-assertions would also make the `no_builtins` memory
        // functions call core's panic paths, which LTO has dropped.
        f.extend(["--cfg".into(), "rt_checked".into()]);
    }
    // Panic locations in dependencies name their source files: relative to
    // the registry, not by this machine's absolute path (shorter, and the
    // same executable wherever it is built).
    let registry = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("registry/src"));
    if let Some(Ok(dirs)) = registry.map(std::fs::read_dir) {
        for d in dirs.flatten() {
            f.push(format!("--remap-path-prefix={}/=", d.path().display()));
        }
    }
    if t.rust_max_frame > 0 {
        // Frame sizes, for `check_frames`. Unstable in rustc (hence
        // RUSTC_BOOTSTRAP below) but unchanged since 2018; the section is
        // not loaded and is cut off the examples with the section headers.
        f.extend(["-Z".into(), "emit-stack-sizes".into()]);
    }
    f
}

pub use crate::driver::check_frames;

/// One progress line for a build step, on stderr (stdout is for results).
pub fn step(what: &str) {
    eprintln!("xtask: {what}");
}

/// `cargo <sub> --release --target <t>` with the target's flags.
fn cargo_cmd(root: &Path, t: &Target, sub: &str, args: &[&str]) -> Result<()> {
    cargo_profile(root, t, sub, true, &target_dir(root, t), args)
}

/// `cargo_cmd` in the release or the dev profile, into `dir`.
fn cargo_profile(root: &Path, t: &Target, sub: &str, release: bool, dir: &Path, args: &[&str]) -> Result<()> {
    let mut child = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .arg(sub)
        .args(release.then_some("--release"))
        .arg("--quiet")
        .arg("--target")
        .arg(&t.triple)
        .arg("--target-dir")
        .arg(dir)
        .args(args)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags(root, t).join("\x1f"))
        .env_remove("RUSTFLAGS")
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if let Some(err) = child.stderr.take() {
        forward_diagnostics(err, t);
    }
    let st = child.wait().map_err(|e| format!("cannot run cargo: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("cargo {sub} for {} failed", t.triple))
    }
}

/// Copies cargo's diagnostics to our stderr, less rustc's notice about
/// the unstable target features that the target's own descriptor asks for
/// (`thumb-mode` on armv7, `outline-atomics` on aarch64, `relax` on
/// riscv64): they are chosen and explained in `targets/`, and a user could
/// not act on the notice, which rustc repeats for every crate of every
/// build. It cannot be silenced at its source: rustc 1.95 emits it for
/// every unstable `-Ctarget-feature` it is given, not as a lint (neither
/// `-A` of a lint nor RUSTC_BOOTSTRAP removes it; only `-A warnings`, which
/// would hide the code's own warnings too), and there is no stable way to
/// ask for these features (Thumb-2 code on the armv7 triple) otherwise.
/// Every other warning and error passes through unchanged.
fn forward_diagnostics(err: impl std::io::Read, t: &Target) {
    use std::io::{BufRead, Write};
    let ours = |line: &str| {
        line.strip_prefix("warning: unstable feature specified for `-Ctarget-feature`: `")
            .and_then(|f| f.strip_suffix('`'))
            .is_some_and(|f| {
                t.rustflags.iter().any(|fl| {
                    fl.trim_start_matches("target-feature=")
                        .split(',')
                        .any(|x| x.get(1..) == Some(f))
                })
            })
    };
    let mut skipping = false;
    let mut out = std::io::stderr().lock();
    for line in std::io::BufReader::new(err).lines().map_while(|l| l.ok()) {
        if ours(&line) {
            skipping = true;
        } else if skipping {
            // The notice's body ends at its blank line.
            skipping = !line.is_empty();
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// `cargo build --release --target <t>` with the target's flags.
pub fn cargo(root: &Path, t: &Target, args: &[&str]) -> Result<()> {
    cargo_cmd(root, t, "build", args)
}

/// Builds `libruntime.a` for `t`; returns its path.
///
/// Built as a staticlib alone: rustc performs link-time optimisation only
/// when every crate type of the build allows it, and an rlib does not, so
/// the `["staticlib", "rlib"]` build would leave the archive unoptimised
/// (a fifth larger executables).
pub fn runtime_lib(root: &Path, t: &Target) -> Result<PathBuf> {
    // One line per target and kind, however many programs link with it.
    static SHOWN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let key = format!("{}{}", t.triple, if t.checked { " (checked)" } else { "" });
    if let Ok(mut shown) = SHOWN.lock() {
        if !shown.contains(&key) {
            step(&format!("building libruntime.a for {key}"));
            shown.push(key);
        }
    }
    cargo_cmd(
        root,
        t,
        "rustc",
        // `rt_c_program`: the C library leaves Rust's panic-message
        // formatting out (see the runtime's panic handler).
        // Frame records in every non-leaf function of the runtime, for
        // the tracebacks of C programs. Every descriptor asks for them
        // too; this keeps them in the C programs' runtime whatever a
        // descriptor says.
        &[
            "-p",
            "runtime",
            "--lib",
            "--crate-type",
            "staticlib",
            "--",
            "--cfg",
            "rt_c_program",
            "-C",
            "force-frame-pointers=non-leaf",
        ],
    )?;
    let lib = out_dir(root, t).join("libruntime.a");
    crate::clib::add_to_archive(root, t, &lib).map(|()| lib)
}

/// Compiles and links C sources, assembly and objects into a static
/// executable with the checkout's headers and scripts (see `driver`).
/// With `symbols`, the symbol table is kept (`-g`, and the tests' checks).
pub fn cc(
    root: &Path,
    t: &Target,
    out: &Path,
    inputs: &[PathBuf],
    extra: &[String],
    symbols: bool,
) -> Result<()> {
    let lib = runtime_lib(root, t)?;
    let tc = toolchain(root, t, lib)?;
    crate::driver::build(&tc, out, inputs, extra, &out_dir(root, t).join("cc-obj"), symbols)
}

/// The checkout's headers and scripts, with `lib` as the runtime.
pub fn toolchain<'a>(root: &Path, t: &'a Target, lib: PathBuf) -> Result<crate::driver::Toolchain<'a>> {
    Ok(crate::driver::Toolchain {
        target: t,
        include: root.join("include"),
        link_dir: root.join("link"),
        lib,
        lld: tools::rust_lld()?,
    })
}

pub use crate::driver::debug_copy;

/// An executable cargo has just linked (with its symbols): keeps the
/// unstripped copy beside it (`debug_copy`), checks its frames, then cuts
/// the symbols and section headers off (`elf::strip_section_headers`:
/// what lies past the loaded segments).
pub fn finish_rust_exe(t: &Target, exe: &Path) -> Result<()> {
    let copy = debug_copy(exe);
    std::fs::copy(exe, &copy).map_err(|e| format!("{}: {e}", copy.display()))?;
    check_frames(t, exe)?;
    crate::elf::strip_section_headers(exe)
}

/// Every file in `dir` with extension `ext`, sorted.
pub fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Builds the runtime and every example for `t`: Rust examples keep their
/// name, C examples are named `<stem>-c`. Returns the executables.
pub fn examples(root: &Path, t: &Target) -> Result<Vec<PathBuf>> {
    tools::ensure_target(root, t, true)?;
    runtime_lib(root, t)?;
    step(&format!("building the Rust examples for {}", t.triple));
    cargo(root, t, &["-p", "examples", "--examples"])?;
    let dir = out_dir(root, t).join("examples");
    let mut built: Vec<PathBuf> = files_with(&root.join("examples"), "rs")
        .iter()
        .filter_map(|p| p.file_stem().map(|s| dir.join(s)))
        .collect();
    for exe in &built {
        // An executable that cargo did not relink was checked (and its
        // unstripped copy kept) before its section headers were cut off.
        if crate::elf::has_section_headers(exe)? {
            finish_rust_exe(t, exe)?;
        }
    }
    step(&format!("building the C examples for {}", t.triple));
    for c in files_with(&root.join("examples"), "c") {
        let stem = c.file_stem().and_then(|s| s.to_str()).unwrap_or("example");
        let out = dir.join(format!("{stem}-c"));
        cc(root, t, &out, std::slice::from_ref(&c), &[], false)?;
        built.push(out);
    }
    Ok(built)
}

/// The Rust hello example built as `cargo build` builds it by default: the
/// dev profile (opt-level 0, debug assertions and overflow checks on), in
/// a target directory of its own. Returns the executable.
pub fn debug_hello(root: &Path, t: &Target) -> Result<PathBuf> {
    tools::ensure_target(root, t, true)?;
    let dir = target_dir(root, t).join("dev");
    cargo_profile(root, t, "build", false, &dir, &["-p", "examples", "--example", "hello"])?;
    Ok(dir.join(&t.triple).join("debug/examples/hello"))
}

/// The command that runs an executable for `t` on this host.
pub fn runner(t: &Target, exe: &Path) -> Command {
    match &t.qemu {
        Some(q) => {
            let mut c = Command::new(q);
            c.arg(exe);
            c
        }
        None => Command::new(exe),
    }
}
