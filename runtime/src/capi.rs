//! The C API (`include/runtime.h`): thin `extern "C"` shims over the core.
//!
//! Each function's contract is documented in the header; the comments here
//! say only what the Rust side relies on.

use crate::os::args::cstr_bytes;
use crate::os::linux::{ncpu, startup};
use crate::{malloc, os, panic, proc, sched, stack};
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

// ---- Sockets and deadlines (net, netpoll) ----------------------------------

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
    let _rt = crate::preempt::enter();
    let mut t = crate::socket::Text::new();
    match crate::socket::sockname(fd, &mut t) {
        // SAFETY: the caller's promise.
        Ok(()) => unsafe { put_text(&t, buf, n) },
        Err(e) => neg(e) as c_int,
    }
}

/// # Safety
/// `buf` is NULL or valid for `n` writes.
#[no_mangle]
pub unsafe extern "C" fn rt_peername(fd: c_int, buf: *mut c_char, n: c_ulong) -> c_int {
    let _rt = crate::preempt::enter();
    let mut t = crate::socket::Text::new();
    match crate::socket::peername(fd, &mut t) {
        // SAFETY: the caller's promise.
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

/// Starts a goroutine running `f(arg)` with the default stack size.
// Not inlined, and its frame pointer read first: its frame record's
// return address is the `go` statement's pc (see `proc::gopc`).
#[no_mangle]
#[inline(never)]
pub extern "C" fn rt_go(f: Option<unsafe extern "C" fn(*mut c_void)>, arg: *mut c_void) {
    let gopc = proc::gopc(crate::arch::caller_fp());
    let _rt = crate::preempt::enter();
    go(f, arg, stack::DEFAULT_STACK_SIZE, gopc);
}

/// Starts a goroutine running `f(arg)` on a stack of `stack_bytes`
/// (rounded up to whole pages, at least 8 KiB).
// As `rt_go`.
#[no_mangle]
#[inline(never)]
pub extern "C" fn rt_go_stack(
    f: Option<unsafe extern "C" fn(*mut c_void)>,
    arg: *mut c_void,
    stack_bytes: c_ulong,
) {
    let gopc = proc::gopc(crate::arch::caller_fp());
    let _rt = crate::preempt::enter();
    go(f, arg, stack_bytes as usize, gopc);
}

/// `rt_go` and `rt_go_stack`, with the `go` statement's pc.
fn go(f: Option<unsafe extern "C" fn(*mut c_void)>, arg: *mut c_void, stack_bytes: usize, gopc: usize) {
    // Two goroutines now: one may need the other's P back.
    crate::preempt::install();
    crate::traceback::enable_created_by();
    let Some(f) = f else {
        panic::throw("go of nil func value")
    };
    // SAFETY: `void (*)(void *)` and `unsafe extern "C" fn(*mut u8)` have
    // the same ABI.
    let f: unsafe extern "C" fn(*mut u8) = unsafe { core::mem::transmute(f) };
    proc::newproc(f, arg as *mut u8, stack_bytes, gopc);
}

/// Yields the processor (`runtime.Gosched`).
#[no_mangle]
pub extern "C" fn rt_gosched() {
    let _rt = crate::preempt::enter();
    sched::gosched()
}

/// Ends the calling goroutine (`runtime.Goexit`).
#[no_mangle]
pub extern "C" fn rt_goexit() -> ! {
    let _rt = crate::preempt::enter();
    proc::goexit1()
}

/// Wires the calling goroutine to its thread (`runtime.LockOSThread`).
#[no_mangle]
pub extern "C" fn rt_lock_os_thread() {
    let _rt = crate::preempt::enter();
    sched::lock_os_thread()
}

/// Undoes one `rt_lock_os_thread` (`runtime.UnlockOSThread`).
#[no_mangle]
pub extern "C" fn rt_unlock_os_thread() {
    let _rt = crate::preempt::enter();
    sched::unlock_os_thread()
}

/// The calling goroutine's id (main is 1).
#[no_mangle]
pub extern "C" fn rt_goid() -> c_long {
    let _rt = crate::preempt::enter();
    proc::goid() as c_long
}

/// Goroutines that exist now (`runtime.NumGoroutine`).
#[no_mangle]
pub extern "C" fn rt_numgoroutine() -> c_int {
    let _rt = crate::preempt::enter();
    proc::gcount() as c_int
}

/// Id of the M (OS thread) running the caller; for diagnostics and tests.
#[no_mangle]
pub extern "C" fn rt_mid() -> c_long {
    let _rt = crate::preempt::enter();
    proc::getm_id() as c_long
}

// ---- Channels, select, sync, time --------------------------------------

use crate::chan::{self, Hchan};
use crate::select::{self, Scase};
use crate::sync::{RawGoMutex, RawWaitGroup};

/// A new channel of `cap` elements of `elem_size` bytes.
#[no_mangle]
pub extern "C" fn rt_chan_make(elem_size: c_ulong, cap: c_ulong) -> *mut Hchan {
    let _rt = crate::preempt::enter();
    chan::makechan(elem_size as usize, cap as usize)
}

/// Sends `*elem`, waiting for room or a receiver.
///
/// # Safety
/// `c` is NULL or from `rt_chan_make`; `elem` points at elem_size bytes.
#[no_mangle]
pub unsafe extern "C" fn rt_chan_send(c: *mut Hchan, elem: *const c_void) {
    let _rt = crate::preempt::enter();
    // SAFETY: c is NULL or from rt_chan_make, and C channels are never
    // freed, so live; elem points at elem_size bytes (caller); C code runs
    // on goroutines (main_main, rt_go's), so a blocking send may park.
    unsafe { chan::chansend(c, elem as *const u8, true) };
}

/// Receives into `*elem` (NULL: discard); 1 = a value, 0 = closed and
/// drained (`*elem` zeroed).
///
/// # Safety
/// `c` is NULL or from `rt_chan_make`; `elem` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn rt_chan_recv(c: *mut Hchan, elem: *mut c_void) -> c_int {
    let _rt = crate::preempt::enter();
    // SAFETY: c is NULL or from rt_chan_make, and C channels are never
    // freed, so live; elem is NULL or elem_size writable bytes (caller); C
    // code runs on goroutines, so a blocking receive may park.
    unsafe { chan::chanrecv(c, elem as *mut u8, true) }.1 as c_int
}

/// Closes the channel.
///
/// # Safety
/// `c` is NULL or from `rt_chan_make`.
#[no_mangle]
pub unsafe extern "C" fn rt_chan_close(c: *mut Hchan) {
    let _rt = crate::preempt::enter();
    // SAFETY: c is NULL or from rt_chan_make (caller), never freed, so live.
    unsafe { chan::closechan(c) }
}

/// Elements buffered now.
///
/// # Safety
/// `c` is NULL or from `rt_chan_make`.
#[no_mangle]
pub unsafe extern "C" fn rt_chan_len(c: *mut Hchan) -> c_ulong {
    let _rt = crate::preempt::enter();
    // SAFETY: c is NULL or from rt_chan_make (caller), never freed, so live.
    unsafe { chan::chanlen(c) as c_ulong }
}

/// Capacity.
///
/// # Safety
/// `c` is NULL or from `rt_chan_make`.
#[no_mangle]
pub unsafe extern "C" fn rt_chan_cap(c: *mut Hchan) -> c_ulong {
    let _rt = crate::preempt::enter();
    // SAFETY: c is NULL or from rt_chan_make (caller), never freed, so live.
    unsafe { chan::chancap(c) as c_ulong }
}

/// `rt_select_case` of the header.
#[repr(C)]
pub struct RtSelectCase {
    pub chan: *mut Hchan,
    pub dir: c_int,
    pub elem: *mut c_void,
    pub ok: c_int,
}

const RT_SEND: c_int = 1;
const RT_RECV: c_int = 2;

/// Go's `select`: the index of the case done, -1 when `block` is 0 and no
/// case is ready. A receive case's `ok` says whether a value arrived.
///
/// # Safety
/// `cases` points at `n` cases whose channels and elems are valid.
#[no_mangle]
pub unsafe extern "C" fn rt_select(cases: *mut RtSelectCase, n: c_int, block: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    if n < 0 || n as usize > select::MAX_SELECT_CASES || (n > 0 && cases.is_null()) {
        panic::throw("rt_select: bad case count");
    }
    // `select {}` is `rt_select(NULL, 0, 1)`: no slice over a null pointer.
    let cs: &mut [RtSelectCase] = if n == 0 {
        &mut []
    } else {
        // SAFETY: cases points at n cases (caller); it is non-null and n is
        // in 1..=MAX_SELECT_CASES (checked above).
        unsafe { core::slice::from_raw_parts_mut(cases, n as usize) }
    };
    let mut sc = [Scase {
        c: core::ptr::null_mut(),
        send: false,
        elem: core::ptr::null_mut(),
    }; select::MAX_SELECT_CASES];
    for (i, c) in cs.iter().enumerate() {
        if c.dir != RT_SEND && c.dir != RT_RECV {
            panic::throw("rt_select: dir must be RT_SEND or RT_RECV");
        }
        sc[i] = Scase {
            c: c.chan,
            send: c.dir == RT_SEND,
            elem: c.elem as *mut u8,
        };
    }
    // SAFETY: sc[..n] copies the C cases: each channel is NULL or from
    // rt_chan_make (never freed), each elem valid for its direction
    // (caller); C code runs on goroutines, so a blocking select may park.
    let (i, ok) = unsafe { select::selectgo(&sc[..n as usize], block != 0) };
    if i >= 0 {
        cs[i as usize].ok = ok as c_int;
    }
    i as c_int
}

/// Locks `m` (a zeroed `rt_mutex` is unlocked), parking the goroutine.
///
/// # Safety
/// `m` points at an `rt_mutex`.
#[no_mangle]
pub unsafe extern "C" fn rt_mutex_lock(m: *mut RawGoMutex) {
    let _rt = crate::preempt::enter();
    // SAFETY: m points at an rt_mutex (caller), RawGoMutex's repr(C)
    // layout; its fields are atomics, so sharing it is fine.
    unsafe { (*m).lock() }
}

/// Unlocks `m`; unlocking an unlocked mutex is a fatal error.
///
/// # Safety
/// `m` points at an `rt_mutex`.
#[no_mangle]
pub unsafe extern "C" fn rt_mutex_unlock(m: *mut RawGoMutex) {
    let _rt = crate::preempt::enter();
    // SAFETY: m points at an rt_mutex (caller), RawGoMutex's repr(C)
    // layout, of atomics.
    unsafe { (*m).unlock() }
}

/// Adds `delta` to the wait group's counter.
///
/// # Safety
/// `wg` points at an `rt_waitgroup`.
#[no_mangle]
pub unsafe extern "C" fn rt_wg_add(wg: *mut RawWaitGroup, delta: c_long) {
    let _rt = crate::preempt::enter();
    // SAFETY: wg points at an rt_waitgroup (caller), RawWaitGroup's repr(C)
    // layout; its fields are atomics, so sharing it is fine.
    unsafe { (*wg).add(delta as i64) }
}

/// `rt_wg_add(wg, -1)`.
///
/// # Safety
/// `wg` points at an `rt_waitgroup`.
#[no_mangle]
pub unsafe extern "C" fn rt_wg_done(wg: *mut RawWaitGroup) {
    let _rt = crate::preempt::enter();
    // SAFETY: wg points at an rt_waitgroup (caller), RawWaitGroup's
    // repr(C) layout, of atomics.
    unsafe { (*wg).done() }
}

/// Waits until the counter is zero.
///
/// # Safety
/// `wg` points at an `rt_waitgroup`.
#[no_mangle]
pub unsafe extern "C" fn rt_wg_wait(wg: *mut RawWaitGroup) {
    let _rt = crate::preempt::enter();
    // SAFETY: wg points at an rt_waitgroup (caller), RawWaitGroup's
    // repr(C) layout, of atomics.
    unsafe { (*wg).wait() }
}

/// Parks the calling goroutine for at least `ns` nanoseconds.
#[no_mangle]
pub extern "C" fn rt_sleep(ns: i64) {
    let _rt = crate::preempt::enter();
    crate::time::sleep(ns)
}

/// Monotonic time in nanoseconds.
#[no_mangle]
pub extern "C" fn rt_nanotime() -> i64 {
    let _rt = crate::preempt::enter();
    crate::time::nanotime()
}

/// A channel (of `long long`) that receives the time once, after `ns`.
#[no_mangle]
pub extern "C" fn rt_after(ns: i64) -> *mut Hchan {
    let _rt = crate::preempt::enter();
    crate::time::timer_chan(ns, false).0
}

/// A channel (of `long long`) that receives the time every `ns`; ticks a
/// slow receiver misses are dropped, as with Go's `time.Tick`. `ns <= 0`
/// gives NULL (a nil channel), as `time.Tick` does.
#[no_mangle]
pub extern "C" fn rt_tick(ns: i64) -> *mut Hchan {
    let _rt = crate::preempt::enter();
    if ns <= 0 {
        return core::ptr::null_mut();
    }
    crate::time::timer_chan(ns, true).0
}

// ---- Signals (Go's os/signal) --------------------------------------------

/// Go's `signal.Notify(c, sig)`: 0, or -EINVAL.
///
/// # Safety
/// `c` is NULL or a live channel, kept alive while registered.
#[no_mangle]
pub unsafe extern "C" fn rt_signal_notify(c: *mut Hchan, sig: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    // SAFETY: c is NULL or live until rt_signal_stop (caller); no
    // keep-alive for a C channel.
    c_status(unsafe { crate::signal_unix::notify(c, sig, core::ptr::null_mut(), None) })
}

/// Go's `signal.Stop(c)`.
#[no_mangle]
pub extern "C" fn rt_signal_stop(c: *mut Hchan) {
    let _rt = crate::preempt::enter();
    crate::signal_unix::stop(c)
}

/// Go's `signal.Ignore(sig)`: 0, or -EINVAL.
#[no_mangle]
pub extern "C" fn rt_signal_ignore(sig: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    c_status(crate::signal_unix::ignore(sig))
}

/// Go's `signal.Reset(sig)`: 0, or -EINVAL.
#[no_mangle]
pub extern "C" fn rt_signal_reset(sig: c_int) -> c_int {
    let _rt = crate::preempt::enter();
    c_status(crate::signal_unix::reset(sig))
}
