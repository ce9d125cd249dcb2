//! A set of tasks waited on as a whole, with their results: a `WaitGroup` with less to get wrong.
//!
//! "How do I wait for my tasks?" is the question asked most often of ants;
//! its answer is a `sync.WaitGroup`: `wg.add(1)` before each submit,
//! `wg.done()` at the end of each task, `wg.wait()`. One forgotten `done()`
//! hangs the program, one extra panics it, and the results need a channel of
//! their own. A [`TaskGroup`] does the bookkeeping: each task's value (or its
//! panic) comes back from [`wait`](TaskGroup::wait), in submission order.
//!
//! # TaskGroup vs WaitGroup
//!
//! | | [`WaitGroup`](crate::WaitGroup) | [`TaskGroup`] |
//! |---|---|---|
//! | counting | by hand: `add(1)` per task, `done()` in each | done for you, one per `submit` |
//! | results | none; bring your own channel | `Vec<Result<R, JoinError>>`, in order |
//! | a panicking task | its `done()` never runs: `wait` hangs, unless you guard it | its payload in its slot |
//! | spans pools, threads | yes: any code can `done()` | one pool, the thread that owns the group |
//! | the tutorial's lessons | yes (Go's way) | the same, with less to get wrong |
//!
//! # Example
//!
//! ```
//! use pool_core::Pool;
//!
//! let pool = Pool::new(4).unwrap();
//! let mut group = pool.group();
//!
//! // Submit the jobs: each returns its value.
//! for n in 1..=5u64 {
//!     group.submit(move || n * n).unwrap();
//! }
//!
//! // Wait until every job is done, and take the results in order.
//! let squares: Vec<u64> = group.wait().into_iter().map(Result::unwrap).collect();
//! assert_eq!(squares, [1, 4, 9, 16, 25]);
//! ```

use std::fmt;
use std::time::Duration;

use crate::error::{JoinError, PoolError};
use crate::pool::Pool;
use crate::sync::deadline_after;
use crate::task::TaskHandle;

/// One task of the group: still running, or its outcome.
enum Entry<R> {
    Pending(TaskHandle<R>),
    Done(Result<R, JoinError>),
}

/// Tasks submitted to one pool and waited on together. Made by
/// [`Pool::group`].
///
/// Dropping a group without waiting detaches its tasks: they still run, and
/// their results are dropped; nothing leaks and nothing waits.
///
/// ```
/// let pool = pool_core::Pool::new(2).unwrap();
/// let mut group = pool.group();
/// group.submit(|| "a").unwrap();
/// group.submit(|| "b").unwrap();
/// assert_eq!(group.len(), 2);
/// let results = group.wait();
/// assert_eq!(results[1].as_ref().unwrap(), &"b");
/// ```
#[must_use = "a TaskGroup's results come from wait(); dropping it detaches its tasks"]
pub struct TaskGroup<R> {
    pool: Pool,
    entries: Vec<Entry<R>>,
}

impl<R: Send + 'static> TaskGroup<R> {
    pub(crate) fn new(pool: Pool) -> Self {
        TaskGroup {
            pool,
            entries: Vec::new(),
        }
    }

    /// Runs `task` on the group's pool, with the same waiting and refusals
    /// as [`Pool::submit`]: a refused task comes back in the error and is
    /// not part of the group.
    ///
    /// ```
    /// use pool_core::Pool;
    /// let pool = Pool::builder().capacity(1).nonblocking(true).build().unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// let mut group = pool.group();
    /// group.submit(move || { let _ = gate.recv(); 1 }).unwrap();
    /// // The only worker is busy and the pool does not wait: refused.
    /// let refused = group.submit(|| 2).unwrap_err();
    /// assert!(refused.is_overload());
    /// drop(hold);
    /// assert_eq!(group.wait().len(), 1);
    /// ```
    pub fn submit<F>(&mut self, task: F) -> Result<(), PoolError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        let handle = self.pool.spawn(task)?;
        self.entries.push(Entry::Pending(handle));
        Ok(())
    }

    /// How many tasks the group holds.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let group = pool.group::<()>();
    /// assert!(group.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no task was submitted.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let mut group = pool.group();
    /// group.submit(|| ()).unwrap();
    /// assert!(!group.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Waits for every task and returns their outcomes in submission order:
    /// each task's value, or [`JoinError::Panicked`] with its payload.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(2).unwrap();
    /// let mut group = pool.group();
    /// group.submit(|| 1).unwrap();
    /// group.submit(|| -> i32 { panic!("two") }).unwrap();
    /// group.submit(|| 3).unwrap();
    /// let results = group.wait();
    /// assert_eq!(*results[0].as_ref().unwrap(), 1);
    /// assert_eq!(results[1].as_ref().unwrap_err().panic_message(), Some("two"));
    /// assert_eq!(*results[2].as_ref().unwrap(), 3);
    /// ```
    pub fn wait(self) -> Vec<Result<R, JoinError>> {
        self.entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Pending(handle) => handle.join(),
                Entry::Done(outcome) => outcome,
            })
            .collect()
    }

    /// Like [`wait`](TaskGroup::wait), for at most `timeout` in all. If time
    /// runs out, the group comes back: the outcomes already in are kept,
    /// and it can be waited on again. `Duration::MAX` means no deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// let mut group = pool.group();
    /// group.submit(move || { let _ = gate.recv(); 7 }).unwrap();
    /// // Still held: the group comes back.
    /// let group = group.wait_timeout(Duration::from_millis(10)).unwrap_err();
    /// drop(hold);
    /// let results = group.wait_timeout(Duration::from_secs(10)).unwrap();
    /// assert_eq!(*results[0].as_ref().unwrap(), 7);
    /// ```
    pub fn wait_timeout(mut self, timeout: Duration) -> Result<Vec<Result<R, JoinError>>, Self> {
        let deadline = deadline_after(timeout);
        for entry in &mut self.entries {
            let Entry::Pending(_) = entry else { continue };
            let Entry::Pending(handle) =
                std::mem::replace(entry, Entry::Done(Err(JoinError::Cancelled)))
            else {
                unreachable!("checked just above")
            };
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(std::time::Instant::now())
            });
            match handle.join_timeout(left) {
                Ok(outcome) => *entry = Entry::Done(outcome),
                Err(handle) => {
                    *entry = Entry::Pending(handle);
                    return Err(self);
                }
            }
        }
        Ok(self.wait())
    }
}

impl<R> fmt::Debug for TaskGroup<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = self
            .entries
            .iter()
            .filter(|e| matches!(e, Entry::Done(_)))
            .count();
        f.debug_struct("TaskGroup")
            .field("tasks", &self.entries.len())
            .field("collected", &done)
            .finish()
    }
}
