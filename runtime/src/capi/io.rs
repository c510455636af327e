//! Files, pipes and raw system calls: `rt_write`, `rt_read` and their
//! positioned forms, `rt_open`, `rt_close`, `rt_pipe`, `rt_syscall`.

use super::{c_buf, c_buf_mut, c_status, neg};
use core::ffi::{c_char, c_int, c_long, c_ulong, c_void};

/// Writes all `n` bytes; returns n, or -errno.
///
/// # Safety
/// `buf` must be valid for `n` reads.
#[no_mangle]
pub unsafe extern "C" fn rt_write(fd: c_int, buf: *const c_void, n: c_ulong) -> c_long {
    let _rt = crate::preempt::enter();
    // SAFETY: buf is NULL or valid for n reads (caller).
    let Some(s) = (unsafe { c_buf(buf, n) }) else {
        return neg(syscalls::Errno::EFAULT);
    };
    if s.is_empty() {
        return 0;
    }
    match crate::api::write(fd, s) {
        Ok(()) => s.len() as c_long,
        Err(e) => neg(e),
    }
}

/// Any system call through entersyscall/exitsyscall.
///
/// # Safety
/// The arguments must be valid for system call `nr` (the caller's, as for
/// the raw call).
#[no_mangle]
pub unsafe extern "C" fn rt_syscall(
    nr: c_long,
    a1: c_long,
    a2: c_long,
    a3: c_long,
    a4: c_long,
    a5: c_long,
    a6: c_long,
) -> c_long {
    if nr < 0 {
        return neg(syscalls::Errno::ENOSYS);
    }
    // Written out, not `.map(|v| v as usize)`: at opt-level "z" that is a
    // copy loop, a third of this call's instructions. `fd::syscall` counts
    // the runtime call (preempt::enter) itself.
    let a = [a1 as usize, a2 as usize, a3 as usize, a4 as usize, a5 as usize, a6 as usize];
    // SAFETY: the arguments are valid for nr (caller).
    unsafe { crate::fd::syscall(nr as usize, a) as c_long }
}

/// # Safety
/// `path` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rt_open(path: *const c_char, flags: c_int, mode: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    if path.is_null() {
        return neg(syscalls::Errno::EFAULT) as c_int;
    }
    // SAFETY: path is a non-null NUL-terminated string (caller).
    match unsafe { crate::fd::open(path as *const u8, flags, mode as u32) } {
        Ok(fd) => fd,
        Err(e) => neg(e) as c_int,
    }
}

/// # Safety
/// `buf` must be NULL or valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn rt_read(fd: c_int, buf: *mut c_void, n: c_ulong) -> c_long {
    let _rt = crate::preempt::enter();
    // SAFETY: buf is NULL or valid for n writes (caller).
    let Some(b) = (unsafe { c_buf_mut(buf, n) }) else {
        return neg(syscalls::Errno::EFAULT);
    };
    if b.is_empty() {
        return 0;
    }
    match crate::fd::read(fd, b) {
        Ok(k) => k as c_long,
        Err(e) => neg(e),
    }
}

/// # Safety
/// `buf` must be NULL or valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn rt_pread(fd: c_int, buf: *mut c_void, n: c_ulong, off: i64) -> c_long {
    let _rt = crate::preempt::enter();
    // SAFETY: buf is NULL or valid for n writes (caller).
    let Some(b) = (unsafe { c_buf_mut(buf, n) }) else {
        return neg(syscalls::Errno::EFAULT);
    };
    match crate::fd::pread(fd, b, off) {
        Ok(k) => k as c_long,
        Err(e) => neg(e),
    }
}

/// # Safety
/// `buf` must be NULL or valid for `n` reads.
#[no_mangle]
pub unsafe extern "C" fn rt_pwrite(fd: c_int, buf: *const c_void, n: c_ulong, off: i64) -> c_long {
    let _rt = crate::preempt::enter();
    // SAFETY: buf is NULL or valid for n reads (caller).
    let Some(b) = (unsafe { c_buf(buf, n) }) else {
        return neg(syscalls::Errno::EFAULT);
    };
    match crate::fd::pwrite(fd, b, off) {
        Ok(k) => k as c_long,
        Err(e) => neg(e),
    }
}

#[no_mangle]
pub extern "C" fn rt_close(fd: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    c_status(crate::fd::close(fd))
}

/// # Safety
/// `fds` must be NULL or valid for writing two ints.
#[no_mangle]
pub unsafe extern "C" fn rt_pipe(fds: *mut c_int) -> c_int {
    let _rt = crate::preempt::enter();
    if fds.is_null() {
        return neg(syscalls::Errno::EFAULT) as c_int;
    }
    match crate::fd::pipe() {
        Ok(p) => {
            // SAFETY: fds is valid for two ints (caller).
            unsafe {
                fds.write(p[0]);
                fds.add(1).write(p[1]);
            }
            0
        }
        Err(e) => neg(e) as c_int,
    }
}
