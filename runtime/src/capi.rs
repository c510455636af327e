//! The C API (`include/runtime.h`): thin `extern "C"` shims over the core.
//!
//! Each function's contract is documented in the header; the comments here
//! say only what the Rust side relies on.

use crate::args::cstr_bytes;
use crate::{malloc, os, panic, proc, sched, stack};
use core::ffi::{c_char, c_int, c_long, c_ulong, c_void};

/// Number of command-line arguments.
#[no_mangle]
pub extern "C" fn rt_argc() -> c_int {
    proc::startup().argc as c_int
}

/// argv[i], or NULL when i is out of range.
#[no_mangle]
pub extern "C" fn rt_argv(i: c_int) -> *const c_char {
    let st = proc::startup();
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
    if name.is_null() {
        return core::ptr::null();
    }
    let name = cstr_bytes(name as *const u8);
    match proc::startup().getenv(name) {
        // The value is the NUL-terminated tail of the `NAME=value` string.
        Some(v) => v.as_ptr() as *const c_char,
        None => core::ptr::null(),
    }
}

/// Writes all `n` bytes; returns n, or -errno.
///
/// # Safety
/// `buf` must be valid for `n` reads.
#[no_mangle]
pub unsafe extern "C" fn rt_write(fd: c_int, buf: *const c_void, n: c_ulong) -> c_long {
    if n == 0 {
        return 0;
    }
    if buf.is_null() {
        return -(syscalls::Errno::EFAULT.into_raw() as c_long);
    }
    let s = core::slice::from_raw_parts(buf as *const u8, n as usize);
    match os::write_all(fd, s) {
        Ok(()) => n as c_long,
        Err(e) => -(e.into_raw() as c_long),
    }
}

/// Ends the process with `code`; other goroutines do not run on.
#[no_mangle]
pub extern "C" fn rt_exit(code: c_int) -> ! {
    os::exit_group(code)
}

/// Go-style panic: `panic: <msg>`, the goroutine, exit 2.
///
/// # Safety
/// `msg` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rt_panic(msg: *const c_char) -> ! {
    if msg.is_null() {
        panic::gopanic(b"nil")
    }
    panic::gopanic(cstr_bytes(msg as *const u8))
}

/// CPUs this process may run on.
#[no_mangle]
pub extern "C" fn rt_ncpu() -> c_int {
    proc::ncpu()
}

/// Sets GOMAXPROCS when n > 0; returns the previous value.
#[no_mangle]
pub extern "C" fn rt_gomaxprocs(n: c_int) -> c_int {
    sched::set_gomaxprocs(n)
}

/// 16-byte aligned memory; never NULL (exhaustion is fatal).
#[no_mangle]
pub extern "C" fn rt_malloc(n: c_ulong) -> *mut c_void {
    malloc::c_malloc(n as usize) as *mut c_void
}

/// Frees memory from `rt_malloc`; NULL is ignored.
///
/// # Safety
/// `p` must be NULL or from `rt_malloc`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn rt_free(p: *mut c_void) {
    malloc::c_free(p as *mut u8)
}

/// C's `getauxval`, for code that expects it (compiler-rt's CPU feature
/// detection on aarch64 calls it from a constructor): the kernel's value,
/// or 0 when the tag is absent.
#[no_mangle]
pub extern "C" fn getauxval(tag: c_ulong) -> c_ulong {
    proc::startup().getauxval(tag as usize) as c_ulong
}

/// Starts a goroutine running `f(arg)` with the default stack size.
#[no_mangle]
pub extern "C" fn rt_go(f: Option<unsafe extern "C" fn(*mut c_void)>, arg: *mut c_void) {
    rt_go_stack(f, arg, stack::DEFAULT_STACK_SIZE as c_ulong)
}

/// Starts a goroutine running `f(arg)` on a stack of `stack_bytes`
/// (rounded up to whole pages, at least 8 KiB).
#[no_mangle]
pub extern "C" fn rt_go_stack(f: Option<unsafe extern "C" fn(*mut c_void)>, arg: *mut c_void, stack_bytes: c_ulong) {
    let Some(f) = f else { panic::throw("go of nil func value") };
    // SAFETY: `void (*)(void *)` and `unsafe extern "C" fn(*mut u8)` have
    // the same ABI.
    let f: unsafe extern "C" fn(*mut u8) = unsafe { core::mem::transmute(f) };
    proc::newproc(f, arg as *mut u8, stack_bytes as usize);
}

/// Yields the processor (`runtime.Gosched`).
#[no_mangle]
pub extern "C" fn rt_gosched() {
    sched::gosched()
}

/// Ends the calling goroutine (`runtime.Goexit`).
#[no_mangle]
pub extern "C" fn rt_goexit() -> ! {
    proc::goexit1()
}

/// The calling goroutine's id (main is 1).
#[no_mangle]
pub extern "C" fn rt_goid() -> c_long {
    proc::goid() as c_long
}

/// Goroutines that exist now (`runtime.NumGoroutine`).
#[no_mangle]
pub extern "C" fn rt_numgoroutine() -> c_int {
    proc::gcount() as c_int
}

/// Id of the M (OS thread) running the caller; for diagnostics and tests.
#[no_mangle]
pub extern "C" fn rt_mid() -> c_long {
    proc::getm_id() as c_long
}
