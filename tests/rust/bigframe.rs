//! Stack frames of 10,000 and 40,000 bytes (local arrays) recursing until
//! the stack runs out: `bigframe stack32k` (10,000-byte frames in a 32 KiB
//! stack) or `bigframe default` (40,000-byte frames in a default stack).
//! Where rustc probes large frames, or the target's frame limit (half its
//! guard) admits them (riscv64), each must end in
//! `fatal error: stack overflow`; where neither holds (armv7), xtask must
//! refuse to build this program. The recursion is bounded (about 2 MB): a
//! frame that jumped over the guard would return and print "returned".
#![no_std]
#![no_main]

use runtime as rt;

#[path = "common/frames.rs"]
mod frames;
use frames::{recurse, returned};

#[no_mangle]
pub extern "C" fn main_main() {
    match rt::args().nth(1) {
        Some(b"stack32k") => {
            rt::go_with_stack(32 << 10, || returned(recurse::<10000>(1)));
        }
        Some(b"default") => {
            rt::go(|| returned(recurse::<40000>(1)));
        }
        _ => {
            let _ = rt::write(1, b"usage: bigframe stack32k|default\n");
            rt::exit(1);
        }
    }
    loop {
        rt::gosched();
    }
}
