//! A Rust panic with a formatted message, on the main goroutine.
#![no_std]
#![no_main]

use runtime as rt;

#[no_mangle]
pub extern "C" fn main_main() {
    let n = rt::args().count();
    let _ = rt::write(1, b"before\n");
    panic!("index {} out of range", n + 6);
}
