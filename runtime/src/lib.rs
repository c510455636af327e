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
//! # Layers
//!
//! Dependencies point down: no module imports one from a level above its
//! own. Circles exist only inside the core (level 6), as in Go's
//! `proc.go`/`chan.go`.
//!
//! | level | modules | what |
//! |---|---|---|
//! | 1 | `arch` | per-architecture assembly: entry, thread pointer, context switch, `clone`; the saved `Context`; per-target constants |
//! | 2 | `os` (`os::args`, `os::linux`) | typed Linux system calls; Go's `os_linux.go`: boot values (`sysargs`, ncpu, page size), `osinit`, the clock, `newosproc`, `minit`/`setsig` |
//! | 3 | `lock`, `print`, `panic`, `env` | futex locks and notes (with the lock order); `Line` output; Go-style fatal reports (the goroutine dump comes through `panic::Hooks`); GODEBUG/GOMAXPROCS parsing |
//! | 4 | `malloc`, `stack` | the allocator; goroutine stacks and their guards |
//! | 5 | `runtime2`, `runq`, `timers` | G, M, P, `sched` (Go's `schedt`), `allp`/`allm`; the lock-free local run queue; the timer heap |
//! | 6 | `proc`, `sched`, `preempt`, `time`, `chan`, `select`, `sema`, `sync`, `signal_unix`, `fd`, `netpoll`, `socket`, `traceback`, `trace`, `chaos`, `handshake` | the core: boot and goroutine life; scheduling (`sched/`: `queues.rs`, `park.rs`, `m.rs`, `stw.rs`, `syscall.rs`, `sysmon.rs`, `checkdead.rs`); timers, channels, semaphores, signals; descriptors and system calls that hand off the P; the network poller and sockets; reports; loom models of its handshakes (host tests) |
//! | 7 | `capi`, `api`, `io`, `fs`, `net`, `signal` | the C API (`include/runtime.h`) and the Rust API (`api` re-exported here; files, sockets and their `embedded-io` traits in `io`, `fs`, `net`; Go's `os/signal` in `signal`) |
//!
//! Names follow Go's (`schedule`, `findrunnable`, `gopark`), in Rust's
//! case: Go's `stealWork` is `steal_work`, `stopTheWorld` is
//! `stop_the_world`.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
// Runtime structures are built in const contexts (statics) by `new`;
// a `Default` that could build one anywhere would invite misuse.
#![allow(clippy::new_without_default)]

extern crate alloc;
// The C memory functions the compiler calls; linked for their symbols.
extern crate runtime_mem;

// 1, 2
pub mod arch;
pub mod os;
// 3
pub mod env;
pub mod lock;
pub mod panic;
pub mod print;
// 4
pub mod malloc;
pub mod stack;
// 5
pub mod runq;
pub mod runtime2;
pub mod timers;
// 6
pub mod chan;
pub mod chaos;
pub mod fd;
pub mod netpoll;
pub mod preempt;
pub mod proc;
pub mod sched;
pub mod select;
pub mod sema;
pub mod signal_unix;
pub mod socket;
pub mod sync;
pub mod time;
pub mod trace;
pub mod traceback;
// 7
pub mod api;
pub mod capi;
pub mod fs;
pub mod io;
pub mod net;
pub mod signal;

#[cfg(all(test, loom))]
mod handshake;

pub use api::{
    after, args, exit, getenv, go, go_with_stack, goexit, goid, gomaxprocs, gosched, lock_os_thread, nanotime,
    num_cpu, num_goroutine, sleep, tick, unlock_os_thread, write, Chan, Mutex, MutexGuard, Once, Ticker, WaitGroup,
};
pub use print::Line;

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

/// Host unit tests link no user program; give the runtime its symbol.
#[cfg(test)]
#[no_mangle]
extern "C" fn main_main() {}
