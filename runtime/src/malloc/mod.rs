//! Memory: a `GlobalAlloc` over `linked_list_allocator`, fed by mmap.
//!
//! Small and medium requests are served first-fit from arenas, each
//! managed by one `linked_list_allocator::Heap` whose bookkeeping (an
//! `Arena`) sits at the bottom of the arena's own memory, linking to the
//! arena made before it: there is no table of arenas to fill up. The first
//! arena is 64 KiB of .bss, the rest anonymous mappings. The first mapping
//! is `FIRST_ARENA` bytes; each new one is twice the last (at most
//! `MAX_ARENA`), or as large as the request needs, so a program that
//! allocates N bytes makes O(log N) mmap calls. When the kernel refuses a
//! mapping (an address-space limit, a full 32-bit address space) the
//! request is halved, down to what the allocation needs, so that the
//! address space that is left is used in the largest pieces it comes in.
//! Requests of `LARGE` bytes or more get a mapping of their own and are
//! unmapped when freed.
//!
//! The allocator never returns null: when the kernel refuses memory the
//! process ends with Go's `runtime: out of memory: cannot allocate N-byte
//! block (M in use)` / `fatal error: out of memory`, exit 2.
//!
//! Arenas are found by address on free (a walk of the arena list, newest
//! first; there are O(log N) of them). A freed block that is not inside an
//! arena, or a small block that is not aligned as every small block is, is
//! a `fatal error`, not a corruption. The whole allocator sits behind one
//! runtime mutex; the hot paths of the scheduler (G structs, stacks) keep
//! free lists of their own and rarely come here.
//!
//! `c` is C's `malloc`/`free` over this allocator, with a checked header.

mod c;

pub use c::{c_free, c_malloc, c_size};

use crate::lock::Mutex;
use crate::os;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;
use linked_list_allocator::Heap;

const FIRST_ARENA: usize = 256 << 10;
/// The arena in .bss (zero file size; pages cost memory only when used).
const STATIC_ARENA: usize = 64 << 10;

#[repr(C, align(4096))]
struct StaticArena([u8; STATIC_ARENA]);

static mut FIRST: StaticArena = StaticArena([0; STATIC_ARENA]);
const MAX_ARENA: usize = 256 << 20;
/// Requests at least this large are mapped on their own.
pub const LARGE: usize = 128 << 10;

/// Small blocks (up to `SMALL_MAX` bytes, 16-byte aligned) come from
/// per-size-class free lists in front of the arenas: a freed block goes to
/// its class's list and the next request of that class takes it, in O(1),
/// where a first-fit search would walk every hole.
const SMALL_MAX: usize = 512;
const CLASS: usize = 16;
const NCLASSES: usize = SMALL_MAX / CLASS;

/// One arena's bookkeeping, at the bottom of the arena's memory; the heap
/// manages the rest of it.
#[repr(C, align(16))]
struct Arena {
    heap: Heap,
    /// The arena made before this one; null for the first.
    older: *mut Arena,
}

struct Arenas {
    /// The newest arena (null before the first), the head of the list.
    newest: *mut Arena,
    /// Free blocks of each class, linked through their first word.
    small: [*mut u8; NCLASSES],
    /// Size of the largest arena mapped (0 before the first). Zero-initialised
    /// state keeps the allocator in .bss, not in the executable's file.
    last_size: usize,
    /// Bytes handed out and not yet freed, large mappings included.
    in_use: usize,
    /// `rt_malloc`'s large blocks, for `rt_free` to check against.
    c_large: c::LargeList,
}

pub struct Allocator {
    arenas: Mutex<Arenas>,
}

impl Allocator {
    pub const fn new() -> Allocator {
        Allocator {
            arenas: Mutex::new(crate::lock::Rank::Malloc, Arenas {
                newest: core::ptr::null_mut(),
                small: [core::ptr::null_mut(); NCLASSES],
                last_size: 0,
                in_use: 0,
                c_large: c::LargeList::new(),
            }),
        }
    }

    /// Bytes currently allocated.
    pub fn in_use(&self) -> usize {
        self.arenas.lock().in_use
    }
}

fn page_round(n: usize) -> Option<usize> {
    let page = crate::os::linux::physpagesize();
    n.checked_add(page - 1).map(|v| v & !(page - 1))
}

// SAFETY: the raw pointers are arenas and blocks owned by the allocator,
// touched only under its lock.
unsafe impl Send for Arenas {}

/// The size class of a small request, if it is one.
fn class_of(layout: Layout) -> Option<usize> {
    (layout.size() <= SMALL_MAX && layout.align() <= CLASS)
        .then(|| layout.size().max(1).div_ceil(CLASS) - 1)
}

impl Arenas {
    fn alloc_small(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        if let Some(c) = class_of(layout) {
            let slot = self.small.get_mut(c)?;
            let head = *slot;
            if !head.is_null() {
                // SAFETY: a free block of this class holds the next one in
                // its first word.
                *slot = unsafe { (head as *const *mut u8).read() };
                return NonNull::new(head);
            }
            // SAFETY: CLASS is a power of two and the size is not zero.
            let rounded = unsafe { Layout::from_size_align_unchecked((c + 1) * CLASS, CLASS) };
            return self.alloc_first_fit(rounded);
        }
        self.alloc_first_fit(layout)
    }

    fn alloc_first_fit(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        let mut a = self.newest;
        while !a.is_null() {
            // SAFETY: every arena on the list is live and ours, under the lock.
            unsafe {
                if let Ok(p) = (*a).heap.allocate_first_fit(layout) {
                    return Some(p);
                }
                a = (*a).older;
            }
        }
        self.grow(layout)?;
        // SAFETY: grow succeeded, so newest is a live arena.
        unsafe { (*self.newest).heap.allocate_first_fit(layout).ok() }
    }

    /// Makes `[base, base+len)` an arena, the newest.
    ///
    /// # Safety
    /// The range is writable, 16-byte aligned, larger than an `Arena`, and
    /// used by nothing else from now on.
    unsafe fn add_arena(&mut self, base: *mut u8, len: usize) {
        let a = base as *mut Arena;
        let hdr = core::mem::size_of::<Arena>();
        // SAFETY: the range is writable, 16-byte aligned (an Arena's
        // alignment) and larger than an Arena (caller): the bookkeeping fits
        // at its bottom.
        unsafe {
            a.write(Arena {
                heap: Heap::empty(),
                older: self.newest,
            });
        }
        // SAFETY: a was just written, its heap empty and initialised only
        // here; [base + hdr, base + len) is the rest of the range, used by
        // nothing else and never unmapped (caller): Heap::init's contract.
        unsafe {
            // Known to the optimiser, so that `init` aligning the start
            // for its hole header is seen to move nothing, and its check
            // that the range still ends where it did folds away (on
            // riscv64 it did not: the check's failure path linked 1.7 KiB
            // of `core::fmt` into every program). True: base is 16-byte
            // aligned (caller), and so is an Arena's size (its alignment).
            core::hint::assert_unchecked(base as usize % 16 == 0 && hdr % 16 == 0);
            (*a).heap.init(base.add(hdr), len - hdr)
        };
        self.newest = a;
    }

    fn grow(&mut self, layout: Layout) -> Option<()> {
        // Room for the request, its alignment, the allocator's own hole
        // header and the arena's bookkeeping.
        let need = layout
            .size()
            .checked_add(layout.align())?
            .checked_add(64 + core::mem::size_of::<Arena>())?;
        if self.newest.is_null() && need <= STATIC_ARENA {
            // The first arena is in .bss: a program that allocates little
            // (the boot itself: the Ps, the main goroutine) maps nothing.
            // SAFETY: FIRST is used by this arena only, from now on.
            unsafe { self.add_arena(core::ptr::addr_of_mut!(FIRST.0) as *mut u8, STATIC_ARENA) };
            return Some(());
        }
        let need = page_round(need)?;
        let next = if self.last_size == 0 {
            FIRST_ARENA
        } else {
            core::cmp::min(self.last_size * 2, MAX_ARENA)
        };
        let mut size = core::cmp::max(next, need);
        let base = loop {
            // SAFETY: a fresh anonymous mapping, owned by this arena from now on.
            match unsafe { os::mmap_anon(size, os::PROT_READ | os::PROT_WRITE, os::MAP_NORESERVE) }
            {
                Ok(p) => break p,
                // Less address space left than asked for: take it in the
                // largest pieces it comes in, down to what this request needs.
                Err(_) if size > need => {
                    size = core::cmp::max(page_round(size / 2)?, need);
                }
                Err(_) => return None,
            }
        };
        // SAFETY: [base, base+size) is ours, page-aligned, writable, and
        // used by nothing else.
        unsafe { self.add_arena(base, size) };
        self.last_size = core::cmp::max(self.last_size, core::cmp::min(size, MAX_ARENA));
        Some(())
    }

    /// The arena whose heap holds address `p`.
    fn owner(&self, p: *mut u8) -> Option<*mut Arena> {
        let mut a = self.newest;
        while !a.is_null() {
            // SAFETY: every arena on the list is live and ours, under the lock.
            unsafe {
                if (*a).heap.bottom() <= p && p < (*a).heap.top() {
                    return Some(a);
                }
                a = (*a).older;
            }
        }
        None
    }
}

/// A block given back that the allocator never handed out.
#[cold]
fn bad_dealloc(p: *mut u8) -> ! {
    crate::panic::throw_with(
        &|l| {
            l.kx("pointer=", p as u64);
        },
        "free of memory the allocator did not hand out",
    )
}

// SAFETY: every block handed out is a live, exclusive range of the size and
// alignment asked for, from an arena or a mapping of its own, and is given
// back to the place it came from.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE || layout.align() > 4096 {
            // SAFETY: layout has a non-zero size (GlobalAlloc::alloc's
            // contract, which is alloc_large's).
            return unsafe { self.alloc_large(layout) };
        }
        let mut a = self.arenas.lock();
        match a.alloc_small(layout) {
            Some(p) => {
                a.in_use += layout.size();
                p.as_ptr()
            }
            None => {
                let used = a.in_use;
                drop(a);
                crate::panic::throw_oom(layout.size(), used)
            }
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if layout.size() >= LARGE || layout.align() > 4096 {
            // SAFETY: p came from `alloc` with this layout and is no longer
            // used (GlobalAlloc::dealloc's contract); `alloc` sent this same
            // layout to alloc_large, so p is one of its blocks.
            return unsafe { self.dealloc_large(p, layout) };
        }
        let mut a = self.arenas.lock();
        // Every block is inside an arena, aligned as its layout asks, and a
        // small one (rounded to its class) to CLASS: cheap to check, and it
        // stops a wild pointer from joining a free list. Medium blocks are
        // packed back to back at their own alignment, which may be less.
        let class = class_of(layout);
        let align = if class.is_some() { CLASS } else { layout.align() };
        let Some(arena) = a.owner(p).filter(|_| (p as usize).is_multiple_of(align)) else {
            drop(a);
            bad_dealloc(p)
        };
        a.in_use -= layout.size();
        if let Some(slot) = class.and_then(|c| a.small.get_mut(c)) {
            // SAFETY: p is a block of class c that `alloc` handed out and
            // the caller no longer uses (GlobalAlloc::dealloc's contract):
            // at least CLASS bytes, CLASS-aligned (checked above), so its
            // first word can hold the free list's link.
            unsafe { (p as *mut *mut u8).write(*slot) };
            *slot = p;
            return;
        }
        // SAFETY: a medium block: `alloc` took p (not null) from this
        // arena's allocate_first_fit with this same layout (GlobalAlloc's
        // contract), which is Heap::deallocate's; the arena is live and
        // ours under the lock.
        unsafe { (*arena).heap.deallocate(NonNull::new_unchecked(p), layout) };
    }
}

impl Allocator {
    /// A mapping of its own for a large or over-aligned request.
    ///
    /// # Safety
    /// As for `GlobalAlloc::alloc`: `layout` has a non-zero size.
    unsafe fn alloc_large(&self, layout: Layout) -> *mut u8 {
        let align = core::cmp::max(layout.align(), crate::os::linux::physpagesize());
        let len = layout
            .size()
            .checked_add(align - crate::os::linux::physpagesize())
            .and_then(page_round);
        let mapped = match len {
            // SAFETY: a fresh mapping (no MAP_FIXED), ours from now on.
            Some(len) => unsafe {
                os::mmap_anon(len, os::PROT_READ | os::PROT_WRITE, os::MAP_NORESERVE).ok()
            },
            None => None,
        };
        let (Some(len), Some(base)) = (len, mapped) else {
            crate::panic::throw_oom(layout.size(), self.in_use())
        };
        // Over-aligned requests: trim the mapping to the aligned part.
        let start = (base as usize + align - 1) & !(align - 1);
        let head = start - base as usize;
        let want = page_round(layout.size()).unwrap_or(len);
        // Trimming is best effort: a failed munmap only leaves address space
        // mapped, never memory in use.
        if head > 0 {
            // SAFETY: [base, start) is the unaligned head of our fresh
            // mapping, in front of the block: nothing uses it.
            let _ = unsafe { os::munmap(base, head) };
        }
        let tail = len - head - want;
        if tail > 0 {
            // SAFETY: [start + want, base + len) is the tail of our fresh
            // mapping, past the block: nothing uses it.
            let _ = unsafe { os::munmap((start + want) as *mut u8, tail) };
        }
        self.arenas.lock().in_use += layout.size();
        start as *mut u8
    }

    /// Unmaps a block of `alloc_large`.
    ///
    /// # Safety
    /// `p` came from `alloc_large` with this `layout`, and nothing uses it
    /// any more.
    unsafe fn dealloc_large(&self, p: *mut u8, layout: Layout) {
        self.arenas.lock().in_use -= layout.size();
        let len = page_round(layout.size()).unwrap_or(0);
        // SAFETY: [p, p + len) is exactly what alloc_large kept mapped for
        // this layout, and nothing uses it any more (caller).
        if unsafe { os::munmap(p, len) }.is_err() {
            crate::panic::throw("munmap of a large block failed");
        }
    }
}

/// The process-wide allocator (`rt_malloc`, `alloc::*` in Rust programs).
#[cfg_attr(not(test), global_allocator)]
pub static ALLOCATOR: Allocator = Allocator::new();

/// `Box::into_raw(Box::new(v))` for the runtime's own structures that live
/// for good (Ms, Gs, Ps): the same allocation, without the standard
/// library's allocation-failure path (`handle_alloc_error` and its
/// formatted message): this allocator reports running out of memory
/// itself, as Go's `fatal error: out of memory`, and never returns null
/// for a non-zero size.
pub fn leak<T>(v: T) -> *mut T {
    let layout = Layout::new::<T>();
    debug_assert!(layout.size() > 0);
    // SAFETY: a non-zero-size layout (every structure leaked here has
    // fields), as GlobalAlloc::alloc requires.
    let p = unsafe { alloc::alloc::alloc(layout) } as *mut T;
    if p.is_null() {
        crate::panic::throw_oom(layout.size(), 0);
    }
    // SAFETY: p is a fresh allocation of T's size and alignment.
    unsafe { p.write(v) };
    p
}
