//! The synchronisation primitives the pool is built on, switchable to loom's
//! model-checked versions with `--cfg loom` (the way crossbeam-utils does it),
//! and the two waiting helpers every part of the crate shares.
//!
//! Under loom, the admission protocol (`admission.rs`), the idle-worker
//! protocol (`idle.rs`), the task queue and the `WaitGroup` run as they are,
//! on loom's atomics, mutexes and threads; `tests/loom.rs` and the
//! `#[cfg(loom)]` tests beside each protocol explore their interleavings.
//!
//! loom has no clock. A deadline is modelled as one that has *already*
//! passed when it is checked, so the model explores "the timer fires here"
//! at every point where the real code checks it.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, fence};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::thread;

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, fence};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
// Only the loom models start threads; the pool itself starts std threads.
#[cfg(all(loom, test))]
pub(crate) use loom::thread;

use std::time::{Duration, Instant};

/// Locks, ignoring poison: every mutex in this crate guards plain
/// bookkeeping that a panicking task cannot leave half-written (tasks never
/// run under a lock).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The instant `timeout` from now, or `None` ("no deadline") when that lies
/// beyond what `Instant` can hold: `Duration::MAX` means "wait forever", as
/// it does for std's `Condvar::wait_timeout`.
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// Waits on `cv` until notified (or woken spuriously), or until `deadline`.
/// Returns `None`, with the lock released, once the deadline has passed:
/// callers loop on their own condition and call again.
pub(crate) fn wait_until<'a, T>(
    cv: &Condvar,
    guard: MutexGuard<'a, T>,
    deadline: Option<Instant>,
) -> Option<MutexGuard<'a, T>> {
    match deadline {
        None => Some(cv.wait(guard).unwrap_or_else(|e| e.into_inner())),
        Some(d) => {
            let left = time_left(d)?;
            #[cfg(not(loom))]
            let guard = cv
                .wait_timeout(guard, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            #[cfg(loom)]
            let _ = (cv, left);
            Some(guard)
        }
    }
}

/// One thread's parking spot: the thread itself parks on it, any thread
/// unparks it, and an unpark that comes first is kept as a token for the next
/// park, as with `std::thread::park`.
///
/// Outside loom it is the thread's own park token. loom's `unpark` wakes its
/// target whatever it is blocked on, a mutex included, which breaks loom's
/// own bookkeeping (loom issues #249 and #418); under loom the token is a
/// flag behind a loom mutex and condvar instead.
#[derive(Debug)]
pub(crate) struct Parker {
    #[cfg(not(loom))]
    thread: thread::Thread,
    #[cfg(loom)]
    token: Mutex<bool>,
    #[cfg(loom)]
    unparked: Condvar,
}

impl Parker {
    /// The calling thread's parker (only that thread may park on it).
    pub(crate) fn current() -> Parker {
        Parker {
            #[cfg(not(loom))]
            thread: thread::current(),
            #[cfg(loom)]
            token: Mutex::new(false),
            #[cfg(loom)]
            unparked: Condvar::new(),
        }
    }

    /// Wakes the thread, or lets its next park return at once.
    pub(crate) fn unpark(&self) {
        #[cfg(not(loom))]
        self.thread.unpark();
        #[cfg(loom)]
        {
            *lock(&self.token) = true;
            self.unparked.notify_one();
        }
    }

    /// Parks until unparked (or woken spuriously), or until `deadline`.
    /// Returns `false`, without parking, once the deadline has passed.
    pub(crate) fn park_until(&self, deadline: Option<Instant>) -> bool {
        let left = match deadline {
            None => None,
            Some(d) => match time_left(d) {
                None => return false,
                Some(left) => Some(left),
            },
        };
        #[cfg(not(loom))]
        match left {
            None => thread::park(),
            Some(left) => thread::park_timeout(left),
        }
        #[cfg(loom)]
        {
            let _ = left; // under loom a deadline has always passed
            let mut token = lock(&self.token);
            while !*token {
                token = self.unparked.wait(token).unwrap_or_else(|e| e.into_inner());
            }
            *token = false;
        }
        true
    }
}

/// Time until `deadline`, or `None` if it has passed (under loom: always).
fn time_left(deadline: Instant) -> Option<Duration> {
    if cfg!(loom) {
        return None;
    }
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}
