//! primes [N]: the first N primes (default 25), one per line, by Go's
//! classic concurrent sieve: a goroutine generates 2, 3, 4, ... and each
//! prime found adds a filter goroutine to the chain, which passes on only
//! the numbers its prime does not divide.
//!
//!     cargo xtask run primes 10
//!
//! Every hand-off is an unbuffered channel, so each number found costs a
//! rendezvous per filter it passes: N primes take about N²/2 goroutine
//! switches. When `main_main` returns the process ends, with the
//! generator and the filters still blocked, as in Go.
#![no_std]
#![no_main]

use rt::Chan;
use runtime as rt;

/// Sends 2, 3, 4, ... on `out` forever.
fn generate(out: Chan<u64>) {
    for i in 2.. {
        out.send(i);
    }
}

/// Passes on from `inp` to `out` the numbers `prime` does not divide.
fn filter(inp: Chan<u64>, out: Chan<u64>, prime: u64) {
    while let Some(i) = inp.recv() {
        if i % prime != 0 {
            out.send(i);
        }
    }
}

/// The count asked for: the first argument, 25 without one.
fn count() -> Result<u32, &'static [u8]> {
    match rt::args().nth(1) {
        None => Ok(25),
        Some(a) => core::str::from_utf8(a)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(a),
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    let n = match count() {
        Ok(n) => n,
        Err(a) => {
            rt::eprintln!("primes: not a count: {:?}", core::str::from_utf8(a).unwrap_or("?"));
            rt::exit(2);
        }
    };
    let mut ch = Chan::new(0);
    let gen = ch.clone();
    rt::go(move || generate(gen));
    for _ in 0..n {
        let Some(prime) = ch.recv() else { break };
        rt::println!("{prime}");
        let next = Chan::new(0);
        let (inp, out) = (ch, next.clone());
        rt::go(move || filter(inp, out, prime));
        ch = next;
    }
}
