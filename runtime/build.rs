//! Puts the linker scripts of the target being built on the linker's
//! search path, as embedded runtimes do (cortex-m-rt's `link.x`): an
//! application outside this repository links with `-C link-arg=-Truntime.ld`
//! (see `cargo xtask new`) and gets the layout of `link/<triple>.ld`, which
//! includes `common.ld` from the same directory. xtask's own builds name
//! the checkout's script by its path; the copies here are the same files.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let link = manifest.join("../link");
    println!("cargo:rerun-if-changed={}", link.display());
    let script = link.join(format!("{target}.ld"));
    if !script.is_file() {
        // A target this runtime has no layout for (a host build for the
        // unit tests, say): nothing to link with.
        return;
    }
    for (from, to) in [(script, "runtime.ld"), (link.join("common.ld"), "common.ld")] {
        println!("cargo:rerun-if-changed={}", from.display());
        if let Err(e) = std::fs::copy(&from, out.join(to)) {
            panic!("cannot copy {} into {}: {e}", from.display(), out.display());
        }
    }
    println!("cargo:rustc-link-search=native={}", out.display());
}
