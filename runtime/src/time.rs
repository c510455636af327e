//! Time: the monotonic clock, sleeping, and timers (Go's `time.go`).
//!
//! `nanotime` reads `clock_gettime(CLOCK_MONOTONIC)` through the vDSO when
//! the kernel maps one (a function call, no system call), else by system
//! call: qemu-user provides no vDSO, so under qemu every read traps.
//!
//! Timers live in per-P min-heaps ordered by deadline. A timer either
//! readies a sleeping goroutine or sends the time on a channel (`after`,
//! `tick`). The scheduler runs due timers (`checktimers`) each time it
//! looks for work. An M with nothing to run sleeps on its futex until the
//! earliest deadline, never polling; adding an earlier timer pokes it (or
//! wakes an M, if none sleeps on timers). Pending timers count as a way to
//! make progress for deadlock detection, as in Go.

use crate::chan::{self, Hchan};
use crate::lock::Mutex;
use crate::runtime2::{G, P};
use crate::sched;
use alloc::boxed::Box;
use core::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

// ---- the clock ---------------------------------------------------------

/// 0: not looked up yet; 1: no vDSO; else the vDSO's clock_gettime.
static VDSO_CLOCK: AtomicUsize = AtomicUsize::new(0);

type ClockGettime = unsafe extern "C" fn(i32, *mut [isize; 2]) -> i32;

/// Monotonic time in nanoseconds.
pub fn nanotime() -> i64 {
    let mut f = VDSO_CLOCK.load(Ordering::Relaxed);
    if f == 0 {
        let ehdr = crate::proc::startup().auxv.sysinfo_ehdr.unwrap_or(0);
        // SAFETY: AT_SYSINFO_EHDR is the address of the kernel's vDSO image.
        f = unsafe { vdso_lookup(ehdr, VDSO_SYMBOL) }.unwrap_or(1);
        VDSO_CLOCK.store(f, Ordering::Relaxed);
    }
    if f > 1 {
        let mut ts = [0isize; 2];
        // SAFETY: f is the vDSO's clock_gettime, which writes one timespec.
        if unsafe { core::mem::transmute::<usize, ClockGettime>(f)(1, &mut ts) } == 0 {
            return ts[0] as i64 * 1_000_000_000 + ts[1] as i64;
        }
    }
    crate::os::clock_monotonic()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(when: i64) -> *mut Timer {
        Box::into_raw(Box::new(Timer {
            when,
            period: 0,
            kind: TimerKind::Sleep(core::ptr::null_mut()),
            deleted: AtomicBool::new(false),
            owned: true,
            left: core::ptr::null_mut(),
            right: core::ptr::null_mut(),
        }))
    }

    #[test]
    fn heap_pops_in_deadline_order() {
        let mut h = TimerHeap::default();
        let mut x: u64 = 7;
        let mut whens = std::vec::Vec::new();
        for _ in 0..5000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let w = (x >> 40) as i64;
            whens.push(w);
            unsafe { h.push(timer(w)) };
        }
        whens.sort();
        for &w in &whens {
            assert_eq!(h.earliest(), w);
            let t = unsafe { h.pop() }.unwrap();
            assert_eq!(unsafe { (*t).when }, w);
            unsafe { drop(Box::from_raw(t)) };
        }
        assert!(unsafe { h.pop() }.is_none());
        assert_eq!(h.earliest(), 0);
    }
}

#[cfg(target_arch = "aarch64")]
const VDSO_SYMBOL: &[u8] = b"__kernel_clock_gettime";
#[cfg(not(target_arch = "aarch64"))]
const VDSO_SYMBOL: &[u8] = b"__vdso_clock_gettime";

unsafe fn rd<T: Copy>(base: usize, off: usize) -> T {
    ((base + off) as *const T).read_unaligned()
}

/// Finds `name` in the vDSO at `base` through its section headers
/// (.dynsym and its string table); returns its run-time address.
unsafe fn vdso_lookup(base: usize, name: &[u8]) -> Option<usize> {
    if base == 0 || rd::<[u8; 4]>(base, 0) != *b"\x7fELF" {
        return None;
    }
    let wide = cfg!(target_pointer_width = "64");
    let word = |b: usize, o: usize| -> usize {
        if wide {
            rd::<u64>(b, o) as usize
        } else {
            rd::<u32>(b, o) as usize
        }
    };
    let (phoff, shoff) = if wide {
        (word(base, 0x20), word(base, 0x28))
    } else {
        (word(base, 0x1c), word(base, 0x20))
    };
    let (phentsize, phnum, shentsize, shnum) = if wide {
        (
            rd::<u16>(base, 0x36),
            rd::<u16>(base, 0x38),
            rd::<u16>(base, 0x3a),
            rd::<u16>(base, 0x3c),
        )
    } else {
        (
            rd::<u16>(base, 0x2a),
            rd::<u16>(base, 0x2c),
            rd::<u16>(base, 0x2e),
            rd::<u16>(base, 0x30),
        )
    };
    // The load bias: where the first PT_LOAD's vaddr ended up.
    let mut vaddr = None;
    for i in 0..phnum as usize {
        let ph = base + phoff + i * phentsize as usize;
        if rd::<u32>(ph, 0) == 1 {
            vaddr = Some(if wide { word(ph, 0x10) } else { word(ph, 0x08) });
            break;
        }
    }
    let bias = base.wrapping_sub(vaddr?);
    let sh = |i: usize| base + shoff + i * shentsize as usize;
    let (off_o, size_o, link_o, ent_o) = if wide {
        (0x18, 0x20, 0x28, 0x38)
    } else {
        (0x10, 0x14, 0x18, 0x24)
    };
    for i in 0..shnum as usize {
        let s = sh(i);
        if rd::<u32>(s, 4) != 11 {
            continue; // not SHT_DYNSYM
        }
        let (symoff, symsize, entsize) = (word(s, off_o), word(s, size_o), word(s, ent_o));
        let strsec = sh(rd::<u32>(s, link_o) as usize);
        let stroff = word(strsec, off_o);
        if entsize == 0 {
            return None;
        }
        for k in 0..symsize / entsize {
            let sym = base + symoff + k * entsize;
            let name_off = rd::<u32>(sym, 0) as usize;
            let value = if wide { word(sym, 8) } else { word(sym, 4) };
            let p = (base + stroff + name_off) as *const u8;
            let mut j = 0;
            while j < name.len() && *p.add(j) == name[j] {
                j += 1;
            }
            if j == name.len() && *p.add(j) == 0 && value != 0 {
                return Some(value.wrapping_add(bias));
            }
        }
    }
    None
}

// ---- timers ------------------------------------------------------------

/// What a timer does when it fires.
#[derive(Clone, Copy)]
pub enum TimerKind {
    /// Ready this sleeping goroutine.
    Sleep(*mut G),
    /// Send the current time (an i64) on this channel without blocking.
    Chan(*mut Hchan),
}

pub struct Timer {
    pub when: i64,
    /// Re-arm every `period` ns; 0 for one-shot.
    pub period: i64,
    pub kind: TimerKind,
    /// Set by `stop`; the heap frees the timer when it comes out.
    pub deleted: AtomicBool,
    /// Heap-allocated (after/tick): freed by the heap once done.
    owned: bool,
    /// Children in the P's heap.
    left: *mut Timer,
    right: *mut Timer,
}

/// A P's timers: a skew heap by deadline, linked through the timers
/// themselves (no allocation to add one; push and pop are O(log n)
/// amortised).
pub struct TimerHeap {
    root: *mut Timer,
}

impl Default for TimerHeap {
    fn default() -> Self {
        TimerHeap {
            root: core::ptr::null_mut(),
        }
    }
}

// SAFETY: timers are only touched under the heap's lock or by their owner.
unsafe impl Send for TimerHeap {}

/// Merges two skew heaps, top-down and without recursion: the smaller
/// root keeps its left subtree on the right and takes the merge of its
/// right subtree with the other heap on the left.
unsafe fn merge(mut a: *mut Timer, mut b: *mut Timer) -> *mut Timer {
    let mut root = core::ptr::null_mut();
    let mut link: *mut *mut Timer = &mut root;
    loop {
        if a.is_null() {
            *link = b;
            return root;
        }
        if b.is_null() {
            *link = a;
            return root;
        }
        if (*b).when < (*a).when {
            core::mem::swap(&mut a, &mut b);
        }
        *link = a;
        let next = (*a).right;
        (*a).right = (*a).left;
        link = &mut (*a).left;
        a = next;
    }
}

impl TimerHeap {
    unsafe fn push(&mut self, t: *mut Timer) {
        (*t).left = core::ptr::null_mut();
        (*t).right = core::ptr::null_mut();
        self.root = merge(self.root, t);
    }

    unsafe fn pop(&mut self) -> Option<*mut Timer> {
        let t = self.root;
        if t.is_null() {
            return None;
        }
        self.root = merge((*t).left, (*t).right);
        Some(t)
    }

    fn earliest(&self) -> i64 {
        // SAFETY: the root is a live timer.
        if self.root.is_null() {
            0
        } else {
            unsafe { (*self.root).when }
        }
    }
}

/// Per-P timer state (fields of P).
pub struct PTimers {
    pub heap: Mutex<TimerHeap>,
    /// The earliest deadline, 0 when there are no timers: read without the
    /// lock by other Ms.
    pub timer0: AtomicI64,
}

impl Default for PTimers {
    fn default() -> Self {
        PTimers {
            heap: Mutex::new(TimerHeap::default()),
            timer0: AtomicI64::new(0),
        }
    }
}

/// Timers in all heaps: lets the scheduler skip the per-P scan (one load
/// per scheduling round) when a program has none.
static NTIMERS: AtomicI64 = AtomicI64::new(0);

/// Adds `t` to the current P's heap (or P0's, from an M without a P) and
/// makes sure some M will wake for it.
///
/// # Safety
/// `t` stays valid until it fires or, if `owned`, is freed by the heap.
pub unsafe fn addtimer(t: *mut Timer) {
    let mp = crate::proc::getm();
    let pp = if (*mp).p.is_null() {
        sched::allp(0)
    } else {
        (*mp).p
    };
    // Read before publishing: once in the heap, `t` may fire (and a sleep
    // timer's goroutine run on) at any moment.
    let when = (*t).when;
    push_locked(pp, t);
    sched::wake_for_timer(when);
}

/// Pushes `t` on `pp`'s heap under its lock and publishes the new earliest
/// deadline. `timer0` is stored (SeqCst) before the caller looks for a
/// timer-watching M (`wake_for_timer`): see the handshake there.
unsafe fn push_locked(pp: *mut P, t: *mut Timer) {
    let mut h = (*pp).timers.heap.lock();
    h.push(t);
    NTIMERS.fetch_add(1, Ordering::SeqCst);
    (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst);
}

/// Runs the due timers of `pp`; returns how many fired.
unsafe fn runtimers(pp: *mut P, now: i64) -> usize {
    let t0 = (*pp).timers.timer0.load(Ordering::SeqCst);
    if t0 == 0 || t0 > now {
        return 0;
    }
    let mut fired = 0;
    loop {
        let t = {
            let mut h = (*pp).timers.heap.lock();
            let due = !h.root.is_null() && (*h.root).when <= now;
            let t = if due { h.pop() } else { None };
            (*pp).timers.timer0.store(h.earliest(), Ordering::SeqCst);
            t
        };
        let Some(t) = t else { return fired };
        NTIMERS.fetch_sub(1, Ordering::SeqCst);
        if (*t).deleted.load(Ordering::Acquire) {
            if (*t).owned {
                drop(Box::from_raw(t));
            }
            continue;
        }
        fired += 1;
        crate::chaos::point(crate::chaos::Site::RunTimer);
        match (*t).kind {
            TimerKind::Sleep(gp) => {
                // The timer lives in `sleep`'s frame on gp's stack. Once gp
                // is ready, another M may run it, return from `sleep` and
                // reuse that memory: `ready` is the last touch of `t`
                // (sleep timers are never periodic, owned or deleted).
                sched::ready(gp);
            }
            TimerKind::Chan(c) => {
                let v = now;
                chan::chansend(c, &v as *const i64 as *const u8, false);
                if (*t).period > 0 {
                    // Catch up past now without firing for every missed
                    // period. The timer is heap-owned and only freed by
                    // the heap, so it is still ours.
                    let p = (*t).period;
                    (*t).when += p * ((now - (*t).when) / p + 1);
                    push_locked(pp, t);
                } else if (*t).owned {
                    drop(Box::from_raw(t));
                }
            }
        }
    }
}

/// Runs due timers on every P (the scheduler calls this when it looks for
/// work). Returns how many fired.
pub fn checktimers() -> usize {
    if NTIMERS.load(Ordering::Relaxed) == 0 {
        return 0;
    }
    let n = sched::gomaxprocs();
    let mut now = 0;
    let mut fired = 0;
    for i in 0..n {
        let pp = sched::allp(i);
        // SAFETY: Ps are never freed.
        let t0 = unsafe { (*pp).timers.timer0.load(Ordering::Relaxed) };
        if t0 == 0 {
            continue;
        }
        if now == 0 {
            now = nanotime();
        }
        if t0 <= now {
            // SAFETY: as above; the heap is locked inside.
            fired += unsafe { runtimers(pp, now) };
        }
    }
    fired
}

/// The earliest deadline over all Ps, 0 if none.
pub fn next_deadline() -> i64 {
    if NTIMERS.load(Ordering::SeqCst) == 0 {
        return 0;
    }
    let mut best = 0i64;
    for i in 0..sched::gomaxprocs() {
        // SAFETY: Ps are never freed.
        let t0 = unsafe { (*sched::allp(i)).timers.timer0.load(Ordering::SeqCst) };
        if t0 != 0 && (best == 0 || t0 < best) {
            best = t0;
        }
    }
    best
}

/// `next_deadline`, with "no timer" as `i64::MAX`.
pub fn next_deadline_or_max() -> i64 {
    match next_deadline() {
        0 => i64::MAX,
        d => d,
    }
}

/// Moves every timer of a P being destroyed to `to`.
///
/// # Safety
/// With the world stopped.
pub unsafe fn move_timers(from: *mut P, to: *mut P) {
    let mut src = (*from).timers.heap.lock();
    let mut dst = (*to).timers.heap.lock();
    while let Some(t) = src.pop() {
        dst.push(t);
    }
    (*from).timers.timer0.store(0, Ordering::SeqCst);
    (*to).timers.timer0.store(dst.earliest(), Ordering::SeqCst);
}

unsafe fn add_timer_after_park(_gp: *mut G, t: *mut u8) -> bool {
    addtimer(t as *mut Timer);
    true
}

/// `time.Sleep`: parks the goroutine for at least `ns` nanoseconds.
pub fn sleep(ns: i64) {
    if ns <= 0 {
        return;
    }
    let gp = crate::arch::getg();
    let mut t = Timer {
        when: nanotime().saturating_add(ns),
        period: 0,
        kind: TimerKind::Sleep(gp),
        deleted: AtomicBool::new(false),
        owned: false,
        left: core::ptr::null_mut(),
        right: core::ptr::null_mut(),
    };
    // The timer is armed on g0 after the goroutine has parked, so it
    // cannot fire before there is something to wake.
    // SAFETY: t lives in this frame until the timer readies us.
    unsafe {
        sched::gopark(
            Some(add_timer_after_park),
            &mut t as *mut Timer as *mut u8,
            "sleep",
        )
    };
}

/// A channel (capacity 1, i64 elements) that receives the time once after
/// `ns`, or every `ns` with `periodic`. Returns the channel and the timer
/// (for `stop`).
pub fn timer_chan(ns: i64, periodic: bool) -> (*mut Hchan, *mut Timer) {
    let c = chan::makechan(core::mem::size_of::<i64>(), 1);
    let period = if periodic { core::cmp::max(ns, 1) } else { 0 };
    let t = Box::into_raw(Box::new(Timer {
        when: nanotime().saturating_add(core::cmp::max(ns, 0)),
        period,
        kind: TimerKind::Chan(c),
        deleted: AtomicBool::new(false),
        owned: true,
        left: core::ptr::null_mut(),
        right: core::ptr::null_mut(),
    }));
    // SAFETY: an owned timer; the heap frees it.
    unsafe { addtimer(t) };
    (c, t)
}

/// Stops a timer from `timer_chan`: it will not fire again.
///
/// # Safety
/// `t` came from `timer_chan`, is periodic (a one-shot timer may already be
/// freed) and has not been stopped before.
pub unsafe fn stop(t: *mut Timer) {
    (*t).deleted.store(true, Ordering::Release);
}
