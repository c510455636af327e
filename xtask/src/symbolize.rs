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
//! (`\tpc=0x… +0x1c` when there is no line table). A goroutine's
//! `created by goroutine N` line and the return address after it become
//! Go's `created by FUNC in goroutine N` (Go 1.21's form) and the
//! location line; a `go` entry reached by a tail call is named after the
//! function that made it (`tail_caller`).
//!
//! A report from a signal has, after the interrupted `\tpc=` line, the
//! return address an interrupted leaf function would return to
//! (`\tlr=0x…`: the link register, or on x86_64 the word at sp), which
//! is stale when the function is not a leaf. It becomes a frame (the
//! leaf's caller, which the frame-pointer walk cannot see) only when it
//! is a return address — the instruction before it is a call, and a
//! direct call's target is pc's function — into a function other than
//! pc's, and not the next frame's return address (the frame the walk
//! found anyway); otherwise it is dropped.
//!
//! The runtime cannot tell
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
    /// The executable sections (address, bytes), to see whether an
    /// address follows a call (`lr=` lines).
    code: Vec<(u64, &'static [u8])>,
    arch: object::Architecture,
}

/// What the instruction before a return address is.
#[derive(Debug, PartialEq)]
enum Call {
    /// A call to this address.
    Direct(u64),
    /// A call through a register or memory.
    Indirect,
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

/// The report's `\tlr=0x…` line (see the module doc).
fn link(line: &str) -> Option<u64> {
    u64::from_str_radix(line.strip_prefix("\tlr=0x")?.trim_end(), 16).ok()
}

/// The report's `created by goroutine N` line: N.
fn created_by(line: &str) -> Option<&str> {
    let n = line.strip_prefix("created by goroutine ")?.trim_end();
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

/// Sign-extends the low `bits` bits of `v`.
fn sext(v: u64, bits: u32) -> i64 {
    ((v << (64 - bits)) as i64) >> (64 - bits)
}

/// x86_64: the length of `FF /2` (call r/m) from its ModRM byte and the
/// byte after it (the SIB byte, if there is one).
fn x86_call_len(modrm: u8, sib: Option<u8>) -> Option<u64> {
    let (md, rm) = (modrm >> 6, modrm & 7);
    let sib_len = u64::from(rm == 4 && md != 3);
    Some(match md {
        3 => 2,
        0 if rm == 5 => 6,
        0 if rm == 4 => 3 + if sib? & 7 == 5 { 4 } else { 0 },
        0 => 2,
        1 => 3 + sib_len,
        _ => 6 + sib_len,
    })
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
        let code = file
            .sections()
            .filter(|s| s.kind() == object::SectionKind::Text)
            .filter_map(|s| Some((s.address(), s.data().ok()?)))
            .collect();
        Ok(Symbols { funcs, lines, thumb, code, arch: file.architecture() })
    }

    /// `n` bytes of code at `addr`.
    fn bytes(&self, addr: u64, n: u64) -> Option<&'static [u8]> {
        self.code.iter().find_map(|&(start, data)| {
            let off = addr.checked_sub(start)?;
            let end = off.checked_add(n)?;
            (end <= data.len() as u64).then(|| &data[off as usize..end as usize])
        })
    }

    fn u16_at(&self, addr: u64) -> Option<u64> {
        let b = self.bytes(addr, 2)?;
        Some(u64::from(u16::from_le_bytes([b[0], b[1]])))
    }

    fn u32_at(&self, addr: u64) -> Option<u64> {
        let b = self.bytes(addr, 4)?;
        Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    }

    /// The call instruction that `ret` (a return address as the report
    /// has it, with armv7's Thumb bit) returns from, if there is one.
    fn call_before(&self, ret: u64) -> Option<Call> {
        use object::Architecture as A;
        let back = |n: u64| ret.checked_sub(n);
        match self.arch {
            A::X86_64 => {
                let c = self.bytes(back(5)?, 5)?;
                if c[0] == 0xe8 {
                    let rel = i32::from_le_bytes([c[1], c[2], c[3], c[4]]);
                    return Some(Call::Direct(ret.wrapping_add(rel as i64 as u64)));
                }
                (2..=7).find_map(|k| {
                    let c = self.bytes(back(k)?, k)?;
                    let ok = c[0] == 0xff && (c[1] >> 3) & 7 == 2 && x86_call_len(c[1], c.get(2).copied()) == Some(k);
                    ok.then_some(Call::Indirect)
                })
            }
            A::Aarch64 => {
                let i = self.u32_at(back(4)?)?;
                if i & 0xfc00_0000 == 0x9400_0000 {
                    Some(Call::Direct((ret - 4).wrapping_add((sext(i & 0x03ff_ffff, 26) << 2) as u64)))
                } else if i & 0xffff_fc1f == 0xd63f_0000 || i & 0xfeff_f800 == 0xd63f_0800 {
                    Some(Call::Indirect)
                } else {
                    None
                }
            }
            A::Riscv64 => {
                if let Some(i) = back(4).and_then(|a| self.u32_at(a)) {
                    if i & 0xfff == 0x0ef {
                        // jal ra
                        let imm = ((i >> 31) & 1) << 20 | ((i >> 21) & 0x3ff) << 1 | ((i >> 20) & 1) << 11 | ((i >> 12) & 0xff) << 12;
                        return Some(Call::Direct((ret - 4).wrapping_add(sext(imm, 21) as u64)));
                    }
                    if i & 0x7fff == 0x00e7 {
                        // jalr ra, imm(rs1): direct after `auipc ra`.
                        let lo = sext(i >> 20, 12);
                        let auipc = back(8).and_then(|a| self.u32_at(a));
                        return Some(match auipc {
                            Some(j) if (i >> 15) & 31 == 1 && j & 0xfff == 0x097 => {
                                Call::Direct((ret - 8).wrapping_add(sext(j & 0xffff_f000, 32) as u64).wrapping_add(lo as u64))
                            }
                            _ => Call::Indirect,
                        });
                    }
                }
                let h = self.u16_at(back(2)?)?;
                // c.jalr rs1
                (h & 0xf07f == 0x9002 && (h >> 7) & 31 != 0).then_some(Call::Indirect)
            }
            A::Arm if ret & 1 == 1 => {
                // Thumb.
                let pc = ret & !1;
                let h = self.u16_at(pc.checked_sub(2)?)?;
                if h & 0xff87 == 0x4780 {
                    return Some(Call::Indirect); // blx rm
                }
                let (h1, h2) = (self.u16_at(pc.checked_sub(4)?)?, h);
                if h1 & 0xf800 != 0xf000 || h2 & 0xc000 != 0xc000 {
                    return None;
                }
                let s = (h1 >> 10) & 1;
                let i1 = !(((h2 >> 13) & 1) ^ s) & 1;
                let i2 = !(((h2 >> 11) & 1) ^ s) & 1;
                let imm = s << 24 | i1 << 23 | i2 << 22 | (h1 & 0x3ff) << 12 | (h2 & 0x7ff) << 1;
                let off = sext(imm, 25) as u64;
                match h2 & 0x1000 {
                    0x1000 => Some(Call::Direct(pc.wrapping_add(off))), // bl
                    _ => Some(Call::Direct((pc & !3).wrapping_add(off))), // blx imm (to ARM)
                }
            }
            A::Arm => {
                let i = self.u32_at(back(4)?)?;
                let off = (sext(i & 0x00ff_ffff, 24) << 2) as u64;
                if i >> 28 != 0xf && i & 0x0f00_0000 == 0x0b00_0000 {
                    Some(Call::Direct(ret.wrapping_add(4).wrapping_add(off))) // bl
                } else if i & 0xfe00_0000 == 0xfa00_0000 {
                    Some(Call::Direct(ret.wrapping_add(4).wrapping_add(off) | ((i >> 24) & 1) << 1)) // blx imm
                } else if i >> 28 != 0xf && i & 0x0fff_fff0 == 0x012f_ff30 {
                    Some(Call::Indirect) // blx rm
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Whether a `lr=` candidate is the return address into the caller
    /// of the function at `pc` (the interrupted pc, if the report has
    /// one), given `next`, the return address of the frame after it.
    fn leaf_caller(&self, lr: u64, pc: Option<u64>, next: Option<u64>) -> bool {
        let strip = |a: u64| if self.thumb { a & !1 } else { a };
        if lr == 0 || Some(lr) == next {
            return false;
        }
        let Some((into, _)) = self.func(strip(lr).saturating_sub(1)) else {
            return false;
        };
        let callee = pc.and_then(|p| self.func(strip(p))).map(|(f, _)| f.start);
        if callee == Some(into.start) {
            return false;
        }
        match self.call_before(lr) {
            Some(Call::Direct(t)) => callee.is_some() && self.func(strip(t)).map(|(f, _)| f.start) == callee,
            Some(Call::Indirect) => true,
            None => false,
        }
    }

    /// A goroutine's creator when the `go` entry (`rt_go`, `go`, …) was
    /// reached by a tail call: the recorded return address (`G::gopc`)
    /// then follows the call of the function that made it, in that
    /// function's caller, and names the caller. Such a call is a direct
    /// call of a function other than the runtime's: that function is the
    /// creator (the location stays the call site in its caller). A
    /// return address after a call of the entry itself, or after an
    /// indirect call, gives None: the frame's own function is the creator.
    fn tail_caller(&self, ret: u64) -> Option<&str> {
        let strip = |a: u64| if self.thumb { a & !1 } else { a };
        let Some(Call::Direct(t)) = self.call_before(ret) else { return None };
        let (f, off) = self.func(strip(t))?;
        // A linker's range-extension or interworking thunk
        // (`__ThumbV7PILongThunk_f`, `__AArch64AbsLongThunk_f`) stands
        // for the function it jumps to.
        let name = match f.name.split_once("Thunk_") {
            Some((p, to)) if p.starts_with("__") => to,
            _ => f.name.as_str(),
        };
        (off == 0 && !runtime_frame(name)).then_some(name)
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
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::new();
        let mut push = |s: &str| {
            out.push_str(s);
            out.push('\n');
        };
        // The last exact pc (`pc=`) of the goroutine being rewritten.
        let mut pc = None;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if line.starts_with("[frames as addresses: ") {
                continue;
            }
            if let Some((addr, ret)) = frame(line) {
                pc = (!ret).then_some(addr);
                if let Some(s) = self.name_frame(addr, ret, hide) {
                    push(&s);
                }
                continue;
            }
            if let Some(lr) = link(line) {
                let next = lines.get(i).and_then(|l| frame(l)).map(|(a, _)| a);
                if self.leaf_caller(lr, pc, next) {
                    if let Some(s) = self.name_frame(lr, true, hide) {
                        push(&s);
                    }
                }
                continue;
            }
            if let (Some(n), Some((addr, true))) = (created_by(line), lines.get(i).and_then(|l| frame(l))) {
                i += 1;
                // Go's printcreatedby: the creator is a frame like the
                // others, hidden with them.
                if let Some(s) = self.name_frame(addr, true, hide) {
                    let (func, loc) = s.split_once("(...)\n").unwrap_or((&s, ""));
                    let func = self.tail_caller(addr).unwrap_or(func);
                    if !(hide && runtime_frame(func)) {
                        push(&format!("created by {func} in goroutine {n}\n{loc}"));
                    }
                }
                continue;
            }
            pc = None;
            push(line);
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
            code: vec![],
            arch: object::Architecture::X86_64,
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
    fn a_tail_called_go_entry_names_the_function_that_made_the_call() {
        let f = |start, size, name: &str| Func { start, size, name: name.into() };
        // main_main: `call start` at 0x1300 (returns to 0x1305), where
        // start tail-calls rt_go; `call rt_go` at 0x1310 (0x1315).
        static CODE: [u8; 0x15] = {
            let mut c = [0x90u8; 0x15];
            let (a, b) = ((0x1200i32 - 0x1305).to_le_bytes(), (0x1100i32 - 0x1315).to_le_bytes());
            c[0] = 0xe8;
            c[1] = a[0];
            c[2] = a[1];
            c[3] = a[2];
            c[4] = a[3];
            c[0x10] = 0xe8;
            c[0x11] = b[0];
            c[0x12] = b[1];
            c[0x13] = b[2];
            c[0x14] = b[3];
            c
        };
        let s = Symbols {
            funcs: vec![
                f(0x1100, 0x8, "rt_go"),
                f(0x1108, 0x8, "__Thumbv7ABSLongThunk_rt_go"),
                f(0x1200, 0x10, "start"),
                f(0x1300, 0x40, "main_main"),
            ],
            lines: None,
            thumb: false,
            code: vec![(0x1300, &CODE[..])],
            arch: object::Architecture::X86_64,
        };
        assert_eq!(
            s.report("created by goroutine 1\n\tret=0x1305\n"),
            "created by start in goroutine 1\n\tpc=0x1305 +0x5\n"
        );
        assert_eq!(
            s.report("created by goroutine 1\n\tret=0x1315\n"),
            "created by main_main in goroutine 1\n\tpc=0x1315 +0x15\n"
        );
        // A call of rt_go through a linker thunk is a call of rt_go.
        let mut s = s;
        let thunk = {
            let mut c = CODE;
            c[0x11..0x15].copy_from_slice(&(0x1108i32 - 0x1315).to_le_bytes());
            c
        };
        s.code = vec![(0x1300, Box::leak(Box::new(thunk)))];
        assert_eq!(
            s.report("created by goroutine 1\n\tret=0x1315\n"),
            "created by main_main in goroutine 1\n\tpc=0x1315 +0x15\n"
        );
    }

    #[test]
    fn thumb_bit_is_not_part_of_the_address() {
        let s = syms(true);
        assert_eq!(s.report("\tret=0x1051\n"), "f3(...)\n\tpc=0x1051 +0x10\n");
    }
}
