//! Tracebacks in Rust: a three-deep chain f1 -> f2 -> f3 on the main
//! goroutine, where f3 panics. None of the three is inlined, and each
//! does something after its call, so no call is a tail call.
//!
//! With the argument `leaf`: main starts `middle`, which prints its
//! goroutine id and starts a goroutine from `spawner`, then sleeps; that
//! goroutine's chain g1 -> g2 -> leaf ends in a nil dereference in
//! `leaf`, which calls nothing and so keeps no frame record: g2 is found
//! only from the link register (the word at sp on x86_64).
#![no_std]
#![no_main]

use core::hint::black_box;
use core::time::Duration;
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

/// Calls nothing: no frame record.
#[inline(never)]
fn leaf(p: *const usize) -> usize {
    // SAFETY: none: p is null, and the fault is the point.
    unsafe { core::ptr::read_volatile(p).wrapping_add(1) }
}

#[inline(never)]
fn g2() -> usize {
    black_box(leaf(black_box(core::ptr::null()))).wrapping_add(1)
}

#[inline(never)]
fn g1() -> usize {
    black_box(g2()).wrapping_add(1)
}

#[inline(never)]
fn spawner() -> i64 {
    black_box(rt::go(|| {
        black_box(g1());
    })) + 1
}

#[inline(never)]
fn middle() {
    rt::println!("creator={}", rt::goid());
    black_box(spawner());
    loop {
        rt::sleep(Duration::from_secs(1));
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    if rt::args().nth(1) == Some(b"leaf".as_slice()) {
        rt::go(middle);
        loop {
            rt::sleep(Duration::from_secs(1));
        }
    }
    let r = f1(rt::args().count());
    let _ = rt::write(1, if r > 0 { b"unreachable\n" } else { b"zero\n" });
}
