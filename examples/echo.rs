//! echo ADDRESS: a TCP echo server, one goroutine per connection (the
//! Rust twin of `echo.c`).
//!
//!     cargo xtask run echo 127.0.0.1:9000
//!
//! Listens on ADDRESS (":0" picks a free port), prints "listening on
//! <address>" with the real port, and sends back every byte each client
//! sends until it closes. No goroutine blocks a thread: reads, writes and
//! accepts wait in the runtime's network poller.
#![no_std]
#![no_main]

use runtime as rt;
use rt::io::{Read, Write};
use rt::net::{TcpListener, TcpStream};

fn serve(mut c: TcpStream) {
    // On the goroutine's stack, 3 KiB: the goroutine waiting in a read
    // (its G at the top of its stack page, the poller's frames below the
    // buffer) stays within one 4 KiB page, so an idle connection costs one
    // page.
    let mut buf = [0u8; 3072];
    loop {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if c.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    let Some(addr) = rt::args().nth(1).and_then(|a| core::str::from_utf8(a).ok()) else {
        rt::eprintln!("usage: echo ADDRESS");
        rt::exit(2);
    };
    let l = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            rt::eprintln!("echo: cannot listen on {addr}: {e}");
            rt::exit(1);
        }
    };
    rt::println!("listening on {}", l.local_addr().unwrap_or_default());
    let mut backoff_ms = 5;
    loop {
        match l.accept() {
            Ok(c) => {
                backoff_ms = 5;
                rt::go(move || serve(c));
            }
            // Out of descriptors or memory: the connection waits in the
            // backlog; back off as Go's http.Server does (5 ms to 1 s).
            Err(e) if matches!(e.errno(), 12 | 23 | 24 | 105) => {
                rt::sleep(core::time::Duration::from_millis(backoff_ms));
                backoff_ms = (backoff_ms * 2).min(1000);
            }
            Err(e) => {
                rt::eprintln!("echo: accept: {e}");
                rt::exit(1);
            }
        }
    }
}
