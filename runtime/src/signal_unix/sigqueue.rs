//! os/signal: delivery to channels (Go's `sigqueue.go` and `signal.loop`).
//! The handler records a wanted signal in `PENDING` and wakes the
//! receiving goroutine, `sigloop`, which sends it on every channel that
//! asked (`notify`); `stop`, `ignore` and `reset` are Go's.

use super::{bit, flags, installed_at_boot, sighandler, NOTIFY, NSIG, SIGKILL, SIGSTOP, SIGURG};
use crate::chan::Hchan;
use crate::os::linux;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use syscalls::Errno;

/// The signals asked for on some channel (`notify`), ignored by `ignore`,
/// delivered but not yet handed to the channels, and given the runtime's
/// handler after boot.
pub(super) static WANTED: AtomicU64 = AtomicU64::new(0);
pub(super) static IGNORED: AtomicU64 = AtomicU64::new(0);
pub(super) static PENDING: AtomicU64 = AtomicU64::new(0);
static HANDLING: AtomicU64 = AtomicU64::new(0);
/// The receiver's futex word: bumped after each `PENDING` update.
pub(super) static RECV_NOTE: AtomicU32 = AtomicU32::new(0);

/// A channel that asked for signals: the set, and what keeps a Rust
/// channel alive while it is registered (`release` drops it).
struct Reg {
    c: *mut Hchan,
    mask: u64,
    keep: *mut u8,
    release: Option<unsafe fn(*mut u8)>,
}

// SAFETY: the registry is only touched under its lock; the channel and the
// keep-alive are shared objects meant for any thread.
unsafe impl Send for Reg {}

static REGS: spin::Mutex<alloc::vec::Vec<Reg>> = spin::Mutex::new(alloc::vec::Vec::new());
static LOOP_STARTED: spin::Once<()> = spin::Once::new();

/// A signal a program may name: 1–64 but SIGKILL and SIGSTOP.
pub fn valid(sig: i32) -> Result<(), Errno> {
    if (1..=NSIG).contains(&sig) && sig != SIGKILL && sig != SIGSTOP {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// Recomputes `WANTED` from the registry (held) and gives the signals no
/// longer wanted back their runtime disposition.
fn rewant(regs: &[Reg]) {
    let want = regs.iter().fold(0, |m, r| m | r.mask);
    let before = WANTED.swap(want, Ordering::SeqCst);
    for sig in 1..=NSIG {
        if before & !want & bit(sig) != 0 {
            // rt_sigaction fails only for a number it does not know, and
            // these were all installed before.
            let _ = restore(sig);
        }
    }
}

/// The runtime's own disposition of `sig`: its handler, or the default.
fn restore(sig: i32) -> Result<(), Errno> {
    HANDLING.fetch_and(!bit(sig), Ordering::SeqCst);
    if installed_at_boot(sig) || (sig == SIGURG && crate::preempt::hooks().is_some()) {
        linux::setsig(sig, sighandler, true)
    } else {
        linux::setsig_default(sig)
    }
}

/// Go's `signal.Notify` for one signal: `sig` is sent, as an `i32`, on
/// channel `c` (of 4-byte elements) without blocking. `keep` and
/// `release` let a Rust channel stay alive while registered.
///
/// # Safety
/// `c` is a live channel until `stop(c)`; `release(keep)` may be called
/// once, from any thread, when it is unregistered.
pub unsafe fn notify(
    c: *mut Hchan,
    sig: i32,
    keep: *mut u8,
    release: Option<unsafe fn(*mut u8)>,
) -> Result<(), Errno> {
    valid(sig)?;
    // SAFETY: c is null or live (caller).
    if c.is_null() || unsafe { (*c).elemsize } != 4 {
        return Err(Errno::EINVAL);
    }
    LOOP_STARTED.call_once(|| {
        crate::preempt::install();
        crate::stack::enable_slots();
        crate::runtime2::enable_ring_growth();
        crate::proc::newproc(
            sigloop,
            core::ptr::null_mut(),
            crate::stack::DEFAULT_STACK_SIZE,
            // The runtime's own goroutine: no `created by` line.
            0,
        );
    });
    {
        let mut regs = REGS.lock();
        match regs.iter_mut().find(|r| r.c == c) {
            Some(r) => {
                r.mask |= bit(sig);
                if let Some(f) = release {
                    // SAFETY: one keep-alive per registration: the extra
                    // one goes now (the caller's contract allows it).
                    unsafe { f(keep) };
                }
            }
            None => regs.push(Reg {
                c,
                mask: bit(sig),
                keep,
                release,
            }),
        }
        WANTED.fetch_or(bit(sig), Ordering::SeqCst);
    }
    // The handler is (re)installed for a signal `ignore` set to SIG_IGN,
    // and for one that had no runtime handler (`installed_at_boot`).
    let was_ignored = IGNORED.fetch_and(!bit(sig), Ordering::SeqCst) & bit(sig) != 0;
    let new = !installed_at_boot(sig) && HANDLING.fetch_or(bit(sig), Ordering::SeqCst) & bit(sig) == 0;
    if was_ignored || new {
        linux::setsig(sig, sighandler, true)?;
    }
    Ok(())
}

/// Go's `signal.Stop`: no more signals on `c`. When it returns, none is
/// being sent to it either (delivery holds the registry's lock).
pub fn stop(c: *mut Hchan) {
    let gone = {
        let mut regs = REGS.lock();
        let gone = regs
            .iter()
            .position(|r| r.c == c)
            .map(|i| regs.swap_remove(i));
        rewant(&regs);
        gone
    };
    if let Some(Reg {
        keep,
        release: Some(f),
        ..
    }) = gone
    {
        // SAFETY: the registration's keep-alive, released once (notify's
        // contract).
        unsafe { f(keep) };
    }
}

/// Go's `signal.Ignore`: `sig` is asked for by no channel and discarded.
pub fn ignore(sig: i32) -> Result<(), Errno> {
    valid(sig)?;
    if flags(sig) & NOTIFY == 0 {
        // Go ignores only the signals a program may ask for.
        return Ok(());
    }
    forget(sig);
    IGNORED.fetch_or(bit(sig), Ordering::SeqCst);
    linux::setsig_ignore(sig)
}

/// Go's `signal.Reset`: `sig` is asked for by no channel and does what it
/// does by default (`SIGTABLE`).
pub fn reset(sig: i32) -> Result<(), Errno> {
    valid(sig)?;
    // A signal asked for gets its disposition back as the last channel
    // lets go of it (`forget`); one `ignore` set to SIG_IGN, here.
    forget(sig);
    if IGNORED.fetch_and(!bit(sig), Ordering::SeqCst) & bit(sig) != 0 {
        restore(sig)?;
    }
    Ok(())
}

/// Takes `sig` out of every registration.
fn forget(sig: i32) {
    let mut regs = REGS.lock();
    for r in regs.iter_mut() {
        r.mask &= !bit(sig);
    }
    rewant(&regs);
}

/// The receiving goroutine (Go's `signal.loop` over `signal_recv`): waits
/// in a blocking system call (its P handed off) until a handler records a
/// signal, then sends each one on the channels that asked.
///
/// # Safety
/// Only as a goroutine's function (`newproc`).
unsafe extern "C" fn sigloop(_: *mut u8) {
    // Runtime code throughout (its locks, its channel sends).
    let _rt = crate::preempt::enter();
    loop {
        // Pairs with the handler's fetch_or then fetch_add (SeqCst): a
        // signal recorded after our swap bumps RECV_NOTE after our load,
        // so the futex wait below returns at once.
        let seen = RECV_NOTE.load(Ordering::SeqCst);
        let bits = PENDING.swap(0, Ordering::SeqCst);
        if bits == 0 {
            const FUTEX_WAIT_PRIVATE: usize = 128;
            // Woken, EAGAIN (RECV_NOTE moved) or EINTR: the loop looks
            // again either way, so the result needs no check. The P is
            // handed off for the wait (entersyscallblock).
            // SAFETY: futex wait on a static word, no timeout.
            unsafe {
                crate::sched::syscall6_blocking(
                    syscalls::Sysno::futex as usize,
                    [
                        RECV_NOTE.as_ptr() as usize,
                        FUTEX_WAIT_PRIVATE,
                        seen as usize,
                        0,
                        0,
                        0,
                    ],
                )
            };
            continue;
        }
        let regs = REGS.lock();
        for sig in 1..=NSIG {
            if bits & bit(sig) == 0 {
                continue;
            }
            for r in regs.iter().filter(|r| r.mask & bit(sig) != 0) {
                // SAFETY: registered channels are live until `stop`, which
                // waits for this lock; 4-byte elements (checked by notify).
                unsafe { crate::chan::chansend(r.c, &sig as *const i32 as *const u8, false) };
            }
        }
    }
}
