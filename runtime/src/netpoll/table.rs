//! The descriptor table (descriptor number to `PollDesc`) and the free
//! list of `PollDesc`s; registration; the reference an operation holds
//! (Go's `fdMutex`) with its read and write locks; and close.

use super::deadline::{Deadline, Deadlines};
use super::epoll::{init, EPFD};
use super::{readyg, Mode, PollDesc, CLOSED, CLOSING, NIL};
use crate::lock::{Mutex, Rank};
use crate::os::{self, EpollEvent, EpollFlags};
use crate::sync::RawGoMutex;
use alloc::boxed::Box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use syscalls::Errno;

const CHUNK: usize = 1024;
/// Descriptors beyond `CHUNK * CHUNK` (above any usual `RLIMIT_NOFILE`)
/// are not registered: they block in system calls.
static TABLE: [AtomicPtr<[AtomicPtr<PollDesc>; CHUNK]>; CHUNK] =
    [const { AtomicPtr::new(null_mut()) }; CHUNK];

struct Cache(*mut PollDesc);
// SAFETY: the list is only touched under its lock.
unsafe impl Send for Cache {}
static CACHE: spin::Mutex<Cache> = spin::Mutex::new(Cache(null_mut()));

fn slot(fd: i32) -> Option<&'static AtomicPtr<PollDesc>> {
    let fd = usize::try_from(fd).ok()?;
    let (hi, lo) = (fd / CHUNK, fd % CHUNK);
    let chunks = TABLE.get(hi)?;
    let mut c = chunks.load(Ordering::Acquire);
    if c.is_null() {
        // Zeroed memory is a chunk of nulls; allocated in place (a Box of
        // the array would build its 4-8 KiB on the stack first, more than
        // armv7's frame limit allows).
        let layout = core::alloc::Layout::new::<[AtomicPtr<PollDesc>; CHUNK]>();
        // SAFETY: the layout has a non-zero size.
        let fresh = unsafe { alloc::alloc::alloc_zeroed(layout) } as *mut [AtomicPtr<PollDesc>; CHUNK];
        if fresh.is_null() {
            alloc::alloc::handle_alloc_error(layout);
        }
        match chunks.compare_exchange(null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => c = fresh,
            Err(other) => {
                // SAFETY: fresh is ours, never published.
                drop(unsafe { Box::from_raw(fresh) });
                c = other;
            }
        }
    }
    // SAFETY: chunks are never freed once published.
    unsafe { (*c).get(lo) }
}

/// The registration of `fd`, or null.
pub fn lookup(fd: i32) -> *mut PollDesc {
    let Ok(u) = usize::try_from(fd) else { return null_mut() };
    let Some(chunks) = TABLE.get(u / CHUNK) else { return null_mut() };
    let c = chunks.load(Ordering::Acquire);
    if c.is_null() {
        return null_mut();
    }
    // SAFETY: chunks are never freed once published.
    unsafe { (*c)[u % CHUNK].load(Ordering::Acquire) }
}

fn alloc_pd() -> *mut PollDesc {
    let mut c = CACHE.lock();
    let pd = c.0;
    if !pd.is_null() {
        // SAFETY: on the free list, so a PollDesc no one else holds.
        c.0 = unsafe { (*pd).next };
        return pd;
    }
    drop(c);
    crate::malloc::leak(PollDesc {
        fd: AtomicI32::new(-1),
        pollable: AtomicBool::new(false),
        stream: AtomicBool::new(false),
        ended: AtomicBool::new(false),
        drained: AtomicBool::new(false),
        rg: AtomicUsize::new(NIL),
        wg: AtomicUsize::new(NIL),
        info: AtomicU32::new(0),
        refs: AtomicU32::new(0),
        deadlines: Mutex::new(Rank::PollDesc, Deadlines { r: Deadline::new(), w: Deadline::new() }),
        rlock: RawGoMutex::new(),
        wlock: RawGoMutex::new(),
        csema: AtomicU32::new(0),
        close_err: AtomicI32::new(0),
        next: null_mut(),
    })
}

/// `register` for a byte stream (a pipe, a stream socket): see
/// `PollDesc::note_read`.
pub fn register_stream(fd: i32) -> Result<*mut PollDesc, Errno> {
    let pd = register(fd, true)?;
    // SAFETY: registrations are PollDescs, never freed; the flag is set
    // before any read of the new descriptor (this thread's, or another's
    // after it learns the number, which takes a reference with Acquire).
    if let Some(p) = unsafe { pd.as_ref() } {
        p.stream.store(true, Ordering::Release);
    }
    Ok(pd)
}

/// Whether `fd` is registered as a byte stream (`register_stream`).
pub fn is_stream(fd: i32) -> bool {
    // SAFETY: registrations are PollDescs, never freed.
    unsafe { lookup(fd).as_ref() }.map_or(false, |p| p.stream.load(Ordering::Acquire))
}

/// Registers `fd` (which must already be non-blocking if `pollable`); a
/// stale registration of the same number (a descriptor closed behind the
/// runtime's back) is evicted. With `pollable`, epoll watches it; if it
/// cannot (a regular file), it is registered as not pollable.
pub fn register(fd: i32, pollable: bool) -> Result<*mut PollDesc, Errno> {
    if pollable {
        init()?;
    }
    let Some(slot) = slot(fd) else { return Ok(null_mut()) };
    let pd = alloc_pd();
    // SAFETY: pd is fresh or off the free list: ours until published.
    let p = unsafe { &*pd };
    p.fd.store(fd, Ordering::Relaxed);
    p.stream.store(false, Ordering::Relaxed);
    p.ended.store(false, Ordering::Relaxed);
    p.drained.store(false, Ordering::Relaxed);
    p.rg.store(NIL, Ordering::Relaxed);
    p.wg.store(NIL, Ordering::Relaxed);
    {
        // A timer of the previous life may still be due: new sequence
        // numbers make it find nothing to do, and `info` is cleared under
        // the same lock its expiry would take.
        let mut d = p.deadlines.lock();
        d.r.cancel();
        d.w.cancel();
        d.r.at = 0;
        d.w.at = 0;
        p.info.store(0, Ordering::SeqCst);
    }
    let mut watched = false;
    if pollable {
        let ev = EpollEvent {
            events: (EpollFlags::IN | EpollFlags::OUT | EpollFlags::RDHUP | EpollFlags::ET).bits(),
            data: pd as usize as u64,
        };
        watched = match os::epoll_ctl(EPFD.load(Ordering::Relaxed), os::EPOLL_CTL_ADD, fd, &ev) {
            Ok(()) => true,
            // A regular file or directory: not pollable.
            Err(Errno::EPERM) => false,
            // Another goroutine registered it first (two reads of an
            // inherited non-blocking descriptor both saw EAGAIN): use its
            // registration rather than fail the second read.
            Err(Errno::EEXIST) if !lookup(fd).is_null() => {
                free_pd(pd);
                return Ok(lookup(fd));
            }
            Err(e) => {
                free_pd(pd);
                return Err(e);
            }
        };
    }
    p.pollable.store(watched, Ordering::Relaxed);
    // Last, with Release: a reference taken (`FdRef::get`'s Acquire
    // compare-and-swap reads this 0; before it, CLOSED from the previous
    // life refuses) sees every field above, `fd` included, on weak memory
    // too.
    p.refs.store(0, Ordering::Release);
    let old = slot.swap(pd, Ordering::AcqRel);
    // SAFETY: registrations are PollDescs, never freed.
    if let Some(old) = unsafe { old.as_ref() } {
        // A stale registration (its number was closed behind the
        // runtime's back): wake its waiters. One being closed (`close_number`
        // closes the number before it leaves the table) is left
        // alone: it may already be another descriptor's.
        if old.refs.load(Ordering::Acquire) & CLOSED == 0 && old.fd() == fd {
            evict(old);
        }
    }
    Ok(pd)
}

fn free_pd(pd: *mut PollDesc) {
    let mut c = CACHE.lock();
    // SAFETY: pd is no longer registered: ours.
    unsafe { (*pd).next = c.0 };
    c.0 = pd;
}

/// Marks `pd` closing and wakes its waiters (Go's `pollDesc.evict`).
fn evict(pd: &PollDesc) {
    let (r, w) = {
        let mut d = pd.deadlines.lock();
        pd.info.fetch_or(CLOSING, Ordering::SeqCst);
        d.r.cancel();
        d.w.cancel();
        (pd.unblock(Mode::Read, false), pd.unblock(Mode::Write, false))
    };
    readyg(r);
    readyg(w);
}

/// A reference to a registered descriptor held for one operation (Go's
/// `fdMutex` `incref`/`decref`): the number stays open until it drops.
pub struct FdRef(&'static PollDesc);

impl FdRef {
    /// The registration of `fd` with a reference taken; `Ok(None)` when
    /// `fd` is not registered; `EBADF` once it is closing.
    pub fn get(fd: i32) -> Result<Option<FdRef>, Errno> {
        let pd = lookup(fd);
        if pd.is_null() {
            return Ok(None);
        }
        // SAFETY: registrations are PollDescs, never freed.
        let p = unsafe { &*pd };
        let mut v = p.refs.load(Ordering::Relaxed);
        loop {
            if v & CLOSED != 0 || p.fd() != fd {
                return Err(Errno::EBADF);
            }
            match p.refs.compare_exchange_weak(v, v + 1, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => break,
                Err(x) => v = x,
            }
        }
        let r = FdRef(p);
        // Closed and registered again for another number between the
        // lookup and the reference: not ours (dropping gives it back).
        if p.fd() != fd {
            return Err(Errno::EBADF);
        }
        Ok(Some(r))
    }

    pub fn pd(&self) -> &'static PollDesc {
        self.0
    }

    /// Takes `mode`'s lock for one operation (the goroutine waits while
    /// another reads, or writes); released when the guard drops. A closed
    /// descriptor wakes the holder (`EBADF`), which lets the next one in
    /// to see the same.
    pub fn lock(&self, mode: Mode) -> IoLock {
        let m = match mode {
            Mode::Read => &self.0.rlock,
            Mode::Write => &self.0.wlock,
        };
        m.lock();
        IoLock(m)
    }
}

/// `FdRef::lock`'s guard.
pub struct IoLock(&'static RawGoMutex);

impl Drop for IoLock {
    fn drop(&mut self) {
        self.0.unlock();
    }
}

impl Drop for FdRef {
    fn drop(&mut self) {
        if self.0.refs.fetch_sub(1, Ordering::AcqRel) == CLOSED | 1 {
            // The last operation of a closed descriptor: close the number,
            // then let `close`, waiting, have the result (and the
            // PollDesc: it frees it, so nothing here touches it after the
            // release).
            let e = match close_number(self.0) {
                Ok(()) => 0,
                Err(e) => e.into_raw(),
            };
            self.0.close_err.store(e, Ordering::Relaxed);
            crate::sema::semrelease(&self.0.csema);
        }
    }
}

/// The last reference of a closed descriptor is gone: unregister it and
/// close the number.
///
/// The number is closed *before* it leaves the table: until then a lookup
/// finds it closed (`EBADF`). Were it the other way round, a goroutine
/// starting a read could miss the registration, take the blocking path on
/// the still-open non-blocking descriptor and wait in `ppoll`, which its
/// close does not wake. A registration of the reused number meanwhile
/// replaces ours in the table (the compare-and-swap then leaves it).
fn close_number(pd: &'static PollDesc) -> Result<(), Errno> {
    let fd = pd.fd();
    if pd.pollable() {
        // Go's netpollclose: were the open file shared (a dup, a fork, an
        // inherited descriptor), its events would go on naming this
        // PollDesc, reused by then.
        let ev = EpollEvent { events: 0, data: 0 };
        let _ = os::epoll_ctl(EPFD.load(Ordering::Relaxed), os::EPOLL_CTL_DEL, fd, &ev);
    }
    let r = crate::fd::close_raw(fd);
    if let Some(s) = slot(fd) {
        let me = pd as *const PollDesc as *mut PollDesc;
        let _ = s.compare_exchange(me, null_mut(), Ordering::AcqRel, Ordering::Relaxed);
    }
    pd.fd.store(-1, Ordering::Relaxed);
    r
}

/// Go's `FD.Close`: closes a registered descriptor. Waiters wake with
/// `EBADF`; the number itself is closed when the last operation in flight
/// ends (at once if none), and `close` returns only then, with the result
/// of `close(2)` (so a listener's address is free, and its peers see end
/// of file, by the time it returns). `Ok(None)` if `fd` is not registered.
pub fn close(fd: i32) -> Result<Option<()>, Errno> {
    let pd = lookup(fd);
    if pd.is_null() {
        return Ok(None);
    }
    // SAFETY: registrations are PollDescs, never freed.
    let p: &'static PollDesc = unsafe { &*pd };
    let mut v = p.refs.load(Ordering::Relaxed);
    loop {
        if v & CLOSED != 0 || p.fd() != fd {
            return Err(Errno::EBADF);
        }
        match p.refs.compare_exchange_weak(v, v | CLOSED, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => break,
            Err(x) => v = x,
        }
    }
    evict(p);
    let r = if v == 0 {
        close_number(p)
    } else {
        // The woken waiters drop their references; the last one closes
        // the number and releases us.
        crate::sema::semacquire(&p.csema, false, crate::runtime2::WaitReason::Semacquire);
        match p.close_err.load(Ordering::Relaxed) {
            0 => Ok(()),
            e => Err(Errno::new(e)),
        }
    };
    free_pd(p as *const PollDesc as *mut PollDesc);
    r.map(Some)
}
