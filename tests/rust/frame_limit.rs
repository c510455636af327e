//! Frames just under 4 KiB (armv7's limit for code the compiler cannot
//! probe) recursing in a 32 KiB stack until it runs out: must end in
//! `fatal error: stack overflow` on every target. The recursion is bounded
//! (about 2 MB): a frame that got past the guard would print "returned".
#![no_std]
#![no_main]

use runtime as rt;

#[path = "common/frames.rs"]
mod frames;
use frames::{recurse, returned};

const N: usize = 3900;

#[no_mangle]
pub extern "C" fn main_main() {
    rt::go_with_stack(32 << 10, || returned(recurse::<N>(1)));
    loop {
        rt::gosched();
    }
}
