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
//! | waited on from a task of the same pool | can wait forever for tasks that cannot start | runs the group's unstarted tasks itself |
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

//!
//! # Waiting from inside the pool
//!
//! A task may make a group on its own pool and wait for it. If the group's
//! tasks cannot start (every worker is busy, maybe waiting the same way),
//! a plain wait would never end. So `wait`, called from a worker of the
//! group's pool, first runs on its own thread every task of the group that
//! no worker has started, then waits for the ones that are running. It
//! uses its own slot to do so, so the pool never runs more than its
//! capacity; a blocking `submit` from such a task does the same when the
//! pool is full (see [`Pool::submit`]). From any other thread, `wait` only
//! waits.
//!
//! ```
//! use pool_core::Pool;
//!
//! // One worker, and a queue: the inner tasks can only wait behind the
//! // outer one, which waits for them.
//! let pool = Pool::builder().capacity(1).queue_size(8).build().unwrap();
//! let inner_pool = pool.clone();
//! let total = pool
//!     .spawn(move || {
//!         let mut group = inner_pool.group();
//!         for n in 1..=4u64 {
//!             group.submit(move || n * 10).unwrap();
//!         }
//!         group.wait().into_iter().map(Result::unwrap).sum::<u64>()
//!     })
//!     .unwrap()
//!     .join()
//!     .unwrap();
//! assert_eq!(total, 100);
//! ```
//!
//! # What a group keeps
//!
//! One slot per task, in submission order: the task until a worker takes it,
//! then its outcome (`Result<R, JoinError>`, where a `JoinError` is one
//! pointer). For `R = u32` a slot is 24 bytes; `wait` hands the outcomes
//! back in a list of their own, so a million `u32` tasks peak at about
//! 40 MiB (41 bytes a task, measured by `tests/group_memory.rs`), and no
//! per-task channel or allocation outlives the task's run.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::admission::Wait;
use crate::error::{JoinError, PoolError};
use crate::pool::Pool;
use crate::pool_with_func::PoolWithFunc;
use crate::sync::{Condvar, Mutex, deadline_after, lock, wait_until};
use crate::task::{Outcome, run_and_deliver};

/// One task of a group, by its place in submission order.
enum Slot<W, R> {
    /// Submitted, not started: `W` is the work (a closure, or an argument).
    Waiting(W),
    /// A worker (or the waiter) has taken it.
    Running,
    Done(Outcome<R>),
    /// Cancelled before it started: its outcome is `Cancelled`, and its
    /// pool slot was given back at once (its queued job is passed over).
    Cancelled,
}

struct State<W, R> {
    slots: Vec<Slot<W, R>>,
    /// Slots not yet `Done`.
    unfinished: usize,
}

/// What a group shares with its tasks' tickets.
struct Shared<W, R> {
    state: Mutex<State<W, R>>,
    all_done: Condvar,
}

impl<W, R> Shared<W, R> {
    /// Takes the work of slot `index`, if nobody has.
    fn claim(&self, index: usize) -> Option<W> {
        let mut state = lock(&self.state);
        let slot = state.slots.get_mut(index)?;
        match std::mem::replace(slot, Slot::Running) {
            Slot::Waiting(work) => Some(work),
            other => {
                *slot = other;
                None
            }
        }
    }

    /// Puts the outcome of slot `index`; the last one wakes the waiter.
    fn finish(&self, index: usize, outcome: Outcome<R>) {
        let mut state = lock(&self.state);
        state.slots[index] = Slot::Done(outcome);
        state.unfinished -= 1;
        if state.unfinished == 0 {
            self.all_done.notify_all();
        }
    }
}

/// The pool job of one group task: it runs the task if nobody has, and
/// puts the outcome in the task's slot. Dropped unrun (its pool lost the
/// job), the task is marked [`JoinError::Cancelled`], so no wait hangs.
pub(crate) struct Ticket<W, R> {
    shared: Arc<Shared<W, R>>,
    index: usize,
    armed: bool,
}

impl<W, R> Ticket<W, R> {
    /// Whether a worker that takes this job from the queue may run it (and
    /// then give its slot back): `false` once the group cancelled the task,
    /// which gave the slot back already.
    pub(crate) fn claimable(&self) -> bool {
        let state = lock(&self.shared.state);
        !matches!(state.slots.get(self.index), Some(Slot::Cancelled))
    }

    /// Runs the slot's work through `call`, unless it was taken already.
    pub(crate) fn run(mut self, call: impl FnOnce(W) -> R) {
        self.armed = false;
        if let Some(work) = self.shared.claim(self.index) {
            let (shared, index) = (&self.shared, self.index);
            run_and_deliver(|| call(work), |outcome| shared.finish(index, outcome));
        }
    }
}

impl<W, R> Drop for Ticket<W, R> {
    fn drop(&mut self) {
        if self.armed && self.shared.claim(self.index).is_some() {
            self.shared.finish(self.index, Err(JoinError::Cancelled));
        }
    }
}

/// What a group needs of its pool.
pub(crate) trait GroupPool {
    /// A task's work: a boxed closure, or the pool function's argument.
    type Work;
    /// A task's value.
    type Value;
    /// Submits `ticket`'s job, waiting as `wait` says; a refusal gives the
    /// ticket back.
    fn send(&self, ticket: TicketOf<Self>, wait: Wait) -> Result<(), PoolError<TicketOf<Self>>>;
    /// Runs `ticket`'s job on the calling thread, as a worker would.
    fn run_here(&self, ticket: Ticket<Self::Work, Self::Value>);
    /// Whether the calling thread is one of this pool's workers.
    fn is_own_worker(&self) -> bool;
    /// Gives back the slots of `n` cancelled tasks.
    fn give_back(&self, n: usize);
}

/// The ticket type of a group's pool.
type TicketOf<P> = Ticket<<P as GroupPool>::Work, <P as GroupPool>::Value>;

/// The part both group types share: their pool and their tasks' slots.
struct Core<P: GroupPool> {
    pool: P,
    shared: Arc<Shared<P::Work, P::Value>>,
}

impl<P: GroupPool> Core<P> {
    fn new(pool: P) -> Self {
        Core {
            pool,
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    slots: Vec::new(),
                    unfinished: 0,
                }),
                all_done: Condvar::new(),
            }),
        }
    }

    /// Adds `work` as the next task and submits it; a refusal takes it out
    /// again and gives it back.
    fn add(&mut self, work: P::Work, wait: Wait) -> Result<(), PoolError<P::Work>> {
        let index = {
            let mut state = lock(&self.shared.state);
            state.slots.push(Slot::Waiting(work));
            state.unfinished += 1;
            state.slots.len() - 1
        };
        let ticket = Ticket {
            shared: Arc::clone(&self.shared),
            index,
            armed: true,
        };
        self.pool.send(ticket, wait).map_err(|refused| {
            refused.map(|mut ticket| {
                // Only this thread adds slots, so the refused one is last.
                ticket.armed = false;
                let mut state = lock(&self.shared.state);
                state.unfinished -= 1;
                match state.slots.pop() {
                    Some(Slot::Waiting(work)) => work,
                    _ => unreachable!("a refused task was never taken"),
                }
            })
        })
    }

    fn len(&self) -> usize {
        lock(&self.shared.state).slots.len()
    }

    /// Marks every task no worker has taken as cancelled; returns how many.
    fn cancel_pending(&self) -> usize {
        let cancelled = {
            let mut state = lock(&self.shared.state);
            let mut cancelled = Vec::new();
            for slot in state.slots.iter_mut() {
                if matches!(slot, Slot::Waiting(_)) {
                    let Slot::Waiting(work) = std::mem::replace(slot, Slot::Cancelled) else {
                        unreachable!("just matched")
                    };
                    cancelled.push(work);
                }
            }
            state.unfinished -= cancelled.len();
            if state.unfinished == 0 {
                self.shared.all_done.notify_all();
            }
            cancelled
        };
        self.pool.give_back(cancelled.len());
        // Dropped outside the lock: a task's drop may do anything.
        cancelled.len()
    }

    /// From a worker of the group's pool: runs every task no worker has
    /// started, here (see the module docs).
    fn help(&self) {
        if !self.pool.is_own_worker() {
            return;
        }
        let waiting: Vec<usize> = {
            let state = lock(&self.shared.state);
            (0..state.slots.len())
                .filter(|&i| matches!(state.slots[i], Slot::Waiting(_)))
                .collect()
        };
        for index in waiting {
            self.pool.run_here(Ticket {
                shared: Arc::clone(&self.shared),
                index,
                armed: false,
            });
        }
    }

    /// Waits until every task is done, or `deadline`; `true` if all are.
    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        self.help();
        let mut state = lock(&self.shared.state);
        while state.unfinished > 0 {
            state = match wait_until(&self.shared.all_done, state, deadline) {
                Some(state) => state,
                None => return false,
            };
        }
        true
    }

    /// The outcomes, in submission order, once every task is done.
    fn into_outcomes(self) -> Vec<Outcome<P::Value>> {
        let done = self.wait_until(None);
        debug_assert!(done);
        // The slots stay (emptied): a task's job may still be queued after
        // its outcome is in (one the waiter ran itself, or one cancelled),
        // and the worker that reaches it reads its slot to know whether the
        // job still holds a pool slot (`Ticket::claimable`).
        let mut state = lock(&self.shared.state);
        state
            .slots
            .iter_mut()
            .map(|slot| match std::mem::replace(slot, Slot::Running) {
                Slot::Done(outcome) => outcome,
                Slot::Cancelled => {
                    *slot = Slot::Cancelled;
                    Err(JoinError::Cancelled)
                }
                Slot::Waiting(_) | Slot::Running => Err(JoinError::Cancelled),
            })
            .collect()
    }

    fn fmt(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.shared.state);
        f.debug_struct(name)
            .field("tasks", &state.slots.len())
            .field("unfinished", &state.unfinished)
            .finish()
    }
}

/// A group task's closure (see [`GroupTask`]).
pub(crate) type BoxedTask<R> = Box<dyn GroupTask<R>>;

/// `Pool` as a group's pool: each task is a boxed closure.
struct ClosurePool<R>(Pool, std::marker::PhantomData<fn() -> R>);

impl<R: Send + 'static> GroupPool for ClosurePool<R> {
    type Work = BoxedTask<R>;
    type Value = R;
    fn send(
        &self,
        ticket: Ticket<BoxedTask<R>, R>,
        wait: Wait,
    ) -> Result<(), PoolError<Ticket<BoxedTask<R>, R>>> {
        self.0.submit_ticket(ticket, wait)
    }
    fn run_here(&self, ticket: Ticket<BoxedTask<R>, R>) {
        self.0.run_ticket_here(ticket);
    }
    fn is_own_worker(&self) -> bool {
        self.0.is_own_worker()
    }
    fn give_back(&self, n: usize) {
        self.0.give_back_slots(n);
    }
}

impl<T: Send + 'static, R: Send + 'static> GroupPool for PoolWithFunc<T, R> {
    type Work = T;
    type Value = R;
    fn send(&self, ticket: Ticket<T, R>, wait: Wait) -> Result<(), PoolError<Ticket<T, R>>> {
        self.submit_ticket(ticket, wait)
    }
    fn run_here(&self, ticket: Ticket<T, R>) {
        self.run_ticket_here(ticket);
    }
    fn is_own_worker(&self) -> bool {
        PoolWithFunc::is_own_worker(self)
    }
    fn give_back(&self, n: usize) {
        self.give_back_slots(n);
    }
}

/// The methods both group types share, written once: each type's docs get
/// an example made with its own pool (`$pool`) and its own way of adding a
/// task that returns 7 (`$add`).
macro_rules! shared_group_methods {
    ($group:ident, $pool:literal, $add:literal) => {
        /// Cancels every task of the group that no worker has started: each
        /// will never run, and its outcome is [`JoinError::Cancelled`].
        /// Tasks already running are left to finish. Returns how many were
        /// cancelled. Their slots come back at once (a parked submitter may
        /// take one); their jobs stay queued until a worker reaches them and
        /// passes over them, as with
        /// [`TaskHandle::abort`](crate::TaskHandle::abort). [`TaskGroup`]'s
        /// docs show it on a busy pool.
        ///
        #[doc = concat!("```\n", $pool, "\nlet mut group = pool.group();\n", $add,
            "\nlet cancelled = group.cancel_pending();\nlet results = group.wait();\n",
            "assert_eq!(results.len(), 1);\n",
            "assert_eq!(results.iter().filter(|r| r.is_err()).count(), cancelled);\n```")]
        #[doc(alias = "abort_pending")]
        pub fn cancel_pending(&self) -> usize {
            self.core.cancel_pending()
        }

        /// How many tasks the group holds.
        ///
        #[doc = concat!("```\n", $pool, "\nlet mut group = pool.group();\n",
            "assert_eq!(group.len(), 0);\n", $add, "\nassert_eq!(group.len(), 1);\n```")]
        pub fn len(&self) -> usize {
            self.core.len()
        }

        /// Whether no task was added.
        ///
        #[doc = concat!("```\n", $pool, "\nlet mut group = pool.group();\n",
            "assert!(group.is_empty());\n", $add, "\nassert!(!group.is_empty());\n```")]
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        /// Waits for every task and returns their outcomes in the order
        /// they were added: each task's value, [`JoinError::Panicked`] with
        /// its payload, or [`JoinError::Cancelled`]. Called from a task of
        /// the group's own pool, it first runs the group's unstarted tasks
        /// itself, on the slot its caller holds, so it cannot wait forever
        /// for tasks queued behind it.
        ///
        #[doc = concat!("```\n", $pool, "\nlet mut group = pool.group();\n", $add,
            "\nlet results = group.wait();\nassert_eq!(*results[0].as_ref().unwrap(), 7);\n```")]
        pub fn wait(self) -> Vec<Result<R, JoinError>> {
            self.core.into_outcomes()
        }

        #[doc = concat!("Like [`wait`](", stringify!($group), "::wait), for at most `timeout` in all. If time")]
        /// runs out, the group comes back: the outcomes already in are
        /// kept, and it can be waited on again. `Duration::MAX` means no
        /// deadline.
        ///
        #[doc = concat!("```\nuse std::time::Duration;\n", $pool, "\nlet mut group = pool.group();\n", $add,
            "\nlet results = group.wait_timeout(Duration::from_secs(10)).unwrap();\n",
            "assert_eq!(*results[0].as_ref().unwrap(), 7);\n```")]
        pub fn wait_timeout(self, timeout: Duration) -> Result<Vec<Result<R, JoinError>>, Self> {
            if self.core.wait_until(deadline_after(timeout)) {
                Ok(self.wait())
            } else {
                Err(self)
            }
        }
    };
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
///
/// # Cancelling what has not started
///
/// `cancel_pending` cancels the tasks no worker has taken yet and gives
/// their slots back at once; the running ones finish.
///
/// ```
/// use pool_core::{JoinError, Pool};
/// let pool = Pool::builder().capacity(1).queue_size(8).build().unwrap();
/// let (hold, gate) = std::sync::mpsc::channel::<()>();
/// let (started, running) = std::sync::mpsc::channel::<()>();
/// let mut group = pool.group();
/// group.submit(move || { started.send(()).unwrap(); let _ = gate.recv(); 0 }).unwrap();
/// running.recv().unwrap();
/// for n in 1..=3 {
///     group.submit(move || n).unwrap();
/// }
/// assert_eq!(group.cancel_pending(), 3);
/// drop(hold);
/// let results = group.wait();
/// assert_eq!(*results[0].as_ref().unwrap(), 0);
/// assert!(matches!(results[1], Err(JoinError::Cancelled)));
/// ```
#[must_use = "a TaskGroup's results come from wait(); dropping it detaches its tasks"]
pub struct TaskGroup<R: Send + 'static> {
    core: Core<ClosurePool<R>>,
}

impl<R: Send + 'static> TaskGroup<R> {
    pub(crate) fn new(pool: Pool) -> Self {
        TaskGroup {
            core: Core::new(ClosurePool(pool, std::marker::PhantomData)),
        }
    }

    fn add<F>(&mut self, task: F, wait: Wait) -> Result<(), PoolError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        self.core
            .add(Box::new(Closure(task)), wait)
            .map_err(|refused| {
                refused.map(|boxed| {
                    boxed
                        .into_any()
                        .downcast::<Closure<F>>()
                        .expect("the group hands back the very task it was given")
                        .0
                })
            })
    }

    /// Runs `task` on the group's pool, with the same waiting and refusals
    /// as [`Pool::submit`]: a refused task comes back in the error and is
    /// not part of the group. From a task of the same pool, a full pool
    /// runs it on the calling thread instead of waiting (as `submit` does).
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
        self.add(task, Wait::Forever)
    }

    /// Like [`submit`](TaskGroup::submit), but never waits: with the pool
    /// full it returns [`PoolError::Overload`] with the task.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// let mut group = pool.group();
    /// group.submit(move || { let _ = gate.recv(); 1 }).unwrap();
    /// let refused = group.try_submit(|| 2).unwrap_err();
    /// assert!(refused.is_overload());
    /// assert_eq!(refused.into_inner()(), 2, "the task comes back");
    /// drop(hold);
    /// assert_eq!(group.wait().len(), 1);
    /// ```
    #[doc(alias = "try_execute")]
    pub fn try_submit<F>(&mut self, task: F) -> Result<(), PoolError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        self.add(task, Wait::Never)
    }

    /// Like [`submit`](TaskGroup::submit), but waits at most `timeout` for
    /// room, then returns [`PoolError::Timeout`] with the task.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// let mut group = pool.group();
    /// group.submit(move || { let _ = gate.recv(); 1 }).unwrap();
    /// let refused = group.submit_timeout(|| 2, Duration::from_millis(10)).unwrap_err();
    /// assert!(matches!(refused, pool_core::PoolError::Timeout(_)));
    /// drop(hold);
    /// ```
    pub fn submit_timeout<F>(&mut self, task: F, timeout: Duration) -> Result<(), PoolError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
    {
        self.add(task, Wait::until(deadline_after(timeout)))
    }

    shared_group_methods!(
        TaskGroup,
        "let pool = pool_core::Pool::new(2).unwrap();",
        "group.submit(|| 7).unwrap();"
    );
}

impl<R: Send + 'static> fmt::Debug for TaskGroup<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt("TaskGroup", f)
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
    core: Core<PoolWithFunc<T, R>>,
}

impl<T: Send + 'static, R: Send + 'static> FuncTaskGroup<T, R> {
    pub(crate) fn new(pool: PoolWithFunc<T, R>) -> Self {
        FuncTaskGroup {
            core: Core::new(pool),
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
        self.core.add(arg, Wait::Forever)
    }

    /// Like [`invoke`](FuncTaskGroup::invoke), but never waits: with the
    /// pool full it returns [`PoolError::Overload`] with the argument.
    ///
    /// ```
    /// use std::sync::{Mutex, mpsc::Receiver};
    /// let pool = pool_core::PoolWithFunc::new(1, |gate: Mutex<Receiver<()>>| {
    ///     let _ = gate.lock().unwrap().recv();
    /// })
    /// .unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel();
    /// let mut group = pool.group();
    /// group.invoke(Mutex::new(gate)).unwrap();
    /// let (_other, gate2) = std::sync::mpsc::channel();
    /// assert!(group.try_invoke(Mutex::new(gate2)).unwrap_err().is_overload());
    /// drop(hold);
    /// assert_eq!(group.wait().len(), 1);
    /// ```
    #[doc(alias = "try_submit")]
    pub fn try_invoke(&mut self, arg: T) -> Result<(), PoolError<T>> {
        self.core.add(arg, Wait::Never)
    }

    /// Like [`invoke`](FuncTaskGroup::invoke), but waits at most `timeout`
    /// for room, then returns [`PoolError::Timeout`] with the argument.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pool_core::PoolWithFunc::new(2, |n: u8| n).unwrap();
    /// let mut group = pool.group();
    /// group.invoke_timeout(3, Duration::from_secs(10)).unwrap();
    /// assert_eq!(*group.wait()[0].as_ref().unwrap(), 3);
    /// ```
    #[doc(alias = "submit_timeout")]
    pub fn invoke_timeout(&mut self, arg: T, timeout: Duration) -> Result<(), PoolError<T>> {
        self.core.add(arg, Wait::until(deadline_after(timeout)))
    }

    shared_group_methods!(
        FuncTaskGroup,
        "let pool = pool_core::PoolWithFunc::new(2, |n: i32| n).unwrap();",
        "group.invoke(7).unwrap();"
    );
}

impl<T: Send + 'static, R: Send + 'static> fmt::Debug for FuncTaskGroup<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt("FuncTaskGroup", f)
    }
}

/// A group task's closure, boxed so that a group's slots all hold one
/// type, and so that a refused one can be handed back as the caller's own.
pub(crate) trait GroupTask<R>: Send {
    fn call(self: Box<Self>) -> R;
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

struct Closure<F>(F);

impl<F, R> GroupTask<R> for Closure<F>
where
    F: FnOnce() -> R + Send + 'static,
{
    fn call(self: Box<Self>) -> R {
        (self.0)()
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}
