//! The parts of the C library subset (`include/stdlib.h`, `errno.h`) that
//! need the runtime's internals: `malloc` and friends over the checked C
//! blocks of `malloc::c`, the per-goroutine `errno`, and `abort`. The rest
//! of the subset is C, in `runtime/libc/` (xtask adds it to
//! `libruntime.a`).
//!
//! `malloc` blocks are `rt_malloc` blocks: either `free` or `rt_free`
//! releases them. Running out of memory is fatal (Go's `fatal error: out
//! of memory`), never a NULL; only an impossible `calloc` size (the
//! product overflows) returns NULL with ENOMEM, as C requires.

use crate::malloc;
use crate::runtime2::getg;
use core::ffi::{c_int, c_void};

/// C `malloc`.
#[no_mangle]
pub extern "C" fn malloc(n: usize) -> *mut c_void {
    let _rt = crate::preempt::enter();
    malloc::c_malloc(n) as *mut c_void
}

/// C `free`: NULL is ignored; a pointer that is not a live block is fatal.
///
/// # Safety
/// `p` must not be used after the call.
#[no_mangle]
pub unsafe extern "C" fn free(p: *mut c_void) {
    let _rt = crate::preempt::enter();
    // SAFETY: nobody uses p after the call (caller).
    unsafe { malloc::c_free(p as *mut u8) }
}

/// C `calloc`: zeroed, NULL with ENOMEM when `nmemb * size` overflows.
#[no_mangle]
pub extern "C" fn calloc(nmemb: usize, size: usize) -> *mut c_void {
    let _rt = crate::preempt::enter();
    let Some(n) = nmemb.checked_mul(size) else {
        set_errno(12); // ENOMEM
        return core::ptr::null_mut();
    };
    let p = malloc::c_malloc(n);
    // SAFETY: p is a fresh block of at least n bytes.
    unsafe { core::ptr::write_bytes(p, 0, n) };
    p as *mut c_void
}

/// C `realloc`: NULL allocates; otherwise a new block with the old
/// contents (up to the smaller size) and the old one freed. `realloc(p,
/// 0)` frees p and returns a unique pointer, as `malloc(0)` does.
///
/// # Safety
/// `p` is NULL or a live block that nobody uses after the call.
#[no_mangle]
pub unsafe extern "C" fn realloc(p: *mut c_void, n: usize) -> *mut c_void {
    let _rt = crate::preempt::enter();
    if p.is_null() {
        return malloc::c_malloc(n) as *mut c_void;
    }
    let old = malloc::c_size(p as *mut u8, "realloc: pointer not from malloc");
    if n <= old && n >= old / 2 {
        return p;
    }
    let q = malloc::c_malloc(n);
    // SAFETY: p holds old bytes and q at least n; they are distinct live
    // blocks. p is then released, as nobody uses it any more (caller).
    unsafe {
        core::ptr::copy_nonoverlapping(p as *const u8, q, core::cmp::min(old, n));
        malloc::c_free(p as *mut u8);
    }
    q as *mut c_void
}

fn set_errno(e: c_int) {
    // SAFETY: the running G is live, and its errno is written only by the
    // goroutine itself (this call).
    unsafe { (*getg()).errno = e };
}

/// C's `errno` (`#define errno (*__errno_location())`): the running
/// goroutine's, which stays with it when it moves to another thread.
#[no_mangle]
pub extern "C" fn __errno_location() -> *mut c_int {
    // SAFETY: the running G is live for as long as the goroutine runs, and
    // only the goroutine itself reaches its errno through this pointer.
    unsafe { core::ptr::addr_of_mut!((*getg()).errno) }
}

/// C `abort`: raises SIGABRT, which the runtime reports as Go does
/// (`SIGABRT: abort`, the goroutines, exit 2). Should the signal be
/// ignored or taken by `signal.Notify`, the program still ends, killed by
/// SIGABRT, as C's abort never returns.
#[no_mangle]
pub extern "C" fn abort() -> ! {
    const SIGABRT: i32 = 6;
    let _ = crate::os::unblock_signal(SIGABRT);
    let _ = crate::os::raise(SIGABRT);
    crate::signal_unix::die_from_signal(SIGABRT)
}
