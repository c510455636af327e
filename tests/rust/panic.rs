//! A Rust panic with a formatted message, on the main goroutine; with
//! `ticker-zero`, the panic of a ticker with a zero period.
#![no_std]
#![no_main]

use runtime as rt;

#[no_mangle]
pub extern "C" fn main_main() {
    let n = rt::args().count();
    let _ = rt::write(1, b"before\n");
    if rt::args().nth(1) == Some(&b"ticker-zero"[..]) {
        let _t = rt::tick(core::time::Duration::ZERO);
        let _ = rt::write(1, b"ticking\n");
    }
    panic!("index {} out of range", n + 6);
}
