//! The Rust API: closures as goroutines, ids, Gosched, a bigger stack.
#![no_std]
#![no_main]

extern crate alloc;

use core::sync::atomic::{AtomicUsize, Ordering};
use runtime as rt;

static SUM: AtomicUsize = AtomicUsize::new(0);
static DONE: AtomicUsize = AtomicUsize::new(0);

fn print(label: &str, v: usize) {
    rt::Line::to_fd(1).s(label).s("=").u(v as u64).end();
}

fn deep(n: usize) -> usize {
    let pad = [n as u8; 900];
    if n == 0 {
        0
    } else {
        deep(n - 1) + core::hint::black_box(pad)[0] as usize % 1
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    print("goid", rt::goid() as usize);
    for i in 0..1000usize {
        let boxed = alloc::vec![i; 3];
        rt::go(move || {
            SUM.fetch_add(boxed[2], Ordering::SeqCst);
            DONE.fetch_add(1, Ordering::SeqCst);
        });
    }
    rt::go_with_stack(1 << 20, || {
        print("deep", 600 + deep(600));
        DONE.fetch_add(1, Ordering::SeqCst);
    });
    while DONE.load(Ordering::SeqCst) < 1001 {
        rt::gosched();
    }
    while rt::num_goroutine() > 1 {
        rt::gosched();
    }
    print("sum", SUM.load(Ordering::SeqCst));
    print("num_goroutine", rt::num_goroutine() as usize);
}
