//! Goroutines (Go's `proc.go`): `rt_go`, yielding, exiting, locking to
//! a thread, ids and counts.

use crate::{panic, proc, sched, stack};
use core::ffi::{c_int, c_long, c_ulong, c_void};

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
    stack::enable_slots();
    crate::runtime2::enable_ring_growth();
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
