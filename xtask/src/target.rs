//! Target descriptors: `targets/<triple>.toml`.
//!
//! Everything xtask knows about a target comes from its descriptor, so that
//! adding a target means adding a file there (plus `rt0/`, `link/` and an
//! arch module in the runtime), not editing xtask.

use crate::Result;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Target {
    pub triple: String,
    /// The qemu-user binary that runs its executables; None = natively.
    pub qemu: Option<String>,
    pub qemu_package: String,
    pub linker_script: PathBuf,
    pub cflags: Vec<String>,
    pub rustflags: Vec<String>,
    pub goarch: String,
    pub goarm: String,
    /// Largest stack frame allowed in C (0: no limit, the compiler probes
    /// large frames); half the runtime's guard region (runtime/src/stack.rs).
    pub c_max_frame: u64,
    /// The same for Rust code (0: rustc probes on this target).
    pub rust_max_frame: u64,
    /// The runtime built with `--cfg rt_checked` (its debug checks: lock
    /// order), in a target directory of its own (`target/checked`). Not from the
    /// descriptor: `checked()` makes such a copy.
    pub checked: bool,
}

impl Target {
    /// This target with the runtime's debug checks on (see `checked`).
    pub fn checked(&self) -> Target {
        Target {
            checked: true,
            ..self.clone()
        }
    }

    /// Short name for tables: the architecture part of the triple.
    pub fn arch(&self) -> &str {
        self.triple.split('-').next().unwrap_or(&self.triple)
    }
}

fn string(t: &toml::Table, key: &str, file: &Path) -> Result<String> {
    match t.get(key) {
        Some(toml::Value::String(s)) => Ok(s.clone()),
        _ => Err(format!("{}: `{key}` must be a string", file.display())),
    }
}

fn strings(t: &toml::Table, key: &str, file: &Path) -> Result<Vec<String>> {
    match t.get(key) {
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{}: `{key}` must hold strings", file.display()))
            })
            .collect(),
        _ => Err(format!(
            "{}: `{key}` must be an array of strings",
            file.display()
        )),
    }
}

fn integer(t: &toml::Table, key: &str, file: &Path) -> Result<u64> {
    match t.get(key) {
        None => Ok(0),
        Some(toml::Value::Integer(n)) if *n >= 0 => Ok(*n as u64),
        _ => Err(format!(
            "{}: `{key}` must be a non-negative integer",
            file.display()
        )),
    }
}

pub fn load(root: &Path, triple: &str) -> Result<Target> {
    let file = root.join("targets").join(format!("{triple}.toml"));
    if !file.is_file() {
        return Err(format!(
            "unknown target `{triple}` (no {}); known: {}",
            file.display(),
            known(root).join(", ")
        ));
    }
    load_file(&file, triple, root)
}

/// The descriptor `file` of `triple`, with its linker script relative to
/// `base` (the checkout, or an installed target's directory).
pub fn load_file(file: &Path, triple: &str, base: &Path) -> Result<Target> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let t: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let qemu = string(&t, "qemu", file)?;
    let target = Target {
        triple: string(&t, "triple", file)?,
        qemu: if qemu.is_empty() { None } else { Some(qemu) },
        qemu_package: string(&t, "qemu_package", file)?,
        linker_script: base.join(string(&t, "linker_script", file)?),
        cflags: strings(&t, "cflags", file)?,
        rustflags: strings(&t, "rustflags", file)?,
        goarch: string(&t, "goarch", file)?,
        goarm: string(&t, "goarm", file)?,
        c_max_frame: integer(&t, "c_max_frame", file)?,
        rust_max_frame: integer(&t, "rust_max_frame", file)?,
        checked: false,
    };
    if target.triple != triple {
        return Err(format!(
            "{}: says triple = {:?}",
            file.display(),
            target.triple
        ));
    }
    Ok(target)
}

/// Every target with a descriptor, the primary one (armv7) first.
pub fn known(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("targets"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_suffix(".toml")
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_by_key(|t| (!t.starts_with("armv7"), t.clone()));
    v
}

/// The triple rustc builds for by default.
pub fn host_triple() -> Result<String> {
    let out = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| "rustc -vV printed no host triple".to_string())
}
