//! Sockets (`socket`, Go's `net`) and descriptor deadlines (`netpoll`):
//! listen, dial, accept, shutdown, addresses as text, datagrams.

use super::{c_buf, c_buf_mut, c_count, c_fd, neg};
use crate::os::args::cstr_bytes;
use core::ffi::{c_char, c_int, c_long, c_ulong, c_void};

/// The network and address of `rt_listen`/`rt_dial`.
///
/// # Safety
/// Each is NULL or a NUL-terminated string.
unsafe fn net_args<'a>(
    network: *const c_char,
    address: *const c_char,
) -> Result<(crate::socket::Network, &'a [u8]), syscalls::Errno> {
    if network.is_null() || address.is_null() {
        return Err(syscalls::Errno::EFAULT);
    }
    // SAFETY: both are non-null NUL-terminated strings (caller).
    let (n, a) = unsafe { (cstr_bytes(network as *const u8), cstr_bytes(address as *const u8)) };
    Ok((crate::socket::Network::parse(n)?, a))
}

/// # Safety
/// `network` and `address` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn rt_listen(network: *const c_char, address: *const c_char) -> c_int {
    let _rt = crate::preempt::enter();
    // SAFETY: the caller's promise.
    c_fd(unsafe { net_args(network, address) }.and_then(|(n, a)| crate::socket::listen(n, a)))
}

/// # Safety
/// `network` and `address` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn rt_dial(network: *const c_char, address: *const c_char) -> c_int {
    let _rt = crate::preempt::enter();
    // SAFETY: the caller's promise.
    c_fd(unsafe { net_args(network, address) }.and_then(|(n, a)| crate::socket::dial(n, a)))
}

#[no_mangle]
pub extern "C" fn rt_accept(lfd: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    c_fd(crate::socket::accept(lfd))
}

#[no_mangle]
pub extern "C" fn rt_shutdown(fd: c_int, how: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    c_fd(crate::socket::shutdown(fd, how).map(|()| 0))
}

/// Copies an address text and its NUL into `buf`: its length, or ERANGE.
///
/// # Safety
/// `buf` is NULL or valid for `n` writes.
unsafe fn put_text(t: &crate::socket::Text, buf: *mut c_char, n: c_ulong) -> c_int {
    // SAFETY: the caller's promise.
    let Some(b) = (unsafe { c_buf_mut(buf as *mut c_void, n) }) else {
        return neg(syscalls::Errno::EFAULT) as c_int;
    };
    let s = t.as_bytes();
    if b.len() <= s.len() {
        return neg(syscalls::Errno::ERANGE) as c_int;
    }
    b[..s.len()].copy_from_slice(s);
    b[s.len()] = 0;
    s.len() as c_int
}

/// # Safety
/// `buf` is NULL or valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn rt_sockname(fd: c_int, buf: *mut c_char, n: c_ulong) -> c_int {
    // SAFETY: the caller's promise.
    unsafe { name_into(crate::socket::sockname, fd, buf, n) }
}

/// # Safety
/// `buf` is NULL or valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn rt_peername(fd: c_int, buf: *mut c_char, n: c_ulong) -> c_int {
    // SAFETY: the caller's promise.
    unsafe { name_into(crate::socket::peername, fd, buf, n) }
}

/// An address of `fd` (`sockname` or `peername`) into the C buffer.
///
/// # Safety
/// `buf` is NULL or valid for `n` writes.
unsafe fn name_into(
    name: fn(i32, &mut crate::socket::Text) -> Result<(), syscalls::Errno>,
    fd: c_int,
    buf: *mut c_char,
    n: c_ulong,
) -> c_int {
    let _rt = crate::preempt::enter();
    let mut t = crate::socket::Text::new();
    match name(fd, &mut t) {
        // SAFETY: buf is NULL or valid for n writes (caller).
        Ok(()) => unsafe { put_text(&t, buf, n) },
        Err(e) => neg(e) as c_int,
    }
}

/// # Safety
/// `buf` is NULL or valid for `n` reads; `address` NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn rt_sendto(fd: c_int, buf: *const c_void, n: c_ulong, address: *const c_char) -> c_long {
    let _rt = crate::preempt::enter();
    // SAFETY: the caller's promise.
    let Some(b) = (unsafe { c_buf(buf, n) }) else {
        return neg(syscalls::Errno::EFAULT);
    };
    // SAFETY: a non-null address is NUL-terminated (caller).
    let to = (!address.is_null()).then(|| unsafe { cstr_bytes(address as *const u8) });
    c_count(crate::socket::sendto(fd, b, to))
}

/// # Safety
/// `buf` is NULL or valid for `n` writes; `from` NULL or valid for
/// `fromlen` writes.
#[no_mangle]
pub unsafe extern "C" fn rt_recvfrom(
    fd: c_int,
    buf: *mut c_void,
    n: c_ulong,
    from: *mut c_char,
    fromlen: c_ulong,
) -> c_long {
    let _rt = crate::preempt::enter();
    // SAFETY: the caller's promise.
    let Some(b) = (unsafe { c_buf_mut(buf, n) }) else {
        return neg(syscalls::Errno::EFAULT);
    };
    let mut t = crate::socket::Text::new();
    let r = crate::socket::recvfrom(fd, b, &mut t);
    if r.is_ok() && !from.is_null() && fromlen > 0 {
        // SAFETY: from is valid for fromlen writes (caller).
        if unsafe { put_text(&t, from, fromlen) } < 0 {
            // Too small for the address: an empty string, the datagram
            // is still returned.
            // SAFETY: as above, fromlen > 0.
            unsafe { from.write(0) };
        }
    }
    c_count(r)
}

fn c_deadline(fd: c_int, ns: i64, modes: &[crate::netpoll::Mode]) -> c_int {
    c_fd(crate::fd::set_deadline(fd, ns, modes).map(|()| 0))
}

#[no_mangle]
pub extern "C" fn rt_set_deadline(fd: c_int, ns: i64) -> c_int {
    let _rt = crate::preempt::enter();
    c_deadline(fd, ns, &[crate::netpoll::Mode::Read, crate::netpoll::Mode::Write])
}

#[no_mangle]
pub extern "C" fn rt_set_read_deadline(fd: c_int, ns: i64) -> c_int {
    let _rt = crate::preempt::enter();
    c_deadline(fd, ns, &[crate::netpoll::Mode::Read])
}

#[no_mangle]
pub extern "C" fn rt_set_write_deadline(fd: c_int, ns: i64) -> c_int {
    let _rt = crate::preempt::enter();
    c_deadline(fd, ns, &[crate::netpoll::Mode::Write])
}
