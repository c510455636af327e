//! A freestanding Go-style runtime: Go's bootstrap and G/M/P scheduler for
//! static Linux executables, without libc.
//!
//! A program links this crate (as `libruntime.a` from C, as an rlib from
//! Rust) and defines `main_main`. The entry point `_start` (in `rt0/`) runs
//! Go's boot sequence — `rt0_go`, `args`, `checkgoarm`, `osinit`,
//! `schedinit`, `newproc(runtime.main)`, `mstart`, `schedule` — and the
//! main goroutine calls `main_main`. When it returns the process exits 0.
//! `GODEBUG=boottrace=1` prints each step with its values.
//!
//! ```no_run
//! #![no_std]
//! #![no_main]
//!
//! use core::time::Duration;
//!
//! #[no_mangle]
//! pub extern "C" fn main_main() {
//!     let results = runtime::Chan::new(0);
//!     for i in 0..4u64 {
//!         let tx = results.clone();
//!         runtime::go(move || tx.send(i * i));
//!     }
//!     for _ in 0..4 {
//!         runtime::select! {
//!             recv(results) -> v => runtime::println!("{v:?}"),
//!             recv(runtime::after(Duration::from_secs(1))) -> _ => runtime::exit(1),
//!         }
//!     }
//! }
//! ```
//!
//! # The API
//!
//! - goroutines: [`go`], [`go_with_stack`], [`gosched`], [`goexit`],
//!   [`goid`], [`num_goroutine`], [`gomaxprocs`], [`num_cpu`];
//! - channels and [`select!`]: [`Chan`], [`after`], [`tick`] ([`Ticker`]);
//! - sync: [`Mutex`], [`WaitGroup`], [`Once`]; time: [`sleep`],
//!   [`nanotime`];
//! - the process: [`args`], [`getenv`], [`exit`], [`write()`], and output
//!   with [`println!`] and its family ([`fmt`]) or [`Line`];
//! - files, pipes and sockets: [`io`], [`fs`], [`net`]; signals:
//!   [`signal`] (Go's `os/signal`).
//!
//! Blocking calls park the goroutine, not the thread; failures are Go's
//! (`panic: ...`, `fatal error: ...`, exit status 2). Executables are built
//! by `cargo xtask build` (see the repository's README).
//!
//! # Layers
//!
//! How the crate is built inside (its modules are hidden from this
//! documentation; read them in the source):
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
//! | 5 | `runtime2`, `runq`, `timers` | G, M, P, `sched` (Go's `schedt`) with the global run queue (`GRing`), `allp`/`allm`; the lock-free local run queue; the timer heap |
//! | 6 | `proc`, `sched`, `preempt`, `time`, `chan`, `select`, `sema`, `sync`, `signal_unix`, `fd`, `netpoll`, `socket`, `traceback`, `trace`, `chaos`, `handshake` | the core: boot and goroutine life; scheduling (`sched/`: `queues.rs`, `park.rs`, `m.rs`, `stw.rs`, `syscall.rs`, `sysmon.rs`, `checkdead.rs`); timers, channels (`chan/`: `mod.rs`, the `Hchan`, make, len, cap; `waitq.rs`, the waiters; `buf.rs`, the buffer; `sendrecv.rs`, send and receive; `close.rs`), semaphores, signals (`signal_unix/`: `mod.rs`, the table, the signal stacks and the handler; `fault.rs`, faults and their reports; `sigqueue.rs`, delivery to channels); descriptors and system calls that hand off the P; the network poller (`netpoll/`: `mod.rs`, the `PollDesc` and its waiter words; `epoll.rs`; `table.rs`, descriptors; `deadline.rs`) and sockets (`socket/`: `mod.rs`, the calls; `addr.rs`, addresses); reports; loom models of its handshakes (host tests) |
//! | 7 | `capi`, `clib`, `api`, `fmt`, `io`, `fs`, `net`, `signal` | the C API (`include/runtime.h`; `capi/`: `mod.rs`, the process; `proc.rs`, `chan.rs`, `io.rs`, `net.rs`, `signal.rs`), the runtime's part of the C library subset (`clib`: malloc, errno, abort) and the Rust API (`api` re-exported here, `api/`: `mod.rs`, the process; `chan.rs`, `select.rs`, `sync.rs`, `time.rs`, `proc.rs`; the `print!` family in `fmt`; files, sockets and their `embedded-io` traits in `io`, `fs`, `net`; Go's `os/signal` in `signal`) |
//!
//! Names follow Go's (`schedule`, `findrunnable`, `gopark`), in Rust's
//! case: Go's `stealWork` is `steal_work`, `stopTheWorld` is
//! `stop_the_world`.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
// Every item the documentation shows has its own (`cargo xtask test`
// runs rustdoc and fails on any warning).
#![cfg_attr(doc, warn(missing_docs))]
// Runtime structures are built in const contexts (statics) by `new`;
// a `Default` that could build one anywhere would invite misuse.
#![allow(clippy::new_without_default)]

extern crate alloc;
// The C memory functions the compiler calls; linked for their symbols.
extern crate runtime_mem;

// The internal modules are public for the C API's and the test programs'
// reach, and hidden from the documentation, which shows the API only: the
// items re-exported below, the macros, and `fmt`, `io`, `fs`, `net` and
// `signal`.

// 1, 2
#[doc(hidden)]
pub mod arch;
#[doc(hidden)]
pub mod os;
// 3
#[doc(hidden)]
pub mod env;
#[doc(hidden)]
pub mod lock;
#[doc(hidden)]
pub mod panic;
#[doc(hidden)]
pub mod print;
// 4
#[doc(hidden)]
pub mod malloc;
#[doc(hidden)]
pub mod stack;
// 5
#[doc(hidden)]
pub mod runq;
#[doc(hidden)]
pub mod runtime2;
#[doc(hidden)]
pub mod timers;
// 6
#[doc(hidden)]
pub mod chan;
#[doc(hidden)]
pub mod chaos;
#[doc(hidden)]
pub mod fd;
#[doc(hidden)]
pub mod netpoll;
#[doc(hidden)]
pub mod preempt;
#[doc(hidden)]
pub mod proc;
#[doc(hidden)]
pub mod sched;
#[doc(hidden)]
pub mod select;
#[doc(hidden)]
pub mod sema;
#[doc(hidden)]
pub mod signal_unix;
#[doc(hidden)]
pub mod socket;
#[doc(hidden)]
pub mod sync;
#[doc(hidden)]
pub mod time;
#[doc(hidden)]
pub mod trace;
#[doc(hidden)]
pub mod traceback;
// 7
#[doc(hidden)]
pub mod api;
#[doc(hidden)]
pub mod capi;
#[doc(hidden)]
#[cfg(not(test))]
pub mod clib;
pub mod fmt;
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
#[doc(hidden)]
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

/// Called by the cleanup paths of the prebuilt `alloc` (compiled to
/// unwind) after a panic. Panics here end the process before any unwinding
/// starts, so reaching this is a runtime bug.
#[cfg(not(test))]
#[doc(hidden)]
#[no_mangle]
pub extern "C" fn _Unwind_Resume() -> ! {
    panic::throw("unwinding is not supported")
}

/// Host unit tests link no user program; give the runtime its symbol.
#[cfg(test)]
#[no_mangle]
extern "C" fn main_main() {}
