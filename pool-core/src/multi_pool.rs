//! Several pools behind one handle, with load balancing: ants' `MultiPool`.
//!
//! One pool has one admission counter and one task channel that every
//! submitter and worker touches. With many submitter threads that shared
//! state becomes the bottleneck; ants' answer is to split the capacity over
//! several independent pools and spread submissions across them.
//!
//! # RoundRobin vs LeastTasks
//!
//! | | [`LoadBalancing::RoundRobin`] | [`LoadBalancing::LeastTasks`] |
//! |---|---|---|
//! | picks | the next pool in turn | the pool with the fewest tasks in flight |
//! | costs | one atomic increment | a look at every pool |
//! | when a pool is full | retries once on the least busy pool (as ants) | waits on the least busy pool |
//!
//! ants' `LeastTasks` compares running *workers*; this one compares tasks in
//! flight, which is what the name promises and what balances better when
//! idle workers linger until they expire.
//!
//! # Example
//!
//! ```
//! use pool_core::{LoadBalancing, MultiPool, WaitGroup};
//!
//! // 4 pools of 10 workers: capacity 40 in all.
//! let pools = MultiPool::new(4, 10, LoadBalancing::RoundRobin).unwrap();
//! assert_eq!(pools.cap(), 40);
//!
//! // Submit the jobs.
//! let wg = WaitGroup::new();
//! for _ in 0..100 {
//!     wg.add(1);
//!     let wg = wg.clone();
//!     pools.submit(move || wg.done()).unwrap();
//! }
//!
//! // Wait until every job is done.
//! wg.wait();
//! assert_eq!(pools.stats().submitted, 100);
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::error::{BuildError, PoolError, ReleaseTimeoutError};
use crate::options::PoolBuilder;
use crate::pool::Pool;
use crate::stats::PoolStats;

/// How a [`MultiPool`] picks the pool for each task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadBalancing {
    /// Each pool in turn.
    #[default]
    RoundRobin,
    /// The pool with the fewest tasks in flight.
    LeastTasks,
}

/// Several [`Pool`]s behind one handle. Cloning shares them.
///
/// ```
/// use pool_core::{LoadBalancing, MultiPool};
/// let pools = MultiPool::new(2, 3, LoadBalancing::LeastTasks).unwrap();
/// assert_eq!(pools.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct MultiPool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pools: Vec<Pool>,
    balancing: LoadBalancing,
    next: AtomicUsize,
}

impl MultiPool {
    /// `count` pools of `capacity_each` workers (ants' `NewMultiPool`).
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool};
    /// // Zero pools is refused like a zero capacity.
    /// assert!(MultiPool::new(0, 10, LoadBalancing::RoundRobin).is_err());
    /// ```
    pub fn new(
        count: usize,
        capacity_each: usize,
        balancing: LoadBalancing,
    ) -> Result<Self, BuildError> {
        Self::with_builder(count, PoolBuilder::new().capacity(capacity_each), balancing)
    }

    /// `count` pools, each built from `builder` (so each gets its options).
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool, Pool};
    /// let builder = Pool::builder().capacity(4).nonblocking(true);
    /// let pools = MultiPool::with_builder(3, builder, LoadBalancing::RoundRobin).unwrap();
    /// assert_eq!(pools.cap(), 12);
    /// ```
    pub fn with_builder(
        count: usize,
        builder: PoolBuilder,
        balancing: LoadBalancing,
    ) -> Result<Self, BuildError> {
        if count == 0 {
            return Err(BuildError::ZeroCapacity);
        }
        let pools = (0..count)
            .map(|_| builder.clone().build())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MultiPool {
            inner: Arc::new(Inner {
                pools,
                balancing,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// The pools, in order (ants' `RunningByIndex` and friends read from here).
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool};
    /// let pools = MultiPool::new(2, 5, LoadBalancing::RoundRobin).unwrap();
    /// assert_eq!(pools.pools()[1].cap(), 5);
    /// ```
    pub fn pools(&self) -> &[Pool] {
        &self.inner.pools
    }

    /// How many pools there are.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert_eq!(MultiPool::new(3, 1, LoadBalancing::RoundRobin).unwrap().len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.inner.pools.len()
    }

    /// Always `false`: a `MultiPool` has at least one pool.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert!(!MultiPool::new(1, 1, LoadBalancing::RoundRobin).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.inner.pools.is_empty()
    }

    fn pick(&self, balancing: LoadBalancing) -> &Pool {
        let pools = &self.inner.pools;
        match balancing {
            LoadBalancing::RoundRobin => {
                &pools[self.inner.next.fetch_add(1, Relaxed) % pools.len()]
            }
            LoadBalancing::LeastTasks => pools
                .iter()
                .min_by_key(|p| p.stats().in_flight)
                .expect("a MultiPool has at least one pool"),
        }
    }

    /// Runs `task` on one of the pools, chosen by the load balancing. With
    /// `RoundRobin`, a task refused as `Overload` is offered once more to the
    /// least busy pool, as ants does.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool};
    /// let pools = MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pools.submit(move || tx.send("ran").unwrap()).unwrap();
    /// assert_eq!(rx.recv().unwrap(), "ran");
    /// ```
    pub fn submit<F>(&self, task: F) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        if self.is_closed() {
            return Err(PoolError::Closed(task));
        }
        match self.pick(self.inner.balancing).submit(task) {
            Err(PoolError::Overload(task)) if self.inner.balancing == LoadBalancing::RoundRobin => {
                self.pick(LoadBalancing::LeastTasks).submit(task)
            }
            other => other,
        }
    }

    /// Worker threads alive across all pools.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert_eq!(MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap().running(), 0);
    /// ```
    pub fn running(&self) -> usize {
        self.inner.pools.iter().map(Pool::running).sum()
    }

    /// Capacity not taken by a live worker, across all pools.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert_eq!(MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap().free(), 4);
    /// ```
    pub fn free(&self) -> usize {
        self.inner.pools.iter().map(Pool::free).sum()
    }

    /// Total capacity of all pools.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert_eq!(MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap().cap(), 6);
    /// ```
    pub fn cap(&self) -> usize {
        self.inner.pools.iter().map(Pool::cap).sum()
    }

    /// Submitters blocked across all pools.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert_eq!(MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.inner.pools.iter().map(Pool::waiting).sum()
    }

    /// All pools' stats added up.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// let stats = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap().stats();
    /// assert_eq!(stats.capacity, 6);
    /// ```
    pub fn stats(&self) -> PoolStats {
        let mut sum = PoolStats::default();
        for s in self.inner.pools.iter().map(Pool::stats) {
            sum.capacity += s.capacity;
            sum.running += s.running;
            sum.idle += s.idle;
            sum.waiting += s.waiting;
            sum.in_flight += s.in_flight;
            sum.submitted += s.submitted;
            sum.completed += s.completed;
            sum.panicked += s.panicked;
            sum.handler_panicked += s.handler_panicked;
            sum.threads_spawned += s.threads_spawned;
            sum.threads_retired += s.threads_retired;
            sum.closed |= s.closed;
        }
        sum
    }

    /// Sets every pool's capacity to `capacity_each` (ants' `MultiPool.Tune`).
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
    /// pools.tune(5).unwrap();
    /// assert_eq!(pools.cap(), 10);
    /// ```
    pub fn tune(&self, capacity_each: usize) -> Result<(), BuildError> {
        self.inner
            .pools
            .iter()
            .try_for_each(|p| p.tune(capacity_each))
    }

    /// Releases every pool.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
    /// pools.release();
    /// assert!(pools.is_closed());
    /// ```
    pub fn release(&self) {
        self.inner.pools.iter().for_each(Pool::release);
    }

    /// Releases every pool and waits, `timeout` in all, for their threads.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// use std::time::Duration;
    /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
    /// assert!(pools.release_timeout(Duration::from_secs(5)).is_ok());
    /// ```
    pub fn release_timeout(&self, timeout: Duration) -> Result<(), ReleaseTimeoutError> {
        self.release();
        let deadline = Instant::now() + timeout;
        let mut threads_left = 0;
        for pool in &self.inner.pools {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Err(e) = pool.release_timeout(left) {
                threads_left += e.threads_left;
            }
        }
        if threads_left == 0 {
            Ok(())
        } else {
            Err(ReleaseTimeoutError { threads_left })
        }
    }

    /// Opens every released pool again.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
    /// pools.release();
    /// pools.reboot().unwrap();
    /// assert!(!pools.is_closed());
    /// ```
    pub fn reboot(&self) -> Result<(), BuildError> {
        self.inner.pools.iter().try_for_each(Pool::reboot)
    }

    /// Whether the pools have been released.
    ///
    /// ```
    /// # use pool_core::{LoadBalancing, MultiPool};
    /// assert!(!MultiPool::new(1, 1, LoadBalancing::RoundRobin).unwrap().is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.pools.iter().any(Pool::is_closed)
    }
}
