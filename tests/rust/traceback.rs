//! Tracebacks in Rust: a three-deep chain f1 -> f2 -> f3 on the main
//! goroutine, where f3 panics. None of the three is inlined, and each
//! does something after its call, so no call is a tail call.
#![no_std]
#![no_main]

use core::hint::black_box;
use runtime as rt;

#[inline(never)]
fn f3(n: usize) -> usize {
    if black_box(n) < 100 {
        panic!("boom in f3 ({n})");
    }
    n
}

#[inline(never)]
fn f2(n: usize) -> usize {
    black_box(f3(n + 1)) + 1
}

#[inline(never)]
fn f1(n: usize) -> usize {
    black_box(f2(n + 1)) + 1
}

#[no_mangle]
pub extern "C" fn main_main() {
    let r = f1(rt::args().count());
    let _ = rt::write(1, if r > 0 { b"unreachable\n" } else { b"zero\n" });
}
