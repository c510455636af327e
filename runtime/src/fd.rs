//! Descriptors: files, pipes, sockets and any system call a goroutine
//! makes.
//!
//! Two paths, as in Go's `internal/poll`:
//! - **pollable** descriptors (pipes and sockets the runtime made, and
//!   FIFOs, terminals and sockets opened with `open`) are non-blocking
//!   and registered with the network poller (`netpoll`): an attempt that
//!   would block (EAGAIN) parks the goroutine until epoll reports the
//!   descriptor ready, its deadline passes (`ETIMEDOUT`) or it is closed
//!   (`EBADF`); no M waits.
//! - everything else (regular files, and descriptors inherited or made
//!   without the runtime, such as stdin) blocks in the system call, through
//!   `entersyscall`/`exitsyscall` (`sched::syscall`), so that a call that
//!   blocks costs its M but never its P: sysmon hands the P to another M
//!   and the other goroutines run on (Go's `syscall.Syscall`). An
//!   inherited descriptor that the parent left non-blocking waits in
//!   `ppoll` on that path when it would block; given a deadline, it is
//!   registered with the poller (Go's `os.NewFile` registers one it finds
//!   non-blocking). Nothing here changes the modes of descriptors the
//!   parent process shares.
//!
//! Every call here retries EINTR (a signal handled during the call), as
//! Go's `ignoringEINTR` does, except `close`, which Linux never restarts:
//! the descriptor is gone even when it reports EINTR, and a retry could
//! close a descriptor another goroutine has just opened.
//!
//! New descriptors are close-on-exec, as Go's `os.Open` and `os.Pipe` make
//! them.

use crate::netpoll::{self, FdRef, Mode};
use crate::sched;
use syscalls::{Errno, Sysno};

const AT_FDCWD: isize = -100;
pub(crate) const O_CLOEXEC: usize = 0o2000000;
pub(crate) const O_NONBLOCK: usize = 0o4000;
const F_GETFL: usize = 3;
const F_SETFL: usize = 4;

/// Any system call by number, through `entersyscall`/`exitsyscall`: the
/// kernel's result, `-errno` on failure (EINTR included: the caller knows
/// whether its call can be repeated).
///
/// # Safety
/// The arguments must be valid for system call `nr`, as for a raw call.
pub unsafe fn syscall(nr: usize, a: [usize; 6]) -> isize {
    let _rt = crate::preempt::enter();
    // SAFETY: the caller's promise.
    unsafe { sched::syscall6(nr, a) }
}

/// `syscall`, repeated while it fails with EINTR, as a `Result`.
///
/// # Safety
/// As for `syscall`; the call must be safe to repeat after EINTR.
unsafe fn retrying(nr: Sysno, a: [usize; 6]) -> Result<usize, Errno> {
    loop {
        // SAFETY: the caller's promise.
        let r = unsafe { syscall(nr as usize, a) };
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = Errno::new(-r as i32);
        if e != Errno::EINTR {
            return Err(e);
        }
    }
}

/// `syscall` without `entersyscall`, for non-blocking attempts and calls
/// that never block, repeated while it fails with EINTR.
///
/// # Safety
/// As for `retrying`.
pub(crate) unsafe fn raw(nr: Sysno, a: [usize; 6]) -> Result<usize, Errno> {
    loop {
        // SAFETY: the caller's promise.
        let r = unsafe { crate::os::raw_syscall6(nr as usize, a) };
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = Errno::new(-r as i32);
        if e != Errno::EINTR {
            return Err(e);
        }
    }
}

/// Runs system call `nr` on `fd` for `mode` (Go's `poll.FD.Read` and
/// friends): on a descriptor registered with the poller as a non-blocking
/// attempt, parking the goroutine while it would block; otherwise as a
/// blocking call. Until the first registration installs the poller no
/// descriptor can be registered, so a program that never makes one links
/// none of the poller (`netpoll::Poller::io` is this path's other half).
///
/// # Safety
/// As for `retrying`; the call must be safe to repeat after EAGAIN.
pub(crate) unsafe fn io(fd: i32, mode: Mode, nr: Sysno, a: [usize; 6]) -> Result<usize, Errno> {
    // SAFETY: the caller's promise.
    unsafe { io_with(fd, mode, nr, a, false) }
}

/// `io` for a write of all of `a[1..a[1]+a[2]]` (`write_all`): on a
/// pollable descriptor the write lock is held until every byte is written,
/// so that two goroutines' writes never interleave (Go's `FD.Write`).
/// Elsewhere it may return a short count, and the caller goes on.
///
/// # Safety
/// As for `io`, with `a` = `[fd, buf, len, ...]` of a `write`.
unsafe fn io_with(fd: i32, mode: Mode, nr: Sysno, a: [usize; 6], all: bool) -> Result<usize, Errno> {
    match netpoll::poller() {
        // SAFETY: the caller's promise.
        Some(p) => unsafe { (p.io)(fd, mode, nr, a, all) },
        // SAFETY: the caller's promise.
        None => unsafe { blocking(fd, mode, nr, a) },
    }
}

/// `io` once the poller exists: a registered descriptor holds a reference
/// for the call (it cannot be closed under it) and, if pollable, waits in
/// the poller. An unregistered one that turns out to be non-blocking (the
/// parent's choice: its call says EAGAIN) is registered then, as Go's
/// `os.NewFile` registers one it finds non-blocking, so that it waits in
/// the poller, where a close wakes it.
///
/// # Safety
/// As for `io`.
pub(crate) unsafe fn io_polled(fd: i32, mode: Mode, nr: Sysno, a: [usize; 6], all: bool) -> Result<usize, Errno> {
    if let Some(r) = FdRef::get(fd)? {
        // SAFETY: the caller's promise.
        return unsafe { io_ref(&r, mode, nr, a, all) };
    }
    // SAFETY: the caller's promise.
    match unsafe { retrying(nr, a) } {
        Err(Errno::EAGAIN) if netpoll::register(fd, true).is_ok() => match FdRef::get(fd)? {
            // SAFETY: the caller's promise.
            Some(r) => unsafe { io_ref(&r, mode, nr, a, all) },
            // Beyond the table: wait in ppoll.
            // SAFETY: the caller's promise.
            None => unsafe { blocking(fd, mode, nr, a) },
        },
        r => r,
    }
}

/// `io_polled` with the reference taken.
///
/// # Safety
/// As for `io`.
unsafe fn io_ref(r: &FdRef, mode: Mode, nr: Sysno, mut a: [usize; 6], all: bool) -> Result<usize, Errno> {
    let pd = r.pd();
    if !pd.pollable() {
        // SAFETY: the caller's promise.
        return unsafe { retrying(nr, a) };
    }
    let _one_at_a_time = r.lock(mode);
    let reads = mode == Mode::Read && matches!(nr, Sysno::read | Sysno::recvfrom);
    if reads && pd.read_drained() && !pd.wait(mode) {
        pd.check(mode)?;
    }
    let mut done = 0;
    loop {
        pd.check(mode)?;
        // SAFETY: the caller's promise; the descriptor is non-blocking.
        match unsafe { raw(nr, a) } {
            Err(Errno::EAGAIN) => {
                if !pd.wait(mode) {
                    pd.check(mode)?;
                }
            }
            // The rest of a write of everything, under the same lock.
            Ok(n) if all && n > 0 && n < a[2] => {
                done += n;
                a[1] += n;
                a[2] -= n;
            }
            Ok(n) => {
                if reads {
                    pd.note_read(a[2], n);
                }
                return Ok(done + n);
            }
            // What was written before the error is lost to the caller, as
            // with Go's Write (it returns the count and the error; the
            // caller here sees only the error).
            Err(e) => return Err(e),
        }
    }
}

/// A call on a descriptor the poller does not watch, blocking in the
/// kernel through `entersyscall`. One that the runtime did not make and
/// the parent left non-blocking says EAGAIN: then the M waits in `ppoll`
/// for it (the P is handed off as in any blocking call) and tries again;
/// its mode, shared with the parent, stays as it is.
///
/// # Safety
/// As for `io`.
unsafe fn blocking(fd: i32, mode: Mode, nr: Sysno, a: [usize; 6]) -> Result<usize, Errno> {
    loop {
        // SAFETY: the caller's promise.
        match unsafe { retrying(nr, a) } {
            Err(Errno::EAGAIN) => {
                let events: i16 = match mode {
                    Mode::Read => 1,  // POLLIN
                    Mode::Write => 4, // POLLOUT
                };
                #[repr(C)]
                struct PollFd {
                    fd: i32,
                    events: i16,
                    revents: i16,
                }
                let mut pfd = PollFd { fd, events, revents: 0 };
                let a = [&mut pfd as *mut PollFd as usize, 1, 0, 0, 8, 0];
                // Known to block: the P is handed off at once. EINTR just
                // comes round again.
                // SAFETY: the kernel reads and writes one pollfd in pfd,
                // which outlives the call; no timeout and no signal mask.
                let r = unsafe { crate::sched::syscall6_blocking(Sysno::ppoll as usize, a) };
                if r < 0 && r != -(Errno::EINTR.into_raw() as isize) {
                    return Err(Errno::new(-r as i32));
                }
            }
            r => return r,
        }
    }
}

/// `openat(AT_FDCWD, path, flags | O_CLOEXEC, mode)`. What can be polled
/// (a FIFO, a terminal, a socket) is made non-blocking and registered with
/// the poller; a regular file or directory blocks in its system calls.
///
/// # Safety
/// `path` is a NUL-terminated string.
pub unsafe fn open(path: *const u8, flags: i32, mode: u32) -> Result<i32, Errno> {
    let _rt = crate::preempt::enter();
    let flags = flags as u32 as usize | O_CLOEXEC;
    // SAFETY: path is NUL-terminated (caller); openat reads only it.
    let fd = unsafe { retrying(Sysno::openat, [AT_FDCWD as usize, path as usize, flags, mode as usize, 0, 0]) }?
        as i32;
    match netpoll::register(fd, true) {
        // SAFETY: registrations are PollDescs, never freed.
        Ok(pd) if !pd.is_null() && unsafe { (*pd).pollable() } => set_nonblock(fd)?,
        Ok(_) => {}
        // The poller could not be set up: the descriptor still works,
        // blocking.
        Err(_) => {}
    }
    Ok(fd)
}

fn set_nonblock(fd: i32) -> Result<(), Errno> {
    // SAFETY: fcntl takes no pointer.
    let fl = unsafe { raw(Sysno::fcntl, [fd as usize, F_GETFL, 0, 0, 0, 0]) }?;
    // SAFETY: as above.
    unsafe { raw(Sysno::fcntl, [fd as usize, F_SETFL, fl | O_NONBLOCK, 0, 0, 0]) }.map(|_| ())
}

/// `read(2)`: up to `buf.len()` bytes; 0 at end of file. A descriptor
/// the parent left non-blocking is registered with the poller at its first
/// EAGAIN (which sets the poller up if need be), as `io_polled` does once
/// it exists, so that a close wakes its reader. (Writes leave that to
/// `io_polled`: a program that only writes links no poller.)
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    let _rt = crate::preempt::enter();
    let a = [fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0];
    if netpoll::poller().is_none() {
        // SAFETY: the kernel writes at most buf.len() bytes into a live
        // slice.
        match unsafe { retrying(Sysno::read, a) } {
            Err(Errno::EAGAIN) if netpoll::register(fd, true).is_ok() => {}
            r => return r,
        }
    }
    // SAFETY: as above.
    unsafe { io(fd, Mode::Read, Sysno::read, a) }
}

/// `write(2)`: one successful attempt; may write less than asked.
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    let _rt = crate::preempt::enter();
    // SAFETY: the kernel reads at most buf.len() bytes from a live slice.
    unsafe { io(fd, Mode::Write, Sysno::write, [fd as usize, buf.as_ptr() as usize, buf.len(), 0, 0, 0]) }
}

/// Writes all of `buf`, retrying short writes (Go's `poll.FD.Write`):
/// on a pollable descriptor in one hold of its write lock.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    while !buf.is_empty() {
        let a = [fd as usize, buf.as_ptr() as usize, buf.len(), 0, 0, 0];
        // SAFETY: the kernel reads at most buf.len() bytes from a live slice.
        match unsafe { io_with(fd, Mode::Write, Sysno::write, a, true) }? {
            0 => return Err(Errno::EIO),
            // The kernel wrote at most buf.len() bytes.
            n => buf = buf.get(n..).unwrap_or(&[]),
        }
    }
    Ok(())
}

/// The system call arguments of `pread64`/`pwrite64` for a 64-bit offset:
/// one register on 64-bit targets; on armv7 (EABI) a register pair that
/// starts at an even register, after one of padding.
fn offset_args(fd: i32, buf: usize, n: usize, off: i64) -> [usize; 6] {
    #[cfg(target_pointer_width = "64")]
    {
        [fd as usize, buf, n, off as usize, 0, 0]
    }
    #[cfg(target_pointer_width = "32")]
    {
        let off = off as u64;
        [fd as usize, buf, n, 0, off as u32 as usize, (off >> 32) as usize]
    }
}

/// `pread(2)` at offset `off`; the file offset does not move.
pub fn pread(fd: i32, buf: &mut [u8], off: i64) -> Result<usize, Errno> {
    let _rt = crate::preempt::enter();
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    let a = offset_args(fd, buf.as_mut_ptr() as usize, buf.len(), off);
    // SAFETY: the kernel writes at most buf.len() bytes into a live slice.
    unsafe { io(fd, Mode::Read, Sysno::pread64, a) }
}

/// `pwrite(2)` at offset `off`; the file offset does not move.
pub fn pwrite(fd: i32, buf: &[u8], off: i64) -> Result<usize, Errno> {
    let _rt = crate::preempt::enter();
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    let a = offset_args(fd, buf.as_ptr() as usize, buf.len(), off);
    // SAFETY: the kernel reads at most buf.len() bytes from a live slice.
    unsafe { io(fd, Mode::Write, Sysno::pwrite64, a) }
}

/// `close(2)`, once (see the module comment on EINTR).
pub fn close_raw(fd: i32) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    // SAFETY: close takes no pointer.
    let r = unsafe { syscall(Sysno::close as usize, [fd as usize, 0, 0, 0, 0, 0]) };
    match r {
        0.. => Ok(()),
        _ if Errno::new(-r as i32) == Errno::EINTR => Ok(()),
        _ => Err(Errno::new(-r as i32)),
    }
}

/// Run before a descriptor is closed once a unix listener exists
/// (`socket::listen` installs it): removes the listener's socket file.
static BEFORE_CLOSE: core::sync::atomic::AtomicPtr<()> = core::sync::atomic::AtomicPtr::new(core::ptr::null_mut());

/// Installs `f` to run before every `close` (one hook: the unix
/// listeners' unlinking).
pub fn watch_unix_listeners(f: fn(i32)) {
    BEFORE_CLOSE.store(f as *mut (), core::sync::atomic::Ordering::Release);
}

/// Closes `fd`. A registered descriptor's waiters wake with `EBADF`, and
/// its number is released when the last operation on it ends (Go's
/// `FD.Close`); closing it twice is `EBADF`. A unix listener's socket file
/// is removed first, as Go's `UnixListener.Close` does.
pub fn close(fd: i32) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    let hook = BEFORE_CLOSE.load(core::sync::atomic::Ordering::Acquire);
    if !hook.is_null() {
        // SAFETY: only `watch_unix_listeners` stores here, a `fn(i32)`.
        let f = unsafe { core::mem::transmute::<*mut (), fn(i32)>(hook) };
        f(fd);
    }
    match netpoll::close(fd)? {
        Some(()) => Ok(()),
        None => close_raw(fd),
    }
}

/// `pipe2(O_CLOEXEC | O_NONBLOCK)`, both ends registered with the poller:
/// the read end, then the write end.
pub fn pipe() -> Result<[i32; 2], Errno> {
    let _rt = crate::preempt::enter();
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into fds, which outlives the call.
    unsafe { raw(Sysno::pipe2, [fds.as_mut_ptr() as usize, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0]) }?;
    for fd in fds {
        if let Err(e) = netpoll::register_stream(fd) {
            // (`close` closes a registered end through the poller.)
            for f in fds {
                let _ = close(f);
            }
            return Err(e);
        }
    }
    Ok(fds)
}

/// Sets the deadline of `modes` on `fd` (Go's `SetDeadline` and friends):
/// `at` on the `nanotime` clock, 0 for none. `EOPNOTSUPP` where the
/// descriptor cannot wait in the poller (a regular file, a blocking
/// inherited descriptor: Go's "file type does not support deadline").
pub fn set_deadline(fd: i32, at: i64, modes: &[Mode]) -> Result<(), Errno> {
    let _rt = crate::preempt::enter();
    let r = match FdRef::get(fd)? {
        Some(r) => r,
        None => {
            // SAFETY: fcntl takes no pointer.
            let fl = unsafe { raw(Sysno::fcntl, [fd as usize, F_GETFL, 0, 0, 0, 0]) }?;
            if fl & O_NONBLOCK == 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            // Non-blocking already (the parent's choice): it can wait in
            // the poller from now on.
            netpoll::register(fd, true)?;
            FdRef::get(fd)?.ok_or(Errno::EOPNOTSUPP)?
        }
    };
    if !r.pd().pollable() {
        return Err(Errno::EOPNOTSUPP);
    }
    netpoll::set_deadline(r.pd(), at, modes);
    Ok(())
}
