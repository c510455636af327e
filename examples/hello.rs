//! The smallest Rust program on the runtime: it prints a greeting.
//!
//! A Rust user program is `#![no_std]` and `#![no_main]`: the runtime owns
//! the entry point, boots, and calls `main_main` on the main goroutine.
#![no_std]
#![no_main]

use runtime as rt;

#[no_mangle]
pub extern "C" fn main_main() {
    if rt::write(1, b"hello, world\n").is_err() {
        rt::exit(1);
    }
}
