//! The errors a pool can return, each one giving back what it refused.
//!
//! A pool that refuses a task must not lose it. Like crossbeam's
//! [`SendError<T>`](crossbeam_channel::SendError), every [`PoolError`] carries the
//! task (for [`Pool`](crate::Pool)) or the argument (for
//! [`PoolWithFunc`](crate::PoolWithFunc)) back to the caller, who can retry it,
//! run it inline or report it.
//!
//! # `PoolError` vs `BuildError`
//!
//! [`BuildError`] is about the pool's *settings* (a capacity of 0, a stack too
//! small, more threads than the OS allows): it comes from
//! [`PoolBuilder::build`](crate::PoolBuilder::build) and [`tune`](crate::Pool::tune).
//! [`PoolError`] is about one *task* that was not accepted: it comes from
//! `submit`, `invoke` and their variants.

use std::any::Any;
use std::fmt;
use std::io;

/// A task (or argument) the pool did not accept, handed back to the caller.
///
/// # Examples
///
/// ```
/// use pool_core::{Pool, PoolError};
///
/// let pool = Pool::new(1).unwrap();
/// // A released pool refuses new work...
/// pool.release();
/// let err = pool.submit(|| println!("never runs")).unwrap_err();
/// assert!(matches!(err, PoolError::Closed(_)));
/// // ...and gives the closure back, so nothing is lost.
/// let task = err.into_inner();
/// # drop(task);
/// ```
#[non_exhaustive]
pub enum PoolError<T> {
    /// The pool was released (see [`Pool::release`](crate::Pool::release)).
    Closed(T),
    /// Every worker was busy and the pool would not wait: the pool is
    /// `nonblocking`, the call was a `try_` call, or `max_blocking_tasks`
    /// submitters were already waiting.
    Overload(T),
    /// Every worker stayed busy until the `_timeout` call's deadline.
    Timeout(T),
    /// The pool needed a new worker thread and the OS (or the process-wide
    /// thread ceiling, see [`thread_ceiling`](crate::thread_ceiling)) refused it.
    ThreadSpawn(T, io::Error),
}

impl<T> PoolError<T> {
    /// Takes the refused task (or argument) back out of the error.
    ///
    /// ```
    /// use pool_core::PoolWithFunc;
    ///
    /// let pool = PoolWithFunc::new(1, |n: u32| assert!(n > 0)).unwrap();
    /// pool.release();
    /// // The argument comes back untouched.
    /// assert_eq!(pool.invoke(7).unwrap_err().into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PoolError::Closed(t)
            | PoolError::Overload(t)
            | PoolError::Timeout(t)
            | PoolError::ThreadSpawn(t, _) => t,
        }
    }

    /// Changes the refused value, keeping the kind of refusal.
    ///
    /// ```
    /// use pool_core::PoolError;
    /// let err = PoolError::Timeout(2).map(|n| n * 10);
    /// assert_eq!(err.into_inner(), 20);
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> PoolError<U> {
        match self {
            PoolError::Closed(t) => PoolError::Closed(f(t)),
            PoolError::Overload(t) => PoolError::Overload(f(t)),
            PoolError::Timeout(t) => PoolError::Timeout(f(t)),
            PoolError::ThreadSpawn(t, e) => PoolError::ThreadSpawn(f(t), e),
        }
    }

    /// Drops the refused task and keeps the refusal: a `PoolError<()>`,
    /// with the same message, that is `Send + Sync` whatever the task was.
    ///
    /// An error that holds a closure is `Sync` only if the closure is, so
    /// `?` cannot turn `PoolError<F>` into an `anyhow::Error` or a
    /// `Box<dyn Error + Send + Sync>` when the closure holds, say, an
    /// `mpsc::Receiver`. When you do not want the task back, drop it:
    ///
    /// ```
    /// use pool_core::{Pool, PoolError};
    /// fn start(pool: &Pool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    ///     let (_tx, rx) = std::sync::mpsc::channel::<u8>();
    ///     // A Receiver is not Sync: the error needs its task dropped first.
    ///     pool.submit(move || { let _ = rx.recv(); }).map_err(PoolError::without_task)?;
    ///     Ok(())
    /// }
    /// let pool = Pool::new(1).unwrap();
    /// pool.release();
    /// let err = start(&pool).unwrap_err();
    /// assert!(err.to_string().contains("released"));
    /// ```
    pub fn without_task(self) -> PoolError<()> {
        self.map(drop)
    }

    /// Whether the pool was released ([`PoolError::Closed`]).
    ///
    /// ```
    /// use pool_core::Pool;
    /// let pool = Pool::new(1).unwrap();
    /// pool.release();
    /// assert!(pool.submit(|| ()).unwrap_err().is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        matches!(self, PoolError::Closed(_))
    }

    /// Whether the pool was full and would not wait ([`PoolError::Overload`]).
    ///
    /// ```
    /// use pool_core::Pool;
    /// let pool = Pool::new(1).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// pool.submit(move || { let _ = gate.recv(); }).unwrap();
    /// assert!(pool.try_submit(|| ()).unwrap_err().is_overload());
    /// drop(hold);
    /// ```
    pub fn is_overload(&self) -> bool {
        matches!(self, PoolError::Overload(_))
    }

    /// Whether the deadline passed first ([`PoolError::Timeout`]).
    ///
    /// ```
    /// use pool_core::PoolError;
    /// assert!(PoolError::Timeout(()).is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, PoolError::Timeout(_))
    }

    /// Whether a worker thread could not be started ([`PoolError::ThreadSpawn`]).
    ///
    /// ```
    /// use pool_core::PoolError;
    /// let err = PoolError::ThreadSpawn((), std::io::Error::other("no"));
    /// assert!(err.is_thread_spawn());
    /// ```
    pub fn is_thread_spawn(&self) -> bool {
        matches!(self, PoolError::ThreadSpawn(..))
    }
}

// Debug must not require `T: Debug`: closures are not Debug.
impl<T> fmt::Debug for PoolError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::ThreadSpawn(_, e) => write!(f, "ThreadSpawn(.., {e:?})"),
            other => write!(f, "{}(..)", variant_name(other)),
        }
    }
}

fn variant_name<T>(e: &PoolError<T>) -> &'static str {
    match e {
        PoolError::Closed(_) => "Closed",
        PoolError::Overload(_) => "Overload",
        PoolError::Timeout(_) => "Timeout",
        PoolError::ThreadSpawn(..) => "ThreadSpawn",
    }
}

impl<T> fmt::Display for PoolError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Closed(_) => f.write_str(
                "the pool has been released and accepts no new tasks (call reboot() to reopen it); the task was returned",
            ),
            PoolError::Overload(_) => f.write_str(
                "every worker is busy and the pool was told not to wait (nonblocking, try_submit, or max_blocking_tasks reached); the task was returned",
            ),
            PoolError::Timeout(_) => {
                f.write_str("every worker stayed busy until the deadline; the task was returned")
            }
            PoolError::ThreadSpawn(_, e) => write!(
                f,
                "the pool needed a new worker thread and could not start one ({e}); the task was returned"
            ),
        }
    }
}

impl<T> std::error::Error for PoolError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PoolError::ThreadSpawn(_, e) => Some(e),
            _ => None,
        }
    }
}

/// A pool setting that was out of range, or a worker the OS would not start
/// while building.
///
/// The message says which setting was wrong and what is allowed.
///
/// ```
/// use pool_core::{BuildError, Pool};
///
/// let err = Pool::new(0).unwrap_err();
/// assert!(matches!(err, BuildError::ZeroCapacity));
/// assert!(err.to_string().contains("at least 1"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// `capacity(0)` or `tune(0)`: a pool needs at least one worker.
    ZeroCapacity,
    /// A multi-pool of 0 pools (ants' `ErrInvalidMultiPoolSize`).
    ZeroPools,
    /// The capacity asks for more threads than this process may hold (for
    /// a multi-pool: all its pools together).
    CapacityAboveThreadCeiling {
        /// The capacity asked for.
        requested: usize,
        /// The largest capacity allowed here.
        ceiling: usize,
        /// Which limit sets the ceiling (which `/proc` file or `ulimit`).
        limit: String,
    },
    /// `queue_size` above [`MAX_QUEUE_SIZE`](crate::MAX_QUEUE_SIZE).
    QueueTooLarge {
        /// The size asked for.
        requested: usize,
        /// The largest size allowed.
        maximum: usize,
    },
    /// A multi-pool's `count` × `capacity_each` is more than a `usize` can
    /// hold, so no ceiling could ever allow it.
    TotalCapacityOverflow {
        /// How many pools were asked for.
        count: usize,
        /// The capacity asked for each.
        capacity_each: usize,
    },
    /// `thread_name` that is empty (workers would be named `"-0"`, `"-1"`)
    /// or holds a NUL byte, which no OS thread name may hold.
    InvalidThreadName {
        /// The name asked for.
        name: String,
    },
    /// `expiry(Duration::ZERO)`: idle workers need a positive lifetime.
    ZeroExpiry,
    /// `stack_size` below the smallest stack a thread can run on.
    StackTooSmall {
        /// The size asked for, in bytes.
        requested: usize,
        /// The smallest size allowed, in bytes.
        minimum: usize,
    },
    /// `pre_alloc(true)`: the OS refused one of the worker threads.
    Spawn {
        /// How many workers had started before the failure (they are stopped again).
        started: usize,
        /// The OS error.
        error: io::Error,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ZeroCapacity => {
                f.write_str("capacity must be at least 1 worker (got 0)")
            }
            BuildError::ZeroPools => f.write_str("a multi-pool needs at least 1 pool (got 0)"),
            BuildError::CapacityAboveThreadCeiling { requested, ceiling, limit } => write!(
                f,
                "capacity {requested} is above this process's thread ceiling: at most {ceiling} worker threads are allowed here ({limit})"
            ),
            BuildError::QueueTooLarge { requested, maximum } => write!(
                f,
                "queue_size {requested} is too large: at most {maximum} tasks may wait in the queue"
            ),
            BuildError::TotalCapacityOverflow { count, capacity_each } => write!(
                f,
                "{count} pools of {capacity_each} threads each is more threads than a usize can count; ask for fewer pools or a smaller capacity_each"
            ),
            BuildError::InvalidThreadName { name } if name.is_empty() => f.write_str(
                "thread_name must not be empty: workers are named \"{prefix}-{n}\"; use a prefix such as \"pool-worker\" (the default)",
            ),
            BuildError::InvalidThreadName { name } => write!(
                f,
                "thread_name {name:?} holds a NUL byte, which a thread name cannot; use a name without \\0"
            ),
            BuildError::ZeroExpiry => f.write_str(
                "expiry must be longer than zero (use disable_purge(true) to keep idle workers forever)",
            ),
            BuildError::StackTooSmall { requested, minimum } => write!(
                f,
                "stack_size {requested} bytes is too small: at least {minimum} bytes are allowed"
            ),
            BuildError::Spawn { started, error } => write!(
                f,
                "could not pre-allocate the workers: the OS refused a thread after {started} had started ({error})"
            ),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Spawn { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// `release_timeout` ran out of time before every worker thread had exited.
///
/// ```
/// use pool_core::Pool;
/// use std::time::Duration;
///
/// let pool = Pool::new(2).unwrap();
/// pool.submit(|| ()).unwrap();
/// // Plenty of time: every worker exits and is joined.
/// assert!(pool.release_timeout(Duration::from_secs(10)).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTimeoutError {
    /// Worker threads still alive when time ran out.
    pub threads_left: usize,
}

impl fmt::Display for ReleaseTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "release timed out with {} worker thread(s) still running their last task",
            self.threads_left
        )
    }
}

impl std::error::Error for ReleaseTimeoutError {}

/// Why [`TaskHandle::join`](crate::TaskHandle::join) has no value.
///
/// `Send + Sync + 'static`, so `?` turns it into an `anyhow::Error` or a
/// `Box<dyn Error + Send + Sync>`; the panic payload is still there, through
/// [`into_panic`](JoinError::into_panic).
///
/// ```
/// fn total(pool: &pool_core::Pool) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
///     let handle = pool.spawn(|| 40 + 2)?;
///     Ok(handle.join()?)
/// }
/// assert_eq!(total(&pool_core::Pool::new(1).unwrap()).unwrap(), 42);
/// ```
pub enum JoinError {
    /// The task panicked; this is its panic payload.
    Panicked(PanicPayload),
    /// The task was dropped before it ran (its pool's worker died with it).
    Cancelled,
}

/// A task's panic payload, kept so that the error holding it is `Sync`.
///
/// A payload is `Box<dyn Any + Send>`, which is not `Sync`: an error that
/// holds it as it is cannot go into `anyhow::Error` or a
/// `Box<dyn Error + Send + Sync>`. Here it sits behind a mutex, which makes
/// it `Sync`, and its message (when it is a string) is read once, up front.
///
/// It is one pointer wide, so a `Result<R, JoinError>` kept for each task
/// of a large group costs little more than `R`.
pub struct PanicPayload {
    inner: Box<PayloadInner>,
}

struct PayloadInner {
    message: Option<String>,
    payload: std::sync::Mutex<Box<dyn Any + Send + 'static>>,
}

impl PanicPayload {
    pub(crate) fn new(payload: Box<dyn Any + Send + 'static>) -> Self {
        PanicPayload {
            inner: Box::new(PayloadInner {
                message: panic_message(payload.as_ref()).map(str::to_owned),
                payload: std::sync::Mutex::new(payload),
            }),
        }
    }

    /// The payload, as `catch_unwind` gave it.
    ///
    /// ```
    /// use pool_core::{JoinError, Pool};
    /// let pool = Pool::new(1).unwrap();
    /// let err = pool.spawn(|| -> u8 { std::panic::panic_any(7u32) }).unwrap().join().unwrap_err();
    /// let JoinError::Panicked(payload) = err else { panic!("it panicked") };
    /// assert_eq!(payload.into_inner().downcast_ref::<u32>(), Some(&7));
    /// ```
    pub fn into_inner(self) -> Box<dyn Any + Send + 'static> {
        self.inner
            .payload
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The panic message, when the payload is a `&str` or a `String`.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
}

impl fmt::Debug for PanicPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PanicPayload({:?})", self.inner.message)
    }
}

impl JoinError {
    /// The panic payload, if the task panicked.
    ///
    /// ```
    /// use pool_core::Pool;
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let handle = pool.spawn(|| -> u32 { panic!("boom") }).unwrap();
    /// let payload = handle.join().unwrap_err().into_panic().unwrap();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// ```
    pub fn into_panic(self) -> Option<Box<dyn Any + Send + 'static>> {
        match self {
            JoinError::Panicked(p) => Some(p.into_inner()),
            JoinError::Cancelled => None,
        }
    }

    /// The panic message, when the payload is a string.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let err = pool.spawn(|| -> u8 { panic!("no value") }).unwrap().join().unwrap_err();
    /// assert_eq!(err.panic_message(), Some("no value"));
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            JoinError::Panicked(p) => p.message(),
            JoinError::Cancelled => None,
        }
    }
}

/// The text of a panic payload, when it is a `&str` or a `String`.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(p) => write!(f, "Panicked({:?})", p.message()),
            JoinError::Cancelled => f.write_str("Cancelled"),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(p) => match p.message() {
                Some(m) => write!(f, "the task panicked: {m}"),
                None => f.write_str("the task panicked with a non-string payload"),
            },
            JoinError::Cancelled => f.write_str("the task was dropped before it ran"),
        }
    }
}

impl std::error::Error for JoinError {}
