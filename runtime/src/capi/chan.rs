//! Channels and select, sync's mutex and wait group, and time: sleeping,
//! the clock and timer channels.

use crate::chan::{self, Hchan};
use crate::panic;
use crate::select::{self, Scase};
use crate::sync::{RawGoMutex, RawWaitGroup};
use core::ffi::{c_int, c_long, c_ulong, c_void};

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
