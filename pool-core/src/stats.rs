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
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crossbeam_utils::CachePadded;

use crate::timing::TaskTimes;

/// A pool's lifetime counters. They are only ever added to and read for
/// reports, so `Relaxed` is enough: no decision in the pool depends on them.
#[derive(Default)]
pub(crate) struct Counters {
    /// Tasks accepted (its own cache line: every submit adds to it).
    submitted: CachePadded<AtomicU64>,
    panicked: AtomicU64,
    handler_panicked: AtomicU64,
    hook_panicked: AtomicU64,
    aborted: AtomicU64,
    spawned: AtomicU64,
    retired: AtomicU64,
    detached: AtomicU64,
    /// The highest `completed` any snapshot has reported (see
    /// [`Counters::fill`]).
    completed: AtomicU64,
    /// Queue wait and run time (`timing.rs`).
    times: TaskTimes,
}

impl Counters {
    /// A task was accepted: it will run.
    pub(crate) fn task_accepted(&self) {
        self.submitted.fetch_add(1, Relaxed);
    }

    /// A task panicked.
    pub(crate) fn task_panicked(&self) {
        self.panicked.fetch_add(1, Relaxed);
    }

    /// A panic handler panicked.
    pub(crate) fn handler_panicked(&self) {
        self.handler_panicked.fetch_add(1, Relaxed);
    }

    /// A thread start or stop hook panicked.
    pub(crate) fn hook_panicked(&self) {
        self.hook_panicked.fetch_add(1, Relaxed);
    }

    /// A queued task was aborted before it started.
    pub(crate) fn task_aborted(&self) {
        self.aborted.fetch_add(1, Relaxed);
    }

    /// A worker thread started.
    pub(crate) fn thread_started(&self) {
        self.spawned.fetch_add(1, Relaxed);
    }

    /// A worker thread left its loop.
    pub(crate) fn thread_exited(&self) {
        self.retired.fetch_add(1, Relaxed);
    }

    /// Threads a `release_timeout` gave up on (0 after `reboot`).
    pub(crate) fn set_detached(&self, threads: u64) {
        self.detached.store(threads, Relaxed);
    }

    /// Where workers add their task times.
    pub(crate) fn times(&self) -> &TaskTimes {
        &self.times
    }

    /// Tasks accepted so far.
    pub(crate) fn submitted(&self) -> u64 {
        self.submitted.load(Relaxed)
    }

    /// Fills in the counters' fields of `stats`, `submitted` and
    /// `completed` included, from `submitted` and `in_flight` read in that
    /// order (see `Engine::stats`).
    ///
    /// `completed` has no counter of its own (a shared add per task would
    /// cost every worker a contended cache line). It is known from below
    /// three ways, each a count of tasks that really finished: `submitted`
    /// less `in_flight` read after it (a task is in flight before it is
    /// counted as submitted, so one accepted in between only lowers this),
    /// the `timed` tasks (workers add theirs after running them), and any
    /// earlier snapshot's figure. The largest of the three is still a lower
    /// bound, and never goes backwards between snapshots on any thread.
    pub(crate) fn fill(&self, stats: &mut PoolStats, submitted: u64, in_flight: usize) {
        let finished = submitted.saturating_sub(in_flight as u64);
        let times = self.times.snapshot();
        let at_least = finished.max(times.timed);
        let previous = self.completed.fetch_max(at_least, Relaxed);
        stats.completed = previous.max(at_least);
        // A task is counted as submitted just after it is handed over, so
        // a fast one can finish (and be timed) first; a finished task was
        // certainly accepted.
        stats.submitted = submitted.max(stats.completed);
        stats.panicked = self.panicked.load(Relaxed);
        stats.handler_panicked = self.handler_panicked.load(Relaxed);
        stats.hook_panicked = self.hook_panicked.load(Relaxed);
        stats.aborted = self.aborted.load(Relaxed);
        stats.threads_spawned = self.spawned.load(Relaxed);
        stats.threads_retired = self.retired.load(Relaxed);
        stats.threads_detached = self.detached.load(Relaxed);
        stats.timed = times.timed;
        stats.queue_wait_total = times.wait_total;
        stats.queue_wait_max = times.wait_max;
        stats.run_total = times.run_total;
    }
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
    /// Tasks accepted since the pool was built (never below `completed`).
    pub submitted: u64,
    /// Tasks finished, the ones that panicked included. A lifetime
    /// counter: it never goes backwards from one snapshot to the next, and
    /// is never below `timed`. While tasks are being accepted it may lag by
    /// the few accepted during the snapshot itself (never more than
    /// `in_flight`); once the pool is idle it is exact.
    pub completed: u64,
    /// Tasks that panicked.
    pub panicked: u64,
    /// Panic handlers that panicked themselves (caught and counted).
    pub handler_panicked: u64,
    /// Thread start and stop hooks that panicked (caught and counted; see
    /// [`PoolBuilder::on_thread_start`](crate::PoolBuilder::on_thread_start)).
    pub hook_panicked: u64,
    /// Tasks aborted before they started ([`TaskHandle::abort`](crate::TaskHandle::abort)):
    /// they never ran, and count in `completed` (they left the pool).
    pub aborted: u64,
    /// Worker threads started since the pool was built.
    pub threads_spawned: u64,
    /// Worker threads that have exited (expired, retired by `tune`, or released).
    pub threads_retired: u64,
    /// Worker threads the last [`release_timeout`](crate::Pool::release_timeout)
    /// gave up on: still running their task when time ran out, they are
    /// let go unjoined when the pool is dropped or rebooted, whichever
    /// comes first.
    pub threads_detached: u64,
    /// Tasks whose times are in the three figures below: every finished
    /// task once the pool is idle; while it is busy, each worker adds its
    /// own every 64 tasks, so this may lag `completed`; divide the totals by it, as [`PoolStats::mean_queue_wait`] does.
    pub timed: u64,
    /// Total time tasks waited between being accepted and starting.
    pub queue_wait_total: Duration,
    /// The longest any task waited between being accepted and starting.
    pub queue_wait_max: Duration,
    /// Total time tasks ran (panics included).
    pub run_total: Duration,
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

    /// The mean queue wait of the timed tasks (zero before any).
    ///
    /// ```
    /// use pool_core::{Pool, WaitGroup};
    /// use std::time::Duration;
    ///
    /// // One worker, three tasks of 5 ms: the third waited for the other two
    /// // (less the microseconds between the submits).
    /// let pool = Pool::builder().capacity(1).queue_size(2).build().unwrap();
    /// for _ in 0..3 {
    ///     pool.submit(|| std::thread::sleep(Duration::from_millis(5))).unwrap();
    /// }
    /// // Joining the worker makes the figures exact.
    /// pool.release_timeout(Duration::from_secs(30)).unwrap();
    /// let stats = pool.stats();
    /// assert_eq!(stats.timed, 3);
    /// assert!(stats.queue_wait_max >= Duration::from_millis(9));
    /// assert!(stats.run_total >= Duration::from_millis(15));
    /// assert!(stats.mean_queue_wait() >= Duration::from_millis(4));
    /// ```
    pub fn mean_queue_wait(&self) -> Duration {
        mean(self.queue_wait_total, self.timed)
    }

    /// The mean run time of the timed tasks (zero before any).
    pub fn mean_run_time(&self) -> Duration {
        mean(self.run_total, self.timed)
    }
}

fn mean(total: Duration, n: u64) -> Duration {
    if n == 0 {
        Duration::ZERO
    } else {
        Duration::from_nanos((total.as_nanos() / u128::from(n)) as u64)
    }
}

/// Adds up several pools' stats (a multi-pool's `stats()`): every count and
/// total is summed, the longest wait is the longest of all, and `closed`
/// holds only if every pool is closed.
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
            total.hook_panicked += s.hook_panicked;
            total.aborted += s.aborted;
            total.threads_spawned += s.threads_spawned;
            total.threads_retired += s.threads_retired;
            total.threads_detached += s.threads_detached;
            total.timed += s.timed;
            total.queue_wait_total += s.queue_wait_total;
            total.queue_wait_max = total.queue_wait_max.max(s.queue_wait_max);
            total.run_total += s.run_total;
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
            "capacity {}, workers {} ({} idle), waiting {} ({} queued), in flight {}, submitted {}, completed {}, panicked {}, threads spawned {}, retired {}, mean queue wait {:?} (max {:?}), mean run {:?}{}",
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
            self.mean_queue_wait(),
            self.queue_wait_max,
            self.mean_run_time(),
            if self.closed { ", released" } else { "" }
        )
    }
}
