//! The life of a goroutine (Go's `proc.go`, its middle): `newproc` and
//! `malg` make one, `goentry` runs its function, `goexit1`/`goexit0` end
//! it, and `gfput`/`gfget` keep dead Gs, with their stacks, for reuse.

use super::*;

/// `allgs`: every G ever made (Gs are never freed).
static ALLGS: AllList<G> = AllList::new();
/// Live goroutines (created and not yet exited), for `NumGoroutine`.
static NGOROUTINE: AtomicI64 = AtomicI64::new(0);

/// Goroutine ids are handed to Ps in batches of this many (Go's
/// `_GoidCacheBatch`), so `newproc` rarely touches the shared counter.
const GOID_CACHE_BATCH: i64 = 16;
/// Dead Gs kept per P before half go to the global list.
const GFREE_LOCAL_MAX: usize = 64;

/// Go's `newproc`: a new goroutine running `f(arg)` on a stack of
/// `stacksize` bytes, queued in the current P's `runnext`. Returns its id.
/// `gopc` is Go's: where the `go` statement is (`gopc`, from the API's
/// entries), 0 for the runtime's own goroutines; tracebacks print it as the
/// goroutine's `created by` line.
pub fn newproc(f: GoFn, arg: *mut u8, stacksize: usize, gopc: usize) -> i64 {
    let Some(size) = stack::round_stack_size(stacksize) else {
        crate::panic::throw("newproc: stack size out of range")
    };
    // SAFETY: called on a thread with a current M that holds a P.
    unsafe {
        let pp = (*getm()).p;
        let newg = match gfget(pp, size) {
            Some(g) => g,
            None => malg(size),
        };
        (*newg).startfn = Some(f);
        (*newg).startarg = arg;
        (*newg).parent_goid = (*getg()).goid;
        (*newg).gopc = gopc;
        // In the runtime until `goentry` calls f (see `preempt`).
        (*newg).in_runtime.store(1, Ordering::Relaxed);
        (*newg).preempt.store(false, Ordering::Relaxed);
        (*newg).errno = 0;
        (*newg).sched.sp = arch::prepare_frame((*newg).stack.hi, goentry);
        if (*pp).goidcache == (*pp).goidcacheend {
            let base = SCHED.goidgen.fetch_add(GOID_CACHE_BATCH, Ordering::Relaxed);
            (*pp).goidcache = base + 1;
            (*pp).goidcacheend = base + 1 + GOID_CACHE_BATCH;
        }
        (*newg).goid = (*pp).goidcache;
        (*pp).goidcache += 1;
        (*newg).casgstatus(Gstatus::_Gdead, Gstatus::_Grunnable);
        NGOROUTINE.fetch_add(1, Ordering::Relaxed);
        let goid = (*newg).goid;
        sched::runqput(pp, newg, true);
        if MAIN_STARTED.load(Ordering::Relaxed) {
            sched::wakep();
            // Back-pressure: a goroutine that spawns faster than its P can
            // run what it spawns yields once half the local queue is full.
            // Go gets the same effect from preempting the spawner every
            // 10 ms; without it, a loop of a million `go` calls on one P
            // would keep a million goroutines (and their stack pages)
            // alive at once instead of a few hundred.
            let gp = getg();
            if (*pp).runq.len() >= crate::runq::RUNQ_SIZE / 2 && gp != (*(*gp).m).g0 {
                sched::gosched();
            }
        }
        goid
    }
}

/// Go's `gopc` for `newproc`: the return address in the frame record at
/// `fp`, which the API's entries that start goroutines (`rt_go`, `go`, …)
/// take from `arch::caller_fp()` first thing: where the entry returns to
/// in the function with the `go` statement. Each entry is a function of
/// its own (`#[inline(never)]`, else its record would be its caller's)
/// that keeps a record (it calls `newproc` and does something after the
/// call: its `preempt::Enter` guard's drop).
///
/// Code built without frame pointers (a target descriptor without
/// `force-frame-pointers`: none today) has an ordinary register there: a record outside the goroutine's stack gives
/// 0 (no `created by` line), one inside may give a wrong address.
pub fn gopc(fp: usize) -> usize {
    const WORD: usize = core::mem::size_of::<usize>();
    let rec = fp.wrapping_sub(arch::FP_BIAS);
    // SAFETY: the API runs on a user G, live (Gs are never freed).
    let s = unsafe { (*getg()).stack };
    if rec % WORD != 0 || rec < s.lo || rec >= s.hi || s.hi - rec < 2 * WORD {
        return 0;
    }
    // SAFETY: an aligned word inside the running goroutine's stack
    // (checked above), which is mapped.
    unsafe { ((rec + WORD) as *const usize).read() }
}

/// Go's `malg`: a new G with a stack, published on `allgs` as `_Gdead`.
///
/// A G with a default-size stack lives at the top of that stack's slot,
/// above `stack.hi`: the page the goroutine's first frames touch holds it
/// too, so a parked goroutine costs one page (Go's G is on its heap, its
/// stack 2 KiB and growable; ours cannot move). Such a G and its stack stay
/// together for good (`homed`). Other sizes get a G of their own. The
/// guard of a fresh slot is left to the G's first `execute`
/// (`guard_pending`: see `stack`'s "Fresh slots").
///
/// # Safety
/// The caller takes the new G as its own: nothing else may make it
/// runnable or reuse it (`newproc` queues it).
unsafe fn malg(size: usize) -> *mut G {
    let (s, fresh) = stack_or_throw(size);
    let gp = if size == stack::DEFAULT_STACK_SIZE {
        let align = core::cmp::max(core::mem::align_of::<G>(), 16);
        let at = (s.hi - core::mem::size_of::<G>()) & !(align - 1);
        let gp = at as *mut G;
        // SAFETY: [at, at + size_of::<G>()) lies in the top of the fresh
        // slot (a default stack is far larger than a G), mapped, writable,
        // aligned for G, and used by nothing else; the stack handed to
        // the goroutine ends below it.
        unsafe {
            gp.write(G::new());
            set_stack(gp, (stack::Stack { lo: s.lo, hi: at }, fresh), size);
        }
        gp
    } else {
        let gp = crate::malloc::leak(G::new());
        // SAFETY: gp is a fresh G from Box::into_raw: live, and known to no
        // one else until allgadd publishes it.
        unsafe { set_stack(gp, (s, fresh), size) };
        gp
    };
    // SAFETY: gp is a fresh G, live, known to no one else yet.
    unsafe {
        (*gp).stackguard1 = usize::MAX;
        (*gp).casgstatus(Gstatus::_Gidle, Gstatus::_Gdead);
    }
    allgadd(gp);
    gp
}

/// True when `gp` lives at the top of its own stack's slot (`malg`): its
/// stack may never be freed or replaced.
///
/// # Safety
/// `gp` is a live G.
unsafe fn homed(gp: *mut G) -> bool {
    // SAFETY: gp is live (caller).
    unsafe { (*gp).stack.hi == gp as usize }
}

/// A stack of `size` bytes (`stack::stackalloc_lazy`: true if its guard is
/// still to be made), or Go's fatal `out of memory`.
fn stack_or_throw(size: usize) -> (stack::Stack, bool) {
    match stack::stackalloc_lazy(size) {
        Ok(s) => s,
        Err(_) => crate::panic::throw_with(
            &|l| {
                l.ku("cannot allocate a ", size as u64)
                    .s("-byte goroutine stack");
            },
            "out of memory",
        ),
    }
}

/// Gives `gp` the stack `s` of `size` requested bytes, with its guard or
/// with the guard left to the G's first `execute` (`s.1`).
///
/// # Safety
/// `gp` is live and the caller's alone: a new G, or a dead one taken off a
/// free list, with no stack or one already freed.
unsafe fn set_stack(gp: *mut G, s: (stack::Stack, bool), size: usize) {
    // SAFETY: gp is live and ours alone (caller).
    unsafe {
        (*gp).stack = s.0;
        (*gp).guard_pending = s.1;
        (*gp).stackguard0 = s.0.lo + STACK_GUARD;
        (*gp).stacksize = size;
    }
}

fn allgadd(gp: *mut G) {
    // SAFETY: gp is a new G, never freed.
    unsafe { ALLGS.push(gp) }
}

/// Every G ever made, newest first.
pub fn allgs() -> impl Iterator<Item = *mut G> {
    ALLGS.iter()
}

/// Go's `gfput`: a dead G goes to its P's free list; past
/// `GFREE_LOCAL_MAX`, half of them move to the global list. The lists are
/// stacks (last in, first out): the G reused next is the one that just
/// died, whose struct and stack top are still in cache.
///
/// # Safety
/// `pp` is the P this M holds; `gp` is a dead G, the caller's, on no list.
unsafe fn gfput(pp: *mut P, gp: *mut G) {
    // A G ran (its first execute made its guard) before it died.
    // SAFETY: gp is a dead G, the caller's.
    debug_assert!(unsafe { !(*gp).guard_pending });
    // SAFETY: pp is this M's own P (caller), so only we touch its free
    // list; gp is a dead G on no other list (caller).
    unsafe { (*pp).gfree.push_front(gp) };
    // SAFETY: as above: pp's free list is ours.
    if unsafe { (*pp).gfree.len } >= GFREE_LOCAL_MAX {
        let mut sched = SCHED.lock.lock();
        // SAFETY: pp's free list is ours (caller); a G popped from it is a
        // dead G on no other list, so it may join the global list, which
        // sched.lock (held) guards.
        unsafe {
            while (*pp).gfree.len > GFREE_LOCAL_MAX / 2 {
                let Some(g) = (*pp).gfree.pop() else { break };
                sched.gfree.push_front(g);
            }
        }
        SCHED.ngfree.store(sched.gfree.len as i32, Ordering::Relaxed);
    }
}

/// Go's `gfget`: a dead G from the P's list (refilled from the global one),
/// with a stack of `size` bytes.
///
/// # Safety
/// `pp` is the P this M holds.
unsafe fn gfget(pp: *mut P, size: usize) -> Option<*mut G> {
    // SAFETY: pp is this M's own P (caller): only we touch its free list.
    if unsafe { (*pp).gfree.is_empty() } && SCHED.ngfree.load(Ordering::Relaxed) > 0 {
        let mut sched = SCHED.lock.lock();
        // SAFETY: pp's free list is ours (caller); a G popped from the
        // global list (guarded by sched.lock, held) is dead and on no other
        // list.
        unsafe {
            while (*pp).gfree.len < GFREE_LOCAL_MAX / 2 {
                let Some(g) = sched.gfree.pop() else { break };
                (*pp).gfree.push_front(g);
            }
        }
        SCHED.ngfree.store(sched.gfree.len as i32, Ordering::Relaxed);
    }
    // SAFETY: pp's free list is ours (caller).
    let gp = unsafe { (*pp).gfree.pop() }?;
    // SAFETY: gp is a dead G from this P's free list: only we own it, and
    // no one runs on or points into its old stack (stackfree's contract).
    unsafe {
        if (*gp).stacksize != size {
            if homed(gp) {
                // Its stack cannot go: it keeps its place, and the caller
                // makes a G for the odd size.
                (*pp).gfree.push_front(gp);
                return None;
            }
            stack::stackfree((*gp).stack);
            set_stack(gp, stack_or_throw(size), size);
        }
    }
    Some(gp)
}

/// The first function of every goroutine: `gogo` "returns" into it on a
/// fresh stack. It runs the goroutine's function, then `goexit1`.
extern "C" fn goentry() -> ! {
    // SAFETY: execute set g before the switch; startfn was set by newproc.
    unsafe {
        let gp = getg();
        if let Some(f) = (*gp).startfn {
            // User code from here (preemptible) until f returns.
            (*gp).in_runtime.store(0, Ordering::Relaxed);
            core::sync::atomic::compiler_fence(Ordering::SeqCst);
            f((*gp).startarg);
            core::sync::atomic::compiler_fence(Ordering::SeqCst);
            (*gp).in_runtime.store(1, Ordering::Relaxed);
        }
    }
    goexit1()
}

/// Go's `goexit1`: the running goroutine ends.
pub fn goexit1() -> ! {
    // SAFETY: called on a user G.
    unsafe { sched::mcall(goexit0) };
    crate::panic::throw("goexit0 returned")
}

/// Go's `goexit0`, on g0: the G becomes dead and goes to the free list.
///
/// # Safety
/// Only as `mcall`'s function from `goexit1`: on g0, with `arg` the G that
/// ran on this M and has left its stack for good.
unsafe extern "C" fn goexit0(arg: *mut u8) {
    let gp = arg as *mut G;
    let mp = getm();
    // SAFETY: gp is the G that just left this M for good (caller): only
    // this thread touches it; mp is this thread's live M.
    let locked = unsafe {
        (*gp).casgstatus(Gstatus::_Grunning, Gstatus::_Gdead);
        (*gp).m = null_mut();
        (*gp).startfn = None;
        (*gp).startarg = null_mut();
        (*mp).curg = null_mut();
        let locked = !(*gp).lockedm.is_null();
        (*gp).lockedm = null_mut();
        (*gp).lockedcount = 0;
        (*mp).lockedg = null_mut();
        locked
    };
    NGOROUTINE.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: mp still holds the P its G ran on, so (*mp).p is this M's P;
    // gp is now dead, ours, and on no list (gfput's contract).
    unsafe { gfput((*mp).p, gp) };
    if locked {
        // The goroutine may have put its thread in a state meant for it
        // alone: the thread ends with it instead of serving others (Go).
        // SAFETY: on g0 of this thread's M, which holds a P; its G is gone
        // and its lockedg cleared above, as mexit requires.
        unsafe { sched::exit_locked(mp) }
    }
    sched::schedule()
}

/// Number of live goroutines (Go's `gcount`, `runtime.NumGoroutine`).
pub fn gcount() -> i64 {
    NGOROUTINE.load(Ordering::Relaxed)
}

/// The id of the current M.
pub fn getm_id() -> i64 {
    // SAFETY: after boot every thread has a live M.
    unsafe { (*getm()).id }
}

/// The running goroutine's id.
pub fn goid() -> i64 {
    // SAFETY: on any thread after boot, getg is a live G.
    unsafe { (*getg()).goid }
}
