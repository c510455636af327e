//! The Rust I/O API (with `fs` and `net`): descriptors as values that
//! close themselves, errors that carry their errno, and the `embedded-io`
//! traits, so that `no_std` crates written against `embedded_io::Read`
//! and `Write` work on files, pipes and sockets.
//!
//! ```ignore
//! use runtime::io::{Read, Write};
//! let mut out = runtime::io::stdout();
//! out.write_all(b"hello\n")?;
//! let mut buf = [0; 512];
//! let n = runtime::io::stdin().read(&mut buf)?;
//! ```
//!
//! What blocks and how: a read or write on a pipe or socket made by the
//! runtime parks only the goroutine (the network poller wakes it); on a
//! regular file or an inherited descriptor it blocks the thread in the
//! kernel through the scheduler's system-call path, and the goroutine's P
//! goes on to run others. Deadlines (`set_read_deadline` and friends) make
//! a waiting call fail with `Error::is_timeout`.

use crate::fd;
use crate::netpoll::Mode;
pub use embedded_io::{ErrorKind, ErrorType, Read, Write};
use syscalls::Errno;

/// An I/O error: the errno of the failed call (Go's `*PathError` and
/// `*OpError` carry the same, with Go's texts: `i/o timeout`, `use of
/// closed network connection`, `broken pipe`, ...).
///
/// ```no_run
/// use runtime::io::Error;
/// match runtime::fs::File::open("/nonexistent") {
///     Err(e) if e.errno() == 2 => runtime::eprintln!("open: {e}"), // no such file or directory
///     Err(e) if e.is_timeout() => runtime::eprintln!("slow disk?"),
///     Err(e) => runtime::eprintln!("open: {e} (errno {})", e.errno()),
///     Ok(_) => {}
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error(Errno);

impl Error {
    /// The error for an errno, as a system call reported it.
    pub fn from_errno(e: Errno) -> Error {
        Error(e)
    }

    /// The errno (positive).
    pub fn errno(&self) -> i32 {
        self.0.into_raw()
    }

    /// The deadline passed (Go's `os.ErrDeadlineExceeded`).
    pub fn is_timeout(&self) -> bool {
        self.0 == Errno::ETIMEDOUT
    }

    /// The descriptor was closed, perhaps while the call waited (Go's
    /// `net.ErrClosed`).
    pub fn is_closed(&self) -> bool {
        self.0 == Errno::EBADF
    }

    /// Go's wording for the errors a program meets on files and sockets,
    /// the kernel's name (`errno 95`) for the rest.
    pub fn text(&self) -> &'static str {
        match self.0 {
            Errno::ETIMEDOUT => "i/o timeout",
            Errno::EBADF => "use of closed network connection",
            Errno::EPIPE => "broken pipe",
            Errno::ECONNRESET => "connection reset by peer",
            Errno::ECONNREFUSED => "connection refused",
            Errno::ENOENT => "no such file or directory",
            Errno::EACCES => "permission denied",
            Errno::EEXIST => "file exists",
            Errno::EISDIR => "is a directory",
            Errno::EINVAL => "invalid argument",
            Errno::EADDRINUSE => "address already in use",
            Errno::EADDRNOTAVAIL => "cannot assign requested address",
            Errno::EAFNOSUPPORT => "unknown network",
            Errno::EMFILE => "too many open files",
            Errno::ENFILE => "too many open files in system",
            Errno::ENOTCONN => "socket is not connected",
            Errno::EOPNOTSUPP => "operation not supported",
            Errno::EAGAIN => "resource temporarily unavailable",
            _ => "",
        }
    }
}

impl core::fmt::Debug for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.text() {
            "" => write!(f, "errno {}", self.errno()),
            t => f.write_str(t),
        }
    }
}

impl embedded_io::Error for Error {
    fn kind(&self) -> ErrorKind {
        match self.0 {
            Errno::ETIMEDOUT => ErrorKind::TimedOut,
            Errno::ENOENT => ErrorKind::NotFound,
            Errno::EACCES | Errno::EPERM => ErrorKind::PermissionDenied,
            Errno::ECONNREFUSED => ErrorKind::ConnectionRefused,
            Errno::ECONNRESET => ErrorKind::ConnectionReset,
            Errno::ECONNABORTED => ErrorKind::ConnectionAborted,
            Errno::ENOTCONN => ErrorKind::NotConnected,
            Errno::EADDRINUSE => ErrorKind::AddrInUse,
            Errno::EADDRNOTAVAIL => ErrorKind::AddrNotAvailable,
            Errno::EPIPE => ErrorKind::BrokenPipe,
            Errno::EEXIST => ErrorKind::AlreadyExists,
            Errno::EINVAL | Errno::EAFNOSUPPORT => ErrorKind::InvalidInput,
            Errno::EINTR => ErrorKind::Interrupted,
            Errno::EOPNOTSUPP => ErrorKind::Unsupported,
            Errno::ENOMEM => ErrorKind::OutOfMemory,
            _ => ErrorKind::Other,
        }
    }
}

/// The result of an I/O call: a value or the [`Error`] it failed with.
pub type Result<T> = core::result::Result<T, Error>;

pub(crate) fn res<T>(r: core::result::Result<T, Errno>) -> Result<T> {
    r.map_err(Error)
}

/// An open descriptor, closed when dropped (with every goroutine waiting
/// on it woken with `is_closed`). The common part of `File`, the sockets
/// and the standard streams.
///
/// ```no_run
/// use runtime::io::{Fd, Read};
/// let mut f: Fd = runtime::io::Fd::from_raw(3); // a descriptor inherited as 3
/// let mut buf = [0u8; 256];
/// let n = f.read(&mut buf)?;
/// f.set_read_deadline(Some(runtime::nanotime() + 1_000_000_000))?;
/// f.close()?;
/// ```
#[derive(Debug)]
pub struct Fd {
    fd: i32,
    /// The standard streams are the process's, not ours to close.
    owned: bool,
}

impl Fd {
    /// Takes ownership of a descriptor the program opened some other way.
    pub fn from_raw(fd: i32) -> Fd {
        Fd { fd, owned: true }
    }

    /// The descriptor's number, still owned by this value.
    pub fn raw(&self) -> i32 {
        self.fd
    }

    /// Gives up ownership: the descriptor stays open.
    pub fn into_raw(self) -> i32 {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// Closes now, reporting the error `Drop` would swallow.
    pub fn close(self) -> Result<()> {
        let fd = self.into_raw();
        res(fd::close(fd))
    }

    /// Go's `SetDeadline`: `at` on the `nanotime` clock, `None` for none.
    pub fn set_deadline(&self, at: Option<i64>) -> Result<()> {
        res(fd::set_deadline(self.fd, at.unwrap_or(0), &[Mode::Read, Mode::Write]))
    }

    /// Go's `SetReadDeadline`.
    pub fn set_read_deadline(&self, at: Option<i64>) -> Result<()> {
        res(fd::set_deadline(self.fd, at.unwrap_or(0), &[Mode::Read]))
    }

    /// Go's `SetWriteDeadline`.
    pub fn set_write_deadline(&self, at: Option<i64>) -> Result<()> {
        res(fd::set_deadline(self.fd, at.unwrap_or(0), &[Mode::Write]))
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        if self.owned {
            let _ = fd::close(self.fd);
        }
    }
}

impl ErrorType for Fd {
    type Error = Error;
}

impl Read for Fd {
    /// Up to `buf.len()` bytes; 0 at end of file.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        res(fd::read(self.fd, buf))
    }
}

impl Write for Fd {
    /// One write, which may be short (`write_all` loops).
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        res(fd::write(self.fd, buf))
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

impl core::fmt::Write for Fd {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        Write::write_all(self, s.as_bytes()).map_err(|_| core::fmt::Error)
    }
}

/// The process's standard input (fd 0; not closed on drop).
///
/// ```no_run
/// use runtime::io::Read;
/// let mut buf = [0u8; 4096];
/// while let Ok(n @ 1..) = runtime::io::stdin().read(&mut buf) {
///     runtime::print!("{}", core::str::from_utf8(&buf[..n]).unwrap_or("?"));
/// }
/// ```
pub fn stdin() -> Fd {
    Fd { fd: 0, owned: false }
}

/// The process's standard output (fd 1). As in Go, a write to it that
/// fails with a broken pipe ends the program as killed by SIGPIPE.
///
/// ```no_run
/// use runtime::io::Write;
/// runtime::io::stdout().write_all(b"raw bytes, no formatting\n")?;
/// ```
pub fn stdout() -> Stdio {
    Stdio(Fd { fd: 1, owned: false })
}

/// The process's standard error (fd 2), as `stdout`.
///
/// ```no_run
/// use core::fmt::Write;
/// let _ = writeln!(runtime::io::stderr(), "warning: {}", 42);
/// ```
pub fn stderr() -> Stdio {
    Stdio(Fd { fd: 2, owned: false })
}

/// `stdout()` or `stderr()`: writes end the program on a broken pipe.
///
/// ```no_run
/// use runtime::io::Write;
/// let mut out: runtime::io::Stdio = runtime::io::stdout();
/// out.write_all(b"to standard output\n")?;
/// ```
#[derive(Debug)]
pub struct Stdio(Fd);

impl ErrorType for Stdio {
    type Error = Error;
}

impl Write for Stdio {
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        let r = self.0.write(buf);
        if r == Err(Error(Errno::EPIPE)) {
            crate::signal_unix::die_from_signal(crate::signal_unix::SIGPIPE)
        }
        r
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

impl core::fmt::Write for Stdio {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        Write::write_all(self, s.as_bytes()).map_err(|_| core::fmt::Error)
    }
}

/// `embedded-io`'s traits (and `core::fmt::Write`) for a type that
/// derefs to `Fd`, delegating to it: files and sockets pass as readers and
/// writers to generic code.
macro_rules! fd_traits {
    ($t:ty) => {
        impl $crate::io::ErrorType for $t {
            type Error = $crate::io::Error;
        }

        impl $crate::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> $crate::io::Result<usize> {
                $crate::io::Read::read(&mut **self, buf)
            }
        }

        impl $crate::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> $crate::io::Result<usize> {
                $crate::io::Write::write(&mut **self, buf)
            }

            fn flush(&mut self) -> $crate::io::Result<()> {
                Ok(())
            }
        }

        impl core::fmt::Write for $t {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                core::fmt::Write::write_str(&mut **self, s)
            }
        }
    };
}
pub(crate) use fd_traits;
