//! Signals (Go's `os/signal`): notify, stop, ignore, reset.

use super::c_status;
use crate::chan::Hchan;
use core::ffi::c_int;

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
