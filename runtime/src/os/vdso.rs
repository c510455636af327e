//! Finding a symbol in the vDSO, the kernel's shared object mapped into
//! every process (`AT_SYSINFO_EHDR`): `linux::nanotime` calls its
//! `clock_gettime` instead of making a system call. qemu-user maps none.

/// # Safety
/// `[base + off, + size_of::<T>())` is readable.
unsafe fn rd<T: Copy>(base: usize, off: usize) -> T {
    // SAFETY: the caller's promise.
    unsafe { ((base + off) as *const T).read_unaligned() }
}

/// Finds `name` in the vDSO at `base` through its section headers
/// (.dynsym and its string table); returns its run-time address.
///
/// # Safety
/// `base` is 0 or the address of a mapped, well-formed ELF image (the
/// vDSO, as the kernel maps it).
pub unsafe fn lookup(base: usize, name: &[u8]) -> Option<usize> {
    // SAFETY: base is 0 (returned before any read) or a mapped, well-formed
    // ELF image (the caller's promise). Every address read below, through
    // `rd` (whose contract this is) in this body and its closures or
    // directly for the name's bytes, is found through the image's own
    // headers: the ELF header, the program and section headers, .dynsym
    // and its NUL-terminated string table, all inside the mapping.
    unsafe {
        if base == 0 || rd::<[u8; 4]>(base, 0) != *b"\x7fELF" {
            return None;
        }
        let wide = cfg!(target_pointer_width = "64");
        let word = |b: usize, o: usize| -> usize {
            if wide {
                rd::<u64>(b, o) as usize
            } else {
                rd::<u32>(b, o) as usize
            }
        };
        let (phoff, shoff) = if wide {
            (word(base, 0x20), word(base, 0x28))
        } else {
            (word(base, 0x1c), word(base, 0x20))
        };
        let (phentsize, phnum, shentsize, shnum) = if wide {
            (
                rd::<u16>(base, 0x36),
                rd::<u16>(base, 0x38),
                rd::<u16>(base, 0x3a),
                rd::<u16>(base, 0x3c),
            )
        } else {
            (
                rd::<u16>(base, 0x2a),
                rd::<u16>(base, 0x2c),
                rd::<u16>(base, 0x2e),
                rd::<u16>(base, 0x30),
            )
        };
        // The load bias: where the first PT_LOAD's vaddr ended up.
        let mut vaddr = None;
        for i in 0..phnum as usize {
            let ph = base + phoff + i * phentsize as usize;
            if rd::<u32>(ph, 0) == 1 {
                vaddr = Some(if wide { word(ph, 0x10) } else { word(ph, 0x08) });
                break;
            }
        }
        let bias = base.wrapping_sub(vaddr?);
        let sh = |i: usize| base + shoff + i * shentsize as usize;
        let (off_o, size_o, link_o, ent_o) = if wide {
            (0x18, 0x20, 0x28, 0x38)
        } else {
            (0x10, 0x14, 0x18, 0x24)
        };
        for i in 0..shnum as usize {
            let s = sh(i);
            if rd::<u32>(s, 4) != 11 {
                continue; // not SHT_DYNSYM
            }
            let (symoff, symsize, entsize) = (word(s, off_o), word(s, size_o), word(s, ent_o));
            let strsec = sh(rd::<u32>(s, link_o) as usize);
            let stroff = word(strsec, off_o);
            if entsize == 0 {
                return None;
            }
            for k in 0..symsize / entsize {
                let sym = base + symoff + k * entsize;
                let name_off = rd::<u32>(sym, 0) as usize;
                let value = if wide { word(sym, 8) } else { word(sym, 4) };
                let p = (base + stroff + name_off) as *const u8;
                let mut j = 0;
                while j < name.len() && *p.add(j) == name[j] {
                    j += 1;
                }
                if j == name.len() && *p.add(j) == 0 && value != 0 {
                    return Some(value.wrapping_add(bias));
                }
            }
        }
        None
    }
}
