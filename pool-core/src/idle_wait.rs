//! Waiting until a pool has nothing to do, without closing it.
//!
//! threadpool's `join` and rusty_pool's `join` wait until every task
//! submitted so far has finished, and the pool stays usable; ants has no such
//! call (#73, #138), and a `WaitGroup` or a task group must be carried by
//! the caller. [`Pool::wait_idle`](crate::Pool::wait_idle) is that wait:
//! it returns once no task is running, queued, or held by a parked
//! submitter.
//!
//! # wait_idle vs release_timeout vs a WaitGroup
//!
//! | | `wait_idle` | `release_timeout` | `WaitGroup::wait` |
//! |---|---|---|---|
//! | the pool afterwards | open, workers kept | closed, workers joined | untouched |
//! | waits for | every task, whoever submitted it, including ones submitted during the wait | every task, then every thread | the tasks that call `done()` |
//! | from a task of the pool | waits for every *other* task | joins every other worker | may wait on itself |
//!
//! The rule lives in [`IdleWait`]: finishers look at one counter, and only
//! when someone waits do they take a lock to wake them.

use std::sync::atomic::Ordering::SeqCst;
use std::time::Instant;

use crate::sync::{AtomicUsize, Condvar, Mutex, lock, wait_until};

/// The threads waiting for a pool to go idle, and how to wake them.
#[derive(Default)]
pub(crate) struct IdleWait {
    waiting: AtomicUsize,
    lock: Mutex<()>,
    idle: Condvar,
}

impl IdleWait {
    /// A task just finished (its slot is already counted out): wakes the
    /// waiters if any, to look again at `is_idle`. The finisher's slot
    /// change comes first and `waiting` is read after it, while a waiter
    /// counts itself before it reads the pool: one of the two sees the other.
    pub(crate) fn after_finish(&self) {
        if self.waiting.load(SeqCst) > 0 {
            let _guard = lock(&self.lock);
            self.idle.notify_all();
        }
    }

    /// Waits until `is_idle()` holds, or `deadline` passes (`false`).
    pub(crate) fn wait(&self, is_idle: impl Fn() -> bool, deadline: Option<Instant>) -> bool {
        let mut guard = lock(&self.lock);
        self.waiting.fetch_add(1, SeqCst);
        let idle = loop {
            if is_idle() {
                break true;
            }
            guard = match wait_until(&self.idle, guard, deadline) {
                Some(guard) => guard,
                None => break is_idle(),
            };
        };
        self.waiting.fetch_sub(1, SeqCst);
        idle
    }
}
