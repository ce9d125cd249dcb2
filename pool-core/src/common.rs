//! The methods [`Pool`](crate::Pool) and [`PoolWithFunc`](crate::PoolWithFunc)
//! share (ants' `Running`, `Free`, `Cap`, `Waiting`, `Tune`, `Release`,
//! `ReleaseTimeout`, `Reboot`, `IsClosed`), written once.

/// Adds the shared methods to a pool type with an `engine()` accessor.
/// `$make` is the expression that builds one, used in the doc examples.
macro_rules! pool_methods {
    ($ty:ident $(<$g:ident>)?, $make:literal) => {
        impl$(<$g: Send + 'static>)? $ty$(<$g>)? {
            #[doc = concat!(
                "Worker threads alive, busy or idle (ants' `Running()`).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "// Workers start on demand: none yet.\n",
                "assert_eq!(pool.running(), 0);\n",
                "```"
            )]
            pub fn running(&self) -> usize {
                self.engine().running()
            }

            #[doc = concat!(
                "Worker threads alive but not running a task.\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "assert!(pool.idle() <= pool.running());\n",
                "```"
            )]
            pub fn idle(&self) -> usize {
                self.engine().idle_workers()
            }

            #[doc = concat!(
                "Capacity not taken by a live worker: `cap() - running()` (ants' `Free()`).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "assert_eq!(pool.free(), pool.cap());\n",
                "```"
            )]
            pub fn free(&self) -> usize {
                self.cap().saturating_sub(self.running())
            }

            #[doc = concat!(
                "The most tasks that may run at once (ants' `Cap()`).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "assert_eq!(pool.cap(), 4);\n",
                "```"
            )]
            pub fn cap(&self) -> usize {
                self.engine().cap()
            }

            #[doc = concat!(
                "Submitters blocked waiting for a free worker (ants' `Waiting()`).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "assert_eq!(pool.waiting(), 0);\n",
                "```"
            )]
            pub fn waiting(&self) -> usize {
                self.engine().waiting()
            }

            #[doc = concat!(
                "A snapshot of the pool's state and lifetime counters.\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "let stats = pool.stats();\n",
                "assert_eq!((stats.capacity, stats.submitted), (4, 0));\n",
                "```"
            )]
            pub fn stats(&self) -> $crate::PoolStats {
                self.engine().stats()
            }

            #[doc = concat!(
                "Changes the capacity while the pool runs; safe from any thread (ants' `Tune`).\n\n",
                "Growing wakes blocked submitters at once. Shrinking retires surplus idle ",
                "workers at once, and busy ones as their task ends; no new task starts ",
                "while `capacity` or more are running. A capacity of 0, or above the ",
                "thread ceiling, is refused with a [`BuildError`](crate::BuildError).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "// Grow, then shrink.\n",
                "pool.tune(16).unwrap();\n",
                "assert_eq!(pool.cap(), 16);\n",
                "pool.tune(2).unwrap();\n",
                "assert_eq!(pool.cap(), 2);\n",
                "// Zero workers is not a pool.\n",
                "assert!(pool.tune(0).is_err());\n",
                "```"
            )]
            pub fn tune(&self, capacity: usize) -> Result<(), $crate::BuildError> {
                self.engine().tune(capacity)
            }

            #[doc = concat!(
                "Closes the pool (ants' `Release`): new tasks are refused with ",
                "[`PoolError::Closed`](crate::PoolError::Closed) and the task, and so are ",
                "submitters blocked right now. Tasks already accepted still run; then the ",
                "workers exit. Does not wait: see [`release_timeout`](Self::release_timeout).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "pool.release();\n",
                "assert!(pool.is_closed());\n",
                "```"
            )]
            pub fn release(&self) {
                self.engine().release()
            }

            #[doc = concat!(
                "Releases the pool, then waits up to `timeout` until every worker ",
                "thread has exited and been joined (ants' `ReleaseTimeout`). Called from ",
                "inside one of the pool's own tasks, it waits for every worker but its own.\n\n",
                "```\n",
                "use std::time::Duration;\n",
                "let pool = ", $make, ";\n",
                "assert!(pool.release_timeout(Duration::from_secs(5)).is_ok());\n",
                "assert_eq!(pool.running(), 0);\n",
                "```"
            )]
            pub fn release_timeout(
                &self,
                timeout: std::time::Duration,
            ) -> Result<(), $crate::ReleaseTimeoutError> {
                self.engine()
                    .release_timeout($crate::sync::deadline_after(timeout))
            }

            #[doc = concat!(
                "Opens a released pool again (ants' `Reboot`). With `pre_alloc`, ",
                "starts its workers again, which the OS may refuse.\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "pool.release();\n",
                "pool.reboot().unwrap();\n",
                "assert!(!pool.is_closed());\n",
                "```"
            )]
            pub fn reboot(&self) -> Result<(), $crate::BuildError> {
                self.engine().reboot()
            }

            #[doc = concat!(
                "Whether the pool has been released (ants' `IsClosed`).\n\n",
                "```\n",
                "let pool = ", $make, ";\n",
                "assert!(!pool.is_closed());\n",
                "```"
            )]
            pub fn is_closed(&self) -> bool {
                self.engine().is_closed()
            }
        }

        impl$(<$g: Send + 'static>)? std::fmt::Debug for $ty$(<$g>)? {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("stats", &self.stats())
                    .finish()
            }
        }
    };
}

pub(crate) use pool_methods;
