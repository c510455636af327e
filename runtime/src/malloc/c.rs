//! `rt_malloc` / `rt_free`: C's malloc over the global allocator, with a
//! header that `rt_free` checks before it trusts it.
//!
//! Every block starts 16 bytes before the pointer handed out, with a
//! `Header`: the size asked of the global allocator and a check word, a
//! function of the header's address and that size. `rt_free` flips the
//! check word to a "freed" value that does not depend on the size, so a
//! second free of the same block is told apart from a pointer that never
//! was a block. What sits in front of the header depends on the size:
//!
//! - small (total up to `SMALL_MAX`): nothing. A freed small block's first
//!   word links it into its class's free list; that overwrites the size,
//!   not the check word.
//! - medium (up to `LARGE`): 16 bytes of padding, where
//!   `linked_list_allocator` writes its hole header when the block is
//!   freed, so that the header survives the free.
//! - large: a `Link` chaining the live large blocks. A large block is a
//!   mapping of its own, outside every arena; `rt_free` reads its header
//!   only after finding it on that list, so a wild pointer is never read.
//!
//! A pointer is checked, in order: 16-byte aligned; its header inside an
//! arena, or its block on the large list; the check word. Reuse defeats
//! the double-free check, as in any allocator: once a freed block is handed
//! out again, a stale pointer to it looks live.

use super::{class_of, LARGE, SMALL_MAX};
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

/// Bytes from a header to the pointer handed out; also the alignment.
const HDR: usize = 16;

#[repr(C, align(16))]
struct Header {
    /// The size asked of the global allocator (everything in front of the
    /// header included).
    size: usize,
    /// `live(addr, size)` while allocated, `freed(addr)` after `rt_free`.
    check: usize,
}

/// A live large block's place on the list, in front of its header.
#[repr(C, align(16))]
struct Link {
    next: *mut Link,
    prev: *mut Link,
}

const _: () = assert!(core::mem::size_of::<Header>() == HDR);
const _: () = assert!(core::mem::size_of::<Link>() == HDR);

const LIVE: usize = 0xA110_C8ED_5AFE_C0DE_u64 as usize;
const FREED: usize = 0xF4EE_D0FF_DEAD_B10C_u64 as usize;

fn live(h: usize, size: usize) -> usize {
    h ^ size.rotate_left(13) ^ LIVE
}

fn freed(h: usize) -> usize {
    h ^ FREED
}

/// Freed large blocks remembered, to call a second free of one a double
/// free rather than a stranger.
const RECENT: usize = 8;

/// The live large blocks of `rt_malloc`, and the last few freed.
pub(super) struct LargeList {
    head: *mut Link,
    recent: [usize; RECENT],
    next_recent: usize,
}

impl LargeList {
    pub(super) const fn new() -> LargeList {
        LargeList {
            head: core::ptr::null_mut(),
            recent: [0; RECENT],
            next_recent: 0,
        }
    }

    /// # Safety
    /// `l` is the start of a live large block, not on the list.
    unsafe fn push(&mut self, l: *mut Link) {
        // SAFETY: l is the start of a live large block, not on the list
        // (caller): 16-byte aligned and ours to write a Link into.
        unsafe {
            l.write(Link {
                next: self.head,
                prev: core::ptr::null_mut(),
            });
        }
        if !self.head.is_null() {
            // SAFETY: the head is a live large block on the list.
            unsafe { (*self.head).prev = l };
        }
        self.head = l;
    }

    fn contains(&self, l: *mut Link) -> bool {
        let mut p = self.head;
        while !p.is_null() {
            if p == l {
                return true;
            }
            // SAFETY: every link on the list is a live large block.
            p = unsafe { (*p).next };
        }
        false
    }

    /// # Safety
    /// `l` is on the list.
    unsafe fn remove(&mut self, l: *mut Link) {
        // SAFETY: l is on the list (caller): a live large block that starts
        // with its Link.
        let Link { next, prev } = unsafe { l.read() };
        if prev.is_null() {
            self.head = next;
        } else {
            // SAFETY: l's neighbours are on the list too: live large blocks.
            unsafe { (*prev).next = next };
        }
        if !next.is_null() {
            // SAFETY: as above.
            unsafe { (*next).prev = prev };
        }
        self.recent[self.next_recent] = l as usize;
        self.next_recent = (self.next_recent + 1) % RECENT;
    }
}

fn oom(n: usize) -> ! {
    crate::panic::throw_oom(n, super::ALLOCATOR.in_use())
}

/// C `malloc` semantics over the global allocator: 16-byte aligned, never
/// null (exhaustion is fatal, as in Go), `n == 0` gives a unique pointer.
pub fn c_malloc(n: usize) -> *mut u8 {
    let Some(mut total) = n.checked_add(HDR) else {
        oom(n)
    };
    // Medium and large blocks carry 16 bytes more in front of the header.
    let front = if total <= SMALL_MAX { 0 } else { HDR };
    if front > 0 {
        let Some(t) = total.checked_add(front) else {
            oom(n)
        };
        total = t;
    }
    let Ok(layout) = Layout::from_size_align(total, HDR) else {
        oom(n)
    };
    // SAFETY: layout has non-zero size; the header (and the link) lie
    // inside the block, which the allocator hands out aligned to 16.
    unsafe {
        let block = super::ALLOCATOR.alloc(layout);
        let h = block.add(front);
        (h as *mut Header).write(Header {
            size: total,
            check: live(h as usize, total),
        });
        if total >= LARGE {
            super::ALLOCATOR
                .arenas
                .lock()
                .c_large
                .push(block as *mut Link);
        }
        h.add(HDR)
    }
}

/// A pointer `rt_free` cannot accept.
#[cold]
fn bad_free(p: *mut u8, what: &str) -> ! {
    crate::panic::throw_with(
        &|l| {
            l.kx("pointer=", p as u64);
        },
        what,
    )
}

const NOT_OURS: &str = "rt_free: pointer not from rt_malloc";
const TWICE: &str = "rt_free: double free";

/// Where a live block of `c_malloc` lies: the header's address, the size
/// asked of the global allocator, and its arena (None for a large block,
/// whose link is at `h - HDR`).
struct Block {
    h: usize,
    size: usize,
    arena: Option<*mut super::Arena>,
}

/// Why a pointer is not a live block: it never was one, or it was freed.
enum NotLive {
    Stranger,
    Freed,
}

/// Checks that `p` is a live block of `c_malloc` (see the module comment
/// for what is checked), under the allocator's lock `a`.
fn live_block(a: &super::Arenas, p: *mut u8) -> Result<Block, NotLive> {
    let addr = p as usize;
    if !addr.is_multiple_of(HDR) || addr < 2 * HDR {
        return Err(NotLive::Stranger);
    }
    let h = addr - HDR;
    if let Some(arena) = a.owner(h as *mut u8) {
        // SAFETY: the arena is live under the lock; the header lies inside
        // its heap (checked first), so reading it reads our own memory.
        unsafe {
            if h + HDR > (*arena).heap.top() as usize {
                return Err(NotLive::Stranger);
            }
            // Raw reads until the header proves the block ours: a wild
            // pointer may point into another live block.
            let hd = h as *const Header;
            if (*hd).check == freed(h) {
                return Err(NotLive::Freed);
            }
            let size = (*hd).size;
            let front = if size <= SMALL_MAX { 0 } else { HDR };
            if (*hd).check != live(h, size)
                || size >= LARGE
                || h - front < (*arena).heap.bottom() as usize
            {
                return Err(NotLive::Stranger);
            }
            return Ok(Block { h, size, arena: Some(arena) });
        }
    }
    // Outside every arena: a large block, if it is on the list.
    let l = (h - HDR) as *mut Link;
    if !a.c_large.contains(l) {
        return Err(if a.c_large.recent.contains(&(l as usize)) {
            NotLive::Freed
        } else {
            NotLive::Stranger
        });
    }
    // SAFETY: l is a live large block of ours; its header follows the link.
    let hd = unsafe { &*(h as *const Header) };
    if hd.check != live(h, hd.size) || hd.size < LARGE {
        return Err(NotLive::Stranger);
    }
    Ok(Block { h, size: hd.size, arena: None })
}

/// C `free` for pointers from `c_malloc`; null is ignored. Anything else
/// that is not a live block from `c_malloc` is a fatal error naming the
/// pointer (see the module comment for what is checked).
///
/// # Safety
/// `p` must not be in use by anyone after the call.
pub unsafe fn c_free(p: *mut u8) {
    if p.is_null() {
        return;
    }
    let mut a = super::ALLOCATOR.arenas.lock();
    let Block { h, size, arena } = match live_block(&a, p) {
        Ok(b) => b,
        Err(e) => {
            drop(a);
            bad_free(p, if matches!(e, NotLive::Freed) { TWICE } else { NOT_OURS })
        }
    };
    if let Some(arena) = arena {
        let front = if size <= SMALL_MAX { 0 } else { HDR };
        let block = h - front;
        // SAFETY: a live block of this arena (live_block), under the lock:
        // its header and its first word are ours to write.
        unsafe {
            (*(h as *mut Header)).check = freed(h);
            a.in_use -= size;
            let layout = Layout::from_size_align_unchecked(size, HDR);
            match class_of(layout) {
                Some(c) => {
                    // The link goes in the first word: the size, not the check.
                    (block as *mut *mut u8).write(a.small[c]);
                    a.small[c] = block as *mut u8;
                }
                None => (*arena)
                    .heap
                    .deallocate(NonNull::new_unchecked(block as *mut u8), layout),
            }
        }
        return;
    }
    let l = (h - HDR) as *mut Link;
    // SAFETY: l is on the list (live_block).
    unsafe { a.c_large.remove(l) };
    drop(a);
    // SAFETY: the block came from alloc with this layout and is off the list.
    unsafe { super::ALLOCATOR.dealloc(l as *mut u8, Layout::from_size_align_unchecked(size, HDR)) }
}

/// The bytes usable at `p`, a live block of `c_malloc` (C's `realloc`
/// needs them): at least what was asked. Anything else is a fatal error
/// naming the pointer, `what` saying which call it was given to.
pub fn c_size(p: *mut u8, what: &str) -> usize {
    let a = super::ALLOCATOR.arenas.lock();
    match live_block(&a, p) {
        Ok(b) => {
            let front = if b.size <= SMALL_MAX { 0 } else { HDR };
            b.size - front - HDR
        }
        Err(_) => {
            drop(a);
            bad_free(p, what)
        }
    }
}
