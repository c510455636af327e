//! A freestanding Go-style runtime: Go's bootstrap and G/M/P scheduler for
//! static Linux executables, without libc.
//!
//! A program links this crate (as `libruntime.a` from C, as an rlib from
//! Rust) and defines `main_main`. The entry point `_start` (in `rt0/`) runs
//! Go's boot sequence — `rt0_go`, `args`, `checkgoarm`, `osinit`,
//! `schedinit`, `newproc(runtime.main)`, `mstart`, `schedule` — and the
//! main goroutine calls `main_main`. When it returns the process exits 0.
//! See `proc` for the sequence and `GODEBUG=boottrace=1` to watch it.
//!
//! Layers, lowest first: `arch` (assembly: entry, thread pointer, context
//! switch), `os` (system calls), the core (`runtime2` structures, `proc`,
//! `runq`, `stack`, `malloc`, `lock`, `panic`, `print`), and the APIs:
//! `capi` for C (`include/runtime.h`) and the functions below for Rust.
#![cfg_attr(not(test), no_std)]
// Runtime structures are built in const contexts (statics) by `new`;
// a `Default` that could build one anywhere would invite misuse.
#![allow(clippy::new_without_default)]

extern crate alloc;
// The C memory functions the compiler calls; linked for their symbols.
extern crate runtime_mem;

pub mod api;
pub mod arch;
pub mod args;
pub mod capi;
pub mod chan;
pub mod chaos;
pub mod env;
#[cfg(all(test, loom))]
mod handshake;
pub mod lock;
pub mod malloc;
pub mod os;
pub mod panic;
pub mod print;
pub mod proc;
pub mod runq;
pub mod runtime2;
pub mod sched;
pub mod sema;
pub mod signal;
pub mod stack;
pub mod sync;
pub mod time;
pub mod trace;

pub use api::{after, nanotime, sleep, tick, Chan, Mutex, MutexGuard, Once, Ticker, WaitGroup};
pub use print::Line;

/// The process-wide allocator (`rt_malloc`, `alloc::*` in Rust programs).
#[cfg_attr(not(test), global_allocator)]
pub static ALLOCATOR: malloc::Allocator = malloc::Allocator::new();

/// Referenced by the unwind tables of the prebuilt `core`, even with
/// panic=abort. Nothing unwinds, so it is never called.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

/// Called by the cleanup paths of the prebuilt `alloc` (compiled to
/// unwind) after a panic. Panics here end the process before any unwinding
/// starts, so reaching this is a runtime bug.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn _Unwind_Resume() -> ! {
    panic::throw("unwinding is not supported")
}

/// The command-line arguments, as bytes without their NUL.
pub fn args() -> impl Iterator<Item = &'static [u8]> {
    let st = proc::startup();
    (0..st.argc).filter_map(move |i| st.arg(i))
}

/// The value of environment variable `name`, if set.
pub fn getenv(name: &str) -> Option<&'static [u8]> {
    proc::startup().getenv(name.as_bytes())
}

/// Writes all of `buf` to `fd`, retrying short writes and EINTR.
///
/// A broken pipe on standard output or standard error ends the program as
/// killed by SIGPIPE, as in Go (a pipeline like `prog | head` stops `prog`
/// quietly); on any other descriptor it is the error `EPIPE`.
pub fn write(fd: i32, buf: &[u8]) -> Result<(), syscalls::Errno> {
    let r = os::write_all(fd, buf);
    epipecheck(fd, &r);
    r
}

/// Go's `os.epipecheck`: EPIPE on fd 1 or 2 is the end of the program.
fn epipecheck(fd: i32, r: &Result<(), syscalls::Errno>) {
    if (fd == 1 || fd == 2) && *r == Err(syscalls::Errno::EPIPE) {
        signal::die_from_signal(signal::SIGPIPE)
    }
}

/// Ends the process with `code`, whatever other goroutines are doing.
pub fn exit(code: i32) -> ! {
    os::exit_group(code)
}

/// CPUs this process may run on (`runtime.NumCPU`).
pub fn num_cpu() -> i32 {
    proc::ncpu()
}

/// `runtime.GOMAXPROCS`: sets the number of Ps when `n > 0`; returns the
/// previous value.
pub fn gomaxprocs(n: i32) -> i32 {
    sched::set_gomaxprocs(n)
}

/// Starts a goroutine running `f` (Go's `go f()`), with the default stack
/// size. Returns its id.
pub fn go<F: FnOnce() + Send + 'static>(f: F) -> i64 {
    go_with_stack(stack::DEFAULT_STACK_SIZE, f)
}

/// Like `go`, on a stack of `stack_bytes` (rounded up to pages, at least
/// 8 KiB): for goroutines that recurse deeply or keep big buffers.
pub fn go_with_stack<F: FnOnce() + Send + 'static>(stack_bytes: usize, f: F) -> i64 {
    /// Runs the boxed closure that `go` handed over.
    unsafe extern "C" fn run<F: FnOnce()>(arg: *mut u8) {
        // SAFETY: arg is the Box<F> leaked below, used exactly once.
        let f = unsafe { alloc::boxed::Box::from_raw(arg as *mut F) };
        f()
    }
    let arg = alloc::boxed::Box::into_raw(alloc::boxed::Box::new(f)) as *mut u8;
    proc::newproc(run::<F>, arg, stack_bytes)
}

/// Yields the processor to other goroutines (`runtime.Gosched`).
pub fn gosched() {
    sched::gosched()
}

/// Ends the calling goroutine (`runtime.Goexit`). In `main_main`, the
/// program goes on until the other goroutines end, then reports a deadlock,
/// as Go does.
pub fn goexit() -> ! {
    proc::goexit1()
}

/// The calling goroutine's id; main's is 1.
pub fn goid() -> i64 {
    proc::goid()
}

/// Goroutines that exist now (`runtime.NumGoroutine`).
pub fn num_goroutine() -> i64 {
    proc::gcount()
}

/// Host unit tests link no user program; give the runtime its symbol.
#[cfg(test)]
#[no_mangle]
extern "C" fn main_main() {}
