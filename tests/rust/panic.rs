//! A Rust panic with a formatted message, on the main goroutine; with
//! `ticker-zero`, the panic of a ticker with a zero period; with
//! `dealloc-static`, the allocator refusing memory it never handed out.
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
    if rt::args().nth(1) == Some(&b"ticker-zero"[..]) {
        let _t = rt::tick(core::time::Duration::ZERO);
        let _ = rt::write(1, b"ticking\n");
    }
    panic!("index {} out of range", n + 6);
}
