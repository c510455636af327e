//! `cargo xtask install [--prefix DIR]`: a toolchain for C programs that
//! needs neither cargo nor this checkout afterwards.
//!
//! ```text
//! DIR/bin/rt-cc                          the compiler driver
//! DIR/include/rt/                        the headers (this checkout's include/)
//! DIR/lib/rt/<triple>/libruntime.a       the runtime, one per target
//! DIR/lib/rt/<triple>/target.toml        the target's descriptor (targets/)
//! DIR/lib/rt/<triple>/link/*.ld          its linker scripts (link/)
//! DIR/lib/rt/lld                         the linker found at installation
//! ```
//!
//! `rt-cc` finds everything relative to its own executable (DIR/bin/..),
//! so the whole tree can be moved. It is a host Rust program (xtask's
//! `rt-cc` binary, built in release) rather than a shell script because it
//! is `cargo xtask cc` itself: the same argument reading (`ccargs`), the
//! same compile and link steps (`driver`) and the same post-link checks of
//! the ELF file (frame sizes, section headers), which a script could do
//! only with tools a user may not have.

use crate::build;
use crate::target;
use crate::Result;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `~/.local`.
pub fn default_prefix() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".local"))
        .ok_or_else(|| "HOME is not set: give --prefix DIR".to_string())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // Through a new file renamed into place: replacing a running rt-cc
    // (or a library being read) must not change it under its reader.
    let tmp = to.with_extension("part");
    std::fs::copy(from, &tmp)
        .and_then(|_| std::fs::rename(&tmp, to))
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    Ok(())
}

/// Copies the files under `from` to `to`, keeping their relative paths.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", from.display()))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Builds the driver (host, release) and returns its executable.
fn build_driver(root: &Path) -> Result<PathBuf> {
    build::step("building rt-cc (host, release)");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "--release", "-p", "xtask", "--bin", "rt-cc"])
        .arg("--target-dir")
        .arg(root.join("target"))
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{}building rt-cc failed",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(root.join("target/release/rt-cc"))
}

/// Installs rt-cc and, for each of `triples`, what it links with.
pub fn install(root: &Path, prefix: &Path, triples: &[String]) -> Result<()> {
    let prefix = std::path::absolute(prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    let lib_dir = prefix.join("lib/rt");
    for triple in triples {
        let t = target::load(root, triple)?;
        crate::tools::ensure_rust_target(root, triple)?;
        let lib = build::runtime_lib(root, &t)?;
        let dir = lib_dir.join(triple);
        build::step(&format!("installing {}", dir.display()));
        copy(&lib, &dir.join("libruntime.a"))?;
        copy(
            &root.join("targets").join(format!("{triple}.toml")),
            &dir.join("target.toml"),
        )?;
        // Its own script and what scripts include (common.ld), not the
        // other targets' ones.
        let others: Vec<String> = target::known(root).iter().map(|k| format!("{k}.ld")).collect();
        for ld in build::files_with(&root.join("link"), "ld") {
            let name = ld.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if ld == t.linker_script || !others.iter().any(|o| o == name) {
                copy(&ld, &dir.join("link").join(name))?;
            }
        }
    }
    build::step(&format!("installing {}", prefix.join("include/rt").display()));
    copy_tree(&root.join("include"), &prefix.join("include/rt"))?;
    let lld = crate::tools::rust_lld()?;
    std::fs::create_dir_all(&lib_dir).map_err(|e| format!("{}: {e}", lib_dir.display()))?;
    std::fs::write(lib_dir.join("lld"), format!("{}\n", lld.display()))
        .map_err(|e| format!("{}: {e}", lib_dir.display()))?;
    let driver = build_driver(root)?;
    let bin = prefix.join("bin/rt-cc");
    copy(&driver, &bin)?;
    println!("{}", bin.display());
    Ok(())
}
