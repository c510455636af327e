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

/// On a target where rustc cannot probe large frames, refuses an
/// executable holding a function whose frame exceeds the target's limit.
pub fn check_frames(t: &Target, exe: &Path) -> Result<()> {
    if t.rust_max_frame == 0 {
        return Ok(());
    }
    let big = crate::elf::large_frames(exe, t.rust_max_frame)?;
    if big.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: stack frame larger than the {}-byte limit on {}: {}\n  \
         (no compiler probes large frames there, and a bigger one could jump over the \
         guard below a goroutine stack; put large arrays on the heap or in a static)",
        exe.display(),
        t.rust_max_frame,
        t.triple,
        big.join(", ")
    ))
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
/// (`thumb-mode` on armv7, `outline-atomics` on aarch64): they are chosen
/// and explained in `targets/`, and a user could not act on the notice,
/// which rustc repeats for every crate of every build. Every other
/// warning and error passes through unchanged.
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
    cargo_cmd(
        root,
        t,
        "rustc",
        // `rt_c_program`: the C library leaves Rust's panic-message
        // formatting out (see the runtime's panic handler).
        // Frame records in every non-leaf function of the runtime, for
        // the tracebacks of C programs, even on a target whose Rust
        // programs go without (riscv64, see its descriptor).
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
    Ok(out_dir(root, t).join("libruntime.a"))
}

/// Compiles and links C sources (or objects) into a static executable.
/// With `symbols`, the symbol table is kept (for the tests' checks).
pub fn cc(
    root: &Path,
    t: &Target,
    out: &Path,
    inputs: &[PathBuf],
    extra: &[String],
    symbols: bool,
) -> Result<()> {
    let lib = runtime_lib(root, t)?;
    let objdir = out_dir(root, t).join("cc-obj");
    std::fs::create_dir_all(&objdir).map_err(|e| format!("{}: {e}", objdir.display()))?;
    let mut objects = Vec::new();
    for input in inputs {
        if input.extension().and_then(|e| e.to_str()) != Some("c") {
            objects.push(input.clone());
            continue;
        }
        let stem = input
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("input");
        let obj = objdir.join(format!(
            "{}-{stem}.o",
            out.file_name().and_then(|s| s.to_str()).unwrap_or("out")
        ));
        let mut frame_flags = Vec::new();
        if t.c_max_frame > 0 {
            frame_flags = vec![
                format!("-Wframe-larger-than={}", t.c_max_frame),
                "-Werror=frame-larger-than".into(),
                "-Werror=vla".into(),
                "-Werror=alloca".into(),
            ];
        }
        let out = Command::new("clang")
            .args(&t.cflags)
            .args([
                "-c",
                "-O2",
                "-ffreestanding",
                "-nostdlibinc",
                "-fno-pic",
                "-fno-stack-protector",
                "-fno-asynchronous-unwind-tables",
                "-fno-unwind-tables",
                // Frame records in every function that calls another: the
                // runtime's tracebacks walk them (as Rust code's, above).
                "-fno-omit-frame-pointer",
                "-momit-leaf-frame-pointer",
                "-ffunction-sections",
                "-fdata-sections",
                "-Wall",
            ])
            .args(&frame_flags)
            .arg("-I")
            .arg(root.join("include"))
            .args(extra)
            .arg("-o")
            .arg(&obj)
            .arg(input)
            .stderr(std::process::Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run clang: {e}"))?;
        let diag = String::from_utf8_lossy(&out.stderr);
        eprint!("{diag}");
        if !out.status.success() {
            let mut msg = format!("clang failed on {}", input.display());
            if ["-Wframe-larger-than", "-Wvla", "-Walloca"]
                .iter()
                .any(|w| diag.contains(w))
            {
                msg.push_str(&format!(
                    "\n  on {} no stack frame may exceed {} bytes, and none may grow at run time \
                     (VLAs, alloca): no compiler probes large frames there, and a bigger one \
                     could jump over the guard below a goroutine stack; put large arrays on \
                     the heap (rt_malloc) or in a static",
                    t.triple, t.c_max_frame
                ));
            }
            return Err(msg);
        }
        objects.push(obj);
    }
    // Linked twice: `<out>.debug` keeps the symbols (and any debug
    // information) for `cargo xtask symbolize`; `out` is stripped unless
    // `symbols` asks otherwise. The loaded bytes are the same.
    let link = |dest: &Path, strip: bool| -> Result<()> {
        let mut link = Command::new(tools::rust_lld()?);
        link.args([
            "-flavor",
            "gnu",
            "-static",
            "--gc-sections",
            "--no-undefined",
        ])
        .arg(format!("-T{}", t.linker_script.display()))
        .arg(format!("-L{}", root.join("link").display()));
        if strip {
            link.arg("--strip-all");
        }
        link.arg("-o").arg(dest).args(&objects).arg(&lib);
        let st = link
            .status()
            .map_err(|e| format!("cannot run rust-lld: {e}"))?;
        if !st.success() {
            return Err(format!("linking {} failed", dest.display()));
        }
        Ok(())
    };
    link(&debug_copy(out), false)?;
    link(out, !symbols)?;
    // The runtime's own frames, which the C program now contains. Without
    // symbols, the frame-size section goes with the section headers, as
    // for the Rust examples.
    check_frames(t, out)?;
    if t.rust_max_frame > 0 && !symbols {
        crate::elf::strip_section_headers(out)?;
    }
    Ok(())
}

/// Where the unstripped copy of executable `exe` is kept: `<exe>.debug`.
pub fn debug_copy(exe: &Path) -> PathBuf {
    let mut p = exe.as_os_str().to_owned();
    p.push(".debug");
    PathBuf::from(p)
}

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
