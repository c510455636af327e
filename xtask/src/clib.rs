//! The freestanding C library subset (`include/string.h`, `stdlib.h`,
//! `stdio.h`, `ctype.h`, `errno.h`, `assert.h`): its C sources in
//! `runtime/libc/` are compiled for the target and added to `libruntime.a`
//! next to the Rust objects (the parts that need the runtime's internals,
//! `malloc` and `errno`, are Rust: `runtime/src/clib.rs`).
//!
//! Every function has a section of its own (`-ffunction-sections`), so a
//! program that calls none of them (hello) links none of their code. The
//! objects are compiled only when a source or a header is newer than the
//! object, and put into the archive again after cargo rewrote it (cargo
//! leaves an archive it did not rebuild untouched, members included).

use crate::target::Target;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Archive members are named `libc-<stem>.o`, apart from rustc's objects.
const PREFIX: &str = "libc-";

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The newest modification time among `files`.
fn newest(files: &[PathBuf]) -> Option<SystemTime> {
    files.iter().filter_map(|f| mtime(f)).max()
}

/// `llvm-ar` of the clang that compiles the C code: on PATH, or where
/// clang says its tools live (Debian's `/usr/lib/llvm-N/bin`).
fn llvm_ar() -> Result<PathBuf> {
    if let Some(p) = crate::tools::which("llvm-ar") {
        return Ok(p);
    }
    let out = Command::new("clang")
        .arg("-print-prog-name=llvm-ar")
        .output()
        .map_err(|e| format!("cannot run clang: {e}"))?;
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if p.is_absolute() && p.is_file() {
        Ok(p)
    } else {
        Err("llvm-ar not found (it comes with clang's LLVM: apt-get install llvm)".into())
    }
}

/// The clang flags for the C library on `t`: those of user programs
/// (`driver::c_flags`), C11, frame pointers kept (for the tracebacks), and
/// every warning an error.
fn cflags(root: &Path, t: &Target) -> Vec<String> {
    let mut f = t.cflags.clone();
    f.push("-c".into());
    f.extend(crate::driver::c_flags(t));
    f.extend(["-std=c11", "-fno-omit-frame-pointer", "-Wextra", "-Werror"].map(String::from));
    f.push(format!("-I{}", root.join("include").display()));
    f.push(format!("-I{}", root.join("runtime/libc").display()));
    f
}

/// Compiles `runtime/libc/*.c` for `t` (what is out of date) and puts the
/// objects into the archive `lib`, unless it already holds them all.
pub fn add_to_archive(root: &Path, t: &Target, lib: &Path) -> Result<()> {
    let src = root.join("runtime/libc");
    let sources = crate::build::files_with(&src, "c");
    let mut headers = crate::build::files_with(&src, "h");
    headers.extend(crate::build::files_with(&root.join("include"), "h"));
    let header_time = newest(&headers);
    let objdir = lib
        .parent()
        .ok_or_else(|| format!("{}: no directory", lib.display()))?
        .join("libc-obj");
    std::fs::create_dir_all(&objdir).map_err(|e| format!("{}: {e}", objdir.display()))?;
    let flags = cflags(root, t);
    let mut objects = Vec::new();
    for c in &sources {
        let stem = c.file_stem().and_then(|s| s.to_str()).unwrap_or("libc");
        let obj = objdir.join(format!("{PREFIX}{stem}.o"));
        let stale = match mtime(&obj) {
            None => true,
            Some(o) => mtime(c).is_none_or(|s| s > o) || header_time.is_some_and(|h| h > o),
        };
        if stale {
            let out = Command::new("clang")
                .args(&flags)
                .arg("-o")
                .arg(&obj)
                .arg(c)
                .output()
                .map_err(|e| format!("cannot run clang: {e}"))?;
            if !out.status.success() {
                let _ = std::fs::remove_file(&obj);
                return Err(format!(
                    "clang failed on {}:\n{}",
                    c.display(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        objects.push(obj);
    }
    let ar = llvm_ar()?;
    // Already in, and not older than the objects: nothing to do.
    let listed = Command::new(&ar)
        .arg("t")
        .arg(lib)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", ar.display()))?;
    if !listed.status.success() {
        return Err(format!(
            "{} t {}: {}",
            ar.display(),
            lib.display(),
            String::from_utf8_lossy(&listed.stderr).trim()
        ));
    }
    let members = String::from_utf8_lossy(&listed.stdout);
    // Objects of sources that are gone leave the archive.
    let names: Vec<String> = objects
        .iter()
        .filter_map(|o| Some(o.file_name()?.to_str()?.to_string()))
        .collect();
    let gone: Vec<&str> = members
        .lines()
        .filter(|m| m.starts_with(PREFIX) && !names.iter().any(|n| n == m))
        .collect();
    if !gone.is_empty() {
        let st = Command::new(&ar)
            .arg("d")
            .arg(lib)
            .args(&gone)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", ar.display()))?;
        if !st.success() {
            return Err(format!("{} d {} failed", ar.display(), lib.display()));
        }
    }
    let all_in = names.iter().all(|n| members.lines().any(|m| m == n));
    if all_in && mtime(lib) >= newest(&objects) {
        return Ok(());
    }
    let st = Command::new(&ar)
        .arg("rs")
        .arg(lib)
        .args(&objects)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", ar.display()))?;
    if !st.success() {
        return Err(format!("{} rs {} failed", ar.display(), lib.display()));
    }
    Ok(())
}
