//! The print! family: `rust-print MODE`.
//!
//! - `lines`: 8 goroutines print 1000 lines each with `println!`, every
//!   line built from several formatted pieces (so that a line written
//!   piece by piece would show interleaving); xtask checks every line.
//! - `long`: one line of 70,000 bytes (past a 64 KiB pipe's capacity)
//!   formatted from 7,000 pieces, then a short one, then a 600-byte
//!   plain string (no arguments, longer than the stack buffer).
//! - `stderr`: `eprint!` and `eprintln!`, and `print!` without a newline.
//! - `epipe`: `println!` into a pipe nobody reads: the program must end as
//!   killed by SIGPIPE.
//! - `closed`: `println!` to a closed stdout (EBADF) is dropped, as Go
//!   drops `fmt.Println`'s error; the program goes on.
#![no_std]
#![no_main]

extern crate alloc;

use core::fmt;
use runtime as rt;

/// 60 bytes of text, for a long literal.
macro_rules! sixty {
    () => {
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX"
    };
}

/// 70,000 bytes in 7,000 `write_str` calls of 10 bytes: `0123456789`...
struct Long;

impl fmt::Display for Long {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..7000 {
            f.write_str("0123456789")?;
        }
        Ok(())
    }
}

fn mode() -> &'static [u8] {
    rt::args().nth(1).unwrap_or(b"")
}

#[no_mangle]
pub extern "C" fn main_main() {
    match mode() {
        b"lines" => {
            let wg = alloc_wg();
            for g in 0..8u32 {
                wg.add(1);
                let wg = wg.clone();
                rt::go(move || {
                    for i in 0..1000u32 {
                        // Pieces: text, a padded number, a string, a
                        // checksum the checker recomputes.
                        rt::println!("g{} line {:04} {:-<24} sum={}", g, i, "payload", g * 1000 + i);
                        if i % 97 == 0 {
                            rt::gosched();
                        }
                    }
                    wg.done();
                });
            }
            wg.wait();
            rt::println!("done");
        }
        b"long" => {
            rt::println!("{}", Long);
            rt::println!("after");
            // A plain string longer than the stack buffer (the path
            // without formatting arguments): 600 bytes and its newline.
            rt::println!(concat!(sixty!(), sixty!(), sixty!(), sixty!(), sixty!(), sixty!(), sixty!(), sixty!(), sixty!(), sixty!()));
        }
        b"stderr" => {
            rt::print!("out ");
            rt::print!("{}", 1);
            rt::println!();
            rt::eprint!("err {:x}", 255);
            rt::eprintln!(" {:?}", (1, "two"));
            rt::eprintln!();
        }
        b"epipe" => {
            for i in 0u64.. {
                rt::println!("line {i}");
            }
            rt::eprintln!("println returned");
            rt::exit(1);
        }
        b"closed" => {
            rt::println!("to nowhere");
            rt::eprintln!("after");
        }
        _ => {
            rt::eprintln!("usage: rust-print lines|long|stderr|epipe|closed");
            rt::exit(2);
        }
    }
}

/// A WaitGroup shared by the goroutines.
fn alloc_wg() -> alloc::sync::Arc<rt::WaitGroup> {
    alloc::sync::Arc::new(rt::WaitGroup::new())
}
