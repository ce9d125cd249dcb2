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
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::engine::Engine;
use crate::error::{JoinError, PanicPayload};
use crate::pool::Job;
use crate::sync::{Arc, Condvar, Mutex, deadline_after, lock, wait_until};

pub(crate) type Outcome<R> = Result<R, JoinError>;

/// What a task's sender and its handle share: the outcome once it is in,
/// and whom to tell (a thread blocked in `join`, or a future's waker).
struct Shared<R> {
    state: Mutex<OneShot<R>>,
    ready: Condvar,
}

struct OneShot<R> {
    outcome: Option<Outcome<R>>,
    /// The sender is gone: with no outcome, the task will never run.
    closed: bool,
    /// A thread waits in `join`: only then is the condvar worth a signal
    /// (a system call even with nobody waiting).
    joining: bool,
    /// A worker has taken the task: too late to abort it.
    started: bool,
    waker: Option<Waker>,
}

impl<R> Shared<R> {
    /// Puts the outcome (or, with `None`, marks the task lost) and wakes
    /// whoever waits, outside the lock.
    fn settle(&self, outcome: Option<Outcome<R>>) {
        let (waker, joining) = {
            let mut state = lock(&self.state);
            if state.closed {
                return;
            }
            state.outcome = outcome;
            state.closed = true;
            (state.waker.take(), state.joining)
        };
        if joining {
            self.ready.notify_all();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The outcome, if the task has settled: its own, or `Cancelled` when
    /// it was dropped unrun.
    fn take(state: &mut OneShot<R>) -> Option<Outcome<R>> {
        if !state.closed {
            return None;
        }
        Some(state.outcome.take().unwrap_or(Err(JoinError::Cancelled)))
    }
}

impl<R> Shared<R> {
    /// A worker takes the task: `false` if it was aborted first.
    fn claim(&self) -> bool {
        let mut state = lock(&self.state);
        if state.closed {
            return false;
        }
        state.started = true;
        true
    }

    /// The caller aborts the task: `true` if no worker had taken it (it
    /// never will; waiters get `Cancelled` now).
    fn abort(&self) -> bool {
        let waker = {
            let mut state = lock(&self.state);
            if state.started || state.closed {
                return false;
            }
            state.closed = true;
            (state.waker.take(), state.joining)
        };
        if waker.1 {
            self.ready.notify_all();
        }
        if let Some(waker) = waker.0 {
            waker.wake();
        }
        true
    }
}

/// Where a running task puts its outcome.
pub(crate) struct ResultSender<R> {
    shared: Arc<Shared<R>>,
}

impl<R> Drop for ResultSender<R> {
    /// Dropped without sending (its job was dropped unrun): the handle
    /// gets `Cancelled` instead of waiting forever.
    fn drop(&mut self) {
        self.shared.settle(None);
    }
}

impl<R> ResultSender<R> {
    /// A worker takes the task: `false` if its handle aborted it.
    pub(crate) fn claim(&self) -> bool {
        self.shared.claim()
    }

    /// Runs `task` and sends its value or its panic (see [`run_and_deliver`]).
    pub(crate) fn run<F: FnOnce() -> R>(self, task: F) {
        // A dropped handle means nobody wants the result: that is fine.
        run_and_deliver(task, |outcome| self.shared.settle(Some(outcome)));
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
    let shared = Arc::new(Shared {
        state: Mutex::new(OneShot {
            outcome: None,
            closed: false,
            joining: false,
            started: false,
            waker: None,
        }),
        ready: Condvar::new(),
    });
    (
        ResultSender {
            shared: Arc::clone(&shared),
        },
        TaskHandle {
            shared,
            engine: None,
        },
    )
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
#[must_use = "dropping a TaskHandle detaches the task; join() it (or .await it) to get its value"]
pub struct TaskHandle<R> {
    shared: Arc<Shared<R>>,
    /// The pool to give the slot back to on `abort` (not kept alive by it).
    engine: Option<std::sync::Weak<Engine<Job>>>,
}

impl<R> TaskHandle<R> {
    /// A handle whose `abort` gives its slot back to `engine`.
    pub(crate) fn abortable(mut self, engine: &std::sync::Arc<Engine<Job>>) -> Self {
        self.engine = Some(std::sync::Arc::downgrade(engine));
        self
    }

    /// Cancels the task if no worker has started it: it will never run,
    /// its slot is given back at once (a parked submitter may take it),
    /// and `join` or `.await` give [`JoinError::Cancelled`]. Returns
    /// `false`, and changes nothing, if it has started (or finished): a
    /// running task is left to finish. Its job stays in the queue until a
    /// worker reaches it and drops it unrun.
    ///
    /// ```
    /// use pool_core::{JoinError, Pool};
    /// let pool = Pool::builder().capacity(1).queue_size(4).build().unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// let running = pool.spawn(move || { let _ = gate.recv(); }).unwrap();
    /// let queued = pool.spawn(|| "never").unwrap();
    /// assert!(queued.abort());
    /// assert!(matches!(queued.join(), Err(JoinError::Cancelled)));
    /// drop(hold);
    /// running.join().unwrap();
    /// ```
    #[doc(alias = "cancel")]
    pub fn abort(&self) -> bool {
        if !self.shared.abort() {
            return false;
        }
        if let Some(engine) = self.engine.as_ref().and_then(std::sync::Weak::upgrade) {
            engine.aborted();
        }
        true
    }

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
        match self.join_until(None) {
            Ok(outcome) => outcome,
            Err(_) => unreachable!("no deadline"),
        }
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
        self.join_until(deadline_after(timeout))
    }

    fn join_until(
        self,
        deadline: Option<std::time::Instant>,
    ) -> Result<Result<R, JoinError>, TaskHandle<R>> {
        let shared = Arc::clone(&self.shared);
        let mut state = lock(&shared.state);
        loop {
            if let Some(outcome) = Shared::take(&mut state) {
                return Ok(outcome);
            }
            state.joining = true;
            match wait_until(&shared.ready, state, deadline) {
                Some(again) => state = again,
                None => return Err(self),
            }
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
        lock(&self.shared.state).closed
    }
}

/// A `TaskHandle` is also a future of the task's outcome, on any executor:
/// the worker that finishes the task wakes the task that awaits it. So
/// async code can hand blocking work to the pool and `.await` it without
/// blocking its runtime's thread. Dropping the future detaches the task,
/// as dropping the handle does: it still runs.
///
/// ```
/// let pool = pool_core::Pool::new(2).unwrap();
/// let handle = pool.spawn(|| 6 * 7).unwrap();
/// // Any executor will do; this is the smallest.
/// let value = futures::executor::block_on(handle).unwrap();
/// assert_eq!(value, 42);
/// ```
impl<R> Future for TaskHandle<R> {
    type Output = Result<R, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = lock(&self.shared.state);
        if let Some(outcome) = Shared::take(&mut state) {
            return Poll::Ready(outcome);
        }
        match &mut state.waker {
            Some(waker) => waker.clone_from(cx.waker()),
            none => *none = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<R> fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
