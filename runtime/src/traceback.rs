//! Goroutine tracebacks, as Go's `traceback.go` prints them: a
//! `goroutine N [status]:` header, then the goroutine's frames, innermost
//! first, found by walking frame pointers.
//!
//! Every function that calls another keeps a frame record (the build asks
//! rustc and clang for frame pointers in non-leaf functions): two words,
//! the caller's frame pointer and the return address, at
//! `fp - arch::FP_BIAS`. The walk starts from the current frame (a panic or
//! a throw), from the interrupted pc and frame pointer (a report from a
//! signal handler, which has the `ucontext`), or from the frame pointer and
//! resume address that the context switch saved (`G::sched`: every other
//! goroutine). It trusts nothing it reads: each record must lie inside the
//! goroutine's stack `[stack.lo, stack.hi)`, aligned, above the previous
//! one, and the walk stops after `MAX_FRAMES` frames (Go's 100) with
//! `...additional frames elided...`. A record whose saved frame pointer is
//! zero is the outermost (the entry frame that `prepare_frame` or the
//! thread start left), and its return address is not a caller's.
//!
//! Names stay out of the executable (hello must fit in 32 KiB): each frame
//! is printed as an address, `\tpc=0x…` for an exact pc (the one a signal
//! interrupted, or the function a goroutine that never ran will start
//! with) and `\tret=0x…` for a return address, and the report's last line
//! says that `cargo xtask symbolize EXE < report` names them from the
//! unstripped copy the build keeps beside the executable.
//!
//! Each goroutine but the main one ends with Go's `created by` line, as
//! `created by goroutine N` (the goroutine that started it) and the
//! return address into the function that did (`G::gopc`, recorded by
//! `newproc`); the runtime's own goroutines have none.
//!
//! What the walk cannot see: a leaf function keeps no record, so when a
//! signal interrupts one, its caller's frame is not on the chain (the
//! walk goes from the leaf's pc straight to the caller's caller). A
//! report from a signal therefore prints, right after the interrupted
//! `\tpc=` line, `\tlr=0x…`: the return address a leaf would return to
//! (the link register, or on x86_64 the word at sp), which is stale in a
//! function that keeps a record. The runtime cannot tell which without
//! symbols; `symbolize` keeps it as the caller's frame only when it is a
//! return address (after a call, to pc's function if the call is direct)
//! into another function than pc's and not the next `ret=`. A signal
//! landing inside a prologue or epilogue loses a frame the same way (the
//! `lr=` line recovers it when it holds the return address). Frames of code built without frame pointers (the
//! runtime's assembly, which calls nothing that returns) are invisible.

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::arch;
use crate::panic::{SigCtx, Trace};
use crate::print::Line;
use crate::runtime2::{getg, Gstatus, Stack, G};

/// Go's `_TracebackMaxFrames`.
const MAX_FRAMES: usize = 100;

const WORD: usize = core::mem::size_of::<usize>();

/// The status word of a goroutine header, and whether its saved context
/// is its stack as it is (not while it runs, or runs a system call, on
/// another thread: Go's "stack unavailable").
fn status(gp: *mut G) -> Option<(&'static str, bool)> {
    // SAFETY: Gs are never freed.
    let (st, reason) = unsafe { ((*gp).status(), (*gp).waitreason().as_str()) };
    Some(match st {
        Gstatus::_Gidle | Gstatus::_Gdead => return None,
        Gstatus::_Grunnable => ("runnable", true),
        Gstatus::_Grunning => ("running", false),
        Gstatus::_Gsyscall => ("syscall", false),
        Gstatus::_Gpreempted => ("preempted", true),
        Gstatus::_Gwaiting if reason.is_empty() => ("waiting", true),
        Gstatus::_Gwaiting => (reason, true),
    })
}

fn header(gp: *mut G, what: &str) {
    // SAFETY: Gs are never freed.
    let goid = unsafe { (*gp).goid };
    Line::stderr()
        .ki("\ngoroutine ", goid)
        .s(" [")
        .s(what)
        .s("]:")
        .end();
}

/// A frame's line: `what` is `PC` (an exact address), `RET` (a return
/// address) or `LR` (see `link`).
fn frame(what: &str, pc: usize) {
    Line::stderr().kx(what, pc as u64).end();
}

const PC: &str = "\tpc=";
const RET: &str = "\tret=";
const LR: &str = "\tlr=";

/// Prints the return address of each frame record reached from `fp`
/// inside `s`. Returns the number of frames printed.
///
/// armv7: Thumb code keeps its records at r7, ARM-state code (the
/// prebuilt `core`) at r11. A return address into ARM code (bit 0 clear)
/// means the frames of that ARM code lie between this record and the next;
/// `arm_fp`, the r11 the report began with, when it lies there, is the
/// first of them, and its chain is followed until it returns into Thumb
/// code.
fn walk(mut fp: usize, mut arm_fp: usize, s: Stack) -> usize {
    let mut n = 0;
    // The lowest address the next record may have.
    let mut floor = s.lo;
    loop {
        let rec = fp.wrapping_sub(arch::FP_BIAS);
        if rec % WORD != 0 || rec < floor || rec.checked_add(2 * WORD).map_or(true, |e| e > s.hi) {
            break;
        }
        // SAFETY: both words lie inside the goroutine's stack (checked
        // above), which stays mapped while the goroutine lives; they are
        // aligned. A stale value only ends or shortens the walk.
        let (next, ret) = unsafe { ((rec as *const usize).read(), ((rec + WORD) as *const usize).read()) };
        if next == 0 || ret == 0 {
            break;
        }
        if n == MAX_FRAMES {
            Line::stderr().s("...additional frames elided...").end();
            break;
        }
        frame(RET, ret);
        n += 1;
        floor = rec + 2 * WORD;
        let mut back = ret;
        while arch::UC_ARM_FP.is_some() && arm_fp != 0 && back & 1 == 0 && n < MAX_FRAMES {
            let a = arm_fp;
            if a % WORD != 0 || a < floor || a.checked_add(2 * WORD).map_or(true, |e| e > next) {
                break;
            }
            // SAFETY: inside the stack, below the next record (checked).
            let (prev, lr) = unsafe { ((a as *const usize).read(), ((a + WORD) as *const usize).read()) };
            if lr == 0 {
                break;
            }
            frame(RET, lr);
            n += 1;
            floor = a + 2 * WORD;
            arm_fp = prev;
            back = lr;
        }
        fp = next;
    }
    n
}

/// After the interrupted pc of a report from a signal: the return address
/// an interrupted leaf function would return to, `\tlr=0x…`: the link
/// register, or on x86_64 the word at sp. A leaf keeps no frame record,
/// so without this line its caller would be missing; but the runtime
/// cannot tell a leaf from a function that keeps a record (where the
/// register is stale, or returns into the interrupted function, or is
/// the first record's return address, and the word at sp is whatever the
/// frame keeps there), so it prints the candidate and `symbolize`, with
/// the symbol table, keeps it as a frame or drops it.
fn link(c: &SigCtx, s: Stack) {
    let lr = if arch::LINK_AT_SP {
        let sp = c.link;
        if sp % WORD != 0 || sp < s.lo || sp >= s.hi || s.hi - sp < WORD {
            return;
        }
        // SAFETY: an aligned word inside the goroutine's stack (checked),
        // which stays mapped while the goroutine lives.
        unsafe { (sp as *const usize).read() }
    } else {
        c.link
    };
    if lr != 0 {
        frame(LR, lr);
    }
}

/// Go's `printcreatedby`: `created by goroutine N`, then the return
/// address into the function that started `gp` (`G::gopc`), which
/// `symbolize` turns into Go's `created by FUNC in goroutine N` and its
/// location. None for the runtime's own goroutines (the main one
/// included). Returns the number of frames printed.
fn created_by(gp: *mut G) -> usize {
    // SAFETY: Gs are never freed. A G that `newproc` reuses meanwhile on
    // another thread (a report does not stop the others) may give the pc
    // of one life and the parent of the next, or on 32-bit targets half
    // of a 64-bit id: a wrong line in the report, never a wild access
    // (pc is only printed).
    let (pc, parent) = unsafe { ((*gp).gopc, (*gp).parent_goid) };
    if pc == 0 {
        return 0;
    }
    Line::stderr().ki("created by goroutine ", parent).end();
    frame(RET, pc);
    1
}

/// `created_by`, once the program has started a goroutine of its own
/// (`enable_created_by`, from the API's `go` entries): until then every
/// goroutine is the runtime's, with no `created by` line, and a program
/// that never starts one links none of it (the 32 KiB bound on `hello`).
static CREATED_BY: AtomicUsize = AtomicUsize::new(0);

/// Makes reports print `created by` lines (see `CREATED_BY`).
pub fn enable_created_by() {
    if CREATED_BY.load(Ordering::Relaxed) == 0 {
        let f: fn(*mut G) -> usize = created_by;
        CREATED_BY.store(f as usize, Ordering::Relaxed);
    }
}

#[inline(never)]
fn created_by_hook(gp: *mut G) -> usize {
    match CREATED_BY.load(Ordering::Relaxed) {
        0 => 0,
        f => {
            // SAFETY: only `enable_created_by` stores, and it stores a
            // `fn(*mut G) -> usize`.
            let f: fn(*mut G) -> usize = unsafe { core::mem::transmute(f) };
            f(gp)
        }
    }
}

/// A goroutine that is not running: from the frame pointer and resume
/// address its context switch saved.
fn saved(gp: *mut G) -> usize {
    // SAFETY: Gs are never freed; a G that is not running is not changing
    // its saved context or stack bounds (a stale read only shortens the
    // walk, which checks every address against the bounds).
    let (sp, s, start) = unsafe { ((*gp).sched.sp, (*gp).stack, (*gp).startfn) };
    if sp % WORD != 0 || sp < s.lo || sp.checked_add(arch::CTX_PC + WORD).map_or(true, |e| e > s.hi) {
        return 0;
    }
    // SAFETY: the saved frame lies inside the stack (checked above).
    let (fp, pc) = unsafe { (((sp + arch::CTX_FP) as *const usize).read(), ((sp + arch::CTX_PC) as *const usize).read()) };
    if fp == 0 {
        // Never ran: the frame `prepare_frame` wrote. Go names the
        // function the goroutine will run.
        frame(PC, start.map_or(pc, |f| f as usize));
        return 1;
    }
    // The resume address returns into the function that switched.
    frame(RET, pc);
    1 + walk(fp, 0, s)
}

/// The traceback hook of `panic` (`panic::Hooks`): the current user
/// goroutine first, then, with `all`, every other live one. Returns
/// whether any frame was printed.
pub fn tracebacks(t: &Trace) -> bool {
    let me = getg();
    let mut frames = 0;
    // A user goroutine (g0 and gsignal have no stacksize).
    // SAFETY: reports run with the thread pointer set (the hook is
    // registered after it), so getg is null or this thread's live G; Gs
    // are never freed.
    if !me.is_null() && unsafe { (*me).stacksize } > 0 {
        header(me, "running");
        if let Some((file, line)) = t.location {
            Line::stderr().s("\t").s(file).ku(":", line as u64).end();
        }
        // SAFETY: as above.
        let s = unsafe { (*me).stack };
        frames = match t.ctx {
            Some(c) => {
                // pc 0 (a call through a null pointer) is not printed,
                // but its caller is the link's.
                if c.pc != 0 {
                    frame(PC, c.pc);
                }
                link(&c, s);
                (c.pc != 0) as usize + walk(c.fp, c.arm_fp, s)
            }
            None => walk(arch::current_fp(), t.arm_fp, s),
        };
        frames += created_by_hook(me);
    }
    if t.all {
        for gp in crate::proc::allgs() {
            if gp == me {
                continue;
            }
            let Some((what, still)) = status(gp) else { continue };
            header(gp, what);
            if still {
                frames += saved(gp);
            }
            frames += created_by_hook(gp);
        }
    }
    frames > 0
}
