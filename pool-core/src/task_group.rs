//! A set of tasks waited on as a whole, with their results: a `WaitGroup` with less to get wrong.
//!
//! "How do I wait for my tasks?" is the question asked most often of ants;
//! its answer is a `sync.WaitGroup`: `wg.add(1)` before each submit,
//! `wg.done()` at the end of each task, `wg.wait()`. One forgotten `done()`
//! hangs the program, one extra panics it, and the results need a channel of
//! their own. A [`TaskGroup`] (from [`Pool::group`]) or a [`FuncTaskGroup`]
//! (from [`PoolWithFunc::group`]) does the bookkeeping: each task's value (or
//! its panic) comes back from `wait`, in submission order.
//!
//! # TaskGroup vs WaitGroup
//!
//! | | [`WaitGroup`](crate::WaitGroup) | [`TaskGroup`] |
//! |---|---|---|
//! | counting | by hand: `add(1)` per task, `done()` in each | done for you, one per `submit` |
//! | results | none; bring your own channel | `Vec<Result<R, JoinError>>`, in order |
//! | a panicking task | its `done()` never runs: `wait` hangs, unless you guard it | its payload in its place among the results |
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
use crate::pool_with_func::PoolWithFunc;
use crate::sync::deadline_after;
use crate::task::TaskHandle;

/// One task of a group: still running, or its outcome.
enum Entry<R> {
    Pending(TaskHandle<R>),
    Done(Result<R, JoinError>),
}

/// The outcomes of a group's tasks, in submission order: the part both
/// group types share.
struct Outcomes<R> {
    entries: Vec<Entry<R>>,
}

impl<R> Outcomes<R> {
    fn new() -> Self {
        Outcomes {
            entries: Vec::new(),
        }
    }

    fn push(&mut self, handle: TaskHandle<R>) {
        self.entries.push(Entry::Pending(handle));
    }

    fn wait(self) -> Vec<Result<R, JoinError>> {
        self.entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Pending(handle) => handle.join(),
                Entry::Done(outcome) => outcome,
            })
            .collect()
    }

    /// Collects outcomes until `timeout` runs out; `true` if all are in.
    fn collect_within(&mut self, timeout: Duration) -> bool {
        let deadline = deadline_after(timeout);
        for entry in &mut self.entries {
            let pending = std::mem::replace(entry, Entry::Done(Err(JoinError::Cancelled)));
            let handle = match pending {
                Entry::Pending(handle) => handle,
                done => {
                    *entry = done;
                    continue;
                }
            };
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(std::time::Instant::now())
            });
            match handle.join_timeout(left) {
                Ok(outcome) => *entry = Entry::Done(outcome),
                Err(handle) => {
                    *entry = Entry::Pending(handle);
                    return false;
                }
            }
        }
        true
    }

    fn fmt(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = self
            .entries
            .iter()
            .filter(|e| matches!(e, Entry::Done(_)))
            .count();
        f.debug_struct(name)
            .field("tasks", &self.entries.len())
            .field("collected", &done)
            .finish()
    }
}

/// Closures submitted to one pool and waited on together. Made by
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
    outcomes: Outcomes<R>,
}

impl<R: Send + 'static> TaskGroup<R> {
    pub(crate) fn new(pool: Pool) -> Self {
        TaskGroup {
            pool,
            outcomes: Outcomes::new(),
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
        self.outcomes.push(handle);
        Ok(())
    }

    /// How many tasks the group holds.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let group = pool.group::<()>();
    /// assert_eq!(group.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.outcomes.entries.len()
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
        self.outcomes.entries.is_empty()
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
        self.outcomes.wait()
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
        if self.outcomes.collect_within(timeout) {
            Ok(self.wait())
        } else {
            Err(self)
        }
    }
}

impl<R> fmt::Debug for TaskGroup<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.outcomes.fmt("TaskGroup", f)
    }
}

/// Arguments invoked on one [`PoolWithFunc`] and waited on together, with
/// the function's values. Made by [`PoolWithFunc::group`]; the same as a
/// [`TaskGroup`], with `invoke(arg)` in place of `submit(closure)`.
///
/// ```
/// use pool_core::PoolWithFunc;
/// // The function returns a value; invoke drops it, a group collects it.
/// let pool = PoolWithFunc::new(2, |word: &'static str| word.len()).unwrap();
/// let mut group = pool.group();
/// group.invoke("pool").unwrap();
/// group.invoke("goroutine").unwrap();
/// let lengths: Vec<usize> = group.wait().into_iter().map(Result::unwrap).collect();
/// assert_eq!(lengths, [4, 9]);
/// ```
#[must_use = "a FuncTaskGroup's results come from wait(); dropping it detaches its tasks"]
pub struct FuncTaskGroup<T: Send + 'static, R: Send + 'static> {
    pool: PoolWithFunc<T, R>,
    outcomes: Outcomes<R>,
}

impl<T: Send + 'static, R: Send + 'static> FuncTaskGroup<T, R> {
    pub(crate) fn new(pool: PoolWithFunc<T, R>) -> Self {
        FuncTaskGroup {
            pool,
            outcomes: Outcomes::new(),
        }
    }

    /// Runs the pool's function on `arg`, with the same waiting and refusals
    /// as [`PoolWithFunc::invoke`]: a refused argument comes back in the
    /// error and is not part of the group.
    ///
    /// ```
    /// let pool = pool_core::PoolWithFunc::new(1, |n: u32| n + 1).unwrap();
    /// let mut group = pool.group();
    /// group.invoke(41).unwrap();
    /// assert_eq!(*group.wait()[0].as_ref().unwrap(), 42);
    /// ```
    pub fn invoke(&mut self, arg: T) -> Result<(), PoolError<T>> {
        let handle = self.pool.invoke_for_result(arg)?;
        self.outcomes.push(handle);
        Ok(())
    }

    /// How many tasks the group holds.
    ///
    /// ```
    /// let pool = pool_core::PoolWithFunc::new(1, |n: u32| n).unwrap();
    /// assert_eq!(pool.group().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.outcomes.entries.len()
    }

    /// Whether nothing was invoked.
    ///
    /// ```
    /// let pool = pool_core::PoolWithFunc::new(1, |n: u32| n).unwrap();
    /// assert!(pool.group().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.outcomes.entries.is_empty()
    }

    /// Waits for every task; the function's values (or panics) in order.
    ///
    /// ```
    /// let pool = pool_core::PoolWithFunc::new(2, |n: i32| if n == 2 { panic!("two") } else { n }).unwrap();
    /// let mut group = pool.group();
    /// for n in 1..=3 {
    ///     group.invoke(n).unwrap();
    /// }
    /// let results = group.wait();
    /// assert_eq!(results[1].as_ref().unwrap_err().panic_message(), Some("two"));
    /// assert_eq!(*results[2].as_ref().unwrap(), 3);
    /// ```
    pub fn wait(self) -> Vec<Result<R, JoinError>> {
        self.outcomes.wait()
    }

    /// Like [`wait`](FuncTaskGroup::wait), for at most `timeout` in all;
    /// the group comes back, with its progress, if time runs out.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pool_core::PoolWithFunc::new(1, |n: u8| n).unwrap();
    /// let mut group = pool.group();
    /// group.invoke(5).unwrap();
    /// let results = group.wait_timeout(Duration::from_secs(10)).unwrap();
    /// assert_eq!(*results[0].as_ref().unwrap(), 5);
    /// ```
    pub fn wait_timeout(mut self, timeout: Duration) -> Result<Vec<Result<R, JoinError>>, Self> {
        if self.outcomes.collect_within(timeout) {
            Ok(self.wait())
        } else {
            Err(self)
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> fmt::Debug for FuncTaskGroup<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.outcomes.fmt("FuncTaskGroup", f)
    }
}
