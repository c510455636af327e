//! Sockets (Go's `net` package, over the poller): TCP, UDP and unix
//! sockets with Go's networks and address syntax, non-blocking and
//! registered with `netpoll`, so a goroutine that waits on one parks
//! instead of blocking its M.
//!
//! Addresses are numeric only — there is no resolver (no DNS, no
//! `/etc/hosts`): `"127.0.0.1:8080"`, `"[::1]:0"`, `":0"`, `"/path/sock"`,
//! `"@abstract"`. Everything here is text in, text out, as Go's
//! `net.Addr.String()` writes it.
//!
//! This file holds the networks and the socket calls (listen, dial,
//! accept, names, datagrams); `addr.rs` the addresses: their kernel form,
//! parsing and Go's formatting.

mod addr;

pub use addr::{parse_hostport, Ip, SockAddr, Text};

use crate::fd::{self, O_CLOEXEC, O_NONBLOCK};
use crate::netpoll::{self, FdRef, Mode};
use addr::resolve;
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
    name_text(fd, Sysno::getsockname, out)
}

/// The remote address of a connected socket as text.
pub fn peername(fd: i32, out: &mut Text) -> Result<(), Errno> {
    name_text(fd, Sysno::getpeername, out)
}

/// `name` (`nr`: getsockname or getpeername) of a descriptor in the
/// table, as text.
fn name_text(fd: i32, nr: Sysno, out: &mut Text) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    let _r = FdRef::get(fd)?;
    let mut sa = SockAddr::empty();
    name(fd, nr, &mut sa)?;
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
