//! The channel handle (Go's `chan T`): `Chan<T>`, reference counted over
//! the core's `Hchan`.

use crate::chan::{self, Hchan};
use alloc::sync::Arc;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};

struct ChanBox<T> {
    c: *mut Hchan,
    /// Timer channels outlive their handles: a timer may still send.
    free_on_drop: bool,
    _t: PhantomData<T>,
}

// SAFETY: the channel's state is behind its lock; values of T cross
// goroutines (threads), hence T: Send.
unsafe impl<T: Send> Send for ChanBox<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for ChanBox<T> {}

impl<T> Drop for ChanBox<T> {
    fn drop(&mut self) {
        let _rt = crate::preempt::enter();
        // Drop what is still buffered.
        loop {
            let mut slot = MaybeUninit::<T>::uninit();
            // SAFETY: no other handle exists; slot has room for one T.
            let (selected, ok) =
                unsafe { chan::chanrecv(self.c, slot.as_mut_ptr() as *mut u8, false) };
            if !selected || !ok {
                break;
            }
            // SAFETY: a value was received into slot.
            unsafe { slot.assume_init_drop() };
        }
        if self.free_on_drop {
            // SAFETY: the last handle: nobody can use or wait on c.
            unsafe { chan::freechan(self.c) };
        }
    }
}

/// A channel of `T` (Go's `chan T`): clone the handle to share it.
///
/// ```no_run
/// let ch: runtime::Chan<u32> = runtime::Chan::new(0);
/// let tx = ch.clone();
/// runtime::go(move || {
///     for i in 0..3 {
///         tx.send(i);
///     }
///     tx.close();
/// });
/// while let Some(v) = ch.recv() {
///     runtime::println!("{v}");
/// }
/// ```
pub struct Chan<T> {
    inner: Arc<ChanBox<T>>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Send> Chan<T> {
    /// A channel with room for `cap` values (0: unbuffered).
    pub fn new(cap: usize) -> Chan<T> {
        let _rt = crate::preempt::enter();
        Chan::from_raw(chan::makechan(core::mem::size_of::<T>(), cap), true)
    }

    pub(super) fn from_raw(c: *mut Hchan, free_on_drop: bool) -> Chan<T> {
        Chan {
            inner: Arc::new(ChanBox {
                c,
                free_on_drop,
                _t: PhantomData,
            }),
        }
    }

    pub(crate) fn raw(&self) -> *mut Hchan {
        self.inner.c
    }

    /// Sends `v`, waiting for a receiver or room. Panics (Go's `send on
    /// closed channel`) if the channel is closed.
    pub fn send(&self, v: T) {
        let _rt = crate::preempt::enter();
        let v = ManuallyDrop::new(v);
        // SAFETY: the channel is live; v is moved into it (or the program
        // ends with the panic).
        unsafe { chan::chansend(self.raw(), &*v as *const T as *const u8, true) };
    }

    /// Sends `v` if that can be done without waiting; gives it back if not.
    pub fn try_send(&self, v: T) -> Result<(), T> {
        let _rt = crate::preempt::enter();
        let v = ManuallyDrop::new(v);
        // SAFETY: as in `send`; when it fails nothing was copied.
        if unsafe { chan::chansend(self.raw(), &*v as *const T as *const u8, false) } {
            Ok(())
        } else {
            Err(ManuallyDrop::into_inner(v))
        }
    }

    /// Receives a value, waiting for one; `None` once the channel is
    /// closed and drained.
    pub fn recv(&self) -> Option<T> {
        let _rt = crate::preempt::enter();
        let mut slot = MaybeUninit::<T>::uninit();
        // SAFETY: slot has room for one T.
        let (_, ok) = unsafe { chan::chanrecv(self.raw(), slot.as_mut_ptr() as *mut u8, true) };
        // SAFETY: ok means a value was moved into slot.
        ok.then(|| unsafe { slot.assume_init() })
    }

    /// Receives a value if one is ready now.
    pub fn try_recv(&self) -> Option<T> {
        let _rt = crate::preempt::enter();
        let mut slot = MaybeUninit::<T>::uninit();
        // SAFETY: as in `recv`.
        let (selected, ok) =
            unsafe { chan::chanrecv(self.raw(), slot.as_mut_ptr() as *mut u8, false) };
        // SAFETY: as in `recv`.
        (selected && ok).then(|| unsafe { slot.assume_init() })
    }

    /// Closes the channel (Go's `close`); closing twice panics.
    pub fn close(&self) {
        let _rt = crate::preempt::enter();
        // SAFETY: the channel is live.
        unsafe { chan::closechan(self.raw()) }
    }

    /// Values buffered now.
    pub fn len(&self) -> usize {
        let _rt = crate::preempt::enter();
        // SAFETY: the channel is live.
        unsafe { chan::chanlen(self.raw()) }
    }

    /// No value is buffered now.
    pub fn is_empty(&self) -> bool {
        let _rt = crate::preempt::enter();
        self.len() == 0
    }

    /// The buffer's size, as given to `new`.
    pub fn cap(&self) -> usize {
        let _rt = crate::preempt::enter();
        // SAFETY: the channel is live.
        unsafe { chan::chancap(self.raw()) }
    }
}
