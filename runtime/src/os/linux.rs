//! Linux, in the spirit of Go's `os_linux.go`: what the runtime learns from
//! the kernel at boot, and how it makes and sets up threads.
//!
//! - `sysargs` (Go's `args`/`sysargs`): argc, argv, envp and the auxiliary
//!   vector, kept as the boot values `startup()`; the page size from
//!   AT_PAGESZ (`physpagesize`).
//! - `osinit`: the number of CPUs (`getproccount`).
//! - `nanotime`: the monotonic clock, through the vDSO when there is one.
//! - `newosproc`: a new thread (`clone`).
//! - `minit` (per thread: the signal stack) and `setsig` (one handler).

use super::args::{self, Startup};
use super::{Errno, SigAction, SigFlags};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// A value written while the process is single-threaded (during boot) and
/// only read afterwards.
pub struct BootCell<T>(UnsafeCell<T>);

// SAFETY: `set` is only called before a second thread exists; afterwards
// the value is immutable, so shared reads from any thread are sound.
unsafe impl<T> Sync for BootCell<T> {}

impl<T> BootCell<T> {
    pub const fn new(v: T) -> BootCell<T> {
        BootCell(UnsafeCell::new(v))
    }

    /// # Safety
    /// Only during single-threaded boot, with no outstanding `get` borrow.
    pub unsafe fn set(&self, v: T) {
        // SAFETY: the caller's promise: no other access exists.
        unsafe { *self.0.get() = v };
    }

    pub fn get(&self) -> &T {
        // SAFETY: see the Sync impl.
        unsafe { &*self.0.get() }
    }
}

static STARTUP: BootCell<Startup> = BootCell::new(Startup::empty());
static NCPU: AtomicI32 = AtomicI32::new(1);
static PHYSPAGESIZE: AtomicUsize = AtomicUsize::new(args::DEFAULT_PAGE_SIZE);

/// argc, argv, envp and the auxiliary values, as `sysargs` found them.
pub fn startup() -> &'static Startup {
    STARTUP.get()
}

/// CPUs this process may run on (1 until `osinit`).
pub fn ncpu() -> i32 {
    NCPU.load(Ordering::Relaxed)
}

/// The page size (4096 until `sysargs`).
pub fn physpagesize() -> usize {
    PHYSPAGESIZE.load(Ordering::Relaxed)
}

/// Go's `args` + `sysargs`: reads the initial process stack at `sp`, with
/// /proc/self/auxv and defaults as fallbacks.
///
/// # Safety
/// Once, during single-threaded boot, with the kernel's initial `sp`.
pub unsafe fn sysargs(sp: *const usize) -> &'static Startup {
    // SAFETY: the caller's promise: the stack is laid out by execve.
    let mut st = unsafe { args::parse(sp) };
    args::complete(&mut st);
    PHYSPAGESIZE.store(st.physpagesize, Ordering::Relaxed);
    // SAFETY: single-threaded boot; no `startup()` borrow exists yet.
    unsafe { STARTUP.set(st) };
    startup()
}

/// Go's `osinit`: counts the CPUs; returns the count.
pub fn osinit() -> i32 {
    let n = getproccount(|buf| super::sched_getaffinity(buf).map_err(|e| e.into_raw()));
    NCPU.store(n, Ordering::Relaxed);
    n
}

const EINVAL: i32 = 22;

/// The number of CPUs this process may run on: the bits set in its
/// affinity mask. The mask buffer starts at 1024 bytes (8192 CPUs) on the
/// stack and doubles, in a mapping, while the kernel answers EINVAL (its
/// mask is larger), up to 1 MiB. Any other failure counts as 1 CPU, as in
/// Go.
pub fn getproccount(mut getaffinity: impl FnMut(&mut [u8]) -> Result<usize, i32>) -> i32 {
    let mut small = [0u8; 1024];
    match getaffinity(&mut small) {
        Ok(r) => return count_bits(small.get(..r).unwrap_or(&small)),
        Err(EINVAL) => {}
        Err(_) => return 1,
    }
    let mut size = small.len() * 2;
    while size <= 1 << 20 {
        // The allocator is not set up yet during osinit; map directly.
        // SAFETY: a fresh private mapping, unmapped below.
        let p = match unsafe {
            super::mmap_anon(
                size,
                super::PROT_READ | super::PROT_WRITE,
                super::MapFlags::empty(),
            )
        } {
            Ok(p) => p,
            Err(_) => return 1,
        };
        // SAFETY: [p, p+size) is ours until the munmap.
        let mask = unsafe { core::slice::from_raw_parts_mut(p, size) };
        let r = getaffinity(mask);
        let n = match r {
            Ok(r) => Some(count_bits(mask.get(..r).unwrap_or(mask))),
            Err(EINVAL) => None,
            Err(_) => Some(1),
        };
        // SAFETY: nothing refers to the mask any more. Best effort: a
        // failure leaves a small mapping behind.
        let _ = unsafe { super::munmap(p, size) };
        if let Some(n) = n {
            return n;
        }
        size *= 2;
    }
    1
}

/// Set bits in an affinity mask, at least 1.
pub fn count_bits(mask: &[u8]) -> i32 {
    let n: u32 = mask.iter().map(|b| b.count_ones()).sum();
    core::cmp::max(n, 1) as i32
}

// ---- the clock ---------------------------------------------------------

/// 0: not looked up yet; 1: no vDSO; else the vDSO's clock_gettime.
static VDSO_CLOCK: AtomicUsize = AtomicUsize::new(0);

type ClockGettime = unsafe extern "C" fn(i32, *mut [isize; 2]) -> i32;

/// Monotonic time in nanoseconds: a function call into the vDSO when the
/// kernel maps one, else a system call (under qemu-user every read traps).
pub fn nanotime() -> i64 {
    let mut f = VDSO_CLOCK.load(Ordering::Relaxed);
    if f == 0 {
        let ehdr = startup().auxv.sysinfo_ehdr.unwrap_or(0);
        // SAFETY: AT_SYSINFO_EHDR is the address of the kernel's vDSO image.
        f = unsafe { super::vdso::lookup(ehdr, crate::arch::VDSO_CLOCK_GETTIME) }.unwrap_or(1);
        VDSO_CLOCK.store(f, Ordering::Relaxed);
    }
    if f > 1 {
        let mut ts = [0isize; 2];
        // SAFETY: f is the vDSO's clock_gettime, which writes one timespec.
        if unsafe { core::mem::transmute::<usize, ClockGettime>(f)(1, &mut ts) } == 0 {
            return ts[0] as i64 * 1_000_000_000 + ts[1] as i64;
        }
    }
    super::clock_monotonic()
}

// ---- threads -----------------------------------------------------------

bitflags::bitflags! {
    /// `clone` flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct CloneFlags: usize {
        /// Share the address space: a thread, not a process.
        const VM = 0x100;
        /// Share the working directory, root and umask.
        const FS = 0x200;
        /// Share the descriptor table: a descriptor opened by one
        /// goroutine is valid on every M.
        const FILES = 0x400;
        /// Share signal handlers (required with THREAD).
        const SIGHAND = 0x800;
        /// Same thread group: one pid, `exit_group` ends every M, and a
        /// process-directed signal may be taken by any of them.
        const THREAD = 0x10000;
        /// Share System V semaphore undo state, as threads do.
        const SYSVSEM = 0x40000;
        /// Start the thread with the given thread pointer (its M's Tcb),
        /// so `getg()` works from its first instruction.
        const SETTLS = 0x80000;
    }
}

/// Go's `newosproc`: a new thread running `f(arg)` on the stack whose top
/// is `stack_hi`, with its thread pointer at `tls`. Returns the child's
/// thread id.
///
/// # Safety
/// The stack and `tls` stay valid for the life of the thread; `f` never
/// returns.
pub unsafe fn newosproc(
    stack_hi: usize,
    tls: usize,
    f: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> Result<i32, Errno> {
    let flags = CloneFlags::VM
        | CloneFlags::FS
        | CloneFlags::FILES
        | CloneFlags::SIGHAND
        | CloneFlags::SYSVSEM
        | CloneFlags::THREAD
        | CloneFlags::SETTLS;
    // The child starts with every signal blocked (it inherits this
    // thread's mask), so that none reaches it before `minit` has given it
    // a signal stack; `minit` unblocks them (Go's newosproc and
    // minitSignalMask).
    let old = super::sigprocmask(!0)?;
    // SAFETY: the caller's promise; the child never returns into this frame
    // (it starts in `f` on its own stack).
    let r = unsafe { crate::arch::clone(flags.bits(), stack_hi, tls, f, arg) };
    // This thread's own mask back; a failure is newm's fatal error.
    super::sigprocmask(old)?;
    if r < 0 {
        Err(Errno::new(-r as i32))
    } else {
        Ok(r as i32)
    }
}

// ---- signals -----------------------------------------------------------

/// Go's `minit` (its signal half): installs `[lo, lo + size)` as the calling
/// thread's signal stack, so a handler runs even when the faulting
/// goroutine has no stack left.
pub fn minit(lo: usize, size: usize) -> Result<(), Errno> {
    super::sigaltstack(lo, size)
}

/// Go's `unminit` before `exitThread`: the calling thread, about to exit,
/// blocks every signal (those sent to it die with it; the process's go to
/// another thread) and leaves its signal stack, which may serve a new
/// thread as soon as this one is gone.
pub fn unminit() -> Result<(), Errno> {
    super::sigprocmask(!0)?;
    super::sigaltstack_disable()
}

/// Go's `minitSignalMask`, for a thread started by `newosproc`: no
/// signal blocked (the runtime blocks none on its threads).
pub fn minit_signal_mask() -> Result<(), Errno> {
    super::sigprocmask(0).map(|_| ())
}

/// Go's `setsig`: installs `handler(sig, info, ctx)` for `sig` on the
/// signal stack, returning through the arch trampoline; `restart` makes
/// interrupted system calls restart.
pub fn setsig(
    sig: i32,
    handler: unsafe extern "C" fn(i32, *mut u8, *mut u8),
    restart: bool,
) -> Result<(), Errno> {
    let mut flags = SigFlags::SIGINFO | SigFlags::ONSTACK | SigFlags::RESTORER;
    if restart {
        flags |= SigFlags::RESTART;
    }
    super::rt_sigaction(
        sig,
        &SigAction {
            handler: handler as usize,
            flags,
            restorer: crate::arch::sigreturn_tramp as *const () as usize,
            mask: 0,
        },
    )
}

/// Ignores `sig` in the kernel (Go's `setsig(sig, _SIG_IGN)`).
pub fn setsig_ignore(sig: i32) -> Result<(), Errno> {
    super::rt_sigaction(
        sig,
        &SigAction {
            handler: 1,
            flags: SigFlags::RESTORER,
            restorer: crate::arch::sigreturn_tramp as *const () as usize,
            mask: 0,
        },
    )
}

/// Restores the default action for `sig` (Go's `setsig(sig, _SIG_DFL)`).
pub fn setsig_default(sig: i32) -> Result<(), Errno> {
    super::rt_sigaction(
        sig,
        &SigAction {
            handler: super::SIG_DFL,
            flags: SigFlags::RESTORER,
            restorer: crate::arch::sigreturn_tramp as *const () as usize,
            mask: 0,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_bits_counts_and_floors_at_one() {
        assert_eq!(count_bits(&[0b1011, 0, 0x80]), 4);
        assert_eq!(count_bits(&[]), 1);
        assert_eq!(count_bits(&[0; 8]), 1);
    }

    #[test]
    fn getproccount_grows_the_buffer_on_einval() {
        // A kernel whose mask is 4096 bytes: EINVAL until the buffer is
        // large enough, then CPUs 0..=8191 minus one.
        let mut sizes = std::vec::Vec::new();
        let n = getproccount(|buf| {
            sizes.push(buf.len());
            if buf.len() < 4096 {
                return Err(EINVAL);
            }
            for b in buf[..1024].iter_mut() {
                *b = 0xff;
            }
            buf[0] = 0xfe;
            Ok(4096)
        });
        assert_eq!(n, 8191);
        assert_eq!(sizes, std::vec![1024, 2048, 4096]);
    }

    #[test]
    fn getproccount_other_failure_is_one_cpu() {
        assert_eq!(getproccount(|_| Err(1)), 1);
        assert_eq!(getproccount(|_| Err(EINVAL)), 1);
    }
}
