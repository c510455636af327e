//! Checks on linked executables, read with the `object` crate.
//!
//! - `static_problems`: what makes an executable not a proper static one —
//!   a PT_INTERP or PT_DYNAMIC, a segment both writable and executable, a
//!   missing or executable PT_GNU_STACK, writable code, not ET_EXEC.
//! - `undefined_symbols`: names left undefined (a weak reference would
//!   link and then crash at run time).
//! - `mem_self_calls`: calls or branches from one of the C memory functions
//!   into any of them — the compiler turning a copy loop back into a call
//!   to `memcpy` is infinite recursion.
//! - `large_frames`: functions whose stack frame exceeds a limit, from the
//!   `.stack_sizes` section that `-Z emit-stack-sizes` makes the compiler
//!   emit (on targets where it cannot probe large frames).
//!
//! And one change, made through the same crate's header types:
//! `strip_section_headers` cuts off what the kernel never reads.

use object::elf;
use object::read::elf::{ElfFile, FileHeader, ProgramHeader};
use object::{Object, ObjectSection, ObjectSymbol};
use std::path::Path;

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn segment_problems<H: FileHeader<Endian = object::Endianness>>(
    data: &[u8],
) -> Result<Vec<String>, String> {
    let f = ElfFile::<H>::parse(data).map_err(|e| e.to_string())?;
    let e = f.endian();
    let mut problems = Vec::new();
    if f.elf_header().e_type(e) != elf::ET_EXEC {
        problems.push("not an ET_EXEC executable".to_string());
    }
    let mut gnu_stack = None;
    for ph in f.elf_program_headers() {
        let flags = ph.p_flags(e);
        let (w, x) = (flags & elf::PF_W != 0, flags & elf::PF_X != 0);
        match ph.p_type(e) {
            elf::PT_INTERP => problems.push("has PT_INTERP (asks for a dynamic loader)".into()),
            elf::PT_DYNAMIC => problems.push("has PT_DYNAMIC".into()),
            elf::PT_LOAD if w && x => {
                problems.push("has a segment both writable and executable".into())
            }
            elf::PT_GNU_STACK => gnu_stack = Some(x),
            _ => {}
        }
    }
    match gnu_stack {
        None => problems.push("no PT_GNU_STACK".into()),
        Some(true) => problems.push("PT_GNU_STACK is executable".into()),
        Some(false) => {}
    }
    Ok(problems)
}

/// Ways in which `path` is not a well-formed static executable.
pub fn static_problems(path: &Path) -> Result<Vec<String>, String> {
    let data = read(path)?;
    match object::FileKind::parse(&*data).map_err(|e| e.to_string())? {
        object::FileKind::Elf32 => segment_problems::<elf::FileHeader32<object::Endianness>>(&data),
        object::FileKind::Elf64 => segment_problems::<elf::FileHeader64<object::Endianness>>(&data),
        k => Err(format!("{}: not ELF ({k:?})", path.display())),
    }
}

/// Symbols `path` references but does not define.
pub fn undefined_symbols(path: &Path) -> Result<Vec<String>, String> {
    let data = read(path)?;
    let f = object::File::parse(&*data).map_err(|e| e.to_string())?;
    Ok(f.symbols()
        .filter(|s| s.is_undefined() && !s.name().unwrap_or("").is_empty())
        .map(|s| s.name().unwrap_or("?").to_string())
        .collect())
}

const MEM_FUNCTIONS: [&str; 6] = ["memcpy", "memmove", "memset", "memcmp", "bcmp", "strlen"];

/// Branch targets of direct calls and jumps in `code` at `addr`.
fn branch_targets(arch: object::Architecture, code: &[u8], addr: u64) -> Vec<u64> {
    use object::Architecture::*;
    let mut out = Vec::new();
    match arch {
        // ARM state: every instruction is a word; B/BL = cond 101 L imm24.
        Arm => {
            for (i, w) in code.chunks_exact(4).enumerate() {
                let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                if (w >> 25) & 7 == 0b101 && w >> 28 != 0xf {
                    let off = (((w & 0x00ff_ffff) << 8) as i32 >> 6) as i64;
                    out.push((addr as i64 + 4 * i as i64 + 8 + off) as u64);
                }
            }
        }
        // B/BL = x00101 imm26.
        Aarch64 => {
            for (i, w) in code.chunks_exact(4).enumerate() {
                let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                if (w >> 26) & 0x1f == 0b00101 {
                    let off = (((w & 0x03ff_ffff) << 6) as i32 >> 4) as i64;
                    out.push((addr as i64 + 4 * i as i64 + off) as u64);
                }
            }
        }
        // call/jmp rel32 (E8/E9): scanning every byte offset over-approximates
        // (a false hit needs a target that happens to be a mem function).
        X86_64 => {
            for i in 0..code.len().saturating_sub(4) {
                if code[i] == 0xe8 || code[i] == 0xe9 {
                    let rel =
                        i32::from_le_bytes([code[i + 1], code[i + 2], code[i + 3], code[i + 4]])
                            as i64;
                    out.push((addr as i64 + i as i64 + 5 + rel) as u64);
                }
            }
        }
        // 16- and 32-bit instructions (low bits 11 = 32-bit): JAL, C.J,
        // and AUIPC rd + JALR rd (`call`/`tail` where the linker did not
        // relax them to JAL).
        Riscv64 => {
            let sext = |v: u32, bits: u32| ((v << (32 - bits)) as i32 >> (32 - bits)) as i64;
            let mut i = 0;
            let mut auipc: Option<(u32, i64)> = None;
            while i + 2 <= code.len() {
                let pc = addr as i64 + i as i64;
                let h = u16::from_le_bytes([code[i], code[i + 1]]) as u32;
                if h & 3 != 3 {
                    if h & 3 == 1 && h >> 13 == 0b101 {
                        let imm = ((h >> 12) & 1) << 11
                            | ((h >> 11) & 1) << 4
                            | ((h >> 9) & 3) << 8
                            | ((h >> 8) & 1) << 10
                            | ((h >> 7) & 1) << 6
                            | ((h >> 6) & 1) << 7
                            | ((h >> 3) & 7) << 1
                            | ((h >> 2) & 1) << 5;
                        out.push((pc + sext(imm, 12)) as u64);
                    }
                    auipc = None;
                    i += 2;
                    continue;
                }
                let Some(w) = code.get(i..i + 4) else { break };
                let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                let rd = (w >> 7) & 0x1f;
                let next = match w & 0x7f {
                    0x6f => {
                        let imm = ((w >> 31) & 1) << 20
                            | ((w >> 21) & 0x3ff) << 1
                            | ((w >> 20) & 1) << 11
                            | ((w >> 12) & 0xff) << 12;
                        out.push((pc + sext(imm, 21)) as u64);
                        None
                    }
                    0x17 => Some((rd, pc + (w & 0xffff_f000) as i32 as i64)),
                    0x67 => {
                        if let Some((r, base)) = auipc {
                            if (w >> 15) & 0x1f == r {
                                out.push((base + ((w as i32) >> 20) as i64) as u64);
                            }
                        }
                        None
                    }
                    _ => None,
                };
                auipc = next;
                i += 4;
            }
        }
        _ => {}
    }
    out
}

/// "memset calls memset"-style findings in an executable with symbols.
pub fn mem_self_calls(path: &Path) -> Result<Vec<String>, String> {
    let data = read(path)?;
    let f = object::File::parse(&*data).map_err(|e| e.to_string())?;
    let text = f.section_by_name(".text").ok_or("no .text")?;
    let text_data = text.data().map_err(|e| e.to_string())?;
    let funcs: Vec<(String, u64, u64)> = f
        .symbols()
        .filter_map(|s| {
            let name = s.name().ok()?;
            MEM_FUNCTIONS
                .contains(&name)
                .then(|| (name.to_string(), s.address() & !1, s.size()))
        })
        .collect();
    if funcs.len() < 4 {
        return Err(format!(
            "{}: only {} of the mem functions linked",
            path.display(),
            funcs.len()
        ));
    }
    let mut problems = Vec::new();
    for (name, addr, size) in &funcs {
        let start = (addr - text.address()) as usize;
        let code = text_data
            .get(start..start + *size as usize)
            .ok_or("symbol outside .text")?;
        for target in branch_targets(f.architecture(), code, *addr) {
            if let Some((callee, _, _)) = funcs.iter().find(|(_, a, _)| *a == target) {
                problems.push(format!("{name} calls {callee}"));
            }
        }
    }
    Ok(problems)
}

/// Functions of `path` (an executable or object) whose frame is larger
/// than `limit` bytes, as "name (N bytes)", from its `.stack_sizes`
/// entries (an address, then the frame size as ULEB128). An error when
/// there is no such section, so that the check cannot pass vacuously.
pub fn large_frames(path: &Path, limit: u64) -> Result<Vec<String>, String> {
    let data = read(path)?;
    let f = object::File::parse(&*data).map_err(|e| format!("{}: {e}", path.display()))?;
    let width = if f.is_64() { 8 } else { 4 };
    let mut found = false;
    let mut problems = Vec::new();
    for sec in f.sections().filter(|s| s.name() == Ok(".stack_sizes")) {
        found = true;
        let d = sec.data().map_err(|e| e.to_string())?;
        let mut i = 0;
        while i + width < d.len() {
            let mut a = [0u8; 8];
            a[..width].copy_from_slice(&d[i..i + width]);
            let addr = u64::from_le_bytes(a);
            i += width;
            let (mut size, mut shift) = (0u64, 0);
            while let Some(&b) = d.get(i) {
                i += 1;
                size |= ((b & 0x7f) as u64) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            if size > limit {
                let name = f
                    .symbols()
                    .find(|s| s.address() & !1 == addr & !1 && s.size() > 0)
                    .and_then(|s| s.name().ok().map(str::to_string))
                    .unwrap_or_else(|| format!("the function at {addr:#x}"));
                problems.push(format!("{name} ({size} bytes)"));
            }
        }
    }
    if !found {
        return Err(format!(
            "{}: no .stack_sizes section to check frame sizes with",
            path.display()
        ));
    }
    Ok(problems)
}

/// False once `strip_section_headers` has run on `path`.
pub fn has_section_headers(path: &Path) -> Result<bool, String> {
    let data = read(path)?;
    let f = object::File::parse(&*data).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(f.sections().next().is_some())
}

/// Where the last program header or segment ends in the file: what
/// `strip_section_headers` keeps.
fn loaded_end<H: FileHeader<Endian = object::Endianness>>(data: &[u8]) -> Result<u64, String> {
    let h = H::parse(data).map_err(|e| e.to_string())?;
    let e = h.endian().map_err(|e| e.to_string())?;
    let phs = h.program_headers(e, data).map_err(|e| e.to_string())?;
    let table = h.e_phoff(e).into() + u64::from(h.e_phentsize(e)) * phs.len() as u64;
    Ok(phs
        .iter()
        .map(|ph| ph.p_offset(e).into() + ph.p_filesz(e).into())
        .fold(table, u64::max))
}

/// Drops what the kernel never reads from a stripped executable: the
/// section header table and the section name table after the last
/// loadable segment (as ELFkickers' sstrip does). Program headers, and so
/// everything `execve` maps, are unchanged.
pub fn strip_section_headers(path: &Path) -> Result<(), String> {
    use object::{pod, Endianness, U16, U32, U64};
    let mut data = read(path)?;
    let kind = object::FileKind::parse(&*data).map_err(|e| format!("{}: {e}", path.display()))?;
    let end = match kind {
        object::FileKind::Elf32 => loaded_end::<elf::FileHeader32<Endianness>>(&data),
        object::FileKind::Elf64 => loaded_end::<elf::FileHeader64<Endianness>>(&data),
        _ => return Err(format!("{}: not ELF", path.display())),
    }
    .map_err(|e| format!("{}: {e}", path.display()))?;
    if end > data.len() as u64 {
        return Err(format!("{}: segments extend past the file", path.display()));
    }
    data.truncate(end as usize);
    // No section headers: e_shoff, e_shnum and e_shstrndx zero.
    let bad = |_| format!("{}: ELF header cut off", path.display());
    if kind == object::FileKind::Elf64 {
        let (h, _) =
            pod::from_bytes_mut::<elf::FileHeader64<Endianness>>(&mut data).map_err(bad)?;
        let e = h.endian().map_err(|e| e.to_string())?;
        h.e_shoff = U64::new(e, 0);
        h.e_shnum = U16::new(e, 0);
        h.e_shstrndx = U16::new(e, 0);
    } else {
        let (h, _) =
            pod::from_bytes_mut::<elf::FileHeader32<Endianness>>(&mut data).map_err(bad)?;
        let e = h.endian().map_err(|e| e.to_string())?;
        h.e_shoff = U32::new(e, 0);
        h.e_shnum = U16::new(e, 0);
        h.e_shstrndx = U16::new(e, 0);
    }
    std::fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
}
