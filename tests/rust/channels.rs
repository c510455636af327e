//! The Rust API for channels, select!, Mutex, WaitGroup, Once and time.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;
use runtime as rt;

fn print(label: &str, v: i64) {
    rt::Line::to_fd(1).s(label).s("=").i(v).end();
}

static DROPS: AtomicUsize = AtomicUsize::new(0);

struct Counted(#[allow(dead_code)] u64);
impl Drop for Counted {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    // Unbuffered ping-pong with owned values.
    let ping: rt::Chan<String> = rt::Chan::new(0);
    let pong: rt::Chan<String> = rt::Chan::new(0);
    let (p2, q2) = (ping.clone(), pong.clone());
    rt::go(move || {
        while let Some(mut s) = p2.recv() {
            s.push('!');
            q2.send(s);
        }
    });
    let mut total = 0;
    for i in 0..100 {
        ping.send(alloc::format!("{i}"));
        total += pong.recv().unwrap().len();
    }
    ping.close();
    print("pingpong-bytes", total as i64);

    // Close and drain; values left in a dropped channel are dropped.
    let b: rt::Chan<Counted> = rt::Chan::new(4);
    for i in 0..4 {
        b.send(Counted(i));
    }
    drop(b.recv());
    drop(b);
    print("dropped", DROPS.load(Ordering::SeqCst) as i64);
    let c: rt::Chan<u8> = rt::Chan::new(1);
    c.send(1);
    c.close();
    print("after-close", c.recv().map(|v| v as i64).unwrap_or(-1));
    print("closed", c.recv().map(|v| v as i64).unwrap_or(-1));
    print(
        "try-recv-empty",
        rt::Chan::<u8>::new(1).try_recv().is_none() as i64,
    );
    print(
        "try-send-full",
        c.len() as i64 + rt::Chan::<u8>::new(0).try_send(5).unwrap_err() as i64,
    );

    // select!: a ready receive, a send, default, and a timeout.
    let a: rt::Chan<i32> = rt::Chan::new(1);
    let never: rt::Chan<i32> = rt::Chan::new(0);
    a.send(7);
    let got = rt::select! {
        recv(never) -> _ => -1,
        recv(a) -> v => v.unwrap_or(-2),
    };
    print("select-recv", got as i64);
    let sent = rt::select! {
        send(a, 9) => 1,
        recv(never) -> _ => -1,
    };
    print("select-send", sent + a.recv().unwrap() as i64);
    let d = rt::select! {
        recv(never) -> _ => 0,
        default => 1,
    };
    print("select-default", d);
    let t0 = rt::nanotime();
    let timed = rt::select! {
        recv(never) -> _ => 0,
        recv(rt::after(Duration::from_millis(5))) -> _ => 1,
    };
    print(
        "select-timeout",
        timed + (rt::nanotime() - t0 >= 5_000_000) as i64,
    );

    // Mutex<T> and WaitGroup across goroutines.
    let m = Arc::new(rt::Mutex::new(0u64));
    let wg = Arc::new(rt::WaitGroup::new());
    for _ in 0..8 {
        let (m, wg) = (m.clone(), wg.clone());
        wg.add(1);
        rt::go(move || {
            for _ in 0..10_000 {
                *m.lock() += 1;
            }
            wg.done();
        });
    }
    wg.wait();
    print("mutex-total", *m.lock() as i64);

    // Once.
    static ONCE: rt::Once = rt::Once::new();
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    for _ in 0..3 {
        ONCE.call_once(|| {
            RUNS.fetch_add(1, Ordering::SeqCst);
        });
    }
    print("once", RUNS.load(Ordering::SeqCst) as i64);

    // sleep and tick.
    let t0 = rt::nanotime();
    rt::sleep(Duration::from_millis(3));
    print("slept", (rt::nanotime() - t0 >= 3_000_000) as i64);
    let ticker = rt::tick(Duration::from_millis(1));
    let mut last = 0;
    for _ in 0..3 {
        last = ticker.c.recv().unwrap();
    }
    drop(ticker);
    print("ticked", (last > t0) as i64);
}
