//! Go's `select` for Rust: the `select!` macro and the receive and send
//! cases it builds over `select::selectgo`.

use super::Chan;
use crate::select::Scase;
use core::mem::{ManuallyDrop, MaybeUninit};

/// A receive case of `select!` (used by the macro).
#[doc(hidden)]
pub struct RecvArm<T> {
    ch: Chan<T>,
    slot: MaybeUninit<T>,
}

impl<T: Send> RecvArm<T> {
    /// Holds a handle of its own, so `recv(after(d))` may name a
    /// temporary.
    pub fn new(ch: &Chan<T>) -> Self {
        let _rt = crate::preempt::enter();
        RecvArm {
            ch: ch.clone(),
            slot: MaybeUninit::uninit(),
        }
    }
    pub fn scase(&mut self) -> Scase {
        let _rt = crate::preempt::enter();
        Scase {
            c: self.ch.raw(),
            send: false,
            elem: self.slot.as_mut_ptr() as *mut u8,
        }
    }
    /// # Safety
    /// Only for the case select chose, with its `ok`, and once.
    pub unsafe fn take(&mut self, ok: bool) -> Option<T> {
        let _rt = crate::preempt::enter();
        // SAFETY: select chose this case and ok says a value was moved into
        // the slot (caller), so it is initialised; it is read only once.
        ok.then(|| unsafe { self.slot.assume_init_read() })
    }
}

/// A send case of `select!` (used by the macro); drops its value if
/// another case was chosen.
#[doc(hidden)]
pub struct SendArm<T> {
    ch: Chan<T>,
    val: ManuallyDrop<T>,
    sent: bool,
}

impl<T: Send> SendArm<T> {
    pub fn new(ch: &Chan<T>, v: T) -> Self {
        let _rt = crate::preempt::enter();
        SendArm {
            ch: ch.clone(),
            val: ManuallyDrop::new(v),
            sent: false,
        }
    }
    pub fn scase(&mut self) -> Scase {
        let _rt = crate::preempt::enter();
        Scase {
            c: self.ch.raw(),
            send: true,
            elem: &mut *self.val as *mut T as *mut u8,
        }
    }
    pub fn mark_sent(&mut self) {
        let _rt = crate::preempt::enter();
        self.sent = true;
    }
}

impl<T> Drop for SendArm<T> {
    fn drop(&mut self) {
        let _rt = crate::preempt::enter();
        if !self.sent {
            // SAFETY: the value was not moved into a channel.
            unsafe { ManuallyDrop::drop(&mut self.val) }
        }
    }
}

/// Runs a select over prepared cases (used by the macro).
#[doc(hidden)]
pub fn select_raw(cases: &mut [Scase], block: bool) -> (isize, bool) {
    let _rt = crate::preempt::enter();
    // SAFETY: outside this crate a Scase comes only from `RecvArm::scase`
    // or `SendArm::scase` (its fields are private), which point at a live
    // channel of the arm's type and at the arm's own slot on the caller's
    // stack, alive for this call.
    unsafe { crate::select::selectgo(cases, block) }
}

/// Go's `select`: `recv(ch) -> v => expr` (v: `Option<T>`, `None` when
/// the channel is closed), `send(ch, value) => expr`, and an optional
/// `default => expr`, separated by commas. One ready case is chosen
/// uniformly at random; without `default` the goroutine waits for one.
///
/// ```no_run
/// use core::time::Duration;
/// let (work, quit) = (runtime::Chan::<u32>::new(1), runtime::Chan::<()>::new(0));
/// work.send(7);
/// runtime::select! {
///     recv(work) -> v => runtime::println!("got {v:?}"),
///     recv(quit) -> _ => runtime::println!("told to stop"),
///     recv(runtime::after(Duration::from_secs(1))) -> _ => runtime::println!("timeout"),
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($t:tt)*) => { $crate::__select_parse!([] [] $($t)*) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    ([$($arms:tt)*] [$($def:tt)*] recv($ch:expr) -> $v:pat => $body:expr $(, $($rest:tt)*)?) => {{
        let mut __arm = $crate::api::RecvArm::new(&$ch);
        $crate::__select_parse!([$($arms)* (__arm, recv, $v, $body)] [$($def)*] $($($rest)*)?)
    }};
    ([$($arms:tt)*] [$($def:tt)*] send($ch:expr, $val:expr) => $body:expr $(, $($rest:tt)*)?) => {{
        let mut __arm = $crate::api::SendArm::new(&$ch, $val);
        $crate::__select_parse!([$($arms)* (__arm, send, _, $body)] [$($def)*] $($($rest)*)?)
    }};
    ([$($arms:tt)*] [] default => $body:expr $(, $($rest:tt)*)?) => {
        $crate::__select_parse!([$($arms)*] [$body] $($($rest)*)?)
    };
    ([$(($arm:ident, $kind:ident, $v:pat, $body:expr))*] [$($def:expr)?]) => {{
        let mut __cases: [$crate::api::Scase; 0 $(+ $crate::__select_parse!(@one $arm))*] = [$($arm.scase()),*];
        let (__i, __ok) = $crate::api::select_raw(&mut __cases, $crate::__select_parse!(@block $($def)?));
        let mut __k: isize = -1;
        #[allow(unreachable_code)]
        '__select: {
            $(
                __k += 1;
                if __i == __k {
                    break '__select $crate::__select_parse!(@run $arm, $kind, $v, $body, __ok);
                }
            )*
            $( break '__select $def; )?
            unreachable!()
        }
    }};
    (@one $arm:ident) => { 1 };
    (@block) => { true };
    (@block $d:expr) => { false };
    (@run $arm:ident, recv, $v:pat, $body:expr, $ok:ident) => {{
        // SAFETY: this is the case select chose, with its ok.
        let $v = unsafe { $arm.take($ok) };
        $body
    }};
    (@run $arm:ident, send, $v:pat, $body:expr, $ok:ident) => {{
        $arm.mark_sent();
        $body
    }};
}
