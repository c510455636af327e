//! Sockets (Go's `net` package, over the poller): TCP, UDP and unix
//! sockets with Go's networks and address syntax, non-blocking and
//! registered with `netpoll`, so a goroutine that waits on one parks
//! instead of blocking its M.
//!
//! Addresses are numeric only — there is no resolver (no DNS, no
//! `/etc/hosts`): `"127.0.0.1:8080"`, `"[::1]:0"`, `":0"`, `"/path/sock"`,
//! `"@abstract"`. Everything here is text in, text out, as Go's
//! `net.Addr.String()` writes it.

use crate::fd::{self, O_CLOEXEC, O_NONBLOCK};
use crate::netpoll::{self, FdRef, Mode};
use syscalls::{Errno, Sysno};

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const SOCK_STREAM: usize = 1;
const SOCK_DGRAM: usize = 2;
const SOL_SOCKET: usize = 1;
const SO_REUSEADDR: usize = 2;
const SO_ERROR: usize = 4;
const IPPROTO_TCP: usize = 6;
const TCP_NODELAY: usize = 1;
const IPPROTO_IPV6: usize = 41;
const IPV6_V6ONLY: usize = 26;
/// The kernel caps it at `net.core.somaxconn` (Go reads that file; the
/// kernel's own cap gives the same backlog without the read).
const BACKLOG: usize = 65535;

/// Go's networks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Network {
    Tcp,
    Tcp4,
    Tcp6,
    Udp,
    Udp4,
    Udp6,
    Unix,
    Unixgram,
}

impl Network {
    /// `EAFNOSUPPORT` for a name Go does not know here (Go: "unknown
    /// network").
    pub fn parse(s: &[u8]) -> Result<Network, Errno> {
        Ok(match s {
            b"tcp" => Network::Tcp,
            b"tcp4" => Network::Tcp4,
            b"tcp6" => Network::Tcp6,
            b"udp" => Network::Udp,
            b"udp4" => Network::Udp4,
            b"udp6" => Network::Udp6,
            b"unix" => Network::Unix,
            b"unixgram" => Network::Unixgram,
            _ => return Err(Errno::EAFNOSUPPORT),
        })
    }

    fn kind(self) -> usize {
        match self {
            Network::Tcp | Network::Tcp4 | Network::Tcp6 | Network::Unix => SOCK_STREAM,
            _ => SOCK_DGRAM,
        }
    }

    fn is_tcp(self) -> bool {
        matches!(self, Network::Tcp | Network::Tcp4 | Network::Tcp6)
    }
}

/// A socket address as the kernel takes it (a `sockaddr_storage` big
/// enough for `sockaddr_un`).
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct SockAddr {
    bytes: [u8; 112],
    len: u32,
}

impl SockAddr {
    const fn empty() -> SockAddr {
        SockAddr { bytes: [0; 112], len: 112 }
    }

    fn family(&self) -> u16 {
        u16::from_ne_bytes([self.bytes[0], self.bytes[1]])
    }

    fn inet(ip: &Ip, port: u16) -> SockAddr {
        let mut a = SockAddr::empty();
        let p = port.to_be_bytes();
        match ip {
            Ip::V4(v) => {
                a.bytes[..2].copy_from_slice(&AF_INET.to_ne_bytes());
                a.bytes[2..4].copy_from_slice(&p);
                a.bytes[4..8].copy_from_slice(v);
                a.len = 16;
            }
            Ip::V6(v) => {
                a.bytes[..2].copy_from_slice(&AF_INET6.to_ne_bytes());
                a.bytes[2..4].copy_from_slice(&p);
                a.bytes[8..24].copy_from_slice(v);
                a.len = 28;
            }
        }
        a
    }

    /// A unix address: a path, or with a leading `@` an abstract name.
    fn unix(path: &[u8]) -> Result<SockAddr, Errno> {
        let mut a = SockAddr::empty();
        a.bytes[..2].copy_from_slice(&AF_UNIX.to_ne_bytes());
        // sun_path holds 108 bytes: a path and its NUL, or a NUL and an
        // abstract name.
        let room = if path.first() == Some(&b'@') { 108 } else { 107 };
        if path.is_empty() || path.len() > room || path.contains(&0) {
            return Err(Errno::EINVAL);
        }
        a.bytes[2..2 + path.len()].copy_from_slice(path);
        if path[0] == b'@' {
            a.bytes[2] = 0;
            a.len = 2 + path.len() as u32;
        } else {
            a.len = 3 + path.len() as u32;
        }
        Ok(a)
    }

    /// The address as Go prints it, into `out`: its length.
    pub fn format(&self, out: &mut Text) {
        match self.family() {
            AF_INET => {
                let ip = Ip::V4([self.bytes[4], self.bytes[5], self.bytes[6], self.bytes[7]]);
                format_ip(&ip, out);
                out.push(b':');
                out.num(u16::from_be_bytes([self.bytes[2], self.bytes[3]]) as u32);
            }
            AF_INET6 => {
                let mut v = [0u8; 16];
                v.copy_from_slice(&self.bytes[8..24]);
                let ip = Ip::V6(v);
                let mapped = ip.to4().is_some();
                if !mapped {
                    out.push(b'[');
                }
                format_ip(&ip, out);
                if !mapped {
                    out.push(b']');
                }
                out.push(b':');
                out.num(u16::from_be_bytes([self.bytes[2], self.bytes[3]]) as u32);
            }
            AF_UNIX => {
                let n = (self.len as usize).clamp(2, self.bytes.len());
                let path = &self.bytes[2..n];
                match path.first() {
                    // Abstract: the name after the NUL, shown with '@'.
                    Some(0) => {
                        out.push(b'@');
                        out.bytes(&path[1..]);
                    }
                    _ => {
                        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                        out.bytes(&path[..end]);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A small text buffer for addresses (the longest is a unix path).
pub struct Text {
    pub buf: [u8; 128],
    pub len: usize,
}

impl Text {
    pub const fn new() -> Text {
        Text { buf: [0; 128], len: 0 }
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    fn bytes(&mut self, s: &[u8]) {
        for &b in s {
            self.push(b);
        }
    }

    fn num(&mut self, mut v: u32) {
        let mut d = [0u8; 10];
        let mut i = d.len();
        loop {
            i -= 1;
            d[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.bytes(&d[i..]);
    }

    fn hex(&mut self, v: u16) {
        let mut started = false;
        for shift in [12, 8, 4, 0] {
            let nib = (v >> shift) & 0xf;
            if nib != 0 || started || shift == 0 {
                started = true;
                self.push(b"0123456789abcdef"[nib as usize]);
            }
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ip {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Ip {
    /// The IPv4 address of a v4 or v4-mapped (`::ffff:a.b.c.d`) address.
    fn to4(&self) -> Option<[u8; 4]> {
        match *self {
            Ip::V4(v) => Some(v),
            Ip::V6(v) if v[..10] == [0; 10] && v[10] == 0xff && v[11] == 0xff => {
                Some([v[12], v[13], v[14], v[15]])
            }
            Ip::V6(_) => None,
        }
    }
}

fn format_ip(ip: &Ip, out: &mut Text) {
    if let Some(v) = ip.to4() {
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                out.push(b'.');
            }
            out.num(*b as u32);
        }
        return;
    }
    let Ip::V6(v) = ip else { return };
    let g: [u16; 8] = core::array::from_fn(|i| u16::from_be_bytes([v[2 * i], v[2 * i + 1]]));
    // RFC 5952: the longest run of two or more zero groups (the first of
    // equals) becomes "::".
    let (mut best, mut best_len, mut i) = (8, 0, 0);
    while i < 8 {
        if g[i] == 0 {
            let start = i;
            while i < 8 && g[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut i = 0;
    while i < 8 {
        if i == best {
            out.bytes(b"::");
            i += best_len;
            continue;
        }
        if i > 0 && i != best + best_len {
            out.push(b':');
        }
        out.hex(g[i]);
        i += 1;
    }
}

fn parse_v4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split(|&b| b == b'.');
    for o in out.iter_mut() {
        let p = parts.next()?;
        // Go refuses leading zeros (ambiguous octal).
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') {
            return None;
        }
        let mut v = 0u32;
        for &c in p {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as u32;
        }
        *o = u8::try_from(v).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Hex groups (with an IPv4 tail allowed last), into `out`: how many
/// 16-bit groups.
fn parse_groups(s: &[u8], out: &mut [u16; 8], v4_tail: bool) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let mut n = 0;
    let parts: &mut dyn Iterator<Item = &[u8]> = &mut s.split(|&b| b == b':');
    let mut parts = parts.peekable();
    while let Some(p) = parts.next() {
        let last = parts.peek().is_none();
        if last && v4_tail && p.contains(&b'.') {
            let v = parse_v4(p)?;
            *out.get_mut(n)? = u16::from_be_bytes([v[0], v[1]]);
            *out.get_mut(n + 1)? = u16::from_be_bytes([v[2], v[3]]);
            return Some(n + 2);
        }
        if p.is_empty() || p.len() > 4 {
            return None;
        }
        let mut v = 0u16;
        for &c in p {
            let d = (c as char).to_digit(16)? as u16;
            v = v << 4 | d;
        }
        *out.get_mut(n)? = v;
        n += 1;
    }
    Some(n)
}

fn parse_v6(s: &[u8]) -> Option<[u8; 16]> {
    let mut g = [0u16; 8];
    let split = s.windows(2).position(|w| w == b"::");
    let n = match split {
        None => {
            if parse_groups(s, &mut g, true)? != 8 {
                return None;
            }
            8
        }
        Some(i) => {
            let (l, r) = (&s[..i], &s[i + 2..]);
            let mut lg = [0u16; 8];
            let mut rg = [0u16; 8];
            let nl = parse_groups(l, &mut lg, false)?;
            let nr = parse_groups(r, &mut rg, true)?;
            if nl + nr > 7 || r.windows(2).any(|w| w == b"::") {
                return None;
            }
            g[..nl].copy_from_slice(&lg[..nl]);
            g[8 - nr..].copy_from_slice(&rg[..nr]);
            8
        }
    };
    let mut out = [0u8; 16];
    for i in 0..n {
        out[2 * i..2 * i + 2].copy_from_slice(&g[i].to_be_bytes());
    }
    Some(out)
}

/// Go's `SplitHostPort` and a numeric host: `(host, port)`, the host
/// `None` when empty (every address when listening, this machine when
/// dialing).
pub fn parse_hostport(s: &[u8]) -> Result<(Option<Ip>, u16), Errno> {
    let (host, port) = if s.first() == Some(&b'[') {
        let end = s.iter().position(|&b| b == b']').ok_or(Errno::EINVAL)?;
        let rest = &s[end + 1..];
        if rest.first() != Some(&b':') {
            return Err(Errno::EINVAL);
        }
        let h = &s[1..end];
        // Zones (fe80::1%eth0) are not supported.
        (Some(Ip::V6(parse_v6(h).ok_or(Errno::EINVAL)?)), &rest[1..])
    } else {
        let colon = s.iter().rposition(|&b| b == b':').ok_or(Errno::EINVAL)?;
        let h = &s[..colon];
        if h.contains(&b':') {
            // An IPv6 literal must be bracketed when a port follows.
            return Err(Errno::EINVAL);
        }
        let ip = if h.is_empty() { None } else { Some(Ip::V4(parse_v4(h).ok_or(Errno::EINVAL)?)) };
        (ip, &s[colon + 1..])
    };
    if port.len() > 5 || !port.iter().all(u8::is_ascii_digit) {
        return Err(Errno::EINVAL);
    }
    let p = port.iter().fold(0u32, |v, &c| v * 10 + (c - b'0') as u32);
    let p = u16::try_from(p).map_err(|_| Errno::EINVAL)?;
    Ok((host, p))
}

/// The kernel address for `address` on `net`: for a listener, an empty
/// host is every address (dual-stack `[::]` for "tcp"/"udp"); for a
/// dialer, the loopback. The bool: a dual-stack socket (IPV6_V6ONLY off).
fn resolve(net: Network, address: &[u8], listen: bool) -> Result<(SockAddr, bool), Errno> {
    if matches!(net, Network::Unix | Network::Unixgram) {
        return Ok((SockAddr::unix(address)?, false));
    }
    // Go's Listen("tcp", ""): every address, a port the kernel picks.
    let address = if listen && address.is_empty() { &b":0"[..] } else { address };
    let (host, port) = parse_hostport(address)?;
    let (v4, v6, any) = match net {
        Network::Tcp4 | Network::Udp4 => (true, false, false),
        Network::Tcp6 | Network::Udp6 => (false, true, false),
        _ => (true, true, true),
    };
    // An explicit wildcard ("0.0.0.0", "::") on "tcp"/"udp" listens on
    // every address, IPv4 and IPv6, as an empty host does (Go's
    // favoriteAddrFamily).
    let wildcard = matches!(host, Some(Ip::V4([0, 0, 0, 0]))) || host == Some(Ip::V6([0; 16]));
    if listen && any && wildcard {
        return Ok((SockAddr::inet(&Ip::V6([0; 16]), port), true));
    }
    let ip = match host {
        Some(ip @ Ip::V4(_)) if v4 => ip,
        Some(ip @ Ip::V6(_)) if v6 => ip,
        Some(_) => return Err(Errno::EINVAL),
        None if listen && any => return Ok((SockAddr::inet(&Ip::V6([0; 16]), port), true)),
        None if listen && v4 => Ip::V4([0; 4]),
        None if listen => Ip::V6([0; 16]),
        None if v4 => Ip::V4([127, 0, 0, 1]),
        None => {
            let mut l = [0u8; 16];
            l[15] = 1;
            Ip::V6(l)
        }
    };
    Ok((SockAddr::inet(&ip, port), false))
}

fn socket(family: u16, kind: usize) -> Result<i32, Errno> {
    // SAFETY: socket takes no pointer.
    let fd = unsafe { fd::raw(Sysno::socket, [family as usize, kind | O_NONBLOCK | O_CLOEXEC, 0, 0, 0, 0]) }?;
    Ok(fd as i32)
}

fn setsockopt(fd: i32, level: usize, opt: usize, v: i32) -> Result<(), Errno> {
    // SAFETY: the kernel reads one int from v, which outlives the call.
    unsafe {
        fd::raw(
            Sysno::setsockopt,
            [fd as usize, level, opt, &v as *const i32 as usize, 4, 0],
        )
    }
    .map(|_| ())
}

/// A new socket for `sa` on `net`, registered with the poller, and `f`
/// run on it; on failure it is closed.
fn with_socket(
    net: Network,
    sa: &SockAddr,
    dual: bool,
    f: impl FnOnce(i32) -> Result<(), Errno>,
) -> Result<i32, Errno> {
    let fd = match socket(sa.family(), net.kind()) {
        // No IPv6 on this machine: "every address" falls back to IPv4.
        Err(Errno::EAFNOSUPPORT) if dual => {
            let port = u16::from_be_bytes([sa.bytes[2], sa.bytes[3]]);
            return with_socket(net, &SockAddr::inet(&Ip::V4([0; 4]), port), false, f);
        }
        r => r?,
    };
    let r = (|| {
        if net.kind() == SOCK_STREAM {
            netpoll::register_stream(fd)?;
        } else {
            netpoll::register(fd, true)?;
        }
        if sa.family() == AF_INET6 {
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, !dual as i32)?;
        }
        f(fd)
    })();
    match r {
        Ok(()) => Ok(fd),
        Err(e) => {
            let _ = fd::close(fd);
            Err(e)
        }
    }
}

fn bind(fd: i32, sa: &SockAddr) -> Result<(), Errno> {
    // SAFETY: the kernel reads sa.len bytes of sa, which outlives the call.
    unsafe { fd::raw(Sysno::bind, [fd as usize, sa as *const SockAddr as usize, sa.len as usize, 0, 0, 0]) }
        .map(|_| ())
}

/// Go's `net.Listen` (stream networks) and `net.ListenPacket` (datagram
/// ones): a listening or bound socket.
pub fn listen(net: Network, address: &[u8]) -> Result<i32, Errno> {
    let _rt = crate::preempt::enter();
    let (sa, dual) = resolve(net, address, true)?;
    with_socket(net, &sa, dual, |fd| {
        // Go's listener default (a restarted server rebinds at once past
        // TIME_WAIT). Not for UDP: there it would let two sockets bind one
        // port.
        if sa.family() != AF_UNIX && net.kind() == SOCK_STREAM {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1)?;
        }
        bind(fd, &sa)?;
        if net.kind() == SOCK_STREAM {
            // SAFETY: listen takes no pointer.
            unsafe { fd::raw(Sysno::listen, [fd as usize, BACKLOG, 0, 0, 0, 0]) }?;
        }
        if net == Network::Unix && address.first().is_some_and(|&b| b != b'@') {
            unlink_on_close(fd, address);
        }
        Ok(())
    })
}

/// The paths of the unix listeners this program made, by descriptor: Go's
/// `UnixListener.Close` removes the socket file its `Listen` created, so
/// that the next `Listen` on the path succeeds. (Abstract names, `@…`,
/// have no file.)
static UNIX_PATHS: spin::Mutex<alloc::vec::Vec<(i32, alloc::vec::Vec<u8>)>> =
    spin::Mutex::new(alloc::vec::Vec::new());

fn unlink_on_close(fd: i32, path: &[u8]) {
    let mut p = alloc::vec::Vec::with_capacity(path.len() + 1);
    p.extend_from_slice(path);
    p.push(0);
    let mut v = UNIX_PATHS.lock();
    // A stale entry for this number (its listener closed behind the
    // runtime's back, with close(2)) would make our close remove the old
    // path instead of ours.
    v.retain(|e| e.0 != fd);
    v.push((fd, p));
    drop(v);
    fd::watch_unix_listeners(unlink_listener);
}

/// `fd::close`'s hook, before `fd` is closed: removes the file of the unix
/// listener `fd` was, if it was one.
fn unlink_listener(fd: i32) {
    let path = {
        let mut v = UNIX_PATHS.lock();
        match v.iter().position(|e| e.0 == fd) {
            Some(i) => v.swap_remove(i).1,
            None => return,
        }
    };
    const AT_FDCWD: isize = -100;
    // SAFETY: the kernel reads the NUL-terminated path, which outlives the
    // call. A failure (someone removed or replaced the file) is ignored,
    // as Go ignores it.
    let _ = unsafe { fd::raw(Sysno::unlinkat, [AT_FDCWD as usize, path.as_ptr() as usize, 0, 0, 0, 0]) };
}

/// Go's `net.Dial`: a connected socket, waiting in the poller while a
/// stream connection is set up.
pub fn dial(net: Network, address: &[u8]) -> Result<i32, Errno> {
    let _rt = crate::preempt::enter();
    let (sa, _) = resolve(net, address, false)?;
    with_socket(net, &sa, false, |fd| {
        // Once only: a connect interrupted or in progress goes on in the
        // kernel, and its outcome is SO_ERROR once the socket is writable.
        // SAFETY: the kernel reads sa.len bytes of sa, which outlives the
        // call.
        let r = unsafe {
            crate::os::raw_syscall6(
                Sysno::connect as usize,
                [fd as usize, &sa as *const SockAddr as usize, sa.len as usize, 0, 0, 0],
            )
        };
        if r < 0 {
            let e = Errno::new(-r as i32);
            if e != Errno::EINPROGRESS && e != Errno::EINTR && e != Errno::EALREADY {
                return Err(e);
            }
            let r = FdRef::get(fd)?.ok_or(Errno::EBADF)?;
            loop {
                r.pd().check(Mode::Write)?;
                let err = sockerror(fd)?;
                match err {
                    0 => break,
                    e if e == Errno::EINPROGRESS.into_raw() || e == Errno::EALREADY.into_raw() => {
                        r.pd().wait(Mode::Write);
                    }
                    e => return Err(Errno::new(e)),
                }
            }
        }
        if net.is_tcp() {
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1)?;
        }
        Ok(())
    })
}

/// The pending error of a socket (`SO_ERROR`); while a non-blocking
/// connect is under way the kernel reports 0 and writability tells the
/// end, so an unwritable socket with no error counts as in progress.
fn sockerror(fd: i32) -> Result<i32, Errno> {
    let mut v = 0i32;
    let mut len = 4u32;
    // SAFETY: the kernel writes one int into v and its size into len, both
    // outliving the call.
    unsafe {
        fd::raw(
            Sysno::getsockopt,
            [fd as usize, SOL_SOCKET, SO_ERROR, &mut v as *mut i32 as usize, &mut len as *mut u32 as usize, 0],
        )
    }?;
    if v != 0 {
        return Ok(v);
    }
    // Connected yet? A connected socket has a peer.
    let mut sa = SockAddr::empty();
    match name(fd, Sysno::getpeername, &mut sa) {
        Ok(()) => Ok(0),
        Err(Errno::ENOTCONN) => Ok(Errno::EINPROGRESS.into_raw()),
        Err(e) => Err(e),
    }
}

/// Go's `Listener.Accept`: the next connection, registered with the
/// poller (TCP_NODELAY on TCP).
pub fn accept(lfd: i32) -> Result<i32, Errno> {
    let _rt = crate::preempt::enter();
    let fd = loop {
        // SAFETY: null address pointers: the kernel writes no address.
        match unsafe { fd::io(lfd, Mode::Read, Sysno::accept4, [lfd as usize, 0, 0, O_NONBLOCK | O_CLOEXEC, 0, 0]) } {
            // The connection was reset while queued: take the next (Go).
            Err(Errno::ECONNABORTED) => continue,
            r => break r? as i32,
        }
    };
    // A connection of a stream listener is a stream (`rt_accept` on a
    // descriptor the program made itself may be something else).
    let reg = if netpoll::is_stream(lfd) { netpoll::register_stream(fd) } else { netpoll::register(fd, true) };
    if let Err(e) = reg {
        let _ = fd::close_raw(fd);
        return Err(e);
    }
    // Not TCP (a unix socket) refuses it: nothing to set there.
    let _ = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    Ok(fd)
}

fn name(fd: i32, nr: Sysno, sa: &mut SockAddr) -> Result<(), Errno> {
    sa.len = sa.bytes.len() as u32;
    // SAFETY: the kernel writes at most sa.len bytes into sa.bytes (its
    // first field) and the length into sa.len; both outlive the call.
    unsafe {
        fd::raw(nr, [fd as usize, sa.bytes.as_mut_ptr() as usize, &mut sa.len as *mut u32 as usize, 0, 0, 0])
    }
    .map(|_| ())
}

/// The local address of a socket as text.
pub fn sockname(fd: i32, out: &mut Text) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    let _r = FdRef::get(fd)?;
    let mut sa = SockAddr::empty();
    name(fd, Sysno::getsockname, &mut sa)?;
    sa.format(out);
    Ok(())
}

/// The remote address of a connected socket as text.
pub fn peername(fd: i32, out: &mut Text) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    let _r = FdRef::get(fd)?;
    let mut sa = SockAddr::empty();
    name(fd, Sysno::getpeername, &mut sa)?;
    sa.format(out);
    Ok(())
}

/// `shutdown(2)`.
pub fn shutdown(fd: i32, how: i32) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    let _r = FdRef::get(fd)?;
    // SAFETY: shutdown takes no pointer.
    unsafe { fd::raw(Sysno::shutdown, [fd as usize, how as usize, 0, 0, 0, 0]) }.map(|_| ())
}

/// One datagram to `to` (or the connected peer when `None`). The address
/// is parsed for the socket's family.
pub fn sendto(fd: i32, buf: &[u8], to: Option<&[u8]>) -> Result<usize, Errno> {
    let _rt = crate::preempt::enter();
    let sa = match to {
        None => None,
        Some(a) => {
            let mut local = SockAddr::empty();
            name(fd, Sysno::getsockname, &mut local)?;
            let net = match local.family() {
                AF_UNIX => Network::Unixgram,
                AF_INET => Network::Udp4,
                _ => Network::Udp,
            };
            let (mut sa, _) = resolve(net, a, false)?;
            // A v4 destination from a dual-stack socket: v4-mapped.
            if local.family() == AF_INET6 && sa.family() == AF_INET {
                let mut m = [0u8; 16];
                m[10] = 0xff;
                m[11] = 0xff;
                m[12..].copy_from_slice(&sa.bytes[4..8]);
                let port = u16::from_be_bytes([sa.bytes[2], sa.bytes[3]]);
                sa = SockAddr::inet(&Ip::V6(m), port);
            }
            Some(sa)
        }
    };
    let (p, l) = match &sa {
        Some(sa) => (sa as *const SockAddr as usize, sa.len as usize),
        None => (0, 0),
    };
    // SAFETY: the kernel reads buf.len() bytes of buf and l bytes of the
    // address; both outlive the call.
    unsafe { fd::io(fd, Mode::Write, Sysno::sendto, [fd as usize, buf.as_ptr() as usize, buf.len(), 0, p, l]) }
}

/// One datagram received, with its sender's address as text.
pub fn recvfrom(fd: i32, buf: &mut [u8], from: &mut Text) -> Result<usize, Errno> {
    let _rt = crate::preempt::enter();
    let mut sa = SockAddr::empty();
    let sp = sa.bytes.as_mut_ptr() as usize;
    let lp = &mut sa.len as *mut u32 as usize;
    // SAFETY: the kernel writes at most buf.len() bytes into buf, at most
    // sa.len bytes of address into sa and its length into sa.len (only on
    // success, so a retry after EAGAIN sees the full length again).
    let n = unsafe { fd::io(fd, Mode::Read, Sysno::recvfrom, [fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0, sp, lp]) }?;
    sa.format(from);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> std::string::String {
        let (ip, port) = parse_hostport(s.as_bytes()).unwrap();
        let mut t = Text::new();
        SockAddr::inet(&ip.unwrap(), port).format(&mut t);
        std::string::String::from_utf8(t.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn addresses_round_trip_as_go_prints_them() {
        assert_eq!(show("127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(show("[::1]:0"), "[::1]:0");
        assert_eq!(show("[2001:db8:0:0:1:0:0:1]:80"), "[2001:db8::1:0:0:1]:80");
        assert_eq!(show("[fe80::]:1"), "[fe80::]:1");
        assert_eq!(show("[::ffff:10.0.0.1]:5"), "10.0.0.1:5");
        assert_eq!(show("[1:2:3:4:5:6:7:8]:9"), "[1:2:3:4:5:6:7:8]:9");
        assert_eq!(show("[1:0:3:4:5:6:7:8]:9"), "[1:0:3:4:5:6:7:8]:9");
        assert_eq!(show("[::]:65535"), "[::]:65535");
    }

    #[test]
    fn careless_addresses_are_refused() {
        for bad in [
            "", "1.2.3", "127.0.0.1", "[::1", ":99999", "[::1]:-1", "1.2.3.4.5:1", "01.2.3.4:1",
            "256.1.1.1:1", "::1:80", "[1:2:3:4:5:6:7:8:9]:1", "[1::2::3]:1", "[::1]x", "a.b.c.d:1",
            "[fe80::1%eth0]:1",
        ] {
            assert!(parse_hostport(bad.as_bytes()).is_err(), "{bad}");
        }
        assert_eq!(parse_hostport(b":0").unwrap(), (None, 0));
        assert_eq!(parse_hostport(b"1.2.3.4:").unwrap(), (Some(Ip::V4([1, 2, 3, 4])), 0));
    }
}
