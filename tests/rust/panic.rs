//! A Rust panic with a formatted message, on the main goroutine; with
//! `ticker-zero`, the panic of a ticker with a zero period; with
//! `dealloc-static`, the allocator refusing memory it never handed out;
//! with `medium-frees`, medium blocks of odd sizes and small alignments,
//! packed back to back by the allocator, all freed without complaint.
#![no_std]
#![no_main]

extern crate alloc;

use runtime as rt;

static mut NOT_HEAP: [u64; 8] = [0; 8];

#[no_mangle]
pub extern "C" fn main_main() {
    let n = rt::args().count();
    let _ = rt::write(1, b"before\n");
    if rt::args().nth(1) == Some(&b"dealloc-static"[..]) {
        // SAFETY: deliberately wrong, to see it refused: NOT_HEAP was never
        // allocated.
        unsafe {
            alloc::alloc::dealloc(
                core::ptr::addr_of_mut!(NOT_HEAP) as *mut u8,
                core::alloc::Layout::new::<[u64; 4]>(),
            )
        };
        let _ = rt::write(1, b"survived\n");
    }
    if rt::args().nth(1) == Some(&b"medium-frees"[..]) {
        medium_frees();
        let _ = rt::write(1, b"frees-ok\n");
    }
    if rt::args().nth(1) == Some(&b"ticker-zero"[..]) {
        let _t = rt::tick(core::time::Duration::ZERO);
        let _ = rt::write(1, b"ticking\n");
    }
    panic!("index {} out of range", n + 6);
}

/// Blocks between the small classes (512 B) and the large ones (128 KiB),
/// with sizes that are not multiples of 16 and alignments 1 to 8, freed in
/// an order other than their allocation's.
fn medium_frees() {
    use core::alloc::Layout;
    let mut x: u32 = 12345;
    let mut live: [(*mut u8, Layout); 48] = [(core::ptr::null_mut(), Layout::new::<u8>()); 48];
    for _ in 0..40 {
        for slot in live.iter_mut() {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let size = 513 + (x >> 8) as usize % 6000;
            let align = 1 << ((x >> 4) % 4);
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: a non-zero size; freed below with the same layout.
            let p = unsafe { alloc::alloc::alloc(layout) };
            assert!(!p.is_null() && (p as usize) % align == 0);
            // SAFETY: p points at `size` fresh bytes.
            unsafe { p.add(size - 1).write(1) };
            *slot = (p, layout);
        }
        for i in (0..live.len()).step_by(2).chain((1..live.len()).step_by(2)) {
            let (p, layout) = live[i];
            // SAFETY: allocated above with this layout, freed once.
            unsafe { alloc::alloc::dealloc(p, layout) };
        }
    }
}
