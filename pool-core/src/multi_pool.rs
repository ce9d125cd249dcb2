//! Several pools behind one handle, with load balancing: ants' `MultiPool` and `MultiPoolWithFunc`.
//!
//! One pool has one admission word and one queue that every submitter and
//! worker touches. With many submitter threads that shared state becomes the
//! bottleneck; ants' answer is to split the capacity over several
//! independent pools and spread submissions across them.
//!
//! # How a task finds a pool
//!
//! 1. The balancing picks where to start: the next pool in turn
//!    ([`LoadBalancing::RoundRobin`]) or the pool with the fewest tasks in
//!    flight ([`LoadBalancing::LeastTasks`]).
//! 2. Starting there, each open pool is offered the task without waiting;
//!    the first with room takes it. A busy pool never holds a task back
//!    while another has room, and a pool released on its own is skipped.
//! 3. If every open pool is full, `try_submit` refuses with `Overload`. The
//!    others wait a short slice on one pool (100 µs, doubling up to 10 ms)
//!    and then offer the task around again, so whichever pool frees a slot
//!    first takes it; `submit_timeout` gives up at its deadline.
//! 4. If every pool is released, the task comes back in `Closed`.
//!
//! ants' `LeastTasks` compares running *workers*; this one compares tasks in
//! flight, which is what the name promises and what balances better when
//! idle workers linger until they expire.
//!
//! # RoundRobin vs LeastTasks
//!
//! | | [`LoadBalancing::RoundRobin`] | [`LoadBalancing::LeastTasks`] |
//! |---|---|---|
//! | starts at | the next pool in turn | the pool with the fewest tasks in flight |
//! | costs | one atomic increment | a look at every pool |
//! | good for | many short, similar tasks | tasks of very different lengths |
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

use crate::admission::Wait;
use crate::error::{BuildError, PoolError, ReleaseTimeoutError};
use crate::limits::thread_ceiling;
use crate::options::PoolBuilder;
use crate::pool::Pool;
use crate::pool_with_func::PoolWithFunc;
use crate::stats::PoolStats;
use crate::sync::deadline_after;

/// A submitter that finds every pool full waits this long on one before it
/// offers the task around again; the wait doubles up to [`LAST_SLICE`].
const FIRST_SLICE: Duration = Duration::from_micros(100);
const LAST_SLICE: Duration = Duration::from_millis(10);

/// How a multi-pool picks the pool each task is offered to first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadBalancing {
    /// Each pool in turn.
    #[default]
    RoundRobin,
    /// The pool with the fewest tasks in flight.
    LeastTasks,
}

/// What a multi-pool needs of each of its pools; both pool types have it.
pub(crate) trait Member {
    fn stats(&self) -> PoolStats;
    fn is_closed(&self) -> bool;
    fn tune(&self, capacity: usize) -> Result<(), BuildError>;
    fn release(&self);
    fn release_timeout(&self, timeout: Duration) -> Result<(), ReleaseTimeoutError>;
    fn reboot(&self) -> Result<(), BuildError>;
    fn wait_idle_until(&self, deadline: Option<std::time::Instant>) -> bool;
}

/// A `Member` is one of the pools: each method is the pool's own.
macro_rules! member {
    ($ty:ty $(, $g:ident)*) => {
        impl<$($g: Send + 'static),*> Member for $ty {
            fn stats(&self) -> PoolStats {
                <$ty>::stats(self)
            }
            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }
            fn tune(&self, capacity: usize) -> Result<(), BuildError> {
                <$ty>::tune(self, capacity)
            }
            fn release(&self) {
                <$ty>::release(self)
            }
            fn release_timeout(&self, timeout: Duration) -> Result<(), ReleaseTimeoutError> {
                <$ty>::release_timeout(self, timeout)
            }
            fn reboot(&self) -> Result<(), BuildError> {
                <$ty>::reboot(self)
            }
            fn wait_idle_until(&self, deadline: Option<std::time::Instant>) -> bool {
                <$ty>::wait_idle_until(self, deadline)
            }
        }
    };
}

member!(Pool);
member!(PoolWithFunc<T, R>, T, R);

/// The pools of a multi-pool and how to pick one: the part `MultiPool` and
/// `MultiPoolWithFunc` share.
#[derive(Debug)]
pub(crate) struct Pools<P> {
    pools: Vec<P>,
    balancing: LoadBalancing,
    next: AtomicUsize,
}

impl<P: Member> Pools<P> {
    /// Waits until a pass over every pool finds each idle, or `deadline`.
    fn wait_idle(&self, deadline: Option<std::time::Instant>) -> bool {
        loop {
            let before: u64 = self.pools.iter().map(|p| p.stats().submitted).sum();
            if !self.pools.iter().all(|p| p.wait_idle_until(deadline)) {
                return false;
            }
            let after: u64 = self.pools.iter().map(|p| p.stats().submitted).sum();
            // Nothing was accepted anywhere during the pass: all idle at once.
            let quiet = self.pools.iter().all(|p| {
                let stats = p.stats();
                stats.in_flight == 0 && stats.waiting == 0
            });
            if after == before && quiet {
                return true;
            }
        }
    }
}

/// `count` × `capacity_each` threads must fit under the ceiling, like one pool.
fn check_total(count: usize, capacity_each: usize) -> Result<(), BuildError> {
    if count == 0 {
        return Err(BuildError::ZeroPools);
    }
    let ceiling = thread_ceiling();
    let Some(total) = count.checked_mul(capacity_each) else {
        return Err(BuildError::TotalCapacityOverflow {
            count,
            capacity_each,
        });
    };
    match total {
        total if total <= ceiling.max_threads => Ok(()),
        total => Err(BuildError::CapacityAboveThreadCeiling {
            requested: total,
            ceiling: ceiling.max_threads,
            limit: format!("{count} pools of {capacity_each}; {}", ceiling.limit),
        }),
    }
}

impl<P: Member> Pools<P> {
    fn build(
        count: usize,
        capacity_each: usize,
        balancing: LoadBalancing,
        make: impl FnMut(usize) -> Result<P, BuildError>,
    ) -> Result<Self, BuildError> {
        check_total(count, capacity_each)?;
        Ok(Pools {
            pools: (0..count).map(make).collect::<Result<_, _>>()?,
            balancing,
            next: AtomicUsize::new(0),
        })
    }

    fn first(&self) -> usize {
        match self.balancing {
            LoadBalancing::RoundRobin => self.next.fetch_add(1, Relaxed) % self.pools.len(),
            LoadBalancing::LeastTasks => (0..self.pools.len())
                .filter(|&i| !self.pools[i].is_closed())
                .min_by_key(|&i| self.pools[i].stats().in_flight)
                .unwrap_or(0),
        }
    }

    /// Offers `job` to the pools as the module docs describe; `offer` hands
    /// it to one pool, waiting as told.
    fn dispatch<J>(
        &self,
        job: J,
        wait: Wait,
        offer: impl Fn(&P, J, Wait) -> Result<(), PoolError<J>>,
    ) -> Result<(), PoolError<J>> {
        let deadline = match wait {
            Wait::Until(d) => Some(d),
            _ => None,
        };
        let mut job = job;
        let mut slice = FIRST_SLICE;
        loop {
            // Every open pool, without waiting, starting where the balancing says.
            let n = self.pools.len();
            let first = self.first();
            // The first pool that was full, to wait on; a pool that could
            // not start a thread passes the task on to the next one.
            let mut first_full = None;
            let mut spawn_error = None;
            for k in 0..n {
                let i = (first + k) % n;
                let pool = &self.pools[i];
                if pool.is_closed() {
                    continue;
                }
                match offer(pool, job, Wait::Never) {
                    Ok(()) => return Ok(()),
                    Err(PoolError::Overload(back)) => {
                        first_full.get_or_insert(i);
                        job = back;
                    }
                    Err(PoolError::Closed(back)) => job = back,
                    Err(PoolError::ThreadSpawn(back, error)) => {
                        spawn_error = Some(error);
                        job = back;
                    }
                    Err(other) => return Err(other),
                }
            }
            let Some(i) = first_full else {
                // No pool is full: each is closed or could not start a thread.
                return Err(match spawn_error {
                    Some(error) => PoolError::ThreadSpawn(job, error),
                    None => PoolError::Closed(job),
                });
            };
            if matches!(wait, Wait::Never) {
                return Err(PoolError::Overload(job));
            }
            // All full: wait a slice on one, then offer the task around again,
            // so whichever pool frees a slot first gets it. (Waiting on one
            // pool only could wait on a stuck one while another frees up.)
            let now = Instant::now();
            let until = match deadline {
                Some(d) if d <= now => return Err(PoolError::Timeout(job)),
                Some(d) => d.min(now + slice),
                None => now + slice,
            };
            match offer(&self.pools[i], job, Wait::Until(until)) {
                Ok(()) => return Ok(()),
                Err(
                    PoolError::Timeout(back)
                    | PoolError::Closed(back)
                    | PoolError::ThreadSpawn(back, _),
                ) => job = back,
                Err(other) => return Err(other),
            }
            slice = (slice * 2).min(LAST_SLICE);
        }
    }

    fn stats(&self) -> PoolStats {
        self.pools.iter().map(Member::stats).sum()
    }

    /// The open pools' stats added up.
    fn open_stats(&self) -> PoolStats {
        self.pools
            .iter()
            .filter(|p| !p.is_closed())
            .map(Member::stats)
            .sum()
    }

    fn tune(&self, capacity_each: usize) -> Result<(), BuildError> {
        check_total(self.pools.len(), capacity_each)?;
        self.pools.iter().try_for_each(|p| p.tune(capacity_each))
    }

    fn release_timeout(&self, timeout: Duration) -> Result<(), ReleaseTimeoutError> {
        self.pools.iter().for_each(Member::release);
        let deadline = deadline_after(timeout);
        let mut threads_left = 0;
        for pool in &self.pools {
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(std::time::Instant::now())
            });
            if let Err(e) = pool.release_timeout(left) {
                threads_left += e.threads_left;
            }
        }
        match threads_left {
            0 => Ok(()),
            threads_left => Err(ReleaseTimeoutError { threads_left }),
        }
    }
}

/// Several [`Pool`]s behind one handle (ants' `MultiPool`). Cloning shares them.
///
/// ```
/// use pool_core::{LoadBalancing, MultiPool};
/// let pools = MultiPool::new(2, 3, LoadBalancing::LeastTasks).unwrap();
/// assert_eq!(pools.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct MultiPool {
    inner: Arc<Pools<Pool>>,
}

impl MultiPool {
    /// `count` pools of `capacity_each` workers (ants' `NewMultiPool`).
    /// Refused if `count` is 0, or if `count × capacity_each` threads are
    /// more than the process may hold ([`thread_ceiling`]).
    ///
    /// ```
    /// use pool_core::{BuildError, LoadBalancing, MultiPool};
    /// // Zero pools is its own error (ants' ErrInvalidMultiPoolSize).
    /// let err = MultiPool::new(0, 10, LoadBalancing::RoundRobin).unwrap_err();
    /// assert!(matches!(err, BuildError::ZeroPools));
    /// // So is more threads in all than the process may hold.
    /// assert!(MultiPool::new(4, usize::MAX / 2, LoadBalancing::RoundRobin).is_err());
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
        let inner = Pools::build(count, builder.capacity_value(), balancing, |_| {
            builder.clone().build()
        })?;
        Ok(MultiPool {
            inner: Arc::new(inner),
        })
    }

    /// A multi-pool of pools you built yourself, each with its own options.
    /// Refused with [`BuildError::ZeroPools`] if `pools` is empty.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool, Pool};
    /// let fast = Pool::builder().capacity(4).build().unwrap();
    /// let named = Pool::builder().capacity(2).thread_name("slow").build().unwrap();
    /// let pools = MultiPool::from_pools(vec![fast, named], LoadBalancing::LeastTasks).unwrap();
    /// assert_eq!(pools.cap(), 6);
    /// ```
    pub fn from_pools(pools: Vec<Pool>, balancing: LoadBalancing) -> Result<Self, BuildError> {
        if pools.is_empty() {
            return Err(BuildError::ZeroPools);
        }
        Ok(MultiPool {
            inner: Arc::new(Pools {
                pools,
                balancing,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs `task` on one of the pools (see the module docs for which),
    /// waiting only if every open pool is full. A pool that cannot start a
    /// thread for it passes it on to the next; `ThreadSpawn` comes back
    /// only if no open pool could take it.
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
        self.submit_with(task, Wait::Forever)
    }

    /// Like [`submit`](MultiPool::submit), but never waits: with every open
    /// pool full it returns [`PoolError::Overload`] and the task.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool, PoolError};
    /// let pools = MultiPool::new(1, 1, LoadBalancing::RoundRobin).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// pools.submit(move || { let _ = gate.recv(); }).unwrap();
    /// assert!(matches!(pools.try_submit(|| ()), Err(PoolError::Overload(_))));
    /// drop(hold);
    /// ```
    pub fn try_submit<F>(&self, task: F) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.submit_with(task, Wait::Never)
    }

    /// Like [`submit`](MultiPool::submit), waiting at most `timeout`.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool};
    /// use std::time::Duration;
    /// let pools = MultiPool::new(2, 1, LoadBalancing::RoundRobin).unwrap();
    /// assert!(pools.submit_timeout(|| (), Duration::from_secs(1)).is_ok());
    /// ```
    pub fn submit_timeout<F>(&self, task: F, timeout: Duration) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.submit_with(task, Wait::until(deadline_after(timeout)))
    }

    fn submit_with<F>(&self, task: F, wait: Wait) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.inner
            .dispatch(task, wait, |pool, task, wait| pool.submit_with(task, wait))
    }

    /// The pools, in order.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPool};
    /// let pools = MultiPool::new(2, 5, LoadBalancing::RoundRobin).unwrap();
    /// assert_eq!(pools.pools()[1].cap(), 5);
    /// ```
    pub fn pools(&self) -> &[Pool] {
        &self.inner.pools
    }
}

/// Several [`PoolWithFunc`]s running one function, behind one handle (ants'
/// `MultiPoolWithFunc`). Cloning shares them.
///
/// ```
/// use pool_core::{LoadBalancing, MultiPoolWithFunc, WaitGroup};
///
/// let wg = WaitGroup::new();
/// let done = wg.clone();
/// // 2 pools of 4 workers, all running the same function.
/// let pools = MultiPoolWithFunc::new(2, 4, LoadBalancing::RoundRobin, move |_id: u32| {
///     done.done();
/// })
/// .unwrap();
///
/// // Invoke it once per job, then wait for them all.
/// for id in 0..20 {
///     wg.add(1);
///     pools.invoke(id).unwrap();
/// }
/// wg.wait();
/// assert_eq!(pools.stats().submitted, 20);
/// ```
#[derive(Debug)]
pub struct MultiPoolWithFunc<T: Send + 'static> {
    inner: Arc<Pools<PoolWithFunc<T>>>,
}

impl<T: Send + 'static> Clone for MultiPoolWithFunc<T> {
    fn clone(&self) -> Self {
        MultiPoolWithFunc {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Send + 'static> MultiPoolWithFunc<T> {
    /// `count` pools of `capacity_each` workers, each running `f` on the
    /// arguments it is given (ants' `NewMultiPoolWithFunc`). Refused like
    /// [`MultiPool::new`].
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPoolWithFunc};
    /// let pools = MultiPoolWithFunc::new(3, 2, LoadBalancing::LeastTasks, |_: u8| ()).unwrap();
    /// assert_eq!(pools.cap(), 6);
    /// ```
    pub fn new<F>(
        count: usize,
        capacity_each: usize,
        balancing: LoadBalancing,
        f: F,
    ) -> Result<Self, BuildError>
    where
        F: Fn(T) + Send + Sync + 'static,
    {
        Self::with_builder(
            count,
            PoolBuilder::new().capacity(capacity_each),
            balancing,
            f,
        )
    }

    /// `count` pools, each built from `builder`, all running `f`.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPoolWithFunc, Pool};
    /// let builder = Pool::builder().capacity(2).nonblocking(true);
    /// let pools = MultiPoolWithFunc::with_builder(2, builder, LoadBalancing::RoundRobin, |_: u8| ()).unwrap();
    /// assert_eq!(pools.len(), 2);
    /// ```
    pub fn with_builder<F>(
        count: usize,
        builder: PoolBuilder,
        balancing: LoadBalancing,
        f: F,
    ) -> Result<Self, BuildError>
    where
        F: Fn(T) + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        let inner = Pools::build(count, builder.capacity_value(), balancing, |_| {
            let f = Arc::clone(&f);
            builder.clone().build_with_func(move |arg: T| f(arg))
        })?;
        Ok(MultiPoolWithFunc {
            inner: Arc::new(inner),
        })
    }

    /// Runs the function on `arg` in one of the pools (see the module docs
    /// for which), waiting only if every open pool is full.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPoolWithFunc};
    /// let pools = MultiPoolWithFunc::new(2, 1, LoadBalancing::RoundRobin, |n: u32| assert!(n < 10)).unwrap();
    /// pools.invoke(3).unwrap();
    /// ```
    pub fn invoke(&self, arg: T) -> Result<(), PoolError<T>> {
        self.invoke_with(arg, Wait::Forever)
    }

    /// Like [`invoke`](MultiPoolWithFunc::invoke), but never waits: with
    /// every open pool full it returns [`PoolError::Overload`] and `arg`.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPoolWithFunc, PoolError};
    /// use std::sync::{mpsc::Receiver, Mutex};
    /// let pools = MultiPoolWithFunc::new(1, 1, LoadBalancing::RoundRobin, |gate: Mutex<Receiver<()>>| {
    ///     let _ = gate.lock().unwrap().recv();
    /// })
    /// .unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel();
    /// pools.invoke(Mutex::new(gate)).unwrap();
    /// let (_other, gate2) = std::sync::mpsc::channel();
    /// assert!(matches!(pools.try_invoke(Mutex::new(gate2)), Err(PoolError::Overload(_))));
    /// drop(hold);
    /// ```
    pub fn try_invoke(&self, arg: T) -> Result<(), PoolError<T>> {
        self.invoke_with(arg, Wait::Never)
    }

    /// Like [`invoke`](MultiPoolWithFunc::invoke), waiting at most `timeout`.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPoolWithFunc};
    /// use std::time::Duration;
    /// let pools = MultiPoolWithFunc::new(2, 1, LoadBalancing::RoundRobin, |_: u8| ()).unwrap();
    /// assert!(pools.invoke_timeout(1, Duration::from_secs(1)).is_ok());
    /// ```
    pub fn invoke_timeout(&self, arg: T, timeout: Duration) -> Result<(), PoolError<T>> {
        self.invoke_with(arg, Wait::until(deadline_after(timeout)))
    }

    fn invoke_with(&self, arg: T, wait: Wait) -> Result<(), PoolError<T>> {
        self.inner
            .dispatch(arg, wait, |pool, arg, wait| pool.invoke_with(arg, wait))
    }

    /// The pools, in order.
    ///
    /// ```
    /// use pool_core::{LoadBalancing, MultiPoolWithFunc};
    /// let pools = MultiPoolWithFunc::new(2, 5, LoadBalancing::RoundRobin, |_: u8| ()).unwrap();
    /// assert_eq!(pools.pools()[0].cap(), 5);
    /// ```
    pub fn pools(&self) -> &[PoolWithFunc<T>] {
        &self.inner.pools
    }
}

/// The readers and controls both multi-pools share. The examples show a
/// `MultiPool`; a `MultiPoolWithFunc` answers the same way.
macro_rules! multi_pool_methods {
    ($ty:ident $(<$g:ident>)?) => {
        impl$(<$g: Send + 'static>)? $ty$(<$g>)? {
            /// How many pools there are.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(3, 1, LoadBalancing::RoundRobin).unwrap();
            /// assert_eq!(pools.len(), 3);
            /// ```
            pub fn len(&self) -> usize {
                self.inner.pools.len()
            }

            /// Always `false`: a multi-pool has at least one pool.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(1, 1, LoadBalancing::RoundRobin).unwrap();
            /// assert!(!pools.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.inner.pools.is_empty()
            }

            /// Worker threads alive across all pools.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap();
            /// assert_eq!(pools.running(), 0);
            /// ```
            pub fn running(&self) -> usize {
                self.stats().running
            }

            /// Capacity not taken by a live worker, across the open pools
            /// (a released pool takes no task, so its room does not count).
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap();
            /// assert_eq!(pools.free(), 4);
            /// pools.pools()[0].release();
            /// assert_eq!(pools.free(), 2);
            /// ```
            pub fn free(&self) -> usize {
                self.inner.open_stats().free()
            }

            /// Total capacity of the open pools: the most tasks that may run
            /// at once now. [`stats`](Self::stats) adds up every pool.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
            /// assert_eq!(pools.cap(), 6);
            /// pools.pools()[1].release();
            /// assert_eq!(pools.cap(), 3);
            /// ```
            pub fn cap(&self) -> usize {
                self.inner.open_stats().capacity
            }

            /// Submitters blocked across all pools.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
            /// assert_eq!(pools.waiting(), 0);
            /// ```
            pub fn waiting(&self) -> usize {
                self.stats().waiting
            }

            /// All pools' stats added up (`closed` only when all are closed).
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let stats = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap().stats();
            /// assert_eq!(stats.capacity, 6);
            /// ```
            pub fn stats(&self) -> PoolStats {
                self.inner.stats()
            }

            /// Sets every pool's capacity to `capacity_each` (ants'
            /// `MultiPool.Tune`), refused like the constructor if the total
            /// is above the thread ceiling.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
            /// pools.tune(5).unwrap();
            /// assert_eq!(pools.cap(), 10);
            /// ```
            pub fn tune(&self, capacity_each: usize) -> Result<(), BuildError> {
                self.inner.tune(capacity_each)
            }

            /// Waits until every pool is idle at once: a task that finishes
            /// in one pool may have submitted into another, so the pools are
            /// looked at again until a pass finds them all idle. See
            /// [`Pool::wait_idle`](crate::Pool::wait_idle).
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap();
            /// pools.submit(|| ()).unwrap();
            /// pools.wait_idle();
            /// assert_eq!(pools.stats().in_flight, 0);
            /// ```
            #[doc(alias = "join")]
            pub fn wait_idle(&self) {
                self.inner.wait_idle(None);
            }

            /// Like [`wait_idle`](Self::wait_idle), for at most `timeout`;
            /// `false` if time ran out first.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 2, LoadBalancing::RoundRobin).unwrap();
            /// assert!(pools.wait_idle_timeout(std::time::Duration::from_secs(1)));
            /// ```
            pub fn wait_idle_timeout(&self, timeout: Duration) -> bool {
                self.inner.wait_idle(crate::sync::deadline_after(timeout))
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
                self.inner.pools.iter().for_each(Member::release);
            }

            /// Releases every pool and waits, `timeout` in all, for their
            /// threads (`Duration::MAX`: no deadline).
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// use std::time::Duration;
            /// let pools = MultiPool::new(2, 3, LoadBalancing::RoundRobin).unwrap();
            /// assert!(pools.release_timeout(Duration::MAX).is_ok());
            /// ```
            pub fn release_timeout(&self, timeout: Duration) -> Result<(), ReleaseTimeoutError> {
                self.inner.release_timeout(timeout)
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
                self.inner.pools.iter().try_for_each(Member::reboot)
            }

            /// Whether every pool has been released. A pool released on its
            /// own is skipped by the balancing; the others go on.
            ///
            /// ```
            /// # use pool_core::{LoadBalancing, MultiPool};
            /// let pools = MultiPool::new(2, 1, LoadBalancing::RoundRobin).unwrap();
            /// pools.pools()[0].release();
            /// assert!(!pools.is_closed());
            /// assert!(pools.submit(|| ()).is_ok());
            /// ```
            pub fn is_closed(&self) -> bool {
                self.inner.pools.iter().all(Member::is_closed)
            }
        }
    };
}

multi_pool_methods!(MultiPool);
multi_pool_methods!(MultiPoolWithFunc<T>);
