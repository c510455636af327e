//! Loom models of the runtime's store-then-load handshakes.
//!
//! Two of the scheduler's protocols have the same shape (Dekker's): each
//! side publishes something and then looks for the other side's
//! publication, and correctness needs at least one side to see the other.
//!
//! - The spinning handshake (`sched`): a submitter queues a G (a Release
//!   store of its run queue's tail), then reads `nmspinning` in `wakep`; a
//!   spinning M that gives up decrements `nmspinning`, then reads every
//!   run queue. Both missing means a runnable G and an idle P with no M
//!   looking.
//! - The semaphore's `nwait` handshake (`sema`): a releaser increments the
//!   count, then reads `nwait`; a waiter increments `nwait`, then reads the
//!   count. Both missing means a waiter parked forever next to a unit.
//!
//! Each side needs a SeqCst fence between its store and its load. Loom
//! models fences exactly (it treats SeqCst loads and stores as Acquire and
//! Release, so the fences are what the runtime relies on, too). The models
//! below use the orderings of the code, and the same shape without the
//! fences — the code before the fix — which loom must show failing: a
//! check that it would catch a regression.
//!
//! Run by `cargo xtask test` as part of the loom models:
//!   RUSTFLAGS="--cfg loom" cargo test -p runtime --lib --release loom_models

#[cfg(all(test, loom))]
mod loom_models {
    use loom::sync::atomic::{fence, AtomicU32, Ordering};
    use loom::sync::Arc;

    /// One side of a handshake: publish with `store`, fence if `fenced`,
    /// then look with `load`. Returns whether it saw the other side.
    fn side(
        mine: &AtomicU32,
        theirs: &AtomicU32,
        store: Ordering,
        load: Ordering,
        fenced: bool,
    ) -> bool {
        mine.fetch_add(1, store);
        if fenced {
            fence(Ordering::SeqCst);
        }
        theirs.load(load) != 0
    }

    /// Both sides, concurrently; panics if neither saw the other.
    fn handshake((a, b): Sides, fenced: bool) {
        loom::model(move || {
            let x = Arc::new(AtomicU32::new(0));
            let y = Arc::new(AtomicU32::new(0));
            let t = {
                let (x, y) = (x.clone(), y.clone());
                loom::thread::spawn(move || side(&x, &y, a.0, a.1, fenced))
            };
            let seen_b = side(&y, &x, b.0, b.1, fenced);
            let seen_a = t.join().unwrap();
            assert!(seen_a || seen_b, "both sides missed each other");
        });
    }

    /// (publish, look) orderings of each side, as in the code.
    type Sides = ((Ordering, Ordering), (Ordering, Ordering));

    /// Submitter (`runqput` + `wakep`): run queue tail Release store, fence,
    /// `nmspinning` load. Spinner (`findrunnable`): `nmspinning` SeqCst
    /// decrement, fence, run queue Acquire loads (`check_runqs_no_p`).
    const SPINNING: Sides = (
        (Ordering::Release, Ordering::SeqCst),
        (Ordering::SeqCst, Ordering::Acquire),
    );

    /// Releaser (`semrelease`): count Release increment, fence, `nwait`
    /// load. Waiter (`semacquire`): `nwait` SeqCst increment, fence, count
    /// Acquire load (`cansemacquire`).
    const SEMA: Sides = (
        (Ordering::Release, Ordering::SeqCst),
        (Ordering::SeqCst, Ordering::Acquire),
    );

    #[test]
    fn spinning_handshake() {
        handshake(SPINNING, true);
    }

    #[test]
    #[should_panic(expected = "both sides missed each other")]
    fn spinning_handshake_without_fences_loses_a_wakeup() {
        handshake(SPINNING, false);
    }

    #[test]
    fn sema_nwait() {
        handshake(SEMA, true);
    }

    #[test]
    #[should_panic(expected = "both sides missed each other")]
    fn sema_nwait_without_fences_parks_forever() {
        handshake(SEMA, false);
    }
}
