//! Frames just under 4 KiB (armv7's limit for code the compiler cannot
//! probe) recursing in a 32 KiB stack until it runs out: must end in
//! `fatal error: stack overflow` on every target. The recursion is bounded
//! (about 2 MB): a frame that got past the guard would print "returned".
#![no_std]
#![no_main]

use core::hint::black_box;
use runtime as rt;

const N: usize = 3900;

#[inline(never)]
fn recurse(n: usize) -> usize {
    let mut buf = [0u8; N];
    buf[0] = n as u8;
    buf[N - 1] = n as u8;
    black_box(&mut buf);
    if n * N > 2 << 20 {
        return 0;
    }
    recurse(n + 1) + buf[0] as usize + buf[N - 1] as usize
}

#[no_mangle]
pub extern "C" fn main_main() {
    rt::go_with_stack(32 << 10, || {
        black_box(recurse(1));
        let _ = rt::write(1, b"returned\n");
        rt::exit(0)
    });
    loop {
        rt::gosched();
    }
}
