//! pipeline N TIMEOUT_MS [STALL_AT]: three stages joined by channels —
//! a generator of 1..=N, a stage that squares, and main, which sums —
//! where main waits for each value in a `select!` with a timeout.
//!
//!     cargo xtask run pipeline 10 1000       # item 1: 1 ... sum=385
//!     cargo xtask run pipeline 10 200 4      # the square stage stalls at 4
//!
//! Prints `item I: V` for each value and `sum=S` at the end. With
//! STALL_AT, the square stage stops for an hour at that item (a stage
//! stuck on a slow disk or peer): no value arrives within TIMEOUT_MS, the
//! timeout case of the select fires, and the program says so on stderr
//! and exits with status 1, while the stuck goroutine is still asleep.
#![no_std]
#![no_main]

use core::time::Duration;
use rt::Chan;
use runtime as rt;

/// Argument `i` as a number, or `None` if there is none.
fn arg(i: usize) -> Option<u64> {
    let a = rt::args().nth(i)?;
    match core::str::from_utf8(a).ok().and_then(|s| s.parse().ok()) {
        Some(n) => Some(n),
        None => {
            rt::eprintln!("pipeline: not a number: {:?}", core::str::from_utf8(a).unwrap_or("?"));
            rt::exit(2);
        }
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    let (Some(n), Some(timeout_ms)) = (arg(1), arg(2)) else {
        rt::eprintln!("usage: pipeline N TIMEOUT_MS [STALL_AT]");
        rt::exit(2);
    };
    let stall_at = arg(3);

    let numbers: Chan<u64> = Chan::new(0);
    let out = numbers.clone();
    rt::go(move || {
        for i in 1..=n {
            out.send(i);
        }
        out.close();
    });

    let squares: Chan<u64> = Chan::new(0);
    let out = squares.clone();
    rt::go(move || {
        while let Some(i) = numbers.recv() {
            if Some(i) == stall_at {
                rt::sleep(Duration::from_secs(3600));
            }
            out.send(i * i);
        }
        out.close();
    });

    let timeout = Duration::from_millis(timeout_ms);
    let (mut item, mut sum) = (1u64, 0u64);
    'items: loop {
        rt::select! {
            recv(squares) -> v => match v {
                Some(v) => {
                    rt::println!("item {item}: {v}");
                    sum += v;
                    item += 1;
                }
                None => break 'items,
            },
            recv(rt::after(timeout)) -> _ => {
                rt::eprintln!("pipeline: timed out after {timeout_ms} ms waiting for item {item}");
                rt::exit(1);
            },
        }
    }
    rt::println!("sum={sum}");
}
