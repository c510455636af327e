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
///
/// ```no_run
/// runtime::Line::stderr().s("cannot open ").s("/tmp/x").s(": errno ").i(2).end();
/// runtime::Line::to_fd(1).ku("goroutines=", runtime::num_goroutine() as u64).end();
/// ```
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
        // write to stderr. (`get`, not indexing: `len` never exceeds the
        // buffer, and a bounds check would drag a panic path into every
        // program.)
        let _ = os::write_all(self.fd, self.buf.get(..self.len).unwrap_or(&[]));
        self.len = 0;
    }

    /// Appends raw bytes.
    #[inline(never)]
    pub fn bytes(&mut self, mut b: &[u8]) -> &mut Line {
        // No slicing that could panic: every failure report prints through
        // here, and a panic path would pull Rust's number formatting into
        // every executable.
        loop {
            let room = self.buf.get_mut(self.len..).unwrap_or(&mut []);
            let mut n = 0;
            for (d, s) in room.iter_mut().zip(b) {
                *d = *s;
                n += 1;
            }
            self.len += n;
            b = b.get(n..).unwrap_or(&[]);
            if b.is_empty() {
                return self;
            }
            self.flush();
        }
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
        let mut n = 0;
        for slot in tmp.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
            n += 1;
            if v == 0 {
                break;
            }
        }
        self.bytes(tmp.get(tmp.len() - n..).unwrap_or(&[]))
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
        let mut tmp = [0u8; 16];
        let mut n = 0;
        for slot in tmp.iter_mut().rev() {
            *slot = b"0123456789abcdef"[(v & 15) as usize];
            v >>= 4;
            n += 1;
            if v == 0 {
                break;
            }
        }
        self.s("0x").bytes(tmp.get(tmp.len() - n..).unwrap_or(&[]))
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

    /// Appends `fmt` with each `%x` (hex, as `hex`), `%d` (signed) and `%u`
    /// (unsigned decimal) replaced by the next value of `args` (0 once they
    /// run out; every `%` starts a spec). One call for a whole trace line
    /// costs less code than a call per piece.
    #[inline(never)]
    pub fn f(&mut self, fmt: &str, args: &[u64]) -> &mut Line {
        let mut rest = fmt.as_bytes();
        let mut args = args.iter();
        while let Some(i) = rest.iter().position(|&c| c == b'%') {
            let (text, spec) = (rest.get(..i).unwrap_or(&[]), rest.get(i..).unwrap_or(&[]));
            self.bytes(text);
            let v = args.next().copied().unwrap_or(0);
            match spec.get(1) {
                Some(b'x') => self.hex(v),
                Some(b'd') => self.i(v as i64),
                _ => self.u(v),
            };
            rest = spec.get(2..).unwrap_or(&[]);
        }
        self.bytes(rest)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> &[u8] {
        &l.buf[..l.len]
    }

    #[test]
    fn numbers_print_as_go_prints_them() {
        let mut l = Line::to_fd(-1);
        l.u(0)
            .s(" ")
            .u(u64::MAX)
            .s(" ")
            .i(i64::MIN)
            .s(" ")
            .hex(0)
            .s(" ");
        l.hex(u64::MAX).s(" ").hex(0x1f);
        assert_eq!(
            text(&l),
            b"0 18446744073709551615 -9223372036854775808 0x0 0xffffffffffffffff 0x1f"
        );
    }

    #[test]
    fn f_replaces_each_spec_in_order() {
        let mut l = Line::to_fd(-1);
        l.f("a=%d b=%u c=%x) end", &[(-3i64) as u64, 7, 255]);
        assert_eq!(text(&l), b"a=-3 b=7 c=0xff) end");
    }

    #[test]
    fn long_lines_are_written_in_parts() {
        let mut l = Line::to_fd(-1);
        let long = [b'x'; CAP + 10];
        l.bytes(&long);
        assert_eq!(text(&l), &long[..10]);
    }
}
