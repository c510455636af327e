//! Shared by the frame-size test programs: recursion with `N`-byte local
//! arrays, bounded at about 2 MB in all, so that a frame that jumped over a
//! guard returns instead of faulting, and the program can say so.

use core::hint::black_box;
use runtime as rt;

#[inline(never)]
pub fn recurse<const N: usize>(n: usize) -> usize {
    let mut buf = [0u8; N];
    buf[0] = n as u8;
    buf[N - 1] = n as u8;
    black_box(&mut buf);
    if n * N > 2 << 20 {
        return 0;
    }
    recurse::<N>(n + 1) + buf[0] as usize + buf[N - 1] as usize
}

/// The recursion came back: the guard did not stop it.
pub fn returned(depth: usize) -> ! {
    let _ = rt::write(1, b"returned\n");
    black_box(depth);
    rt::exit(0)
}
