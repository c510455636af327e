//! httpd ADDRESS: an HTTP/1.1 server answering every request with
//! `200 OK` and `hello, world\n`, one goroutine per connection, keep-alive
//! and pipelining as HTTP/1.1 has them.
//!
//!     cargo xtask run httpd 127.0.0.1:8080
//!
//! Requests are parsed by `httparse`, a `no_std` crate, on the runtime's
//! sockets (`runtime::net`, read and written through the `embedded-io`
//! traits). Every read and write waits in the network poller, so idle
//! keep-alive clients cost a parked goroutine each, not a thread.
#![no_std]
#![no_main]

use runtime as rt;
use rt::io::{Read, Write};
use rt::net::{TcpListener, TcpStream};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nhello, world\n";
const BAD: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const TOO_LARGE: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// What one parsed request asks of the connection.
struct Req {
    /// Bytes of head and body.
    len: usize,
    keep_alive: bool,
}

/// Parses the request at the start of `buf`: `Ok(None)` while it is
/// incomplete, `Err(())` when it is malformed or its body does not fit.
fn parse(buf: &[u8]) -> Result<Option<Req>, ()> {
    let mut headers = [httparse::EMPTY_HEADER; 24];
    let mut req = httparse::Request::new(&mut headers);
    let head = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(()),
    };
    // HTTP/1.1 keeps the connection unless told to close; 1.0 the reverse.
    let mut keep_alive = req.version == Some(1);
    let mut body = 0usize;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("connection") {
            if h.value.eq_ignore_ascii_case(b"close") {
                keep_alive = false;
            } else if h.value.eq_ignore_ascii_case(b"keep-alive") {
                keep_alive = true;
            }
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let v = core::str::from_utf8(h.value).map_err(|_| ())?;
            body = v.trim().parse().map_err(|_| ())?;
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked bodies are not supported by this example.
            return Err(());
        }
    }
    let len = head.checked_add(body).ok_or(())?;
    if len > buf.len() {
        return Ok(None);
    }
    Ok(Some(Req { len, keep_alive }))
}

fn serve(mut c: TcpStream) {
    // On the goroutine's stack, within armv7's 4 KiB frame limit.
    let mut buf = [0u8; 2048];
    let mut len = 0;
    let mut out = [0u8; 704];
    loop {
        // Answer every complete request buffered (pipelining), in one write.
        let mut n_out = 0;
        let mut close = false;
        loop {
            let r = match parse(&buf[..len]) {
                Ok(Some(r)) => r,
                Ok(None) if len == buf.len() => {
                    let _ = c.write_all(TOO_LARGE);
                    return;
                }
                Ok(None) => break,
                Err(()) => {
                    let _ = c.write_all(&out[..n_out]);
                    let _ = c.write_all(BAD);
                    return;
                }
            };
            buf.copy_within(r.len..len, 0);
            len -= r.len;
            if n_out + OK.len() > out.len() {
                if c.write_all(&out[..n_out]).is_err() {
                    return;
                }
                n_out = 0;
            }
            out[n_out..n_out + OK.len()].copy_from_slice(OK);
            n_out += OK.len();
            if !r.keep_alive {
                close = true;
                break;
            }
        }
        if n_out > 0 && c.write_all(&out[..n_out]).is_err() {
            return;
        }
        if close {
            return;
        }
        match c.read(&mut buf[len..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => len += n,
        }
    }
}

#[no_mangle]
pub extern "C" fn main_main() {
    let mut err = rt::io::stderr();
    let Some(addr) = rt::args().nth(1).and_then(|a| core::str::from_utf8(a).ok()) else {
        let _ = err.write_all(b"usage: httpd ADDRESS\n");
        rt::exit(2);
    };
    let l = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            let _ = writeln!(err, "httpd: listen {addr}: {e}");
            rt::exit(1);
        }
    };
    let name = l.local_addr().unwrap_or_default();
    let _ = writeln!(rt::io::stdout(), "listening on {name}");
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
                let _ = writeln!(err, "httpd: accept: {e}");
                rt::exit(1);
            }
        }
    }
}
