//! The tools a target needs, installed when missing.
//!
//! - the Rust target itself (`rustup target add`, for toolchains installed
//!   before `rust-toolchain.toml` listed it);
//! - qemu-user for the cross targets, clang for C programs, golang-go for
//!   the benchmarks: Debian packages, installed with apt-get when running as
//!   root, otherwise named in an error with the command to run.

use crate::target::Target;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use crate::driver::which;

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Makes sure each `(command, package)` is available, installing the
/// packages of the missing ones with apt-get.
pub fn ensure_commands(wanted: &[(&str, &str)]) -> Result<()> {
    let mut missing: Vec<&str> = wanted
        .iter()
        .filter(|(c, _)| which(c).is_none())
        .map(|&(_, p)| p)
        .collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() || which("apt-get").is_none() {
        return Err(format!(
            "missing Debian packages: {list}\n  install them with:  sudo apt-get update && sudo apt-get install -y {list}"
        ));
    }
    eprintln!("xtask: installing {list} with apt-get");
    let ok = |c: &mut Command| {
        c.env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if !ok(Command::new("apt-get").args(["update", "-qq"])) {
        return Err("apt-get update failed".into());
    }
    if !ok(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing))
    {
        return Err(format!("apt-get install {list} failed"));
    }
    match wanted.iter().find(|(c, _)| which(c).is_none()) {
        Some((c, p)) => Err(format!("`{c}` is still missing after installing {p}")),
        None => Ok(()),
    }
}

fn sysroot() -> Result<PathBuf> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Installs the Rust standard library for `triple` if the toolchain lacks it.
pub fn ensure_rust_target(root: &Path, triple: &str) -> Result<()> {
    if sysroot()?
        .join("lib/rustlib")
        .join(triple)
        .join("lib")
        .is_dir()
    {
        return Ok(());
    }
    eprintln!("xtask: rustup target add {triple}");
    let st = Command::new("rustup")
        .args(["target", "add", triple])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if !st.success() {
        return Err(format!("rustup target add {triple} failed"));
    }
    Ok(())
}

/// Everything needed to build for and run on `t`; with `c`, clang too.
pub fn ensure_target(root: &Path, t: &Target, c: bool) -> Result<()> {
    ensure_rust_target(root, &t.triple)?;
    let mut want = Vec::new();
    if let Some(q) = &t.qemu {
        want.push((q.as_str(), t.qemu_package.as_str()));
    }
    if c {
        want.push(("clang", "clang"));
        // The C library's objects go into libruntime.a (`clib`).
        want.push(("llvm-ar", "llvm"));
    }
    ensure_commands(&want)
}

/// The linker shipped with the Rust toolchain.
pub fn rust_lld() -> Result<PathBuf> {
    crate::driver::toolchain_lld()
        .ok_or_else(|| "rust-lld not found in the Rust toolchain (lib/rustlib/<host>/bin of rustc --print sysroot)".to_string())
}
