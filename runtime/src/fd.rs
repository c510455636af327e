//! Descriptors: files, pipes and any system call a goroutine makes, each
//! through `entersyscall`/`exitsyscall` (`sched::syscall`), so that a call
//! that blocks costs its M but never its P: sysmon hands the P to another
//! M and the other goroutines run on (Go's `syscall.Syscall`).
//!
//! Every call here retries EINTR (a signal handled during the call), as
//! Go's `ignoringEINTR` does, except `close`, which Linux never restarts:
//! the descriptor is gone even when it reports EINTR, and a retry could
//! close a descriptor another goroutine has just opened.
//!
//! New descriptors are close-on-exec, as Go's `os.Open` and `os.Pipe` make
//! them. Inherited descriptors (stdin, stdout, stderr) are used as they
//! are: nothing here changes their modes, which the parent process shares.

use crate::sched;
use syscalls::{Errno, Sysno};

const AT_FDCWD: isize = -100;
const O_CLOEXEC: usize = 0o2000000;

/// Any system call by number, through `entersyscall`/`exitsyscall`: the
/// kernel's result, `-errno` on failure (EINTR included: the caller knows
/// whether its call can be repeated).
///
/// # Safety
/// The arguments must be valid for system call `nr`, as for a raw call.
pub unsafe fn syscall(nr: usize, a: [usize; 6]) -> isize {
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

/// `openat(AT_FDCWD, path, flags | O_CLOEXEC, mode)`.
///
/// # Safety
/// `path` is a NUL-terminated string.
pub unsafe fn open(path: *const u8, flags: i32, mode: u32) -> Result<i32, Errno> {
    let flags = flags as u32 as usize | O_CLOEXEC;
    // SAFETY: path is NUL-terminated (caller); openat reads only it.
    unsafe { retrying(Sysno::openat, [AT_FDCWD as usize, path as usize, flags, mode as usize, 0, 0]) }
        .map(|fd| fd as i32)
}

/// `read(2)`: up to `buf.len()` bytes; 0 at end of file.
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most buf.len() bytes into a live slice.
    unsafe { retrying(Sysno::read, [fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0, 0, 0]) }
}

/// `write(2)`: one successful attempt; may write less than asked.
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most buf.len() bytes from a live slice.
    unsafe { retrying(Sysno::write, [fd as usize, buf.as_ptr() as usize, buf.len(), 0, 0, 0]) }
}

/// Writes all of `buf`, retrying short writes (Go's `poll.FD.Write`).
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        match write(fd, buf)? {
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
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    let a = offset_args(fd, buf.as_mut_ptr() as usize, buf.len(), off);
    // SAFETY: the kernel writes at most buf.len() bytes into a live slice.
    unsafe { retrying(Sysno::pread64, a) }
}

/// `pwrite(2)` at offset `off`; the file offset does not move.
pub fn pwrite(fd: i32, buf: &[u8], off: i64) -> Result<usize, Errno> {
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    let a = offset_args(fd, buf.as_ptr() as usize, buf.len(), off);
    // SAFETY: the kernel reads at most buf.len() bytes from a live slice.
    unsafe { retrying(Sysno::pwrite64, a) }
}

/// `close(2)`, once (see the module comment on EINTR).
pub fn close(fd: i32) -> Result<(), Errno> {
    // SAFETY: close takes no pointer.
    let r = unsafe { syscall(Sysno::close as usize, [fd as usize, 0, 0, 0, 0, 0]) };
    match r {
        0.. => Ok(()),
        _ if Errno::new(-r as i32) == Errno::EINTR => Ok(()),
        _ => Err(Errno::new(-r as i32)),
    }
}

/// `pipe2(O_CLOEXEC)`: the read end, then the write end.
pub fn pipe() -> Result<[i32; 2], Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into fds, which outlives the call.
    unsafe { retrying(Sysno::pipe2, [fds.as_mut_ptr() as usize, O_CLOEXEC, 0, 0, 0, 0]) }?;
    Ok(fds)
}
