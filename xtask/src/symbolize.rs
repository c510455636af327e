//! `cargo xtask symbolize EXE < report`: names the frames of a runtime
//! report (a panic, a fatal error, a signal's dump).
//!
//! The runtime prints each frame as an address, `\tpc=0x…` (an exact pc)
//! or `\tret=0x…` (a return address), to keep names out of the
//! executable. The build keeps an unstripped copy of every executable
//! beside it, `EXE.debug`; its symbol table gives each address its
//! function and offset, and its DWARF line table, where the program was
//! built with debug information (`cargo xtask cc -g`, or Rust with
//! `CARGO_PROFILE_RELEASE_DEBUG=line-tables-only`), the file and line.
//! A return address is looked up one byte back, inside the call it
//! returns from, as Go does. Each frame becomes Go's two lines:
//!
//! ```text
//! f3(...)
//!         /src/prog.c:21 +0x1c
//! ```
//!
//! (`\tpc=0x… +0x1c` when there is no line table). The runtime cannot tell
//! its own frames from the program's, so it prints them all and says in
//! the report's last line whether the `GOTRACEBACK` level shows them;
//! where it does not, frames in the runtime, `core` and the C API
//! (`rt_*`) are left out here, as Go's levels below `system` leave out
//! `runtime.*` frames. Other lines pass through unchanged.

use crate::Result;
use addr2line::gimli;
use object::{Object, ObjectSection, ObjectSymbol};
use std::borrow::Cow;
use std::io::{Read, Write};
use std::path::Path;

/// A function of the executable: start address, size, name.
struct Func {
    start: u64,
    size: u64,
    name: String,
}

/// What an executable's unstripped copy tells about its addresses.
pub struct Symbols {
    funcs: Vec<Func>,
    lines: Option<addr2line::Context<gimli::EndianSlice<'static, gimli::RunTimeEndian>>>,
    /// Thumb code: addresses carry the instruction set in bit 0.
    thumb: bool,
}

/// The report's frame lines: `\tpc=0x…` or `\tret=0x…`.
fn frame(line: &str) -> Option<(u64, bool)> {
    let (hex, ret) = if let Some(h) = line.strip_prefix("\tpc=0x") {
        (h, false)
    } else {
        (line.strip_prefix("\tret=0x")?, true)
    };
    u64::from_str_radix(hex.trim_end(), 16).ok().map(|a| (a, ret))
}

/// A frame of the runtime, of Rust's core library, or of the C API.
fn runtime_frame(name: &str) -> bool {
    let name = name.trim_start_matches('<');
    ["runtime::", "core::", "alloc::", "compiler_builtins::", "__rustc::", "rt_", "_start"]
        .iter()
        .any(|p| name.starts_with(p))
}

impl Symbols {
    /// Reads the symbols (and line table) of `exe`: from `EXE.debug` if
    /// the build left one, else from `exe` itself.
    pub fn load(exe: &Path) -> Result<Symbols> {
        let copy = crate::build::debug_copy(exe);
        let path = if copy.exists() { copy } else { exe.to_path_buf() };
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Borrowed by the line table for as long as the command runs.
        let data: &'static [u8] = Box::leak(data.into_boxed_slice());
        let file = object::File::parse(data).map_err(|e| format!("{}: {e}", path.display()))?;
        let thumb = file.architecture() == object::Architecture::Arm;
        let mut funcs: Vec<Func> = file
            .symbols()
            .filter(|s| s.kind() == object::SymbolKind::Text && s.size() > 0)
            .filter_map(|s| {
                let name = s.name().ok()?;
                let start = if thumb { s.address() & !1 } else { s.address() };
                Some(Func {
                    start,
                    size: s.size(),
                    name: format!("{:#}", rustc_demangle::demangle(name)),
                })
            })
            .collect();
        if funcs.is_empty() {
            return Err(format!(
                "{}: no symbols (the build keeps an unstripped copy as {}; rebuild to make it)",
                path.display(),
                crate::build::debug_copy(exe).display()
            ));
        }
        funcs.sort_by_key(|f| f.start);
        let lines = Self::line_table(&file);
        Ok(Symbols { funcs, lines, thumb })
    }

    /// The DWARF line information, if the executable has any.
    fn line_table(
        file: &object::File<'static>,
    ) -> Option<addr2line::Context<gimli::EndianSlice<'static, gimli::RunTimeEndian>>> {
        file.section_by_name(".debug_line")?;
        let endian = if file.is_little_endian() {
            gimli::RunTimeEndian::Little
        } else {
            gimli::RunTimeEndian::Big
        };
        let load = |id: gimli::SectionId| -> std::result::Result<_, gimli::Error> {
            let data: &'static [u8] = match file
                .section_by_name(id.name())
                .and_then(|s| s.uncompressed_data().ok())
            {
                Some(Cow::Borrowed(d)) => d,
                // A compressed section: its bytes live as long as the
                // (one-shot) command.
                Some(Cow::Owned(d)) => Box::leak(d.into_boxed_slice()),
                None => &[],
            };
            Ok(gimli::EndianSlice::new(data, endian))
        };
        let dwarf = gimli::Dwarf::load(load).ok()?;
        addr2line::Context::from_dwarf(dwarf).ok()
    }

    /// The function holding `addr`, and `addr`'s offset in it.
    fn func(&self, addr: u64) -> Option<(&Func, u64)> {
        let i = self.funcs.partition_point(|f| f.start <= addr);
        let f = self.funcs.get(i.checked_sub(1)?)?;
        (addr < f.start + f.size).then(|| (f, addr - f.start))
    }

    /// `file:line` of `addr`, if the line table has it.
    fn line(&self, addr: u64) -> Option<String> {
        let loc = self.lines.as_ref()?.find_location(addr).ok()??;
        Some(format!("{}:{}", loc.file?, loc.line?))
    }

    /// The two lines that replace a frame line, or None to leave it out
    /// (a runtime frame, when `hide_runtime`).
    fn name_frame(&self, addr: u64, ret: bool, hide_runtime: bool) -> Option<String> {
        let pc = if self.thumb { addr & !1 } else { addr };
        // Inside the call a return address returns from.
        let probe = if ret { pc.saturating_sub(1) } else { pc };
        let Some((f, _)) = self.func(probe) else {
            return Some(format!("?(...)\n\tpc={addr:#x} (no function here)"));
        };
        if hide_runtime && runtime_frame(&f.name) {
            return None;
        }
        let off = pc - f.start;
        Some(match self.line(probe) {
            Some(l) => format!("{}(...)\n\t{l} +{off:#x}", f.name),
            None => format!("{}(...)\n\tpc={addr:#x} +{off:#x}", f.name),
        })
    }

    /// Rewrites a whole report.
    pub fn report(&self, text: &str) -> String {
        let hide = text.contains("; runtime frames hidden]");
        let mut out = String::new();
        for line in text.lines() {
            if line.starts_with("[frames as addresses: ") {
                continue;
            }
            match frame(line) {
                Some((addr, ret)) => {
                    if let Some(s) = self.name_frame(addr, ret, hide) {
                        out.push_str(&s);
                        out.push('\n');
                    }
                }
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// `cargo xtask symbolize EXE`: stdin to stdout.
pub fn run(exe: &Path) -> Result<()> {
    let syms = Symbols::load(exe)?;
    let mut raw = Vec::new();
    std::io::stdin()
        .read_to_end(&mut raw)
        .map_err(|e| format!("reading the report: {e}"))?;
    std::io::stdout()
        .write_all(syms.report(&String::from_utf8_lossy(&raw)).as_bytes())
        .map_err(|e| format!("writing: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syms(thumb: bool) -> Symbols {
        let f = |start, size, name: &str| Func { start, size, name: name.into() };
        Symbols {
            funcs: vec![f(0x1000, 0x40, "runtime::panic::gopanic"), f(0x1040, 0x20, "f3"), f(0x1060, 0x20, "f2")],
            lines: None,
            thumb,
        }
    }

    #[test]
    fn frame_lines() {
        assert_eq!(frame("\tpc=0x401a95"), Some((0x401a95, false)));
        assert_eq!(frame("\tret=0x4015e5\n"), Some((0x4015e5, true)));
        assert_eq!(frame("pc=0x10"), None);
        assert_eq!(frame("\tret=0xzz"), None);
    }

    #[test]
    fn return_addresses_look_one_byte_back() {
        let s = syms(false);
        // 0x1060 is f2's first byte but, as a return address, the end of
        // a call in f3.
        let out = s.report("goroutine 1 [running]:\n\tret=0x1060\n\tpc=0x1060\n\tret=0x2000\n");
        assert_eq!(
            out,
            "goroutine 1 [running]:\nf3(...)\n\tpc=0x1060 +0x20\nf2(...)\n\tpc=0x1060 +0x0\n?(...)\n\tpc=0x2000 (no function here)\n"
        );
    }

    #[test]
    fn runtime_frames_hidden_when_the_report_says_so() {
        let s = syms(false);
        let hidden = s.report("\tret=0x1010\n\tret=0x1050\n\n[frames as addresses: `x`; runtime frames hidden]\n");
        assert_eq!(hidden, "f3(...)\n\tpc=0x1050 +0x10\n\n");
        let shown = s.report("\tret=0x1010\n[frames as addresses: `x`; runtime frames shown]\n");
        assert_eq!(shown, "runtime::panic::gopanic(...)\n\tpc=0x1010 +0x10\n");
    }

    #[test]
    fn thumb_bit_is_not_part_of_the_address() {
        let s = syms(true);
        assert_eq!(s.report("\tret=0x1051\n"), "f3(...)\n\tpc=0x1051 +0x10\n");
    }
}
