//! Linux (level 2 of the layers in `lib.rs`, over `arch` only).
//!
//! This file: typed raw system calls. Thin wrappers over the `syscalls`
//! crate: each returns `Result<_, Errno>` and the caller decides what a
//! failure means; every flag set passed to the kernel is a `bitflags` type.
//! Nothing here allocates, prints or panics, so every function is usable
//! from the first instruction of `rt0_go` and from signal handlers.
//!
//! - `args`: the initial process stack (argv, envp, auxv);
//! - `linux`: Go's `os_linux.go`: the boot values (ncpu, page size, auxv),
//!   `osinit`, the clock, `newosproc`, `minit` and `setsig`;
//! - `vdso`: finding the vDSO's `clock_gettime`.

pub mod args;
pub mod linux;
mod vdso;

pub use linux::nanotime;

use syscalls::{syscall1, syscall2, syscall3, syscall4, syscall5, syscall6, Errno, Sysno};

bitflags::bitflags! {
    /// `mmap`/`mprotect` protections.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Prot: usize {
        const READ = 1;
        const WRITE = 2;
    }

    /// `mmap` flags the runtime passes (besides the private anonymous
    /// mapping `mmap_anon` always asks for).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct MapFlags: usize {
        const PRIVATE = 0x02;
        const ANONYMOUS = 0x20;
        /// Reserve address space only: pages cost memory when touched.
        const NORESERVE = 0x4000;
        /// A hint that the mapping is a stack (no effect on Linux today).
        const STACK = 0x20000;
    }

    /// `sigaction` flags (`sa_flags`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct SigFlags: usize {
        /// The handler takes (sig, siginfo, ucontext).
        const SIGINFO = 0x4;
        /// Interrupted system calls restart instead of failing with EINTR.
        const RESTART = 0x1000_0000;
        /// Run on the thread's signal stack (sigaltstack).
        const ONSTACK = 0x0800_0000;
        /// `restorer` holds the return trampoline (required: no libc);
        /// 0 where the architecture has no such flag (the kernel returns
        /// through its vDSO).
        const RESTORER = crate::arch::SA_RESTORER;
        /// The signal is not blocked while its handler runs.
        const NODEFER = 0x4000_0000;
    }

    /// `futex` operations: one command, optionally private to the process.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct FutexOp: usize {
        const WAIT = 0;
        const WAKE = 1;
        /// Only threads of this process wait on the word: the kernel skips
        /// the shared-mapping lookup.
        const PRIVATE = 128;
    }
}

pub const PROT_NONE: Prot = Prot::empty();
pub const PROT_READ: Prot = Prot::READ;
pub const PROT_WRITE: Prot = Prot::WRITE;
pub const MAP_NORESERVE: MapFlags = MapFlags::NORESERVE;
pub const MAP_STACK: MapFlags = MapFlags::STACK;

const O_RDONLY: usize = 0;
const O_CLOEXEC: usize = 0o2000000;
const AT_FDCWD: isize = -100;
const RLIMIT_STACK: usize = 3;

/// Any system call by number, raw: the kernel's result, `-errno` on
/// failure.
///
/// # Safety
/// The arguments must be valid for system call `nr`.
pub unsafe fn raw_syscall6(nr: usize, a: [usize; 6]) -> isize {
    // SAFETY: the caller's promise.
    unsafe { syscalls::raw::syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]) as isize }
}

/// `write(2)`: one attempt; may write less than asked.
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most buf.len() bytes from a live slice.
    unsafe { syscall3(Sysno::write, fd as usize, buf.as_ptr() as usize, buf.len()) }
}

/// Writes all of `buf`, retrying short writes and EINTR.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(Errno::EIO),
            // The kernel wrote at most buf.len() bytes (`get`: no panic
            // path in the printing every failure report goes through).
            Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `read(2)`.
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most buf.len() bytes into a live slice.
    unsafe {
        syscall3(
            Sysno::read,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    }
}

/// Opens `path` (NUL-terminated) read-only.
pub fn open_readonly(path: &[u8]) -> Result<i32, Errno> {
    debug_assert_eq!(path.last(), Some(&0));
    // SAFETY: path is NUL-terminated and outlives the call.
    unsafe {
        syscall4(
            Sysno::openat,
            AT_FDCWD as usize,
            path.as_ptr() as usize,
            O_RDONLY | O_CLOEXEC,
            0,
        )
    }
    .map(|fd| fd as i32)
}

/// Reads up to `buf.len()` bytes of the file at `path` (NUL-terminated);
/// the number read, 0 when it cannot be opened.
pub fn read_file(path: &[u8], buf: &mut [u8]) -> usize {
    let Ok(fd) = open_readonly(path) else {
        return 0;
    };
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
        match read(fd, rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(Errno::EINTR) => {}
            Err(_) => break,
        }
    }
    // Nothing was written; a failed close loses nothing.
    let _ = close(fd);
    got
}

/// `close(2)`.
pub fn close(fd: i32) -> Result<(), Errno> {
    // SAFETY: closing a descriptor touches no memory of ours.
    unsafe { syscall1(Sysno::close, fd as usize) }.map(|_| ())
}

/// Ends the whole process (every thread) with `code`.
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group does not return.
    unsafe {
        let _ = syscall1(Sysno::exit_group, code as usize);
    }
    // exit_group cannot fail; if it ever returned, do not run on.
    loop {
        core::hint::spin_loop();
    }
}

/// Anonymous private mapping of `len` bytes.
///
/// # Safety
/// With `MAP_FIXED`-like hints the caller must own the range; we never pass
/// MAP_FIXED here, so the kernel picks free address space.
pub unsafe fn mmap_anon(len: usize, prot: Prot, extra_flags: MapFlags) -> Result<*mut u8, Errno> {
    let flags = (MapFlags::PRIVATE | MapFlags::ANONYMOUS | extra_flags).bits();
    let prot = prot.bits();
    // SAFETY: no MAP_FIXED in the flags, so the kernel places the mapping
    // in free address space and no memory in use changes; the call reads
    // no memory of ours.
    #[cfg(target_arch = "arm")]
    let r = unsafe { syscall6(Sysno::mmap2, 0, len, prot, flags, usize::MAX, 0) };
    // SAFETY: as above.
    #[cfg(not(target_arch = "arm"))]
    let r = unsafe { syscall6(Sysno::mmap, 0, len, prot, flags, usize::MAX, 0) };
    r.map(|p| p as *mut u8)
}

/// `munmap(2)`.
///
/// # Safety
/// Nothing may use the range afterwards.
pub unsafe fn munmap(addr: *mut u8, len: usize) -> Result<(), Errno> {
    // SAFETY: nothing uses the range afterwards (caller), so unmapping it
    // leaves no live reference dangling; the kernel reads no memory of ours.
    unsafe { syscall2(Sysno::munmap, addr as usize, len) }.map(|_| ())
}

/// `mprotect(2)`.
///
/// # Safety
/// Removing access from memory still in use faults its users: the range is
/// the caller's, and nothing still uses what loses access.
pub unsafe fn mprotect(addr: *mut u8, len: usize, prot: Prot) -> Result<(), Errno> {
    // SAFETY: the range is the caller's and nothing uses what loses access
    // (caller); the call itself reads and writes no memory of ours.
    unsafe { syscall3(Sysno::mprotect, addr as usize, len, prot.bits()) }.map(|_| ())
}

/// `madvise(MADV_GUARD_INSTALL)` (Linux 6.13): any access to the range
/// faults, as with PROT_NONE, but the guard lives in the page tables and
/// splits no mapping.
pub const MADV_GUARD_INSTALL: usize = 102;

/// `madvise(2)`.
///
/// # Safety
/// The advice may discard or fence off memory still in use: the range is
/// the caller's, and nothing still uses what the advice takes away.
pub unsafe fn madvise(addr: *mut u8, len: usize, advice: usize) -> Result<(), Errno> {
    // SAFETY: the range is the caller's and nothing uses what the advice
    // takes away (caller); the call itself reads no memory of ours.
    unsafe { syscall3(Sysno::madvise, addr as usize, len, advice) }.map(|_| ())
}

/// `madvise(MADV_POPULATE_WRITE)` (Linux 5.14): faults the range in,
/// writable, as a write to each page would, leaving present pages as they
/// are.
pub const MADV_POPULATE_WRITE: usize = 23;

/// A `struct iovec`: `len` bytes at `base`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IoVec {
    pub base: usize,
    pub len: usize,
}

/// `process_madvise(2)`'s pidfd for the calling process
/// (`PIDFD_SELF_THREAD_GROUP`), as Linux 6.14 first numbered it and as it
/// has been numbered since; `madvise_each` keeps the one that works.
const PIDFD_SELF_FIRST: usize = -20000isize as usize;
const PIDFD_SELF_NOW: usize = -10001isize as usize;
static PIDFD_SELF: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(PIDFD_SELF_NOW);

/// The advice for every range of `iov`, in one system call
/// (`process_madvise` on the calling process: Linux 6.13 takes any advice
/// there, 6.14 the pidfd that names it without opening one); the bytes
/// advised.
///
/// # Safety
/// As for `madvise`, for every range.
pub unsafe fn madvise_each(iov: &[IoVec], advice: usize) -> Result<usize, Errno> {
    use core::sync::atomic::Ordering::Relaxed;
    loop {
        let pidfd = PIDFD_SELF.load(Relaxed);
        // SAFETY: the ranges are the caller's (our contract); the kernel
        // reads the iovec array, which outlives the call.
        let r = unsafe {
            syscall5(Sysno::process_madvise, pidfd, iov.as_ptr() as usize, iov.len(), advice, 0)
        };
        if r == Err(Errno::EBADF) && pidfd == PIDFD_SELF_NOW {
            PIDFD_SELF.store(PIDFD_SELF_FIRST, Relaxed);
            continue;
        }
        return r;
    }
}

/// Asks the kernel to read the word at `addr` (a futex wait on value 0
/// with a zero timeout, which never sleeps): `Err(EFAULT)` when the
/// address faults, `Err(ETIMEDOUT)` or `Err(EAGAIN)` when it is readable.
pub fn kernel_reads(addr: usize) -> Result<(), Errno> {
    let ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: the kernel only reads the word at addr (reporting EFAULT
    // rather than faulting); ts outlives the call.
    unsafe {
        syscall4(
            Sysno::futex,
            addr,
            FUTEX_WAIT_PRIVATE,
            0,
            &ts as *const Timespec as usize,
        )
    }
    .map(|_| ())
}

/// `sched_getaffinity(0, len, buf)`: the number of bytes of mask written.
pub fn sched_getaffinity(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most buf.len() bytes.
    unsafe {
        syscall3(
            Sysno::sched_getaffinity,
            0,
            buf.len(),
            buf.as_mut_ptr() as usize,
        )
    }
}

/// The soft limit on the main thread's stack, `None` when unlimited.
pub fn stack_rlimit() -> Result<Option<u64>, Errno> {
    let mut lim = [0u64; 2];
    // SAFETY: prlimit64 writes one struct rlimit64 (two u64) into lim.
    unsafe {
        syscall4(
            Sysno::prlimit64,
            0,
            RLIMIT_STACK,
            0,
            lim.as_mut_ptr() as usize,
        )
    }?;
    Ok(if lim[0] == u64::MAX {
        None
    } else {
        Some(lim[0])
    })
}

/// Fills `buf` from the kernel's random source without blocking for long.
pub fn getrandom(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most buf.len() bytes.
    unsafe { syscall3(Sysno::getrandom, buf.as_mut_ptr() as usize, buf.len(), 0) }
}

const FUTEX_WAIT_PRIVATE: usize = FutexOp::WAIT.union(FutexOp::PRIVATE).bits();
const FUTEX_WAKE_PRIVATE: usize = FutexOp::WAKE.union(FutexOp::PRIVATE).bits();

/// Sleeps while `*addr == val` (or until woken, a signal arrives, or
/// `timeout_ns` passes when it is not negative).
pub fn futex_wait(
    addr: &core::sync::atomic::AtomicU32,
    val: u32,
    timeout_ns: i64,
) -> Result<(), Errno> {
    let ts = Timespec {
        // Clamped: a 32-bit tv_sec cannot hold "no deadline" (i64::MAX).
        sec: core::cmp::min(timeout_ns / 1_000_000_000, isize::MAX as i64) as isize,
        nsec: (timeout_ns % 1_000_000_000) as isize,
    };
    let tp = if timeout_ns < 0 {
        0
    } else {
        &ts as *const Timespec as usize
    };
    // SAFETY: addr is a live u32; ts outlives the call.
    unsafe {
        syscall4(
            Sysno::futex,
            addr.as_ptr() as usize,
            FUTEX_WAIT_PRIVATE,
            val as usize,
            tp,
        )
    }
    .map(|_| ())
}

/// Wakes up to `n` threads sleeping on `addr`.
pub fn futex_wake(addr: &core::sync::atomic::AtomicU32, n: u32) -> Result<usize, Errno> {
    // SAFETY: only the address is used as a key.
    unsafe {
        syscall3(
            Sysno::futex,
            addr.as_ptr() as usize,
            FUTEX_WAKE_PRIVATE,
            n as usize,
        )
    }
}

bitflags::bitflags! {
    /// `epoll_event.events`: what a descriptor is watched for, and what
    /// `epoll_pwait` reports.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct EpollFlags: u32 {
        const IN = 0x001;
        const OUT = 0x004;
        const ERR = 0x008;
        const HUP = 0x010;
        /// The peer shut down its writing half.
        const RDHUP = 0x2000;
        /// Edge-triggered: reported once per change, not while it holds.
        const ET = 1 << 31;
    }
}

/// The kernel's `struct epoll_event`: packed on x86_64 (12 bytes), with
/// its natural alignment (16 bytes) everywhere else.
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Clone, Copy)]
pub struct EpollEvent {
    pub events: u32,
    pub data: u64,
}

const EPOLL_CLOEXEC: usize = 0o2000000;
pub const EPOLL_CTL_ADD: usize = 1;
pub const EPOLL_CTL_DEL: usize = 2;

/// `epoll_create1(EPOLL_CLOEXEC)`.
pub fn epoll_create() -> Result<i32, Errno> {
    // SAFETY: no pointers.
    unsafe { syscall1(Sysno::epoll_create1, EPOLL_CLOEXEC) }.map(|fd| fd as i32)
}

/// `epoll_ctl(epfd, op, fd, &ev)`.
pub fn epoll_ctl(epfd: i32, op: usize, fd: i32, ev: &EpollEvent) -> Result<(), Errno> {
    // SAFETY: ev is a live epoll_event the kernel only reads.
    unsafe {
        syscall4(
            Sysno::epoll_ctl,
            epfd as usize,
            op,
            fd as usize,
            ev as *const EpollEvent as usize,
        )
    }
    .map(|_| ())
}

/// `epoll_pwait(epfd, evs, timeout_ms, NULL)`: how many events it wrote
/// (0 when the timeout passed). A negative timeout waits without limit.
pub fn epoll_wait(epfd: i32, evs: &mut [EpollEvent], timeout_ms: i32) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most evs.len() events into a live slice;
    // a null signal mask leaves the thread's mask alone.
    unsafe {
        syscall6(
            Sysno::epoll_pwait,
            epfd as usize,
            evs.as_mut_ptr() as usize,
            evs.len(),
            timeout_ms as isize as usize,
            0,
            0,
        )
    }
}

/// `eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK)`.
pub fn eventfd() -> Result<i32, Errno> {
    const EFD_NONBLOCK: usize = 0o4000;
    // SAFETY: no pointers.
    unsafe { syscall2(Sysno::eventfd2, 0, EPOLL_CLOEXEC | EFD_NONBLOCK) }.map(|fd| fd as i32)
}

/// `sched_yield(2)`.
pub fn sched_yield() {
    // SAFETY: no arguments, cannot fail.
    unsafe {
        let _ = syscalls::syscall0(Sysno::sched_yield);
    }
}

/// What `rt_sigaction` installs; the kernel's own layout of it differs by
/// architecture (`arch::KernelSigaction`).
pub struct SigAction {
    pub handler: usize,
    pub flags: SigFlags,
    /// The return trampoline; used where the architecture has
    /// `SA_RESTORER` (`arch::SA_RESTORER` is not 0).
    pub restorer: usize,
    pub mask: u64,
}
/// The default disposition, as a `SigAction::handler`.
pub const SIG_DFL: usize = 0;
const SIG_UNBLOCK: usize = 1;

/// `rt_sigaction(2)`.
pub fn rt_sigaction(sig: i32, act: &SigAction) -> Result<(), Errno> {
    let k =
        crate::arch::KernelSigaction::new(act.handler, act.flags.bits(), act.restorer, act.mask);
    // SAFETY: k is a valid kernel sigaction for this architecture; no old
    // action is read back.
    unsafe {
        syscall4(
            Sysno::rt_sigaction,
            sig as usize,
            &k as *const crate::arch::KernelSigaction as usize,
            0,
            8,
        )
    }
    .map(|_| ())
}

/// Sets the calling thread's blocked set to `set` (bit `sig - 1` for each
/// signal), returning the previous one.
pub fn sigprocmask(set: u64) -> Result<u64, Errno> {
    const SIG_SETMASK: usize = 2;
    let mut old: u64 = 0;
    // SAFETY: the kernel reads one 8-byte sigset and writes one.
    unsafe {
        syscall4(
            Sysno::rt_sigprocmask,
            SIG_SETMASK,
            &set as *const u64 as usize,
            &mut old as *mut u64 as usize,
            8,
        )
    }
    .map(|_| old)
}

/// Adds `sig` to the calling thread's blocked set.
pub fn block_signal(sig: i32) -> Result<(), Errno> {
    const SIG_BLOCK: usize = 0;
    let set: u64 = 1 << (sig - 1);
    // SAFETY: the kernel reads one 8-byte sigset; no old set is written.
    unsafe { syscall4(Sysno::rt_sigprocmask, SIG_BLOCK, &set as *const u64 as usize, 0, 8) }.map(|_| ())
}

/// Removes `sig` from the calling thread's blocked set.
pub fn unblock_signal(sig: i32) -> Result<(), Errno> {
    let set: u64 = 1 << (sig - 1);
    // SAFETY: the kernel reads one 8-byte sigset; no old set is written.
    unsafe {
        syscall4(
            Sysno::rt_sigprocmask,
            SIG_UNBLOCK,
            &set as *const u64 as usize,
            0,
            8,
        )
    }
    .map(|_| ())
}

/// `getpid(2)`.
pub fn getpid() -> i32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { syscalls::syscall0(Sysno::getpid) }.unwrap_or(0) as i32
}

/// `tgkill(2)`: sends `sig` to thread `tid` of process `pid`.
pub fn tgkill(pid: i32, tid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: touches no memory of ours.
    unsafe { syscall3(Sysno::tgkill, pid as usize, tid as usize, sig as usize) }.map(|_| ())
}

/// Sends `sig` to the calling thread (C's `raise`).
pub fn raise(sig: i32) -> Result<(), Errno> {
    // SAFETY: getpid, gettid and tgkill touch no memory of ours.
    unsafe {
        let pid = syscalls::syscall0(Sysno::getpid)?;
        let tid = syscalls::syscall0(Sysno::gettid)?;
        syscall3(Sysno::tgkill, pid, tid, sig as usize).map(|_| ())
    }
}

/// Kernel `stack_t`.
#[repr(C)]
pub struct SigStack {
    pub sp: usize,
    pub flags: i32,
    pub size: usize,
}

/// `sigaltstack(2)`: installs `[sp, sp+size)` as this thread's signal stack.
pub fn sigaltstack(sp: usize, size: usize) -> Result<(), Errno> {
    let ss = SigStack { sp, flags: 0, size };
    // SAFETY: ss is valid for the call; the stack it names is the caller's
    // to keep alive.
    unsafe { syscall2(Sysno::sigaltstack, &ss as *const SigStack as usize, 0) }.map(|_| ())
}

/// `sigaltstack(2)` with `SS_DISABLE`: the calling thread has no signal
/// stack any more.
pub fn sigaltstack_disable() -> Result<(), Errno> {
    const SS_DISABLE: i32 = 2;
    let ss = SigStack { sp: 0, flags: SS_DISABLE, size: 0 };
    // SAFETY: ss is valid for the call.
    unsafe { syscall2(Sysno::sigaltstack, &ss as *const SigStack as usize, 0) }.map(|_| ())
}

#[repr(C)]
struct Timespec {
    sec: isize,
    nsec: isize,
}

/// Monotonic time in nanoseconds by the `clock_gettime` system call (the
/// vDSO path is `linux::nanotime`).
pub fn clock_monotonic() -> i64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: the kernel writes one timespec (native word size; the
    // monotonic clock does not reach 2038 on 32-bit).
    let r = unsafe { syscall2(Sysno::clock_gettime, 1, &mut ts as *mut Timespec as usize) };
    match r {
        Ok(_) => ts.sec as i64 * 1_000_000_000 + ts.nsec as i64,
        Err(_) => 0,
    }
}

/// Sleeps for `ns` nanoseconds (or until a signal).
pub fn usleep_ns(ns: i64) {
    let ts = Timespec {
        sec: (ns / 1_000_000_000) as isize,
        nsec: (ns % 1_000_000_000) as isize,
    };
    // SAFETY: reads one timespec; no remainder is written.
    unsafe {
        let _ = syscall2(Sysno::nanosleep, &ts as *const Timespec as usize, 0);
    }
}
