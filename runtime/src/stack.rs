//! Goroutine stacks: page-granular mmap'd regions with a guard page.
//!
//! Rust code cannot have its stack moved (it holds raw addresses into it),
//! so Go's growable, copied 2 KiB stacks are not an option. A goroutine
//! gets a fixed-size stack reserved with MAP_NORESERVE: only the pages it
//! touches cost memory, so a 64 KiB stack that never goes deeper than a few
//! frames costs one or two pages. Below `lo` sits one PROT_NONE page, so
//! running off the end faults instead of corrupting a neighbour.
//!
//! Default sizes: 64 KiB on 64-bit targets, 16 KiB on armv7, where 100,000
//! goroutines must fit in a 32-bit address space (100,000 × 20 KiB with the
//! guard = 2 GB). The main goroutine gets `MAIN_STACK_SIZE`, like a thread's
//! main stack. Stacks are reused with their G (`gfget`/`gfput`), so a warm
//! spawn makes no system call.

use crate::os;
use crate::runtime2::Stack;

/// Go's `_StackGuard`: the stack guards sit this far above `stack.lo`.
pub const STACK_GUARD: usize = 928;

#[cfg(target_pointer_width = "64")]
pub const DEFAULT_STACK_SIZE: usize = 64 << 10;
#[cfg(target_pointer_width = "32")]
pub const DEFAULT_STACK_SIZE: usize = 16 << 10;

#[cfg(target_pointer_width = "64")]
pub const MAIN_STACK_SIZE: usize = 8 << 20;
#[cfg(target_pointer_width = "32")]
pub const MAIN_STACK_SIZE: usize = 1 << 20;

/// The smallest stack a goroutine may ask for: room for the context
/// switch frame and a few calls.
pub const MIN_STACK_SIZE: usize = 8 << 10;

/// Rounds a requested size to whole pages, at least `MIN_STACK_SIZE`.
pub fn round_stack_size(n: usize) -> Option<usize> {
    let page = crate::proc::physpagesize();
    let n = core::cmp::max(n, MIN_STACK_SIZE);
    n.checked_add(page - 1).map(|v| v & !(page - 1))
}

/// Maps a stack of `size` bytes (a multiple of the page size) with a guard
/// page below it.
pub fn stackalloc(size: usize) -> Result<Stack, syscalls::Errno> {
    let guard = crate::proc::physpagesize();
    let total = size.checked_add(guard).ok_or(syscalls::Errno::ENOMEM)?;
    // SAFETY: a fresh mapping; the guard is the lowest page of it.
    unsafe {
        let base = os::mmap_anon(
            total,
            os::PROT_READ | os::PROT_WRITE,
            os::MAP_NORESERVE | os::MAP_STACK,
        )?;
        if let Err(e) = os::mprotect(base, guard, os::PROT_NONE) {
            let _ = os::munmap(base, total);
            return Err(e);
        }
        let lo = base as usize + guard;
        Ok(Stack { lo, hi: lo + size })
    }
}

/// Unmaps a stack from `stackalloc`, guard included.
///
/// # Safety
/// No one may run on the stack or keep pointers into it.
pub unsafe fn stackfree(s: Stack) {
    let guard = crate::proc::physpagesize();
    if os::munmap((s.lo - guard) as *mut u8, s.hi - s.lo + guard).is_err() {
        crate::panic::throw("stackfree: munmap failed");
    }
}
