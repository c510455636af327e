//! Socket addresses: the kernel's form (`SockAddr`), IPv4 and IPv6
//! parsing (Go's `SplitHostPort` and numeric hosts), formatting as Go's
//! `net.Addr.String()` does, and `resolve`, which picks the address a
//! listener or dialer uses.

use super::{Network, AF_INET, AF_INET6, AF_UNIX};
use syscalls::Errno;

/// A socket address as the kernel takes it (a `sockaddr_storage` big
/// enough for `sockaddr_un`).
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct SockAddr {
    pub(super) bytes: [u8; 112],
    pub(super) len: u32,
}

impl SockAddr {
    pub(super) const fn empty() -> SockAddr {
        SockAddr { bytes: [0; 112], len: 112 }
    }

    pub(super) fn family(&self) -> u16 {
        u16::from_ne_bytes([self.bytes[0], self.bytes[1]])
    }

    pub(super) fn inet(ip: &Ip, port: u16) -> SockAddr {
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
pub(super) fn resolve(net: Network, address: &[u8], listen: bool) -> Result<(SockAddr, bool), Errno> {
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
