//! A snapshot of what a pool is doing and has done.
//!
//! ants answers `Running()`, `Free()`, `Cap()` and `Waiting()` one call at a
//! time; [`PoolStats`] gathers those with the lifetime counters a benchmark or
//! a classroom wants to print (tasks submitted, completed, panicked, threads
//! started and retired).
//!
//! The fields are read one after another while the pool keeps working, so a
//! snapshot of a busy pool is approximate; once the pool is quiet it is exact.
//!
//! ```
//! use pool_core::{Pool, WaitGroup};
//!
//! let pool = Pool::new(2).unwrap();
//! let wg = WaitGroup::new();
//! for _ in 0..10 {
//!     wg.add(1);
//!     let wg = wg.clone();
//!     pool.submit(move || wg.done()).unwrap();
//! }
//! wg.wait();
//! let stats = pool.stats();
//! assert_eq!(stats.submitted, 10);
//! assert!(stats.threads_spawned <= 2);
//! ```

use std::fmt;
use std::sync::atomic::AtomicU64;

use crossbeam_utils::CachePadded;

/// A pool's lifetime counters. They are only ever added to and read for
/// reports, so `Relaxed` is enough: no decision in the pool depends on them.
#[derive(Default)]
pub(crate) struct Counters {
    /// Tasks accepted (its own cache line: every submit adds to it).
    pub(crate) submitted: CachePadded<AtomicU64>,
    pub(crate) panicked: AtomicU64,
    pub(crate) handler_panicked: AtomicU64,
    pub(crate) spawned: AtomicU64,
    pub(crate) retired: AtomicU64,
    pub(crate) detached: AtomicU64,
}

/// What a pool is doing now, and its counters since it was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PoolStats {
    /// Most tasks that may run at once (ants' `Cap()`).
    pub capacity: usize,
    /// Worker threads alive, busy or idle (ants' `Running()`).
    pub running: usize,
    /// Of those, the ones not running a task.
    pub idle: usize,
    /// Tasks waiting for a worker: submitters parked with their task, plus
    /// tasks queued (ants' `Waiting()`).
    pub waiting: usize,
    /// Of those, tasks accepted and queued, not yet started: up to
    /// [`queue_size`](crate::PoolBuilder::queue_size) of them, and with the
    /// default queue of 0, only the few on their way to a waking worker.
    pub queued: usize,
    /// Tasks accepted and not yet finished (queued or running).
    pub in_flight: usize,
    /// Tasks accepted since the pool was built.
    pub submitted: u64,
    /// Tasks finished, the ones that panicked included.
    pub completed: u64,
    /// Tasks that panicked.
    pub panicked: u64,
    /// Panic handlers that panicked themselves (caught and counted).
    pub handler_panicked: u64,
    /// Worker threads started since the pool was built.
    pub threads_spawned: u64,
    /// Worker threads that have exited (expired, retired by `tune`, or released).
    pub threads_retired: u64,
    /// Worker threads the last [`release_timeout`](crate::Pool::release_timeout)
    /// gave up on: still running their task when time ran out, they will be
    /// let go unjoined when the pool is dropped (0 again after `reboot`).
    pub threads_detached: u64,
    /// Whether the pool has been released.
    pub closed: bool,
}

impl PoolStats {
    /// Capacity not taken by a live worker (ants' `Free()`).
    ///
    /// ```
    /// let pool = pool_core::Pool::new(5).unwrap();
    /// assert_eq!(pool.stats().free(), 5);
    /// ```
    pub fn free(&self) -> usize {
        self.capacity.saturating_sub(self.running)
    }
}

/// Adds up several pools' stats (a multi-pool's `stats()`): every count is
/// summed, and `closed` holds only if every pool is closed.
///
/// ```
/// use pool_core::{Pool, PoolStats};
/// let (a, b) = (Pool::new(2).unwrap(), Pool::new(3).unwrap());
/// let total: PoolStats = [a.stats(), b.stats()].into_iter().sum();
/// assert_eq!(total.capacity, 5);
/// ```
impl std::iter::Sum for PoolStats {
    fn sum<I: Iterator<Item = PoolStats>>(iter: I) -> PoolStats {
        let mut total = PoolStats {
            closed: true,
            ..PoolStats::default()
        };
        let mut any = false;
        for s in iter {
            any = true;
            total.capacity += s.capacity;
            total.running += s.running;
            total.idle += s.idle;
            total.waiting += s.waiting;
            total.queued += s.queued;
            total.in_flight += s.in_flight;
            total.submitted += s.submitted;
            total.completed += s.completed;
            total.panicked += s.panicked;
            total.handler_panicked += s.handler_panicked;
            total.threads_spawned += s.threads_spawned;
            total.threads_retired += s.threads_retired;
            total.threads_detached += s.threads_detached;
            total.closed &= s.closed;
        }
        total.closed &= any;
        total
    }
}

impl fmt::Display for PoolStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "capacity {}, workers {} ({} idle), waiting {} ({} queued), in flight {}, submitted {}, completed {}, panicked {}, threads spawned {}, retired {}{}",
            self.capacity,
            self.running,
            self.idle,
            self.waiting,
            self.queued,
            self.in_flight,
            self.submitted,
            self.completed,
            self.panicked,
            self.threads_spawned,
            self.threads_retired,
            if self.closed { ", released" } else { "" }
        )
    }
}
