//! Go's `fmt.Print` family for Rust programs: [`print!`](crate::print!),
//! [`println!`](crate::println!), [`eprint!`](crate::eprint!) and
//! [`eprintln!`](crate::eprintln!), with `core::fmt`'s syntax.
//!
//! ```no_run
//! runtime::println!("{} goroutines, {:.1} ms", runtime::num_goroutine(), 1.5);
//! runtime::eprint!("warning: ");
//! runtime::eprintln!("{:?}", [1, 2, 3]);
//! ```
//!
//! Each call formats all of its text before writing any of it — into a
//! buffer on the goroutine's stack, moved to the heap when the text
//! outgrows it — and hands it to the kernel in one `write`. The buffer is
//! what keeps lines whole: formatting calls the arguments' `Display`
//! impls piece by piece, and writing each piece as it comes would let
//! another goroutine's output in between. A second `write` happens only
//! when the kernel takes less than everything (a pipe may, for text
//! beyond its capacity); a lock per stream, held for the whole call, as
//! Go's `os.Stdout` holds its descriptor's write lock for a whole `Write`,
//! keeps even that text in one piece among the macros' output.
//!
//! Errors are Go's: a broken pipe on standard output or standard error
//! ends the program as killed by SIGPIPE, silently (`prog | head` stops
//! `prog`), as `fmt.Println` to a closed pipe does in Go; any other write
//! error is dropped, as Go programs drop `fmt.Println`'s error value. A
//! `Display` impl that fails stops the formatting there; what came before
//! it is written.

use crate::sync::RawGoMutex;
use alloc::vec::Vec;
use core::fmt::{self, Write};

/// Bytes formatted on the stack before the text moves to the heap: room
/// for most lines, well within the smallest goroutine stack (16 KiB on
/// armv7) and its 4 KiB frame limit there.
const STACK_BYTES: usize = 512;

/// Text being formatted: on the stack while it fits, then on the heap.
struct Buf {
    len: usize,
    stack: [u8; STACK_BYTES],
    heap: Vec<u8>,
}

impl Buf {
    fn bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            self.stack.get(..self.len).unwrap_or(&[])
        } else {
            &self.heap
        }
    }
}

impl Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let s = s.as_bytes();
        if self.heap.is_empty() {
            if let Some(room) = self.stack.get_mut(self.len..self.len + s.len()) {
                room.copy_from_slice(s);
                self.len += s.len();
                return Ok(());
            }
            // The move to the heap: twice the stack's room at least, so
            // that a long text grows by doubling from there.
            let mut heap = Vec::with_capacity((self.len + s.len()).max(2 * STACK_BYTES));
            heap.extend_from_slice(self.stack.get(..self.len).unwrap_or(&[]));
            self.heap = heap;
        }
        self.heap.extend_from_slice(s);
        Ok(())
    }
}

/// One lock per standard stream (see the module's text).
static STDOUT_LOCK: RawGoMutex = RawGoMutex::new();
static STDERR_LOCK: RawGoMutex = RawGoMutex::new();

/// Formats `args` (and a newline if `newline`) and writes the text to
/// `fd`, 1 or 2, in one piece. Used by the macros.
///
/// Inlined, so that a call with a plain string (`println!("done")`),
/// whose `as_str` the compiler then knows, links none of `core::fmt`'s
/// formatting machinery (about 6 KiB of every executable).
#[doc(hidden)]
#[inline(always)]
pub fn print_to(fd: i32, args: fmt::Arguments<'_>, newline: bool) {
    match args.as_str() {
        Some(s) if newline => print_line(fd, s),
        Some(s) => write_locked(fd, s.as_bytes()),
        None => print_args(fd, args, newline),
    }
}

fn new_buf() -> Buf {
    Buf {
        len: 0,
        stack: [0; STACK_BYTES],
        heap: Vec::new(),
    }
}

/// Bytes on the heap for `print_line`, freed on drop. (Not a `Vec`: its
/// capacity checks would link the panic machinery, `core::fmt` and all,
/// into programs that print plain strings.)
struct HeapBytes {
    p: *mut u8,
    layout: core::alloc::Layout,
}

impl HeapBytes {
    fn new(n: usize) -> HeapBytes {
        let Ok(layout) = core::alloc::Layout::from_size_align(n, 1) else {
            crate::panic::throw("println: text too long")
        };
        // SAFETY: n > 0 (the caller asks for a line and its newline).
        let p = unsafe { alloc::alloc::alloc_zeroed(layout) };
        if p.is_null() {
            // The runtime's allocator ends the program itself first.
            crate::panic::throw("out of memory")
        }
        HeapBytes { p, layout }
    }

    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: p holds layout.size() zeroed bytes, owned by self and
        // borrowed through &mut self only.
        unsafe { core::slice::from_raw_parts_mut(self.p, self.layout.size()) }
    }
}

impl Drop for HeapBytes {
    fn drop(&mut self) {
        // SAFETY: p came from alloc with this layout and is freed once.
        unsafe { alloc::alloc::dealloc(self.p, self.layout) }
    }
}

/// `println!` of a plain string: the text and its newline in one write,
/// copied on the stack or, when longer, on the heap.
#[inline(never)]
fn print_line(fd: i32, s: &str) {
    // No overflow: a str is at most isize::MAX bytes.
    let n = s.len() + 1;
    let mut stack = [0u8; STACK_BYTES];
    let mut heap = (n > STACK_BYTES).then(|| HeapBytes::new(n));
    let line = match &mut heap {
        Some(h) => h.bytes(),
        None => stack.get_mut(..n).unwrap_or(&mut []),
    };
    for (d, c) in line.iter_mut().zip(s.as_bytes().iter().chain(b"\n")) {
        *d = *c;
    }
    write_locked(fd, line);
}

/// `print_to` for text with arguments to format.
#[inline(never)]
fn print_args(fd: i32, args: fmt::Arguments<'_>, newline: bool) {
    let mut buf = new_buf();
    // A failing Display impl ends the text where it failed (module text).
    let _ = buf.write_fmt(args);
    if newline {
        let _ = buf.write_str("\n");
    }
    write_locked(fd, buf.bytes());
}

/// Writes `text` to standard output (`fd` 1) or standard error (any other
/// value: the macros pass only 1 and 2) under the stream's lock.
fn write_locked(fd: i32, text: &[u8]) {
    let _rt = crate::preempt::enter();
    let (fd, lock) = if fd == 1 { (1, &STDOUT_LOCK) } else { (2, &STDERR_LOCK) };
    lock.lock();
    let r = crate::fd::write_all(fd, text);
    lock.unlock();
    // Go's epipecheck: a broken pipe on fd 1 or 2 ends the program; any
    // other failure is dropped, as Go programs drop fmt.Println's error.
    crate::api::epipecheck(fd, &r);
}

/// Prints to standard output, formatted as `core::fmt` formats (Go's
/// `fmt.Print`), in one `write`.
///
/// A broken pipe ends the program as killed by SIGPIPE, as in Go; other
/// write errors are dropped. See [the module](crate::fmt) for how the
/// text stays whole.
///
/// ```no_run
/// runtime::print!("{}+{}=", 2, 2);
/// runtime::print!("{}\n", 2 + 2);
/// ```
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::fmt::print_to(1, ::core::format_args!($($arg)*), false)
    };
}

/// Prints to standard output with a newline (Go's `fmt.Println`), in one
/// `write`: lines from different goroutines never mix.
///
/// A broken pipe ends the program as killed by SIGPIPE, as in Go; other
/// write errors are dropped.
///
/// ```no_run
/// let (goid, n) = (runtime::goid(), 7);
/// runtime::println!("goroutine {goid}: {n:>4}");
/// runtime::println!();
/// ```
#[macro_export]
macro_rules! println {
    () => {
        $crate::fmt::print_to(1, ::core::format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::fmt::print_to(1, ::core::format_args!($($arg)*), true)
    };
}

/// Prints to standard error, as [`print!`](crate::print!) prints to
/// standard output.
///
/// ```no_run
/// runtime::eprint!("progress: {}%\r", 50);
/// ```
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::fmt::print_to(2, ::core::format_args!($($arg)*), false)
    };
}

/// Prints to standard error with a newline, as
/// [`println!`](crate::println!) prints to standard output.
///
/// ```no_run
/// let path = "/etc/missing";
/// runtime::eprintln!("open {path}: no such file or directory");
/// ```
#[macro_export]
macro_rules! eprintln {
    () => {
        $crate::fmt::print_to(2, ::core::format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::fmt::print_to(2, ::core::format_args!($($arg)*), true)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf() -> Buf {
        new_buf()
    }

    #[test]
    fn short_text_stays_on_the_stack() {
        let mut b = buf();
        write!(b, "{}-{:03}", "a", 7).unwrap();
        assert_eq!(b.bytes(), b"a-007");
        assert!(b.heap.is_empty());
    }

    #[test]
    fn long_text_moves_to_the_heap_whole() {
        let mut b = buf();
        let piece = "0123456789";
        let mut want = std::string::String::new();
        for i in 0..10_000 {
            write!(b, "{piece}{i}").unwrap();
            want.push_str(piece);
            want.push_str(&i.to_string());
        }
        assert!(!b.heap.is_empty());
        assert_eq!(b.bytes(), want.as_bytes());
    }

    #[test]
    fn text_exactly_filling_the_stack_then_one_more_byte() {
        let mut b = buf();
        let full = "x".repeat(STACK_BYTES);
        b.write_str(&full).unwrap();
        assert!(b.heap.is_empty());
        b.write_str("y").unwrap();
        assert_eq!(b.bytes().len(), STACK_BYTES + 1);
        assert_eq!(b.bytes().last(), Some(&b'y'));
    }
}
