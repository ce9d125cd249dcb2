//! Waits until a group of tasks is done: Go's `sync.WaitGroup`, in Rust.
//!
//! The tutorial's pattern, line for line: `wg.Add(1)` before each job,
//! `wg.Done()` at the end of each job, `wg.Wait()` to block until the count is
//! back to zero. [`WaitGroup`] keeps Go's shape so the Go and the Rust read side
//! by side; cloning it is Go's passing `&wg` around.
//!
//! # What it does and does not promise
//!
//! `wait()` returns once every task has called `done()`. It does **not** mean
//! the threads that ran those tasks have exited: they may still be running the
//! code after `done()`, or idling in a pool. Only joining a thread
//! ([`JoinHandle::join`](std::thread::JoinHandle::join), or
//! [`Pool::release_timeout`](crate::Pool::release_timeout)) proves it is gone.
//!
//! # WaitGroup vs TaskGroup
//!
//! For tasks on one pool, [`Pool::group`](crate::Pool::group) gives a
//! [`TaskGroup`](crate::TaskGroup): the same, with less to get wrong. It
//! counts for you (no `add`/`done` to forget), a panicking task cannot leave
//! `wait` hanging, and each task's value comes back in order. The tutorial's
//! lessons keep the WaitGroup because it is Go's way.
//!
//! # WaitGroup vs crossbeam's WaitGroup
//!
//! crossbeam-utils' `WaitGroup` counts *clones* (drop one to signal), which
//! cannot be miscounted. This one counts *calls*, as Go does, so it can be:
//! a `done()` without its `add()` panics with a message that says so.
//!
//! # Example
//!
//! ```
//! use pool_core::WaitGroup;
//! use std::thread;
//!
//! let wg = WaitGroup::new();
//! for id in 1..=5 {
//!     // Count the worker before starting it.
//!     wg.add(1);
//!     let wg = wg.clone();
//!     thread::spawn(move || {
//!         println!("worker {id} done");
//!         // Signal at the end of the job.
//!         wg.done();
//!     });
//! }
//! // Block until all five called done().
//! wg.wait();
//! assert_eq!(wg.count(), 0);
//! ```

use std::fmt;
use std::sync::atomic::Ordering::*;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

#[cfg(not(loom))]
#[cfg(not(loom))]
use crate::spin::spin;
use crate::sync::{Arc, AtomicUsize, Condvar, Mutex, deadline_after, fence, lock, wait_until};

/// Rounds of spinning before `wait` parks: 255 `pause`s in all.
#[cfg(not(loom))]
const WAIT_SPIN_ROUNDS: u32 = 8;

/// A counter of outstanding tasks that threads can wait on.
///
/// ```
/// let wg = pool_core::WaitGroup::new();
/// wg.add(2);
/// wg.done();
/// wg.done();
/// wg.wait(); // returns at once: the count is zero
/// ```
#[derive(Clone)]
pub struct WaitGroup {
    inner: Arc<Inner>,
}

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup {
            inner: Arc::new(Inner {
                count: CachePadded::new(AtomicUsize::new(0)),
                sleepers: AtomicUsize::new(0),
                lock: Mutex::new(()),
                zero: Condvar::new(),
            }),
        }
    }
}

struct Inner {
    count: CachePadded<AtomicUsize>,
    /// Threads parked in `wait` (the fast path skips the lock when zero).
    sleepers: AtomicUsize,
    lock: Mutex<()>,
    zero: Condvar,
}

impl WaitGroup {
    /// A wait group with a count of zero.
    ///
    /// ```
    /// assert_eq!(pool_core::WaitGroup::new().count(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` to the count of outstanding tasks (Go's `wg.Add(n)`).
    ///
    /// # Panics
    ///
    /// If the count would overflow `usize`. Go panics on a counter it cannot
    /// hold too; wrapping would turn "a huge number of tasks" into "almost
    /// none", or into zero, with waiters left asleep.
    ///
    /// ```
    /// let wg = pool_core::WaitGroup::new();
    /// wg.add(3);
    /// assert_eq!(wg.count(), 3);
    /// ```
    ///
    /// ```should_panic
    /// let wg = pool_core::WaitGroup::new();
    /// wg.add(usize::MAX);
    /// wg.add(2); // panics: the count cannot hold usize::MAX + 2
    /// ```
    pub fn add(&self, n: usize) {
        let added = self
            .inner
            .count
            .fetch_update(SeqCst, SeqCst, |count| count.checked_add(n));
        if let Err(count) = added {
            panic!("WaitGroup::add({n}) would overflow the count ({count} outstanding)");
        }
    }

    /// Marks one task done (Go's `wg.Done()`); the last one wakes every waiter.
    ///
    /// # Panics
    ///
    /// If the count is already zero: more `done()` than `add()`, the bug Go
    /// reports as "sync: negative WaitGroup counter".
    ///
    /// ```should_panic
    /// let wg = pool_core::WaitGroup::new();
    /// wg.done(); // panics: nothing was added
    /// ```
    pub fn done(&self) {
        let inner = &*self.inner;
        let mut cur = inner.count.load(SeqCst);
        loop {
            assert!(
                cur > 0,
                "WaitGroup::done() called more times than add(): the count would go below zero"
            );
            match inner
                .count
                .compare_exchange_weak(cur, cur - 1, SeqCst, SeqCst)
            {
                Ok(_) => break,
                Err(now) => cur = now,
            }
        }
        // The count reached zero: is anyone parked? (The fence pairs with the
        // one in `wait_until`: each side stores, fences, then loads.)
        if cur == 1 && {
            fence(SeqCst);
            inner.sleepers.load(SeqCst) > 0
        } {
            // Take the lock so no waiter is between its check and its sleep.
            let _guard = lock(&inner.lock);
            inner.zero.notify_all();
        }
    }

    /// The current count (for reports; it may change right after).
    ///
    /// ```
    /// let wg = pool_core::WaitGroup::new();
    /// wg.add(1);
    /// assert_eq!(wg.count(), 1);
    /// ```
    pub fn count(&self) -> usize {
        self.inner.count.load(SeqCst)
    }

    /// Blocks until the count is zero (Go's `wg.Wait()`).
    ///
    /// ```
    /// let wg = pool_core::WaitGroup::new();
    /// wg.add(1);
    /// let wg2 = wg.clone();
    /// std::thread::spawn(move || wg2.done());
    /// wg.wait();
    /// assert_eq!(wg.count(), 0);
    /// ```
    pub fn wait(&self) {
        self.wait_until(None);
    }

    /// Like [`wait`](WaitGroup::wait), for at most `timeout`. Returns `true`
    /// if the count reached zero, `false` if time ran out.
    ///
    /// ```
    /// use std::time::Duration;
    /// let wg = pool_core::WaitGroup::new();
    /// wg.add(1);
    /// // Nobody calls done(): time runs out.
    /// assert!(!wg.wait_timeout(Duration::from_millis(10)));
    /// wg.done();
    /// assert!(wg.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(deadline_after(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        let inner = &*self.inner;
        // Short groups finish within microseconds: spin before parking.
        // (Not under loom: it models the blocking protocol, not the clock.)
        #[cfg(not(loom))]
        if spin(WAIT_SPIN_ROUNDS, || {
            (inner.count.load(SeqCst) == 0).then_some(())
        })
        .is_some()
        {
            return true;
        }
        let mut guard = lock(&inner.lock);
        inner.sleepers.fetch_add(1, SeqCst);
        fence(SeqCst);
        let reached = loop {
            if inner.count.load(SeqCst) == 0 {
                break true;
            }
            guard = match wait_until(&inner.zero, guard, deadline) {
                Some(guard) => guard,
                None => break inner.count.load(SeqCst) == 0,
            };
        };
        inner.sleepers.fetch_sub(1, SeqCst);
        reached
    }
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitGroup")
            .field("count", &self.count())
            .finish()
    }
}
