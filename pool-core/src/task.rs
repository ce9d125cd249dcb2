//! A handle to one spawned task's result: `std::thread::JoinHandle`, for a pool.
//!
//! ants has no such thing (a Go task reports back through a channel or a
//! shared variable you set up yourself). In Rust it is the natural shape:
//! [`Pool::spawn`](crate::Pool::spawn) returns a [`TaskHandle<R>`], and
//! [`join`](TaskHandle::join) gives the task's value, or its panic.
//!
//! # TaskHandle vs WaitGroup
//!
//! A [`WaitGroup`](crate::WaitGroup) waits for *many* tasks and returns
//! nothing; a `TaskHandle` waits for *one* and returns its value. Use a
//! WaitGroup for the tutorial's "fire 10,000 jobs, wait for all"; use handles
//! when each result matters.
//!
//! ```
//! use pool_core::Pool;
//!
//! let pool = Pool::new(4).unwrap();
//! // Spawn a few computations and collect their results in order.
//! let handles: Vec<_> = (1..=4u64).map(|n| pool.spawn(move || n * n).unwrap()).collect();
//! let squares: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
//! assert_eq!(squares, [1, 4, 9, 16]);
//! ```

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};

use crate::error::{JoinError, PanicPayload};

pub(crate) type Outcome<R> = Result<R, JoinError>;

/// Where a running task puts its outcome.
pub(crate) struct ResultSender<R> {
    tx: Sender<Outcome<R>>,
}

impl<R> ResultSender<R> {
    /// Runs `task` and sends its value or its panic (see [`run_and_deliver`]).
    pub(crate) fn run<F: FnOnce() -> R>(self, task: F) {
        // A dropped handle means nobody wants the result: that is fine.
        run_and_deliver(task, |outcome| drop(self.tx.send(outcome)));
    }
}

/// Runs `task` and gives its value, or its panic, to `deliver`. After a
/// panic, the thread unwinds on with a [`PanicDelivered`] in its place, so
/// that the engine counts and logs it.
pub(crate) fn run_and_deliver<R>(task: impl FnOnce() -> R, deliver: impl FnOnce(Outcome<R>)) {
    match catch_unwind(AssertUnwindSafe(task)) {
        Ok(value) => deliver(Ok(value)),
        Err(payload) => {
            let payload = PanicPayload::new(payload);
            let message = payload.message().map(str::to_owned);
            deliver(Err(JoinError::Panicked(payload)));
            std::panic::resume_unwind(Box::new(PanicDelivered { message }));
        }
    }
}

/// The panic a task re-raises after its payload went to its handle or its
/// group: the engine counts and logs it (with the message, when the payload
/// was a string), and does not call the panic handler, which would need
/// the payload itself.
pub(crate) struct PanicDelivered {
    pub(crate) message: Option<String>,
}

pub(crate) fn task_channel<R>() -> (ResultSender<R>, TaskHandle<R>) {
    let (tx, rx) = bounded(1);
    (ResultSender { tx }, TaskHandle { rx })
}

/// The result of a task started with [`Pool::spawn`](crate::Pool::spawn).
///
/// Dropping the handle detaches the task: it still runs.
///
/// ```
/// let pool = pool_core::Pool::new(1).unwrap();
/// let handle = pool.spawn(|| "hello".len()).unwrap();
/// assert_eq!(handle.join().unwrap(), 5);
/// ```
#[must_use = "dropping a TaskHandle detaches the task; join() it to get its value"]
pub struct TaskHandle<R> {
    rx: Receiver<Outcome<R>>,
}

impl<R> TaskHandle<R> {
    /// Waits for the task and returns its value, or [`JoinError::Panicked`]
    /// with the payload if it panicked.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let bad = pool.spawn(|| -> i32 { panic!("no value") }).unwrap();
    /// let err = bad.join().unwrap_err();
    /// assert_eq!(err.panic_message(), Some("no value"));
    /// ```
    pub fn join(self) -> Result<R, JoinError> {
        self.rx.recv().unwrap_or(Err(JoinError::Cancelled))
    }

    /// Like [`join`](TaskHandle::join), but gives the handle back if the
    /// task has not finished within `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let handle = pool.spawn(|| 1).unwrap();
    /// let value = handle.join_timeout(Duration::from_secs(10)).ok().unwrap().unwrap();
    /// assert_eq!(value, 1);
    /// ```
    pub fn join_timeout(self, timeout: Duration) -> Result<Result<R, JoinError>, TaskHandle<R>> {
        match self.rx.recv_timeout(timeout) {
            Ok(outcome) => Ok(outcome),
            Err(RecvTimeoutError::Disconnected) => Ok(Err(JoinError::Cancelled)),
            Err(RecvTimeoutError::Timeout) => Err(self),
        }
    }

    /// Whether the task has finished (its value is ready).
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let handle = pool.spawn(|| ()).unwrap();
    /// while !handle.is_finished() { std::thread::yield_now(); }
    /// assert!(handle.join().is_ok());
    /// ```
    pub fn is_finished(&self) -> bool {
        !self.rx.is_empty()
    }
}

impl<R> fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
