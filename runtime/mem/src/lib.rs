//! The C memory functions that compiled Rust and C code call implicitly.
//!
//! A freestanding static executable has no libc, yet the compiler lowers
//! struct copies, slice comparisons and zeroing to calls of `memcpy`,
//! `memset`, `memcmp`/`bcmp` and `strlen`. This crate provides them.
//!
//! Why a crate of its own: LLVM recognises a copy or fill loop and replaces
//! it with a call to `memcpy`/`memset` — inside `memcpy` itself that is
//! infinite recursion. `#![no_builtins]` switches that recognition off for
//! this crate only, and LLVM will not inline a `no-builtins` function into a
//! caller without the attribute, so the loops stay loops even under LTO.
//! `cargo xtask test` checks the linked executables' machine code for any
//! call from one of these functions into another.
//!
//! The functions work a machine word at a time once the destination is
//! aligned. When source and destination disagree in alignment the source
//! words are read unaligned (`read_unaligned`), which every supported target
//! (armv7 with unaligned access enabled, aarch64, x86_64) does in hardware.
#![no_std]
#![no_builtins]

use core::mem::size_of;

const WORD: usize = size_of::<usize>();

/// Copies `n` bytes from `src` to `dst`, low addresses first.
///
/// # Safety
/// `dst` must be valid for `n` writes and `src` for `n` reads. Overlap is
/// allowed only when `dst <= src` (the forward direction never reads a byte
/// it has already overwritten).
#[inline(always)]
unsafe fn copy_forward(mut dst: *mut u8, mut src: *const u8, mut n: usize) {
    // Bytes until dst is word aligned.
    while n > 0 && (dst as usize) % WORD != 0 {
        *dst = *src;
        dst = dst.add(1);
        src = src.add(1);
        n -= 1;
    }
    // Whole words: four at a time, then one at a time.
    while n >= 4 * WORD {
        let s = src as *const usize;
        let d = dst as *mut usize;
        let a = s.read_unaligned();
        let b = s.add(1).read_unaligned();
        let c = s.add(2).read_unaligned();
        let e = s.add(3).read_unaligned();
        d.write(a);
        d.add(1).write(b);
        d.add(2).write(c);
        d.add(3).write(e);
        dst = dst.add(4 * WORD);
        src = src.add(4 * WORD);
        n -= 4 * WORD;
    }
    while n >= WORD {
        (dst as *mut usize).write((src as *const usize).read_unaligned());
        dst = dst.add(WORD);
        src = src.add(WORD);
        n -= WORD;
    }
    while n > 0 {
        *dst = *src;
        dst = dst.add(1);
        src = src.add(1);
        n -= 1;
    }
}

/// Copies `n` bytes from `src` to `dst`, high addresses first.
///
/// # Safety
/// As `copy_forward`, but overlap is allowed only when `dst >= src`.
#[inline(always)]
unsafe fn copy_backward(dst: *mut u8, src: *const u8, mut n: usize) {
    let mut d = dst.add(n);
    let mut s = src.add(n);
    while n > 0 && (d as usize) % WORD != 0 {
        d = d.sub(1);
        s = s.sub(1);
        *d = *s;
        n -= 1;
    }
    while n >= WORD {
        d = d.sub(WORD);
        s = s.sub(WORD);
        (d as *mut usize).write((s as *const usize).read_unaligned());
        n -= WORD;
    }
    while n > 0 {
        d = d.sub(1);
        s = s.sub(1);
        *d = *s;
        n -= 1;
    }
}

/// C `memcpy`.
///
/// # Safety
/// The C contract: `dst` valid for `n` writes, `src` for `n` reads, no overlap.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    copy_forward(dst, src, n);
    dst
}

/// C `memmove`: like `memcpy`, but the regions may overlap.
///
/// # Safety
/// `dst` valid for `n` writes, `src` for `n` reads.
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize).wrapping_sub(src as usize) >= n {
        // dst is below src, or the regions do not overlap: forward is safe.
        copy_forward(dst, src, n);
    } else {
        copy_backward(dst, src, n);
    }
    dst
}

/// C `memset`: fills `n` bytes at `dst` with the low byte of `c`.
///
/// # Safety
/// `dst` must be valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, mut n: usize) -> *mut u8 {
    let byte = c as u8;
    let mut d = dst;
    while n > 0 && (d as usize) % WORD != 0 {
        *d = byte;
        d = d.add(1);
        n -= 1;
    }
    // The byte in every byte of a word: 0x0101…01 × byte. (Not
    // `from_ne_bytes([byte; WORD])`: unoptimised, the array repeat is
    // itself lowered to a call to memset, which is this function.)
    let word = (byte as usize).wrapping_mul(usize::MAX / 0xff);
    while n >= 4 * WORD {
        let w = d as *mut usize;
        w.write(word);
        w.add(1).write(word);
        w.add(2).write(word);
        w.add(3).write(word);
        d = d.add(4 * WORD);
        n -= 4 * WORD;
    }
    while n >= WORD {
        (d as *mut usize).write(word);
        d = d.add(WORD);
        n -= WORD;
    }
    while n > 0 {
        *d = byte;
        d = d.add(1);
        n -= 1;
    }
    dst
}

/// Returns the offset of the first byte that differs, or `n`.
///
/// # Safety
/// Both regions must be valid for `n` reads.
#[inline(always)]
unsafe fn first_difference(a: *const u8, b: *const u8, n: usize) -> usize {
    let mut i = 0;
    while i + WORD <= n {
        let x = (a.add(i) as *const usize).read_unaligned();
        let y = (b.add(i) as *const usize).read_unaligned();
        if x != y {
            break;
        }
        i += WORD;
    }
    while i < n && *a.add(i) == *b.add(i) {
        i += 1;
    }
    i
}

/// C `memcmp`: compares bytes as unsigned values.
///
/// # Safety
/// Both regions must be valid for `n` reads.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let i = first_difference(a, b, n);
    if i == n {
        0
    } else {
        *a.add(i) as i32 - *b.add(i) as i32
    }
}

/// `bcmp`: zero when equal, non-zero otherwise (LLVM emits it for `==`).
///
/// # Safety
/// Both regions must be valid for `n` reads.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    (first_difference(a, b, n) != n) as i32
}

/// C `strlen`.
///
/// # Safety
/// `s` must point to a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    while *s.add(n) != 0 {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    //! Every function against a byte-by-byte model, for every alignment of
    //! source and destination, lengths 0..=70 and every overlap direction.
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn pattern(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn memcpy_all_alignments() {
        for len in 0..70 {
            for so in 0..WORD {
                for d_off in 0..WORD {
                    let src = pattern(len + so, 7);
                    let mut dst = std::vec![0xAAu8; len + d_off + 8];
                    let r =
                        unsafe { memcpy(dst.as_mut_ptr().add(d_off), src.as_ptr().add(so), len) };
                    assert_eq!(r, unsafe { dst.as_mut_ptr().add(d_off) });
                    assert_eq!(&dst[d_off..d_off + len], &src[so..so + len]);
                    assert!(dst[..d_off].iter().all(|&b| b == 0xAA), "wrote before dst");
                    assert!(
                        dst[d_off + len..].iter().all(|&b| b == 0xAA),
                        "wrote past dst"
                    );
                }
            }
        }
    }

    #[test]
    fn memmove_overlapping_both_directions() {
        for len in 0..70 {
            for src_off in 0..20 {
                for dst_off in 0..20 {
                    let mut buf = pattern(100, 3);
                    let mut model = buf.clone();
                    model.copy_within(src_off..src_off + len, dst_off);
                    unsafe {
                        let p = buf.as_mut_ptr();
                        memmove(p.add(dst_off), p.add(src_off), len);
                    }
                    assert_eq!(buf, model, "len {len} src {src_off} dst {dst_off}");
                }
            }
        }
    }

    #[test]
    fn memset_all_alignments() {
        for len in 0..70 {
            for off in 0..WORD {
                let mut buf = std::vec![1u8; len + off + 8];
                unsafe { memset(buf.as_mut_ptr().add(off), 0x1_5A, len) };
                assert!(buf[off..off + len].iter().all(|&b| b == 0x5A));
                assert!(buf[..off].iter().all(|&b| b == 1));
                assert!(buf[off + len..].iter().all(|&b| b == 1));
            }
        }
    }

    #[test]
    fn memcmp_and_bcmp_find_every_difference() {
        for len in 1..40 {
            for pos in 0..len {
                for off in 0..WORD {
                    let a = pattern(len + off, 9);
                    let mut b = a.clone();
                    b[off + pos] = b[off + pos].wrapping_add(0x80);
                    let (pa, pb) = unsafe { (a.as_ptr().add(off), b.as_ptr().add(off)) };
                    let want = a[off + pos] as i32 - b[off + pos] as i32;
                    assert_eq!(unsafe { memcmp(pa, pb, len) }, want);
                    assert_eq!(unsafe { memcmp(pa, pa, len) }, 0);
                    assert_ne!(unsafe { bcmp(pa, pb, len) }, 0);
                    assert_eq!(unsafe { bcmp(pa, pb, pos) }, 0, "equal prefix");
                }
            }
        }
        assert_eq!(
            unsafe { memcmp(core::ptr::null(), core::ptr::null(), 0) },
            0
        );
    }

    #[test]
    fn strlen_counts_to_nul() {
        for len in 0..40 {
            let mut s = std::vec![b'x'; len];
            s.push(0);
            assert_eq!(unsafe { strlen(s.as_ptr()) }, len);
        }
    }
}
