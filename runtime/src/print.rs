//! The runtime's own printing, in the manner of Go's `print`/`println`.
//!
//! `core::fmt` costs several kilobytes of code and may allocate nothing but
//! still recurses through trait objects; the runtime prints from places
//! where neither is welcome (a fatal error, a signal handler, the first
//! steps of boot). A `Line` collects pieces into a fixed buffer on the stack
//! and writes them with one `write(2)`, so that lines from different threads
//! do not interleave. A line longer than the buffer is written in parts.

use crate::os;

const CAP: usize = 256;

/// A line being built for one file descriptor.
pub struct Line {
    fd: i32,
    len: usize,
    buf: [u8; CAP],
}

impl Line {
    /// A line for standard error.
    pub fn stderr() -> Line {
        Line {
            fd: 2,
            len: 0,
            buf: [0; CAP],
        }
    }

    /// A line for `fd`.
    pub fn to_fd(fd: i32) -> Line {
        Line {
            fd,
            len: 0,
            buf: [0; CAP],
        }
    }

    #[inline(never)]
    fn flush(&mut self) {
        // Printing is best effort: there is nowhere to report a failure to
        // write to stderr.
        let _ = os::write_all(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }

    /// Appends raw bytes.
    #[inline(never)]
    pub fn bytes(&mut self, mut b: &[u8]) -> &mut Line {
        while !b.is_empty() {
            if self.len == CAP {
                self.flush();
            }
            let n = core::cmp::min(CAP - self.len, b.len());
            self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
            self.len += n;
            b = &b[n..];
        }
        self
    }

    /// Appends a string.
    #[inline(never)]
    pub fn s(&mut self, s: &str) -> &mut Line {
        self.bytes(s.as_bytes())
    }

    /// Appends an unsigned decimal number.
    #[inline(never)]
    pub fn u(&mut self, mut v: u64) -> &mut Line {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.bytes(&tmp[i..])
    }

    /// Appends a signed decimal number.
    #[inline(never)]
    pub fn i(&mut self, v: i64) -> &mut Line {
        if v < 0 {
            self.s("-");
        }
        self.u(v.unsigned_abs())
    }

    /// Appends `0x` and a hexadecimal number, as Go prints pointers.
    #[inline(never)]
    pub fn hex(&mut self, mut v: u64) -> &mut Line {
        let mut tmp = [0u8; 18];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b"0123456789abcdef"[(v & 15) as usize];
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        i -= 2;
        tmp[i] = b'0';
        tmp[i + 1] = b'x';
        self.bytes(&tmp[i..])
    }

    /// Appends a pointer-sized value in hex.
    pub fn ptr<T>(&mut self, p: *const T) -> &mut Line {
        self.hex(p as usize as u64)
    }

    /// Appends `key` and a decimal number (one call instead of two, where
    /// traces print many key=value pairs).
    #[inline(never)]
    pub fn ku(&mut self, key: &str, v: u64) -> &mut Line {
        self.s(key).u(v)
    }

    /// Appends `key` and a signed decimal number.
    #[inline(never)]
    pub fn ki(&mut self, key: &str, v: i64) -> &mut Line {
        self.s(key).i(v)
    }

    /// Appends `key` and a hexadecimal number.
    #[inline(never)]
    pub fn kx(&mut self, key: &str, v: u64) -> &mut Line {
        self.s(key).hex(v)
    }

    /// Appends a newline and writes the line out.
    #[inline(never)]
    pub fn end(&mut self) {
        self.s("\n");
        self.flush();
    }
}

impl core::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.s(s);
        Ok(())
    }
}
