//! Which worker is running this code: per-thread setup and teardown.
//!
//! A pool's workers come and go (they start on demand, expire when idle,
//! are retired by `tune`), so code that keeps something per worker (a
//! connection, a thread-local cache, a tracing span, CPU affinity) needs to
//! know when one starts and stops. [`PoolBuilder::on_thread_start`] and
//! [`PoolBuilder::on_thread_stop`] run on the worker thread itself, each
//! time one starts or exits; [`current_worker`] tells a task which pool and
//! which worker it runs on.
//!
//! ```
//! use std::cell::RefCell;
//! use pool_core::Pool;
//!
//! thread_local! {
//!     // One "connection" per worker, opened when the worker starts.
//!     static CONNECTION: RefCell<Option<String>> = const { RefCell::new(None) };
//! }
//!
//! let pool = Pool::builder()
//!     .capacity(2)
//!     .on_thread_start(|worker| {
//!         let name = format!("connection of worker {}", worker.index());
//!         CONNECTION.with(|c| *c.borrow_mut() = Some(name));
//!     })
//!     .on_thread_stop(|_| CONNECTION.with(|c| *c.borrow_mut() = None))
//!     .build()
//!     .unwrap();
//! let used = pool
//!     .spawn(|| CONNECTION.with(|c| c.borrow().clone()))
//!     .unwrap()
//!     .join()
//!     .unwrap();
//! assert!(used.unwrap().starts_with("connection of worker"));
//! ```
//!
//! # Hooks vs the first task
//!
//! Setting things up lazily in the first task that needs them works too,
//! but nothing then tears them down when the worker expires; the stop hook
//! does. A hook that panics is caught, counted in
//! [`PoolStats::hook_panicked`](crate::PoolStats::hook_panicked) and logged;
//! the worker carries on.

#[cfg(doc)]
use crate::PoolBuilder;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Which pool: equal for every handle to one pool, and different for
/// different pools ([`Pool::id`](crate::Pool::id)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolId(u64);

impl PoolId {
    /// A new id, never given before in this process.
    pub(crate) fn new() -> PoolId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        PoolId(NEXT.fetch_add(1, Relaxed))
    }
}

/// A worker thread: its pool, its number in that pool, and its name.
///
/// ```
/// let pool = pool_core::Pool::builder().thread_name("db").build().unwrap();
/// let info = pool.spawn(pool_core::current_worker).unwrap().join().unwrap().unwrap();
/// assert_eq!(info.pool(), pool.id());
/// assert!(info.name().starts_with("db-"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerInfo {
    pool: PoolId,
    index: usize,
    name: String,
}

impl WorkerInfo {
    pub(crate) fn new(pool: PoolId, index: usize, name: String) -> Self {
        WorkerInfo { pool, index, name }
    }

    /// The pool the worker belongs to.
    pub fn pool(&self) -> PoolId {
        self.pool
    }

    /// The worker's number in its pool: each thread the pool starts gets
    /// the next one, never reused while the pool lives.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The thread's name (`"{thread_name}-{index}"`).
    pub fn name(&self) -> &str {
        &self.name
    }
}

thread_local! {
    static CURRENT: RefCell<Option<WorkerInfo>> = const { RefCell::new(None) };
}

/// The worker running the calling code, or `None` outside every pool's
/// workers.
///
/// ```
/// assert!(pool_core::current_worker().is_none());
/// let pool = pool_core::Pool::new(1).unwrap();
/// let inside = pool.spawn(pool_core::current_worker).unwrap().join().unwrap();
/// assert_eq!(inside.unwrap().pool(), pool.id());
/// ```
pub fn current_worker() -> Option<WorkerInfo> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Marks the calling thread as `info`'s worker, or as none.
pub(crate) fn set_current(info: Option<WorkerInfo>) {
    CURRENT.with(|current| *current.borrow_mut() = info);
}
