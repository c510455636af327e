//! The Rust I/O API: runtime::io, fs and net (files, pipes, TCP, UDP,
//! unix sockets, deadlines, errors), through the embedded-io traits.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use runtime as rt;
use rt::fs::File;
use rt::io::{ErrorKind, Read, Write};
use rt::net::{Shutdown, TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};

fn out(label: &str, v: &str) {
    rt::Line::to_fd(1).s(label).s("=").s(v).end();
}

fn outi(label: &str, v: i64) {
    rt::Line::to_fd(1).s(label).s("=").i(v).end();
}

fn read_full(r: &mut impl Read<Error = rt::io::Error>, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

#[no_mangle]
pub extern "C" fn main_main() {
    let dir = rt::args().nth(1).and_then(|a| core::str::from_utf8(a).ok()).unwrap_or("/tmp");
    let pid = rt::nanotime();
    // Files: create, write_all, read_at, reopen and read to the end.
    let path = format!("{dir}/rt-rust-io-{pid}");
    let mut f = File::create(&path).expect("create");
    f.write_all(b"hello, file\n").expect("write_all");
    let mut b = [0u8; 4];
    outi("read-at", f.read_at(&mut b, 7).unwrap_or(0) as i64);
    out("read-at-bytes", core::str::from_utf8(&b).unwrap_or("?"));
    drop(f);
    let mut f = File::open(&path).expect("open");
    let mut all = [0u8; 64];
    let n = read_full(&mut f, &mut all);
    out("file", core::str::from_utf8(&all[..n]).unwrap_or("?").trim_end());
    let e = File::open("/nonexistent/x").err().expect("open missing");
    out("missing", &format!("{e} ({:?})", embedded_io::Error::kind(&e)));
    let _ = rt::fs::File::open_with(&path, rt::fs::O_RDONLY, 0).map(|f| f.close());
    // A deadline on a regular file is refused, as in Go.
    outi("file-deadline", f.set_read_deadline(Some(rt::nanotime() + 1)).err().map(|e| e.errno() as i64).unwrap_or(0));

    // Pipes: a reader goroutine, and a read deadline that fires.
    let (mut r, mut w) = rt::fs::pipe().expect("pipe");
    let deadline = rt::nanotime() + 20_000_000;
    r.set_read_deadline(Some(deadline)).expect("deadline");
    let e = r.read(&mut b).err().expect("timeout");
    outi("pipe-timeout", e.is_timeout() as i64);
    // Never before the deadline itself.
    outi("pipe-timeout-waited", (rt::nanotime() >= deadline) as i64);
    out("pipe-timeout-text", &format!("{e}"));
    outi("pipe-timeout-kind", (embedded_io::Error::kind(&e) == ErrorKind::TimedOut) as i64);
    r.set_read_deadline(None).expect("clear");
    w.write_all(b"xy").expect("pipe write");
    outi("pipe-read", read_full(&mut r, &mut b[..2]) as i64);

    // TCP: a listener on a free port, an echo goroutine, fmt::Write on a
    // stream, peer and local addresses that match.
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("local_addr");
    outi("tcp-port-chosen", (!addr.ends_with(":0")) as i64);
    let done: rt::Chan<String> = rt::Chan::new(1);
    let d2 = done.clone();
    rt::go(move || {
        let mut c = l.accept().expect("accept");
        let peer = c.peer_addr().unwrap_or_default();
        let mut buf = [0u8; 256];
        loop {
            match c.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if c.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        // Closed before the main goroutine dials again, which must then
        // be refused.
        drop(c);
        let _ = l.close();
        d2.send(peer);
    });
    let mut c = TcpStream::connect(&addr).expect("connect");
    core::fmt::Write::write_fmt(&mut c, format_args!("n={} s={}\n", 42, "ok")).expect("fmt");
    let mut got = [0u8; 10];
    let n = read_full(&mut c, &mut got);
    out("tcp-echo", core::str::from_utf8(&got[..n]).unwrap_or("?").trim_end());
    let mine = c.local_addr().unwrap_or_default();
    c.shutdown(Shutdown::Write).expect("shutdown");
    let peer = done.recv().unwrap_or_default();
    outi("tcp-peer-matches", (peer == mine) as i64);
    drop(c);
    let e = TcpStream::connect(&addr).err().map(|e| format!("{e}")).unwrap_or_default();
    out("tcp-refused", &e);
    let e = TcpListener::bind("1.2.3").err().map(|e| format!("{e}")).unwrap_or_default();
    out("bad-address", &e);

    // UDP: bind, connect, send/recv, send_to/recv_from with addresses.
    let srv = UdpSocket::bind("127.0.0.1:0").expect("udp bind");
    let saddr = srv.local_addr().expect("udp addr");
    let cl = UdpSocket::connect(&saddr).expect("udp connect");
    cl.send(b"ping").expect("udp send");
    let mut ub = [0u8; 16];
    let (n, from) = srv.recv_from(&mut ub).expect("recv_from");
    out("udp-got", core::str::from_utf8(&ub[..n]).unwrap_or("?"));
    outi("udp-from-matches", (from == cl.local_addr().unwrap_or_default()) as i64);
    srv.send_to(b"pong", &from).expect("send_to");
    let n = cl.recv(&mut ub).expect("recv");
    out("udp-back", core::str::from_utf8(&ub[..n]).unwrap_or("?"));

    // Unix: an abstract name (nothing left on disk), a round trip.
    let name = format!("@rt-rust-io-{pid}");
    let ul = UnixListener::bind(&name).expect("unix bind");
    out("unix-addr-matches", if ul.local_addr().unwrap_or_default() == name { "1" } else { "0" });
    rt::go(move || {
        if let Ok(mut s) = ul.accept() {
            let _ = s.write_all(b"from unix");
        }
    });
    let mut us = UnixStream::connect(&name).expect("unix connect");
    let n = read_full(&mut us, &mut got[..9]);
    out("unix", core::str::from_utf8(&got[..n]).unwrap_or("?"));

    // Closing wakes a reader blocked on another goroutine's descriptor.
    let (r2, _w2) = rt::fs::pipe().expect("pipe");
    let raw = r2.raw();
    let woke: rt::Chan<i64> = rt::Chan::new(1);
    let wk = woke.clone();
    rt::go(move || {
        let mut r2 = r2;
        let mut c = [0u8; 1];
        let e = r2.read(&mut c).err().map(|e| e.is_closed() as i64).unwrap_or(-1);
        wk.send(e);
        core::mem::forget(r2); // closed already, by the main goroutine
    });
    rt::sleep(core::time::Duration::from_millis(20));
    outi("close-from-other", rt::io::Fd::from_raw(raw).close().is_ok() as i64);
    outi("close-woke-closed", woke.recv().unwrap_or(-2));
    let _ = rt::io::stdout().write_all(b"end\n");
    let p = format!("{path}\0");
    // SAFETY: p is NUL-terminated; unlinkat reads it only.
    unsafe {
        let _ = rt::capi::rt_syscall(unlinkat_nr(), -100, p.as_ptr() as i64 as _, 0, 0, 0, 0);
    }
}

fn unlinkat_nr() -> core::ffi::c_long {
    if cfg!(target_arch = "x86_64") {
        263
    } else if cfg!(target_arch = "arm") {
        328
    } else {
        35
    }
}
