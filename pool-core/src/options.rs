//! The builder that sets up a pool: ants' `Options`, as a Rust builder.
//!
//! ants configures a pool with functional options
//! (`ants.NewPool(10, ants.WithExpiryDuration(d), ants.WithNonblocking(true))`).
//! Here the same settings are methods on [`PoolBuilder`], checked once in
//! [`build`](PoolBuilder::build), so a wrong value is a [`BuildError`] that says
//! what is allowed instead of a pool that misbehaves later.
//!
//! | ants option | `PoolBuilder` method | default |
//! |---|---|---|
//! | `size` argument | [`capacity`](PoolBuilder::capacity) | [`BUILDER_DEFAULT_CAPACITY`] |
//! | `WithExpiryDuration` | [`expiry`](PoolBuilder::expiry) | 1 s |
//! | `WithDisablePurge` | [`disable_purge`](PoolBuilder::disable_purge) | purge on |
//! | `WithPreAlloc` | [`pre_alloc`](PoolBuilder::pre_alloc) | `false` |
//! | `WithNonblocking` | [`nonblocking`](PoolBuilder::nonblocking) | `false` |
//! | `WithMaxBlockingTasks` | [`max_blocking_tasks`](PoolBuilder::max_blocking_tasks) | 0 (no limit) |
//! | — (pond's queue size) | [`queue_size`](PoolBuilder::queue_size) | 0: ants' semantics |
//! | `WithPanicHandler` | [`panic_handler`](PoolBuilder::panic_handler) | none: the panic is counted |
//! | — (goroutines have no names) | [`thread_name`](PoolBuilder::thread_name) | `"pool-worker"` |
//! | — (goroutine stacks grow) | [`stack_size`](PoolBuilder::stack_size) | Rust's default (2 MiB) |
//!
//! # Example
//!
//! ```
//! use pool_core::Pool;
//! use std::time::Duration;
//!
//! // A pool of 4 workers that gives up at once when all are busy.
//! let pool = Pool::builder()
//!     .capacity(4)
//!     .expiry(Duration::from_millis(500))
//!     .nonblocking(true)
//!     .thread_name("demo")
//!     .build()
//!     .unwrap();
//! assert_eq!(pool.cap(), 4);
//! ```

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::BuildError;
use crate::limits::thread_ceiling;

/// The capacity of a builder whose [`capacity`](PoolBuilder::capacity) was not set.
pub const BUILDER_DEFAULT_CAPACITY: usize = 1000;

/// The smallest `stack_size` accepted, in bytes: 64 KiB.
///
/// A panicking task prints its message, and with `RUST_BACKTRACE` set a
/// symbolised backtrace, on the worker's own stack. Measured here (Rust
/// 1.95, x86-64): 24 KiB overflows while printing the backtrace and aborts
/// the whole process; 32 KiB survives, in debug and release builds. This is
/// twice that, because symbolising costs more stack in bigger binaries.
/// `tests/faults.rs` checks it in a child process with `RUST_BACKTRACE=full`.
pub const MIN_STACK_SIZE: usize = 64 * 1024;

/// The largest [`queue_size`](PoolBuilder::queue_size): 2^30 tasks (the
/// admission counter holds tasks in flight in 32 bits).
pub const MAX_QUEUE_SIZE: usize = 1 << 30;

/// What a panic handler receives: the panic payload of the task.
pub type PanicHandler = Arc<dyn Fn(Box<dyn Any + Send + 'static>) + Send + Sync + 'static>;

/// Settings shared by the pool's engine; checked by [`PoolBuilder`].
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) capacity: usize,
    pub(crate) expiry: Option<Duration>,
    pub(crate) pre_alloc: bool,
    pub(crate) nonblocking: bool,
    pub(crate) max_blocking_tasks: usize,
    pub(crate) queue_size: usize,
    pub(crate) panic_handler: Option<PanicHandler>,
    pub(crate) on_thread_start: Option<ThreadHook>,
    pub(crate) on_thread_stop: Option<ThreadHook>,
    pub(crate) thread_name: String,
    pub(crate) stack_size: Option<usize>,
}

/// Sets up a [`Pool`](crate::Pool) or a [`PoolWithFunc`](crate::PoolWithFunc). Made by [`Pool::builder`](crate::Pool::builder).
///
/// ```
/// use pool_core::Pool;
///
/// // Start all 8 workers now instead of on demand.
/// let pool = Pool::builder().capacity(8).pre_alloc(true).build().unwrap();
/// assert_eq!(pool.running(), 8);
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct PoolBuilder {
    capacity: usize,
    expiry: Duration,
    purge: bool,
    opts_pre_alloc: bool,
    nonblocking: bool,
    max_blocking_tasks: usize,
    queue_size: usize,
    panic_handler: Option<PanicHandler>,
    on_thread_start: Option<ThreadHook>,
    on_thread_stop: Option<ThreadHook>,
    thread_name: String,
    stack_size: Option<usize>,
}

/// A worker start or stop hook.
pub(crate) type ThreadHook = Arc<dyn Fn(&crate::WorkerInfo) + Send + Sync + 'static>;

impl Default for PoolBuilder {
    fn default() -> Self {
        PoolBuilder {
            capacity: BUILDER_DEFAULT_CAPACITY,
            expiry: Duration::from_secs(1),
            purge: true,
            opts_pre_alloc: false,
            nonblocking: false,
            max_blocking_tasks: 0,
            queue_size: 0,
            panic_handler: None,
            on_thread_start: None,
            on_thread_stop: None,
            thread_name: "pool-worker".to_owned(),
            stack_size: None,
        }
    }
}

impl fmt::Debug for PoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("capacity", &self.capacity)
            .field("expiry", &self.expiry)
            .field("purge", &self.purge)
            .field("pre_alloc", &self.opts_pre_alloc)
            .field("nonblocking", &self.nonblocking)
            .field("max_blocking_tasks", &self.max_blocking_tasks)
            .field("queue_size", &self.queue_size)
            .field("panic_handler", &self.panic_handler.is_some())
            .field("on_thread_start", &self.on_thread_start.is_some())
            .field("on_thread_stop", &self.on_thread_stop.is_some())
            .field("thread_name", &self.thread_name)
            .field("stack_size", &self.stack_size)
            .finish()
    }
}

impl PoolBuilder {
    /// A builder with the defaults listed in the module docs.
    ///
    /// ```
    /// let pool = pool_core::PoolBuilder::new().build().unwrap();
    /// assert_eq!(pool.cap(), pool_core::BUILDER_DEFAULT_CAPACITY);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The most tasks that run at once, which is also the most worker threads
    /// the pool starts. At least 1, at most [`thread_ceiling`].
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().capacity(3).build().unwrap();
    /// assert_eq!(pool.cap(), 3);
    /// ```
    #[doc(alias = "num_threads")]
    #[doc(alias = "max_threads")]
    #[doc(alias = "pool_size")]
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// How long a worker may sit idle before it exits (ants' purge). Default 1 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// // Idle workers leave after 50 ms.
    /// let pool = pool_core::Pool::builder().expiry(Duration::from_millis(50)).build().unwrap();
    /// # drop(pool);
    /// ```
    #[doc(alias = "keep_alive")]
    #[doc(alias = "idle_timeout")]
    pub fn expiry(mut self, expiry: Duration) -> Self {
        self.expiry = expiry;
        self
    }

    /// With `true`, idle workers stay forever instead of expiring (ants'
    /// `WithDisablePurge`).
    ///
    /// ```
    /// let pool = pool_core::Pool::builder()
    ///     .capacity(2)
    ///     .disable_purge(true)
    ///     .pre_alloc(true)
    ///     .build()
    ///     .unwrap();
    /// // The two workers stay, however long they idle.
    /// assert_eq!(pool.running(), 2);
    /// ```
    pub fn disable_purge(mut self, disable: bool) -> Self {
        self.purge = !disable;
        self
    }

    /// Starts every worker thread in `build()` instead of on demand. (ants'
    /// `WithPreAlloc` sizes its worker queue only; a thread costs tens of
    /// microseconds to start, so here the threads themselves are started.)
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().capacity(4).pre_alloc(true).build().unwrap();
    /// assert_eq!(pool.running(), 4);
    /// ```
    #[doc(alias = "prestart")]
    #[doc(alias = "core_threads")]
    pub fn pre_alloc(mut self, pre_alloc: bool) -> Self {
        self.opts_pre_alloc = pre_alloc;
        self
    }

    /// With `true`, `submit`/`invoke` never wait: when every worker is busy they
    /// return [`PoolError::Overload`](crate::PoolError::Overload) with the task.
    ///
    /// A task's slot is freed only after its last line has run. So a task
    /// that signals "done" and a caller that submits again at once may meet
    /// `Overload`, where Go (whose scheduler runs the finishing goroutine
    /// first) would not. The safe pattern retries the task the error gives
    /// back:
    ///
    /// ```
    /// use pool_core::{Pool, PoolError};
    ///
    /// let pool = Pool::builder().capacity(1).nonblocking(true).build().unwrap();
    /// let mut task = || println!("my job");
    /// // Submit, and if every worker is still busy, try the same task again.
    /// loop {
    ///     match pool.submit(task) {
    ///         Ok(()) => break,
    ///         Err(PoolError::Overload(back)) => {
    ///             task = back;
    ///             std::thread::yield_now();
    ///         }
    ///         Err(other) => panic!("{other}"),
    ///     }
    /// }
    /// ```
    #[doc(alias = "try_only")]
    pub fn nonblocking(mut self, nonblocking: bool) -> Self {
        self.nonblocking = nonblocking;
        self
    }

    /// At most this many submitters may wait at once; the next one gets
    /// [`PoolError::Overload`](crate::PoolError::Overload). 0 means no limit.
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().max_blocking_tasks(16).build().unwrap();
    /// # drop(pool);
    /// ```
    pub fn max_blocking_tasks(mut self, max: usize) -> Self {
        self.max_blocking_tasks = max;
        self
    }

    /// Lets the pool accept up to `n` tasks beyond its busy workers before
    /// `submit` waits (or, `nonblocking`, refuses with `Overload`): at most
    /// `capacity + n` tasks in flight, at most `capacity` running. The
    /// default, 0, is exactly ants' semantics. At most [`MAX_QUEUE_SIZE`].
    ///
    /// Why: a CPU-bound pool is best sized to the cores, and with no queue a
    /// submitter then waits for a worker after every task; a bounded queue
    /// lets it run ahead without unbounded memory.
    ///
    /// ```
    /// use pool_core::{Pool, PoolError};
    ///
    /// // 1 worker, and room for 2 more tasks in the queue.
    /// let pool = Pool::builder().capacity(1).queue_size(2).nonblocking(true).build().unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// pool.submit(move || { let _ = gate.recv(); }).unwrap();
    /// // Two more are accepted and wait in the queue; the fourth is refused.
    /// pool.submit(|| ()).unwrap();
    /// pool.submit(|| ()).unwrap();
    /// assert!(matches!(pool.submit(|| ()), Err(PoolError::Overload(_))));
    /// assert_eq!(pool.stats().queued, 2);
    /// drop(hold);
    /// ```
    pub fn queue_size(mut self, n: usize) -> Self {
        self.queue_size = n;
        self
    }

    /// Called on the worker thread with the payload of every `submit` or
    /// `invoke` task that panics. A handler that panics itself is caught
    /// and counted too.
    ///
    /// A task run through [`spawn`](crate::Pool::spawn) or a group hands
    /// its payload to its [`TaskHandle`](crate::TaskHandle) or its group
    /// instead, which the handler would need by value: the handler is not
    /// called for it. Every panic, of either kind, is counted in
    /// [`PoolStats::panicked`](crate::PoolStats::panicked) and logged at
    /// warn with its message (target `pool_core`).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let seen2 = seen.clone();
    /// let pool = pool_core::Pool::builder()
    ///     .panic_handler(move |_payload| { seen2.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// # drop(pool);
    /// ```
    pub fn panic_handler<H>(mut self, handler: H) -> Self
    where
        H: Fn(Box<dyn Any + Send + 'static>) + Send + Sync + 'static,
    {
        self.panic_handler = Some(Arc::new(handler));
        self
    }

    /// Runs `hook` on each worker thread as it starts, before its first
    /// task: every time one starts (on demand, `pre_alloc`, after expiry,
    /// `tune` or `reboot`). See [`WorkerInfo`](crate::WorkerInfo) for an
    /// example that keeps a connection per worker. A panic in the hook is
    /// caught, counted and logged; the worker goes on to its tasks.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let s = started.clone();
    /// let pool = pool_core::Pool::builder()
    ///     .capacity(1)
    ///     .on_thread_start(move |_| { s.fetch_add(1, SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// // The hook ran on the worker before this task did.
    /// pool.spawn(|| ()).unwrap().join().unwrap();
    /// assert_eq!(started.load(SeqCst), 1);
    /// ```
    #[doc(alias = "start_handler")]
    #[doc(alias = "after_start")]
    pub fn on_thread_start<H>(mut self, hook: H) -> Self
    where
        H: Fn(&crate::WorkerInfo) + Send + Sync + 'static,
    {
        self.on_thread_start = Some(Arc::new(hook));
        self
    }

    /// Runs `hook` on each worker thread as it exits (it expired, `tune`
    /// retired it, or the pool was released), after its last task. Caught,
    /// counted and logged like [`on_thread_start`](Self::on_thread_start).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let s = stopped.clone();
    /// let pool = pool_core::Pool::builder()
    ///     .capacity(2)
    ///     .pre_alloc(true)
    ///     .on_thread_stop(move |_| { s.fetch_add(1, SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// pool.release_timeout(std::time::Duration::from_secs(10)).unwrap();
    /// assert_eq!(stopped.load(SeqCst), 2);
    /// ```
    #[doc(alias = "exit_handler")]
    #[doc(alias = "before_stop")]
    pub fn on_thread_stop<H>(mut self, hook: H) -> Self
    where
        H: Fn(&crate::WorkerInfo) + Send + Sync + 'static,
    {
        self.on_thread_stop = Some(Arc::new(hook));
        self
    }

    /// Worker threads are named `"{prefix}-{n}"` (Linux shows the first 15
    /// bytes). An empty prefix, or one with a NUL byte, is a
    /// [`BuildError::InvalidThreadName`].
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().thread_name("api").build().unwrap();
    /// let name = pool.spawn(|| std::thread::current().name().map(str::to_owned)).unwrap().join().unwrap();
    /// assert!(name.unwrap().starts_with("api-"));
    /// ```
    #[doc(alias = "name")]
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name = prefix.into();
        self
    }

    /// The stack reserved for each worker thread, in bytes (at least [`MIN_STACK_SIZE`]).
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().stack_size(256 * 1024).build().unwrap();
    /// # drop(pool);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// The capacity this builder will build with.
    pub(crate) fn capacity_value(&self) -> usize {
        self.capacity
    }

    /// The checked settings, or the first one that is not allowed.
    pub(crate) fn check(self) -> Result<Options, BuildError> {
        check_capacity(self.capacity)?;
        if self.queue_size > MAX_QUEUE_SIZE {
            return Err(BuildError::QueueTooLarge {
                requested: self.queue_size,
                maximum: MAX_QUEUE_SIZE,
            });
        }
        if self.thread_name.is_empty() || self.thread_name.contains('\0') {
            return Err(BuildError::InvalidThreadName {
                name: self.thread_name,
            });
        }
        if self.expiry.is_zero() {
            return Err(BuildError::ZeroExpiry);
        }
        if let Some(bytes) = self.stack_size {
            if bytes < MIN_STACK_SIZE {
                return Err(BuildError::StackTooSmall {
                    requested: bytes,
                    minimum: MIN_STACK_SIZE,
                });
            }
        }
        Ok(Options {
            capacity: self.capacity,
            expiry: self.purge.then_some(self.expiry),
            pre_alloc: self.opts_pre_alloc,
            nonblocking: self.nonblocking,
            max_blocking_tasks: self.max_blocking_tasks,
            queue_size: self.queue_size,
            panic_handler: self.panic_handler,
            on_thread_start: self.on_thread_start,
            on_thread_stop: self.on_thread_stop,
            thread_name: self.thread_name,
            stack_size: self.stack_size,
        })
    }
}

/// A capacity is allowed when it is at least 1 and at most the thread ceiling.
pub(crate) fn check_capacity(capacity: usize) -> Result<(), BuildError> {
    if capacity == 0 {
        return Err(BuildError::ZeroCapacity);
    }
    let ceiling = thread_ceiling();
    if capacity > ceiling.max_threads {
        return Err(BuildError::CapacityAboveThreadCeiling {
            requested: capacity,
            ceiling: ceiling.max_threads,
            limit: ceiling.limit.clone(),
        });
    }
    Ok(())
}
