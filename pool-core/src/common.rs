//! The methods [`Pool`](crate::Pool) and [`PoolWithFunc`](crate::PoolWithFunc)
//! share (ants' `Running`, `Free`, `Cap`, `Waiting`, `Tune`, `Release`,
//! `ReleaseTimeout`, `Reboot`, `IsClosed`), written once.

/// Adds the shared methods to a pool type with an `engine()` accessor. The
/// examples build a `Pool`; a `PoolWithFunc` answers the same way.
macro_rules! pool_methods {
    ($ty:ident $(<$($g:ident),+>)?) => {
        impl$(<$($g: Send + 'static),+>)? $ty$(<$($g),+>)? {
            /// Worker threads alive, busy or idle (ants' `Running()`).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// // Workers start on demand: none yet.
            /// assert_eq!(pool.running(), 0);
            /// ```
            #[doc(alias = "current_num_threads")]
            #[doc(alias = "num_threads")]
            pub fn running(&self) -> usize {
                self.engine().running()
            }

            /// Worker threads alive but not running a task.
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert!(pool.idle() <= pool.running());
            /// ```
            pub fn idle(&self) -> usize {
                self.engine().idle_workers()
            }

            /// Capacity not taken by a live worker: `cap() - running()` (ants' `Free()`).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert_eq!(pool.free(), pool.cap());
            /// ```
            pub fn free(&self) -> usize {
                self.cap().saturating_sub(self.running())
            }

            /// The most tasks that may run at once (ants' `Cap()`).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert_eq!(pool.cap(), 4);
            /// ```
            #[doc(alias = "max_count")]
            #[doc(alias = "max_threads")]
            #[doc(alias = "capacity")]
            pub fn cap(&self) -> usize {
                self.engine().cap()
            }

            /// Tasks waiting for a worker (ants' `Waiting()`): submitters
            /// parked with their task, plus tasks queued (see
            /// [`queue_size`](crate::PoolBuilder::queue_size)).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert_eq!(pool.waiting(), 0);
            /// ```
            #[doc(alias = "queued_count")]
            #[doc(alias = "queue_len")]
            pub fn waiting(&self) -> usize {
                self.engine().waiting()
            }

            /// A snapshot of the pool's state and lifetime counters.
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// let stats = pool.stats();
            /// assert_eq!((stats.capacity, stats.submitted), (4, 0));
            /// ```
            pub fn stats(&self) -> $crate::PoolStats {
                self.engine().stats()
            }

            /// Changes the capacity while the pool runs; safe from any thread (ants' `Tune`).
            ///
            /// Growing admits parked submitters at once. Shrinking retires
            /// surplus idle workers at once, and busy ones as their task
            /// ends; no new task starts while `capacity` or more are
            /// running. A capacity of 0, or above the thread ceiling, is
            /// refused with a [`BuildError`](crate::BuildError).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// // Grow, then shrink.
            /// pool.tune(16).unwrap();
            /// assert_eq!(pool.cap(), 16);
            /// pool.tune(2).unwrap();
            /// assert_eq!(pool.cap(), 2);
            /// // Zero workers is not a pool.
            /// assert!(pool.tune(0).is_err());
            /// ```
            #[doc(alias = "resize")]
            #[doc(alias = "set_num_threads")]
            #[doc(alias = "set_max_threads")]
            pub fn tune(&self, capacity: usize) -> Result<(), $crate::BuildError> {
                self.engine().tune(capacity)
            }

            /// Closes the pool (ants' `Release`): new tasks are refused with
            /// [`PoolError::Closed`](crate::PoolError::Closed) and the task,
            /// and so are submitters parked right now. Tasks already
            /// accepted still run; then the workers exit. Does not wait: see
            /// [`release_timeout`](Self::release_timeout).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// pool.release();
            /// assert!(pool.is_closed());
            /// ```
            #[doc(alias = "shutdown")]
            #[doc(alias = "close")]
            pub fn release(&self) {
                self.engine().release()
            }

            /// Releases the pool, then waits up to `timeout` until every
            /// worker thread has exited and been joined (ants'
            /// `ReleaseTimeout`). `Duration::MAX` waits without a deadline.
            /// Called from inside one of the pool's own tasks, it waits for
            /// every worker but its own.
            ///
            /// If time runs out, the threads still running a task are left
            /// to finish it: dropping the last handle afterwards returns at
            /// once, lets them go unjoined, and counts them in
            /// [`PoolStats::threads_detached`](crate::PoolStats::threads_detached).
            ///
            /// ```
            /// use std::time::Duration;
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert!(pool.release_timeout(Duration::from_secs(5)).is_ok());
            /// assert_eq!(pool.running(), 0);
            /// ```
            #[doc(alias = "shutdown_timeout")]
            #[doc(alias = "join")]
            pub fn release_timeout(
                &self,
                timeout: std::time::Duration,
            ) -> Result<(), $crate::ReleaseTimeoutError> {
                self.engine()
                    .release_timeout($crate::sync::deadline_after(timeout))
            }

            /// Opens a released pool again (ants' `Reboot`). With
            /// `pre_alloc`, starts its workers again, which the OS may refuse.
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// pool.release();
            /// pool.reboot().unwrap();
            /// assert!(!pool.is_closed());
            /// ```
            #[doc(alias = "restart")]
            #[doc(alias = "reopen")]
            pub fn reboot(&self) -> Result<(), $crate::BuildError> {
                self.engine().reboot()
            }

            /// Tasks running now, on a worker (threadpool's
            /// `active_count`): tasks accepted, less the ones still queued
            /// (a task on its way to a thread that is starting counts).
            /// Not [`running`](Self::running), which counts live threads,
            /// busy or idle.
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert_eq!(pool.busy(), 0);
            /// ```
            #[doc(alias = "active_count")]
            pub fn busy(&self) -> usize {
                self.engine().busy()
            }

            /// Waits until the pool has nothing to do: no task running,
            /// queued, or held by a parked submitter (threadpool's and
            /// rusty_pool's `join`). The pool stays open and keeps its
            /// workers. Tasks submitted during the wait are waited for too,
            /// so a steady stream of submits can keep it waiting: use
            /// [`wait_idle_timeout`](Self::wait_idle_timeout) for a bound.
            /// From a task of the pool, it waits for every other task.
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            /// for _ in 0..10 {
            ///     let done = done.clone();
            ///     pool.submit(move || { done.fetch_add(1, std::sync::atomic::Ordering::SeqCst); }).unwrap();
            /// }
            /// pool.wait_idle();
            /// assert_eq!(done.load(std::sync::atomic::Ordering::SeqCst), 10);
            /// assert!(!pool.is_closed());
            /// ```
            #[doc(alias = "join")]
            #[doc(alias = "wait_for_idle")]
            pub fn wait_idle(&self) {
                self.engine().wait_idle(None);
            }

            /// Like [`wait_idle`](Self::wait_idle), for at most `timeout`:
            /// `true` if the pool went idle, `false` if time ran out first.
            ///
            /// ```
            /// use std::time::Duration;
            /// # let pool = pool_core::Pool::new(1).unwrap();
            /// let (hold, gate) = std::sync::mpsc::channel::<()>();
            /// pool.submit(move || { let _ = gate.recv(); }).unwrap();
            /// assert!(!pool.wait_idle_timeout(Duration::from_millis(10)));
            /// drop(hold);
            /// assert!(pool.wait_idle_timeout(Duration::from_secs(10)));
            /// ```
            #[doc(alias = "join_timeout")]
            pub fn wait_idle_timeout(&self, timeout: std::time::Duration) -> bool {
                self.engine()
                    .wait_idle($crate::sync::deadline_after(timeout))
            }

            /// `wait_idle` up to `deadline` (for a multi-pool's members).
            pub(crate) fn wait_idle_until(&self, deadline: Option<std::time::Instant>) -> bool {
                self.engine().wait_idle(deadline)
            }

            /// Which pool this is: the same for every handle to it (see
            /// [`current_worker`](crate::current_worker)).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert_eq!(pool.id(), pool.clone().id());
            /// assert_ne!(pool.id(), pool_core::Pool::new(1).unwrap().id());
            /// ```
            pub fn id(&self) -> $crate::PoolId {
                self.engine().id
            }

            /// Whether the pool has been released (ants' `IsClosed`).
            ///
            /// ```
            /// # let pool = pool_core::Pool::new(4).unwrap();
            /// assert!(!pool.is_closed());
            /// ```
            pub fn is_closed(&self) -> bool {
                self.engine().is_closed()
            }
        }

        impl$(<$($g: Send + 'static),+>)? std::fmt::Debug for $ty$(<$($g),+>)? {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("stats", &self.stats())
                    .finish()
            }
        }
    };
}

pub(crate) use pool_methods;
