//! Sockets (Go's `net`): TCP, UDP and unix, with Go's address syntax
//! (numeric only: `"127.0.0.1:8080"`, `"[::1]:0"`, `":0"`, `"/tmp/s"`,
//! `"@abstract"`; no DNS). Each value closes its socket when dropped, and
//! derefs to `io::Fd` for reads, writes (`embedded_io`) and deadlines.
//!
//! ```ignore
//! let l = runtime::net::TcpListener::bind("127.0.0.1:0")?;
//! writeln!(runtime::io::stdout(), "listening on {}", l.local_addr()?)?;
//! loop {
//!     let mut c = l.accept()?;
//!     runtime::go(move || { let mut b = [0; 512]; while let Ok(n @ 1..) = c.read(&mut b) { let _ = c.write_all(&b[..n]); } });
//! }
//! ```

use crate::io::{res, Fd, Result};
use crate::socket::{self, Network, Text};
use alloc::string::String;
use core::ops::{Deref, DerefMut};

fn text(t: &Text) -> String {
    String::from_utf8_lossy(t.as_bytes()).into_owned()
}

fn local(fd: &Fd) -> Result<String> {
    let mut t = Text::new();
    res(socket::sockname(fd.raw(), &mut t))?;
    Ok(text(&t))
}

fn peer(fd: &Fd) -> Result<String> {
    let mut t = Text::new();
    res(socket::peername(fd.raw(), &mut t))?;
    Ok(text(&t))
}

fn listen(net: Network, addr: &str) -> Result<Fd> {
    res(socket::listen(net, addr.as_bytes())).map(Fd::from_raw)
}

fn dial(net: Network, addr: &str) -> Result<Fd> {
    res(socket::dial(net, addr.as_bytes())).map(Fd::from_raw)
}

/// Which halves `shutdown` closes.
///
/// ```no_run
/// use runtime::io::Write;
/// let mut c = runtime::net::TcpStream::connect("127.0.0.1:8080")?;
/// c.write_all(b"request")?;
/// c.shutdown(runtime::net::Shutdown::Write)?; // the server reads end of file
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// No more reads: later reads return end of file.
    Read = 0,
    /// No more writes: the peer reads end of file.
    Write = 1,
    /// Both halves.
    Both = 2,
}

macro_rules! socket_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug)]
        pub struct $name(Fd);

        impl Deref for $name {
            type Target = Fd;
            fn deref(&self) -> &Fd {
                &self.0
            }
        }

        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut Fd {
                &mut self.0
            }
        }

        crate::io::fd_traits!($name);

        impl $name {
            /// The local address, as Go prints it.
            pub fn local_addr(&self) -> Result<String> {
                local(&self.0)
            }

            /// Closes now, reporting the error `Drop` would swallow.
            pub fn close(self) -> Result<()> {
                self.0.close()
            }
        }
    };
}

socket_type!(
    /// Go's `net.TCPListener`.
    ///
    /// ```no_run
    /// let l = runtime::net::TcpListener::bind(":0")?;
    /// runtime::println!("listening on {}", l.local_addr()?);
    /// while let Ok(c) = l.accept() {
    ///     runtime::go(move || drop(c));
    /// }
    /// ```
    TcpListener
);
socket_type!(
    /// Go's `net.TCPConn`: reads and writes through `Fd`.
    ///
    /// ```no_run
    /// use runtime::io::{Read, Write};
    /// let mut c = runtime::net::TcpStream::connect("127.0.0.1:7")?;
    /// c.set_read_deadline(Some(runtime::nanotime() + 2_000_000_000))?;
    /// c.write_all(b"ping")?;
    /// let mut buf = [0u8; 4];
    /// c.read_exact(&mut buf).ok();
    /// ```
    TcpStream
);
socket_type!(
    /// Go's `net.UDPConn`.
    ///
    /// ```no_run
    /// let s = runtime::net::UdpSocket::bind("127.0.0.1:0")?;
    /// s.send_to(b"hello", "127.0.0.1:9999")?;
    /// let mut buf = [0u8; 1500];
    /// let (n, from) = s.recv_from(&mut buf)?;
    /// runtime::println!("{n} bytes from {from}");
    /// ```
    UdpSocket
);
socket_type!(
    /// Go's `net.UnixListener`.
    ///
    /// ```no_run
    /// let l = runtime::net::UnixListener::bind("@example")?; // abstract
    /// let c = l.accept()?;
    /// runtime::println!("peer {}", c.peer_addr()?);
    /// ```
    UnixListener
);
socket_type!(
    /// Go's `net.UnixConn` (stream).
    ///
    /// ```no_run
    /// use runtime::io::Write;
    /// let mut c = runtime::net::UnixStream::connect("/run/app.sock")?;
    /// c.write_all(b"status\n")?;
    /// ```
    UnixStream
);

impl TcpListener {
    /// Go's `net.Listen("tcp", addr)`; an empty host listens on every
    /// address, IPv4 and IPv6.
    pub fn bind(addr: &str) -> Result<TcpListener> {
        listen(Network::Tcp, addr).map(TcpListener)
    }

    /// Waits for the next connection (`EMFILE` at the descriptor limit:
    /// the connection waits in the backlog).
    pub fn accept(&self) -> Result<TcpStream> {
        res(socket::accept(self.0.raw())).map(|fd| TcpStream(Fd::from_raw(fd)))
    }
}

impl TcpStream {
    /// Go's `net.Dial("tcp", addr)`.
    pub fn connect(addr: &str) -> Result<TcpStream> {
        dial(Network::Tcp, addr).map(TcpStream)
    }

    /// The remote address, as Go prints it.
    pub fn peer_addr(&self) -> Result<String> {
        peer(&self.0)
    }

    /// Closes the reading or writing half, or both (`shutdown(2)`).
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        res(socket::shutdown(self.0.raw(), how as i32))
    }
}

impl UdpSocket {
    /// Go's `net.ListenPacket("udp", addr)`.
    pub fn bind(addr: &str) -> Result<UdpSocket> {
        listen(Network::Udp, addr).map(UdpSocket)
    }

    /// Go's `net.Dial("udp", addr)`: `send`/`recv` then talk to `addr`.
    pub fn connect(addr: &str) -> Result<UdpSocket> {
        dial(Network::Udp, addr).map(UdpSocket)
    }

    /// Sends one datagram to `addr`.
    pub fn send_to(&self, buf: &[u8], addr: &str) -> Result<usize> {
        res(socket::sendto(self.0.raw(), buf, Some(addr.as_bytes())))
    }

    /// One datagram and its sender's address.
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, String)> {
        let mut t = Text::new();
        let n = res(socket::recvfrom(self.0.raw(), buf, &mut t))?;
        Ok((n, text(&t)))
    }

    /// Sends one datagram to the address given to `connect`.
    pub fn send(&self, buf: &[u8]) -> Result<usize> {
        res(socket::sendto(self.0.raw(), buf, None))
    }

    /// Receives one datagram (on a connected socket, from its peer).
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        self.recv_from(buf).map(|(n, _)| n)
    }
}

impl UnixListener {
    /// Go's `net.Listen("unix", path)` (`@name`: abstract).
    pub fn bind(path: &str) -> Result<UnixListener> {
        listen(Network::Unix, path).map(UnixListener)
    }

    /// Waits for the next connection.
    pub fn accept(&self) -> Result<UnixStream> {
        res(socket::accept(self.0.raw())).map(|fd| UnixStream(Fd::from_raw(fd)))
    }
}

impl UnixStream {
    /// Go's `net.Dial("unix", path)` (`@name`: abstract).
    pub fn connect(path: &str) -> Result<UnixStream> {
        dial(Network::Unix, path).map(UnixStream)
    }

    /// The remote address, as Go prints it.
    pub fn peer_addr(&self) -> Result<String> {
        peer(&self.0)
    }

    /// Closes the reading or writing half, or both (`shutdown(2)`).
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        res(socket::shutdown(self.0.raw(), how as i32))
    }
}
