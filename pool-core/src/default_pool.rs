//! The process-wide pool behind [`submit`]: ants' package-level `ants.Submit`.
//!
//! ants keeps a default pool of capacity `math.MaxInt32` ("practically
//! unlimited") for callers who don't want to build one. Goroutines make that
//! safe in Go; OS threads don't: Linux caps a process at a few thousand to
//! tens of thousands of threads (about 16,000 on this project's machines, set
//! by `vm.max_map_count`), and past that glibc may abort the process. So the
//! default pool here is large but bounded: [`DEFAULT_POOL_CAPACITY`], or less
//! if [`thread_ceiling`](crate::thread_ceiling) is lower.
//!
//! It is created on first use and lives until the process ends.
//!
//! ```
//! use pool_core::WaitGroup;
//!
//! let wg = WaitGroup::new();
//! wg.add(1);
//! let wg2 = wg.clone();
//! // No pool to build: the default one starts on first use.
//! pool_core::submit(move || wg2.done()).unwrap();
//! wg.wait();
//! assert!(pool_core::default_pool().cap() <= pool_core::DEFAULT_POOL_CAPACITY);
//! ```

use std::sync::OnceLock;

use crate::error::PoolError;
use crate::limits::thread_ceiling;
use crate::pool::Pool;

/// The default pool's capacity where the thread ceiling allows it: ten
/// thousand threads, against ants' `math.MaxInt32` goroutines.
pub const DEFAULT_POOL_CAPACITY: usize = 10_000;

/// The process-wide default pool (created on first use).
///
/// ```
/// let pool = pool_core::default_pool();
/// assert!(pool.cap() >= 1);
/// ```
pub fn default_pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let capacity = DEFAULT_POOL_CAPACITY.min(thread_ceiling().max_threads);
        Pool::builder()
            .capacity(capacity)
            .thread_name("default-pool")
            .build()
            .expect("a capacity within the thread ceiling is always accepted")
    })
}

/// Runs `task` on the default pool (ants' package-level `ants.Submit`).
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// pool_core::submit(move || tx.send(1).unwrap()).unwrap();
/// assert_eq!(rx.recv().unwrap(), 1);
/// ```
pub fn submit<F>(task: F) -> Result<(), PoolError<F>>
where
    F: FnOnce() + Send + 'static,
{
    default_pool().submit(task)
}
