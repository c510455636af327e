//! The C API (`include/runtime.h`): thin `extern "C"` shims over the core.
//!
//! Each function's contract is documented in the header; the comments here
//! say only what the Rust side relies on.
//!
//! This file holds the conversions every shim shares (C buffers as
//! slices, results as -errno) and the process: arguments, environment,
//! exit, panic, CPUs and GOMAXPROCS, memory. The others: `proc.rs`
//! goroutines; `chan.rs` channels, select, sync and time; `io.rs` files,
//! pipes and raw system calls; `net.rs` sockets and deadlines;
//! `signal.rs` Go's `os/signal`.

mod chan;
mod io;
mod net;
mod proc;
mod signal;

pub use self::chan::*;
pub use self::io::*;
pub use self::net::*;
pub use self::proc::*;
pub use self::signal::*;

use crate::os::args::cstr_bytes;
use crate::os::linux::{ncpu, startup};
use crate::{malloc, os, panic, sched};
use core::ffi::{c_char, c_int, c_long, c_ulong, c_void};

/// Number of command-line arguments.
#[no_mangle]
pub extern "C" fn rt_argc() -> c_int {
    let _rt = crate::preempt::enter();
    startup().argc as c_int
}

/// argv\[i\], or NULL when i is out of range.
#[no_mangle]
pub extern "C" fn rt_argv(i: c_int) -> *const c_char {
    let _rt = crate::preempt::enter();
    let st = startup();
    if i < 0 || i as usize >= st.argc {
        return core::ptr::null();
    }
    // SAFETY: i < argc, so argv[i] is one of the kernel's argument pointers.
    unsafe { *st.argv.add(i as usize) as *const c_char }
}

/// The value of environment variable `name`, or NULL when unset.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rt_getenv(name: *const c_char) -> *const c_char {
    let _rt = crate::preempt::enter();
    if name.is_null() {
        return core::ptr::null();
    }
    // SAFETY: name is a non-null NUL-terminated string (caller). It need
    // not be 'static as cstr_bytes asks: the slice is used only by the
    // lookup below and gone before we return.
    let name = unsafe { cstr_bytes(name as *const u8) };
    match startup().getenv(name) {
        // The value is the NUL-terminated tail of the `NAME=value` string.
        Some(v) => v.as_ptr() as *const c_char,
        None => core::ptr::null(),
    }
}

/// `-errno` of a failure, as the C API returns it.
fn neg(e: syscalls::Errno) -> c_long {
    -(e.into_raw() as c_long)
}

/// The length of a C buffer of `n` bytes as a slice may have it: no one
/// object exceeds `isize::MAX` bytes, so a larger `n` (a careless
/// `(unsigned long)-1`) can only mean "as much as fits", and the kernel
/// stops at the end of the real buffer or reports EFAULT.
fn c_len(n: c_ulong) -> usize {
    core::cmp::min(n as usize, isize::MAX as usize)
}

/// A C buffer to be written, as a slice: None for NULL with `n > 0`
/// (EFAULT), an empty slice for `n == 0`.
///
/// # Safety
/// `buf` is NULL or valid for `n` writes for as long as the slice is used,
/// and nothing else touches those bytes meanwhile.
unsafe fn c_buf_mut<'a>(buf: *mut c_void, n: c_ulong) -> Option<&'a mut [u8]> {
    if n == 0 {
        return Some(&mut []);
    }
    if buf.is_null() {
        return None;
    }
    // SAFETY: non-null and valid for n writes (caller), and c_len keeps the
    // length within isize::MAX.
    Some(unsafe { core::slice::from_raw_parts_mut(buf as *mut u8, c_len(n)) })
}

/// A C buffer to be read, as a slice: as `c_buf_mut`, never written (the
/// bytes may be read-only, a string literal).
///
/// # Safety
/// `buf` is NULL or valid for `n` reads for as long as the slice is used,
/// and nothing writes those bytes meanwhile.
unsafe fn c_buf<'a>(buf: *const c_void, n: c_ulong) -> Option<&'a [u8]> {
    if n == 0 {
        return Some(&[]);
    }
    if buf.is_null() {
        return None;
    }
    // SAFETY: non-null and valid for n reads (caller), and c_len keeps the
    // length within isize::MAX.
    Some(unsafe { core::slice::from_raw_parts(buf as *const u8, c_len(n)) })
}

/// A C result from a descriptor or -errno.
fn c_fd(r: Result<i32, syscalls::Errno>) -> c_int {
    match r {
        Ok(fd) => fd,
        Err(e) => neg(e) as c_int,
    }
}

/// A C status: 0 or -errno.
fn c_status(r: Result<(), syscalls::Errno>) -> c_int {
    c_fd(r.map(|()| 0))
}

/// A C count from a byte count or -errno.
fn c_count(r: Result<usize, syscalls::Errno>) -> c_long {
    match r {
        Ok(n) => n as c_long,
        Err(e) => neg(e),
    }
}

/// Ends the process with `code`; other goroutines do not run on.
#[no_mangle]
pub extern "C" fn rt_exit(code: c_int) -> ! {
    let _rt = crate::preempt::enter();
    os::exit_group(code)
}

/// Go-style panic: `panic: <msg>`, the goroutine, exit 2.
///
/// # Safety
/// `msg` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rt_panic(msg: *const c_char) -> ! {
    let _rt = crate::preempt::enter();
    if msg.is_null() {
        panic::gopanic(b"nil")
    }
    // SAFETY: msg is a non-null NUL-terminated string (caller); gopanic
    // never returns, so the caller's string outlives every use of the
    // slice (short of another thread freeing it meanwhile).
    panic::gopanic(unsafe { cstr_bytes(msg as *const u8) })
}

/// CPUs this process may run on.
#[no_mangle]
pub extern "C" fn rt_ncpu() -> c_int {
    let _rt = crate::preempt::enter();
    ncpu()
}

/// Sets GOMAXPROCS when n > 0; returns the previous value.
#[no_mangle]
pub extern "C" fn rt_gomaxprocs(n: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    sched::set_gomaxprocs(n)
}

/// 16-byte aligned memory; never NULL (exhaustion is fatal).
#[no_mangle]
pub extern "C" fn rt_malloc(n: c_ulong) -> *mut c_void {
    let _rt = crate::preempt::enter();
    malloc::c_malloc(n as usize) as *mut c_void
}

/// Frees memory from `rt_malloc`; NULL is ignored.
///
/// # Safety
/// `p` must be NULL or from `rt_malloc`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn rt_free(p: *mut c_void) {
    let _rt = crate::preempt::enter();
    // SAFETY: p is NULL or a live rt_malloc block that the C caller gives
    // up (caller), so nothing uses it after the call, as c_free requires.
    unsafe { malloc::c_free(p as *mut u8) }
}

/// C's `getauxval`, for code that expects it (compiler-rt's CPU feature
/// detection on aarch64 calls it from a constructor): the kernel's value,
/// or 0 when the tag is absent.
#[no_mangle]
pub extern "C" fn getauxval(tag: c_ulong) -> c_ulong {
    let _rt = crate::preempt::enter();
    startup().getauxval(tag as usize) as c_ulong
}
