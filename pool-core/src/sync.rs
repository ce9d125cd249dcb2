//! The synchronisation primitives the WaitGroup is built on, switchable to
//! loom's model-checked versions with `--cfg loom` (the way crossbeam-utils
//! does it), so `tests/loom.rs` checks the real WaitGroup code under every
//! interleaving loom can find.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, fence};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, fence};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Locks, ignoring poison: the guarded data is plain bookkeeping.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
