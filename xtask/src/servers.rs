//! The network examples tried as their users try them: each server
//! (`echo-c`, `httpd`, natively or under the target's qemu) is started on
//! a port-0 loopback address, its `listening on <address>` line read, and
//! real clients run against it from this (host) process: 10,000
//! concurrent echo connections, 100 idle HTTP clients while `curl` and
//! `wrk` keep getting answers, and `cat` copying 100 MB exactly.

use crate::build;
use crate::target::Target;
use crate::tests::Tally;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type R = std::result::Result<(), String>;

/// A server example, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(t: &Target, exe: &Path) -> Command {
    match &t.qemu {
        Some(q) => {
            let mut c = Command::new(q);
            c.arg(exe);
            c
        }
        None => Command::new(exe),
    }
}

fn start(t: &Target, exe: &Path, env: &[(&str, &str)]) -> std::result::Result<Server, String> {
    let mut cmd = command(t, exe);
    cmd.arg("127.0.0.1:0").stdout(Stdio::piped()).stderr(Stdio::inherit()).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(out)
        .read_line(&mut line)
        .map_err(|e| format!("reading its first line: {e}"))?;
    let Some(addr) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        return Err(format!("first line {line:?}, want \"listening on <address>\""));
    };
    Ok(Server { addr: addr.to_string(), child })
}

/// Raises this process's descriptor limit (children inherit it) to at
/// least `n`; an error says why it cannot.
fn raise_nofile(n: u64) -> R {
    // SAFETY: getrlimit/setrlimit write/read one rlimit struct we own.
    unsafe {
        let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
            return Err("getrlimit(RLIMIT_NOFILE) failed".into());
        }
        if r.rlim_cur >= n {
            return Ok(());
        }
        let want = libc::rlimit { rlim_cur: n.max(r.rlim_cur), rlim_max: r.rlim_max.max(n) };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &want) != 0 {
            return Err(format!(
                "cannot raise RLIMIT_NOFILE to {n} (soft {}, hard {}): run as root or raise the hard limit (ulimit -Hn)",
                r.rlim_cur, r.rlim_max
            ));
        }
    }
    Ok(())
}

/// `n` connections open at once, each sending its own 64 bytes and
/// getting exactly those back.
fn echo_many(addr: &str, n: usize) -> R {
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        let c = TcpStream::connect(addr).map_err(|e| format!("connection {i}: {e}"))?;
        c.set_read_timeout(Some(Duration::from_secs(60))).ok();
        conns.push(c);
    }
    let msg = |i: usize| {
        let mut m = [0u8; 64];
        for (k, b) in m.iter_mut().enumerate() {
            *b = (i.wrapping_mul(31) + k * 7) as u8;
        }
        m
    };
    for (i, c) in conns.iter_mut().enumerate() {
        c.write_all(&msg(i)).map_err(|e| format!("write on connection {i}: {e}"))?;
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let mut got = [0u8; 64];
        c.read_exact(&mut got).map_err(|e| format!("read on connection {i}: {e}"))?;
        if got != msg(i) {
            return Err(format!("connection {i} got other bytes back"));
        }
    }
    Ok(())
}

fn echo_cases(t: &Target, dir: &Path, filter: Option<&str>, tally: &mut Tally) {
    echo_server_cases(t, &dir.join("echo-c"), "echo example", &[("1", 10_000), ("4", 10_000)], filter, tally);
    // The Rust twin (examples/echo.rs): the same service through
    // runtime::net.
    echo_server_cases(t, &dir.join("echo"), "echo example (Rust)", &[("4", 1_000)], filter, tally);
}

/// `exe` serving `loads` (GOMAXPROCS, concurrent connections), then a
/// 10 MB stream beside an idle connection.
fn echo_server_cases(
    t: &Target,
    exe: &Path,
    what: &str,
    loads: &[(&str, usize)],
    filter: Option<&str>,
    tally: &mut Tally,
) {
    let a = t.arch();
    let exe = exe.to_path_buf();
    for &(procs, n) in loads {
        let name = format!("{a}/{what}: {n} concurrent connections each get their 64 bytes back (GOMAXPROCS={procs})");
        if filter.is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let r = raise_nofile(n as u64 + 100)
            .and_then(|()| start(t, &exe, &[("GOMAXPROCS", procs)]))
            .and_then(|s| echo_many(&s.addr, n));
        tally.record(&name, r);
    }
    let name = format!("{a}/{what}: a 10 MB stream comes back byte-exact while another connection idles");
    if filter.is_none_or(|f| name.contains(f)) {
        let r = start(t, &exe, &[]).and_then(|s| {
            let _idle = TcpStream::connect(&s.addr).map_err(|e| e.to_string())?;
            let mut c = TcpStream::connect(&s.addr).map_err(|e| e.to_string())?;
            c.set_read_timeout(Some(Duration::from_secs(60))).ok();
            let data: Vec<u8> = (0..10_000_000u32).map(|i| (i ^ (i >> 11)) as u8).collect();
            let mut w = c.try_clone().map_err(|e| e.to_string())?;
            let d2 = data.clone();
            let writer = std::thread::spawn(move || {
                let r = w.write_all(&d2);
                let _ = w.shutdown(std::net::Shutdown::Write);
                r
            });
            let mut got = Vec::with_capacity(data.len());
            c.read_to_end(&mut got).map_err(|e| format!("read: {e}"))?;
            writer.join().map_err(|_| "writer panicked")?.map_err(|e| format!("write: {e}"))?;
            if got != data {
                return Err(format!("got {} bytes back, not the {} sent (or not the same)", got.len(), data.len()));
            }
            Ok(())
        });
        tally.record(&name, r);
    }
}

/// One HTTP/1.1 request on `c`; the response's status line and body.
fn http_get(c: &mut TcpStream) -> std::result::Result<(String, Vec<u8>), String> {
    c.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n").map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut b = [0u8; 512];
    loop {
        let n = c.read(&mut b).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the response ended".into());
        }
        buf.extend_from_slice(&b[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                .ok_or("no Content-Length")?;
            while buf.len() < end + 4 + len {
                let n = c.read(&mut b).map_err(|e| e.to_string())?;
                if n == 0 {
                    return Err("connection closed inside the body".into());
                }
                buf.extend_from_slice(&b[..n]);
            }
            let status = head.lines().next().unwrap_or("").to_string();
            return Ok((status, buf[end + 4..end + 4 + len].to_vec()));
        }
    }
}

fn httpd_cases(t: &Target, dir: &Path, filter: Option<&str>, tally: &mut Tally) {
    let a = t.arch();
    let exe = dir.join("httpd");
    let name = format!("{a}/httpd example: curl and keep-alive requests answered while 100 idle clients are connected");
    if filter.is_none_or(|f| name.contains(f)) {
        let r = crate::tools::ensure_commands(&[("curl", "curl")])
            .and_then(|()| start(t, &exe, &[]))
            .and_then(|s| {
                let mut idle = Vec::new();
                for i in 0..100 {
                    let mut c = TcpStream::connect(&s.addr).map_err(|e| format!("idle client {i}: {e}"))?;
                    // Half of them stop inside a request's head.
                    if i % 2 == 1 {
                        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").map_err(|e| e.to_string())?;
                    }
                    idle.push(c);
                }
                let url = format!("http://{}/", s.addr);
                for i in 0..20 {
                    let out = Command::new("curl")
                        .args(["-s", "-m", "20", "-w", " %{http_code}", &url])
                        .output()
                        .map_err(|e| format!("curl: {e}"))?;
                    let got = String::from_utf8_lossy(&out.stdout);
                    if got != "hello, world\n 200" {
                        return Err(format!("curl {i}: got {got:?}, want \"hello, world\\n 200\""));
                    }
                }
                let mut c = TcpStream::connect(&s.addr).map_err(|e| e.to_string())?;
                c.set_read_timeout(Some(Duration::from_secs(30))).ok();
                for i in 0..100 {
                    let (status, body) = http_get(&mut c)?;
                    if status != "HTTP/1.1 200 OK" || body != b"hello, world\n" {
                        return Err(format!("keep-alive request {i}: {status:?} {:?}", String::from_utf8_lossy(&body)));
                    }
                }
                // The idle ones are still served.
                let (status, _) = http_get(&mut idle[0])?;
                if status != "HTTP/1.1 200 OK" {
                    return Err(format!("idle client after the others: {status:?}"));
                }
                Ok(())
            });
        tally.record(&name, r);
    }
    let name = format!("{a}/httpd example: wrk -t2 -c50 for 2 s gets only 200s and no socket errors");
    if filter.is_none_or(|f| name.contains(f)) {
        let r = crate::tools::ensure_commands(&[("wrk", "wrk")])
            .and_then(|()| start(t, &exe, &[]))
            .and_then(|s| {
                let out = Command::new("wrk")
                    .args(["-t2", "-c50", "-d2s", &format!("http://{}/", s.addr)])
                    .output()
                    .map_err(|e| format!("wrk: {e}"))?;
                let text = String::from_utf8_lossy(&out.stdout).to_string();
                let requests: u64 = text
                    .lines()
                    .find_map(|l| l.trim().split_once(" requests in").map(|(n, _)| n.trim().parse().unwrap_or(0)))
                    .unwrap_or(0);
                if !out.status.success() || requests < 100 || text.contains("Socket errors") || text.contains("Non-2xx") {
                    return Err(format!("wrk reported:\n{text}"));
                }
                Ok(())
            });
        tally.record(&name, r);
    }
}

fn cat_cases(t: &Target, dir: &Path, filter: Option<&str>, tally: &mut Tally) {
    let a = t.arch();
    let name = format!("{a}/cat example: a 100 MB file, and the same through a pipe on stdin, byte-exact");
    if filter.is_some_and(|f| !name.contains(f)) {
        return;
    }
    let r = (|| {
        let path = std::env::temp_dir().join(format!("rt-cat-{}-{}", a, std::process::id()));
        let mut data = vec![0u8; 100 << 20];
        let mut x = 0x9E37_79B9u32;
        for b in data.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        std::fs::write(&path, &data).map_err(|e| e.to_string())?;
        let exe = dir.join("cat-c");
        let run = |stdin_file: bool| -> R {
            let mut cmd = command(t, &exe);
            cmd.stdout(Stdio::piped());
            if stdin_file {
                cmd.stdin(Stdio::piped());
            } else {
                cmd.arg(&path).stdin(Stdio::null());
            }
            let mut child = cmd.spawn().map_err(|e| e.to_string())?;
            let feeder = child.stdin.take().map(|mut w| {
                let d = data.clone();
                std::thread::spawn(move || w.write_all(&d))
            });
            let mut got = Vec::with_capacity(data.len());
            child.stdout.take().ok_or("no stdout")?.read_to_end(&mut got).map_err(|e| e.to_string())?;
            let st = child.wait().map_err(|e| e.to_string())?;
            if let Some(f) = feeder {
                f.join().map_err(|_| "feeder panicked")?.map_err(|e| e.to_string())?;
            }
            if !st.success() || got != data {
                return Err(format!("status {st}, {} bytes out of {} (stdin: {stdin_file})", got.len(), data.len()));
            }
            Ok(())
        };
        let started = Instant::now();
        let r = run(false).and_then(|()| run(true));
        let _ = std::fs::remove_file(&path);
        r.map_err(|e| format!("{e} after {:?}", started.elapsed()))
    })();
    tally.record(&name, r);
}

/// The network and file examples, on `t`.
pub fn run(root: &Path, t: &Target, filter: Option<&str>, tally: &mut Tally) {
    let dir: PathBuf = build::out_dir(root, t).join("examples");
    echo_cases(t, &dir, filter, tally);
    httpd_cases(t, &dir, filter, tally);
    cat_cases(t, &dir, filter, tally);
}
