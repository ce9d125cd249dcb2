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
            pub fn reboot(&self) -> Result<(), $crate::BuildError> {
                self.engine().reboot()
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
