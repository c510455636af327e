//! Files (Go's `os.File`): see `io` for what blocks and how errors look.
//!
//! ```ignore
//! let mut f = runtime::fs::File::open("/etc/hostname")?;
//! let mut buf = [0; 64];
//! let n = f.read(&mut buf)?;
//! ```

use crate::io::{res, Error, Fd, Result};
use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};
use syscalls::Errno;

/// An open file, closed when dropped. Reads and writes go through `Fd`
/// (`embedded_io::Read`/`Write`); `read_at`/`write_at` leave the offset.
///
/// ```no_run
/// use runtime::fs::File;
/// use runtime::io::{Read, Write};
/// let mut f = File::create("/tmp/greeting")?;
/// f.write_all(b"hello\n")?;
/// let mut buf = [0u8; 16];
/// let n = File::open("/tmp/greeting")?.read(&mut buf)?;
/// assert_eq!(&buf[..n], b"hello\n");
/// let log = File::open_with("/tmp/log", runtime::fs::O_WRONLY | runtime::fs::O_CREAT | runtime::fs::O_APPEND, 0o644)?;
/// log.write_at(b"x", 0)?;
/// ```
#[derive(Debug)]
pub struct File(Fd);

/// Open for reading only (Linux's `O_RDONLY`), for [`File::open_with`].
pub const O_RDONLY: i32 = 0;
/// Open for writing only (`O_WRONLY`).
pub const O_WRONLY: i32 = 1;
/// Open for reading and writing (`O_RDWR`).
pub const O_RDWR: i32 = 2;
/// Create the file if it does not exist (`O_CREAT`), with the mode given.
pub const O_CREAT: i32 = 0o100;
/// Truncate an existing file to length 0 (`O_TRUNC`).
pub const O_TRUNC: i32 = 0o1000;
/// Every write goes to the end of the file (`O_APPEND`).
pub const O_APPEND: i32 = 0o2000;

impl File {
    /// Go's `os.Open`: read-only.
    pub fn open(path: &str) -> Result<File> {
        File::open_with(path, O_RDONLY, 0)
    }

    /// Go's `os.Create`: read-write, created (0666 before the umask) or
    /// truncated.
    pub fn create(path: &str) -> Result<File> {
        File::open_with(path, O_RDWR | O_CREAT | O_TRUNC, 0o666)
    }

    /// Go's `os.OpenFile`: Linux's flags and mode.
    pub fn open_with(path: &str, flags: i32, mode: u32) -> Result<File> {
        if path.as_bytes().contains(&0) {
            return Err(Error::from_errno(Errno::EINVAL));
        }
        let mut c = Vec::with_capacity(path.len() + 1);
        c.extend_from_slice(path.as_bytes());
        c.push(0);
        // SAFETY: c is NUL-terminated and outlives the call.
        res(unsafe { crate::fd::open(c.as_ptr(), flags, mode) }).map(|fd| File(Fd::from_raw(fd)))
    }

    /// Closes now, reporting the error `Drop` would swallow.
    pub fn close(self) -> Result<()> {
        self.0.close()
    }

    /// `pread`: at `off`, leaving the file offset.
    pub fn read_at(&self, buf: &mut [u8], off: i64) -> Result<usize> {
        res(crate::fd::pread(self.0.raw(), buf, off))
    }

    /// `pwrite`: at `off`, leaving the file offset.
    pub fn write_at(&self, buf: &[u8], off: i64) -> Result<usize> {
        res(crate::fd::pwrite(self.0.raw(), buf, off))
    }
}

impl Deref for File {
    type Target = Fd;
    fn deref(&self) -> &Fd {
        &self.0
    }
}

impl DerefMut for File {
    fn deref_mut(&mut self) -> &mut Fd {
        &mut self.0
    }
}

crate::io::fd_traits!(File);

/// Go's `os.Pipe`: the read end, then the write end; both wait in the
/// poller.
///
/// ```no_run
/// use runtime::io::{Read, Write};
/// let (mut r, mut w) = runtime::fs::pipe()?;
/// runtime::go(move || {
///     let _ = w.write_all(b"through the pipe");
/// }); // w dropped: the reader sees end of file after the text
/// let mut buf = [0u8; 64];
/// let n = r.read(&mut buf)?;
/// ```
pub fn pipe() -> Result<(Fd, Fd)> {
    let [r, w] = res(crate::fd::pipe())?;
    Ok((Fd::from_raw(r), Fd::from_raw(w)))
}
