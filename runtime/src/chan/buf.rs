//! The channel's ring buffer (`qcount` elements of `dataqsiz`, from
//! `recvx` to `sendx`) and the element copies every operation makes.

use super::Hchan;
use core::ptr;
use core::sync::atomic::Ordering;

impl Hchan {
    /// Elements buffered now.
    pub fn count(&self) -> usize {
        self.qcount.load(Ordering::Relaxed)
    }

    /// Appends `*ep` to the buffer if there is room (`lock` held).
    ///
    /// # Safety
    /// `self.lock` is held; `ep` is null (a zero value is sent) or points
    /// at `elemsize` readable bytes outside the buffer.
    #[inline(always)]
    pub(crate) unsafe fn buf_put(&mut self, ep: *const u8) -> bool {
        // The test inline, the copy not: an unbuffered channel (every
        // operation asks) pays a compare, not a call with its saves.
        // SAFETY: the caller's contract is put_room's.
        self.count() < self.dataqsiz && unsafe { self.put_room(ep) }
    }

    /// `buf_put` once there is room.
    ///
    /// # Safety
    /// As `buf_put`, and `count() < dataqsiz`.
    #[inline(never)]
    unsafe fn put_room(&mut self, ep: *const u8) -> bool {
        let n = self.count();
        // SAFETY: sendx < dataqsiz, as slot requires; the slot is elemsize
        // bytes of our buffer, ours under the lock (caller), and ep is null
        // or elemsize readable bytes elsewhere (caller), as copy requires.
        unsafe { self.copy(self.slot(self.sendx), ep) };
        self.sendx = next_index(self.sendx, self.dataqsiz);
        self.qcount.store(n + 1, Ordering::Relaxed);
        true
    }

    /// Takes the head of the buffer into `ep` (null: drop it) if there is
    /// one (`lock` held); the slot is zeroed.
    ///
    /// # Safety
    /// `self.lock` is held; `ep` is null or points at `elemsize` writable
    /// bytes outside the buffer.
    #[inline(always)]
    pub(crate) unsafe fn buf_take(&mut self, ep: *mut u8) -> bool {
        // SAFETY: the caller's contract is take_head's.
        self.count() > 0 && unsafe { self.take_head(ep) }
    }

    /// `buf_take` once the buffer holds an element.
    ///
    /// # Safety
    /// As `buf_take`, and `count() > 0`.
    #[inline(never)]
    unsafe fn take_head(&mut self, ep: *mut u8) -> bool {
        let n = self.count();
        // SAFETY: n > 0 means the buffer has room, so recvx < dataqsiz, as
        // slot requires.
        let slot = unsafe { self.slot(self.recvx) };
        // SAFETY: slot is elemsize bytes of our buffer, ours under the lock
        // (caller); ep is null or elemsize writable bytes elsewhere (caller),
        // as copy requires, and write_bytes stays inside the slot.
        unsafe {
            self.copy(ep, slot);
            ptr::write_bytes(slot, 0, self.elemsize);
        }
        self.recvx = next_index(self.recvx, self.dataqsiz);
        self.qcount.store(n - 1, Ordering::Relaxed);
        true
    }

    /// # Safety
    /// `i < self.dataqsiz`.
    pub(super) unsafe fn slot(&self, i: usize) -> *mut u8 {
        // SAFETY: i < dataqsiz (caller), so the offset stays inside the
        // dataqsiz * elemsize bytes makechan allocated after the header.
        unsafe { self.buf.add(i * self.elemsize) }
    }
    /// # Safety
    /// `dst` is null or valid for `elemsize` writes; `src` is null or valid
    /// for `elemsize` reads; when both are non-null they do not overlap.
    pub(crate) unsafe fn copy(&self, dst: *mut u8, src: *const u8) {
        if !dst.is_null() {
            if src.is_null() {
                // SAFETY: dst is non-null here, so valid for elemsize writes
                // (caller).
                unsafe { ptr::write_bytes(dst, 0, self.elemsize) };
            } else {
                // SAFETY: both are non-null here: src valid for elemsize
                // reads, dst for elemsize writes, disjoint (caller). A word
                // (the common element: a pointer, an int, a long) is one
                // load and one store, not a call of memcpy.
                unsafe {
                    if self.elemsize == WORD {
                        (dst as *mut usize).write_unaligned((src as *const usize).read_unaligned())
                    } else {
                        ptr::copy_nonoverlapping(src, dst, self.elemsize)
                    }
                }
            }
        }
    }
}

const WORD: usize = core::mem::size_of::<usize>();

/// The buffer index after `i` (Go's `if c.sendx == c.dataqsiz { c.sendx = 0 }`:
/// no division).
#[inline(always)]
fn next_index(i: usize, len: usize) -> usize {
    if i + 1 == len { 0 } else { i + 1 }
}
