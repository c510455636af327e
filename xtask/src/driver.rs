//! Compiling and linking C and assembly with the runtime: the work of both
//! `cargo xtask cc` (with the checkout's headers, scripts and library) and
//! the installed `rt-cc` (with the copies `cargo xtask install` made).
//!
//! C is compiled by clang freestanding (no libc headers, no startup files,
//! no PIC, no stack protector, no unwinding tables), `.s`/`.S` are
//! assembled by clang, and everything is linked by rust-lld (or an ld.lld)
//! with the target's linker script and `libruntime.a`. Without `-g` the
//! executable is stripped; with it, symbols and debug information stay.

use crate::ccargs::{input_kind, Kind};
use crate::target::Target;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a target's pieces are.
pub struct Toolchain<'a> {
    pub target: &'a Target,
    /// The runtime's headers (`runtime.h`, the C library's).
    pub include: PathBuf,
    /// The directory of `common.ld`, which the target's script includes.
    pub link_dir: PathBuf,
    pub lib: PathBuf,
    pub lld: PathBuf,
}

/// Where the unstripped copy of executable `exe` is kept: `<exe>.debug`.
pub fn debug_copy(exe: &Path) -> PathBuf {
    let mut p = exe.as_os_str().to_owned();
    p.push(".debug");
    PathBuf::from(p)
}

/// Compiles and links `inputs` into the static executable `out`, objects
/// going to `objdir`. With `symbols` (`-g`, or the tests' checks) the
/// symbol table, section headers and any debug information are kept.
/// clang's and the linker's messages are passed on; when one of them
/// fails they are part of the error instead.
pub fn build(
    tc: &Toolchain,
    out: &Path,
    inputs: &[PathBuf],
    flags: &[String],
    objdir: &Path,
    symbols: bool,
) -> Result<()> {
    let t = tc.target;
    std::fs::create_dir_all(objdir).map_err(|e| format!("{}: {e}", objdir.display()))?;
    let base = out.file_name().and_then(|s| s.to_str()).unwrap_or("out");
    let mut objects = Vec::new();
    let mut jobs = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input_kind(input)? == Kind::Object {
            objects.push(input.clone());
            continue;
        }
        let stem = input
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("input");
        let obj = objdir.join(format!("{base}-{i}-{stem}.o"));
        jobs.push((input.clone(), obj.clone()));
        objects.push(obj);
    }
    compile_all(tc, &jobs, flags)?;
    // Linked twice: `<out>.debug` keeps the symbols (and any debug
    // information) for `cargo xtask symbolize`; `out` is stripped unless
    // `symbols` asks otherwise. The loaded bytes are the same.
    let link = |dest: &Path, strip: bool| -> Result<String> {
        let mut link = Command::new(&tc.lld);
        link.args(["-flavor", "gnu", "-static", "--gc-sections", "--no-undefined"])
            .arg(format!("-T{}", t.linker_script.display()))
            .arg(format!("-L{}", tc.link_dir.display()));
        if strip {
            link.arg("--strip-all");
        }
        link.arg("-o").arg(dest).args(&objects).arg(&tc.lib);
        let res = link
            .output()
            .map_err(|e| format!("cannot run {}: {e}", tc.lld.display()))?;
        let diag = String::from_utf8_lossy(&res.stderr);
        if !res.status.success() {
            return Err(format!("{diag}linking {} failed", dest.display()));
        }
        Ok(diag.into_owned())
    };
    link(&debug_copy(out), false)?;
    eprint!("{}", link(out, !symbols)?);
    // The runtime's own frames, which the C program now contains. Without
    // symbols, the frame-size section goes with the section headers, as
    // for the Rust examples.
    check_frames(t, out)?;
    if t.rust_max_frame > 0 && !symbols {
        crate::elf::strip_section_headers(out)?;
    }
    Ok(())
}

/// The options of every C compile for `t`, user programs' and the C
/// library's (`clib`) alike: freestanding, static, one section per
/// function and per object, and the target's frame-size limit.
pub fn c_flags(t: &Target) -> Vec<String> {
    let mut f: Vec<String> = [
        "-O2",
        "-ffreestanding",
        "-nostdlibinc",
        "-fno-pic",
        "-fno-stack-protector",
        "-fno-asynchronous-unwind-tables",
        "-fno-unwind-tables",
        // Frame records in every function that calls another: the
        // runtime's tracebacks walk them (as Rust code's).
        "-fno-omit-frame-pointer",
        "-momit-leaf-frame-pointer",
        "-ffunction-sections",
        "-fdata-sections",
        "-Wall",
    ]
    .map(String::from)
    .to_vec();
    if t.c_max_frame > 0 {
        f.push(format!("-Wframe-larger-than={}", t.c_max_frame));
        f.extend(["-Werror=frame-larger-than", "-Werror=vla", "-Werror=alloca"].map(String::from));
    }
    f
}

/// Compiles (or assembles) one input into the object `obj`.
pub fn compile(tc: &Toolchain, input: &Path, obj: &Path, flags: &[String]) -> Result<()> {
    let t = tc.target;
    let kind = input_kind(input)?;
    let mut cmd = Command::new("clang");
    cmd.args(&t.cflags).arg("-c");
    if kind == Kind::C {
        cmd.args(c_flags(t));
    } else {
        // The same options go to every input; those that mean nothing
        // to the assembler (-O2, -D for a `.s`) are not worth a warning.
        cmd.args(["-nostdlibinc", "-Qunused-arguments"]);
    }
    cmd.arg("-I").arg(&tc.include).args(flags).arg("-o").arg(obj).arg(input);
    let res = cmd.output().map_err(|e| format!("cannot run clang: {e}"))?;
    let diag = String::from_utf8_lossy(&res.stderr);
    if !res.status.success() {
        let mut msg = format!("{diag}clang failed on {}", input.display());
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
    // The program's own warnings are the user's to see.
    eprint!("{diag}");
    Ok(())
}

/// `-c`: each input compiled to `out`, or to `<stem>.o` here if `out` is
/// empty.
pub fn compile_only(tc: &Toolchain, out: &Path, inputs: &[PathBuf], flags: &[String]) -> Result<()> {
    let jobs: Vec<(PathBuf, PathBuf)> = inputs
        .iter()
        .map(|input| {
            let obj = if out.as_os_str().is_empty() {
                let stem = input.file_stem().unwrap_or(input.as_os_str());
                PathBuf::from(stem).with_extension("o")
            } else {
                out.to_path_buf()
            };
            (input.clone(), obj)
        })
        .collect();
    compile_all(tc, &jobs, flags)
}

/// Compiles each `(input, object)`, as many at a time as there are CPUs;
/// the first failure, in input order, is the error.
fn compile_all(tc: &Toolchain, jobs: &[(PathBuf, PathBuf)], flags: &[String]) -> Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len());
    let next = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<()>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                // Only the counter is shared: each index is taken once.
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((input, obj)) = jobs.get(i) else { break };
                let r = compile(tc, input, obj, flags);
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    for r in results {
        match r.into_inner() {
            Ok(Some(r)) => r?,
            _ => return Err("internal: a compile job was lost".into()),
        }
    }
    Ok(())
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

/// Finds `cmd` on PATH.
pub fn which(cmd: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(cmd))
        .find(|p| p.is_file())
}

/// The first word of `cmd`'s output line starting with `prefix`, or its
/// whole output when `prefix` is empty.
fn ask(cmd: &mut Command, prefix: &str) -> Option<String> {
    let out = cmd.output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    if prefix.is_empty() {
        return Some(text.trim().to_string());
    }
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|s| s.trim().to_string())
}

/// The rust-lld of the Rust toolchain that `rustc` on PATH runs.
pub fn toolchain_lld() -> Option<PathBuf> {
    let host = ask(Command::new("rustc").arg("-vV"), "host: ")?;
    let sysroot = ask(Command::new("rustc").args(["--print", "sysroot"]), "")?;
    let p = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(host)
        .join("bin/rust-lld");
    p.is_file().then_some(p)
}
