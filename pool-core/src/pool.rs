//! A pool of worker threads that runs closures: ants' `NewPool` + `Submit`.
//!
//! Use a [`Pool`] when every job is different code: each `submit` hands over a
//! closure, which the pool boxes and runs on one of at most `cap()` worker
//! threads. At most `cap()` tasks run at once; when all workers are busy,
//! `submit` waits for one (or refuses, if you asked it not to wait).
//!
//! # Pool vs PoolWithFunc
//!
//! | | [`Pool`] | [`PoolWithFunc<T>`](crate::PoolWithFunc) |
//! |---|---|---|
//! | ants | `NewPool(n)` + `Submit(func(){...})` | `NewPoolWithFunc(n, f)` + `Invoke(arg)` |
//! | a job is | a closure (any code) | an argument `T` for the one function |
//! | per job it allocates | the boxed closure | nothing |
//! | refused job comes back as | your closure `F` | your argument `T` |
//! | tutorial example | `exemplo7` | `exemplo6` |
//!
//! # Example
//!
//! ```
//! use pool_core::{Pool, WaitGroup};
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//!
//! // A pool of 4 workers, as ants.NewPool(4).
//! let pool = Pool::new(4).unwrap();
//! let wg = WaitGroup::new();
//! let sum = Arc::new(AtomicUsize::new(0));
//!
//! // Submit the jobs, one wg.add(1) each.
//! for i in 1..=100 {
//!     wg.add(1);
//!     let (wg, sum) = (wg.clone(), sum.clone());
//!     pool.submit(move || {
//!         sum.fetch_add(i, Ordering::Relaxed);
//!         wg.done();
//!     })
//!     .unwrap();
//! }
//!
//! // Wait until every job is done.
//! wg.wait();
//! assert_eq!(sum.load(Ordering::Relaxed), 5050);
//! ```

use std::any::Any;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::admission::Wait;
use crate::engine::{Engine, Owner};
use crate::error::{BuildError, PoolError};
use crate::options::PoolBuilder;
use crate::sync::deadline_after;
use crate::task::{ResultSender, TaskHandle, task_channel};
use crate::task_group::{BoxedTask, GroupTask, TaskGroup, Ticket};

/// A boxed task, as the pool's channel carries it.
pub(crate) type Job = Box<dyn Task>;

/// A closure that can also be handed back as its own type when refused.
pub(crate) trait Task: Send {
    fn run(self: Box<Self>);
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    /// Whether it may still run (see `engine::Claim`); only a spawned task
    /// can be aborted.
    fn claim(&self) -> bool {
        true
    }
}

struct Closure<F>(F);

impl<F: FnOnce() + Send + 'static> Task for Closure<F> {
    fn run(self: Box<Self>) {
        (self.0)()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Unboxes a refused job back into the caller's closure type.
fn give_back<F: FnOnce() + Send + 'static>(err: PoolError<Job>) -> PoolError<F> {
    err.map(|job| {
        let closure = job
            .into_any()
            .downcast::<Closure<F>>()
            .expect("the pool hands back the very job it was given");
        closure.0
    })
}

/// A pool of at most `cap()` worker threads running submitted closures.
///
/// Cloning a `Pool` gives another handle to the same pool; when the last
/// handle is dropped the pool is released and its threads are joined.
///
/// ```
/// let pool = pool_core::Pool::new(2).unwrap();
/// let other = pool.clone();
/// other.submit(|| ()).unwrap();
/// assert_eq!(pool.cap(), 2);
/// ```
#[derive(Clone)]
pub struct Pool {
    owner: Arc<Owner<Job>>,
}

impl Pool {
    /// A pool of `capacity` workers with default settings (ants' `NewPool(capacity)`).
    ///
    /// ```
    /// use pool_core::Pool;
    /// assert!(Pool::new(10).is_ok());
    /// // A pool needs at least one worker.
    /// assert!(Pool::new(0).is_err());
    /// ```
    pub fn new(capacity: usize) -> Result<Pool, BuildError> {
        PoolBuilder::new().capacity(capacity).build()
    }

    /// A [`PoolBuilder`] for every other setting.
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().capacity(8).nonblocking(true).build().unwrap();
    /// assert_eq!(pool.cap(), 8);
    /// ```
    pub fn builder() -> PoolBuilder {
        PoolBuilder::new()
    }

    pub(crate) fn from_engine(engine: Arc<Engine<Job>>) -> Pool {
        Pool {
            owner: Arc::new(Owner { engine }),
        }
    }

    fn engine(&self) -> &Arc<Engine<Job>> {
        &self.owner.engine
    }

    /// Runs `task` on a worker, waiting for one to be free if all are busy
    /// (ants' `Submit`). A `nonblocking` pool refuses instead of waiting.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// // The closure runs on the pool's worker thread.
    /// pool.submit(move || tx.send(21 * 2).unwrap()).unwrap();
    /// assert_eq!(rx.recv().unwrap(), 42);
    /// ```
    ///
    /// # From a task of the same pool
    ///
    /// A task that submits into its own full pool holds one of the slots it
    /// would wait for; in ants that wait can last forever (ants #197). Here
    /// `submit` (and [`spawn`](Pool::spawn), and `PoolWithFunc::invoke` from
    /// the pool's own function) runs the task right away on the calling
    /// thread instead, on the slot it already holds: nothing hangs, and the
    /// pool never runs more tasks at once than its capacity. `try_submit`
    /// and `submit_timeout` keep their refusals.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let inner = pool.clone();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pool.submit(move || {
    ///     // The only worker is this one: the inner task runs here, now.
    ///     inner.submit(move || tx.send("inner ran").unwrap()).unwrap();
    /// })
    /// .unwrap();
    /// assert_eq!(rx.recv().unwrap(), "inner ran");
    /// ```
    #[doc(alias = "execute")]
    pub fn submit<F>(&self, task: F) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.submit_with(task, Wait::Forever)
    }

    /// Like [`submit`](Pool::submit), but never waits: with every worker busy
    /// it returns [`PoolError::Overload`] and the task.
    ///
    /// ```
    /// use pool_core::{Pool, PoolError};
    /// let pool = Pool::new(1).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// // Keep the only worker busy until `hold` is dropped.
    /// pool.submit(move || { let _ = gate.recv(); }).unwrap();
    /// assert!(matches!(pool.try_submit(|| ()), Err(PoolError::Overload(_))));
    /// drop(hold);
    /// ```
    pub fn try_submit<F>(&self, task: F) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.submit_with(task, Wait::Never)
    }

    /// Like [`submit`](Pool::submit), but waits at most `timeout` for a free
    /// worker, then returns [`PoolError::Timeout`] and the task.
    ///
    /// ```
    /// use pool_core::{Pool, PoolError};
    /// use std::time::Duration;
    /// let pool = Pool::new(1).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel::<()>();
    /// pool.submit(move || { let _ = gate.recv(); }).unwrap();
    /// let err = pool.submit_timeout(|| (), Duration::from_millis(10)).unwrap_err();
    /// assert!(matches!(err, PoolError::Timeout(_)));
    /// drop(hold);
    /// ```
    pub fn submit_timeout<F>(&self, task: F, timeout: Duration) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        self.submit_with(task, Wait::until(deadline_after(timeout)))
    }

    pub(crate) fn submit_with<F>(&self, task: F, wait: Wait) -> Result<(), PoolError<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        let job: Job = Box::new(Closure(task));
        self.engine().submit(job, wait).map_err(give_back)
    }

    /// Runs `task` on a worker and returns a handle to its result, like
    /// `std::thread::spawn` but on the pool. A panic comes back from
    /// [`TaskHandle::join`] as an error carrying the payload.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(2).unwrap();
    /// let handle = pool.spawn(|| 6 * 7).unwrap();
    /// assert_eq!(handle.join().unwrap(), 42);
    /// ```
    pub fn spawn<F, R>(&self, task: F) -> Result<TaskHandle<R>, PoolError<F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (job, handle) = Spawned::job(task, self.engine());
        match self.engine().submit(job, Wait::Forever) {
            Ok(()) => Ok(handle),
            Err(err) => Err(err.map(Spawned::<F, R>::give_back)),
        }
    }
}

/// From async code: admission that waits without blocking a thread.
///
/// A full pool's [`submit`](Pool::submit) parks the calling thread; on an
/// async runtime that thread is one of the few that run every task. These
/// futures wait for a slot in the same line as parked submitters, in the
/// same order, by the same rules (`nonblocking`, `max_blocking_tasks`,
/// `queue_size`, release), and the [`TaskHandle`] they give is itself a
/// future. They work on any executor; pool-core depends on none.
///
/// Dropping an admission future before it is admitted takes it out of
/// the line: its task is dropped unrun, and no slot is taken or lost.
/// Once admitted, the task runs, whatever becomes of the future or handle.
impl Pool {
    /// Runs `task` on the pool like [`spawn`](Pool::spawn), waiting for a
    /// slot without blocking the thread; then `.await` the handle for the
    /// value. The blocking work goes to the pool, and the runtime's thread
    /// keeps running other tasks meanwhile.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(4).unwrap();
    /// let value = futures::executor::block_on(async {
    ///     let handle = pool.spawn_async(|| std::fs::metadata(".").is_ok()).await.unwrap();
    ///     handle.await.unwrap()
    /// });
    /// assert!(value);
    /// ```
    #[doc(alias = "spawn_blocking")]
    pub fn spawn_async<F, R>(
        &self,
        task: F,
    ) -> impl Future<Output = Result<TaskHandle<R>, PoolError<F>>> + Send + 'static
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (job, handle) = Spawned::job(task, self.engine());
        let admit = self.engine().submit_async(job);
        async move {
            match admit.await {
                Ok(()) => Ok(handle),
                Err(err) => Err(err.map(Spawned::<F, R>::give_back)),
            }
        }
    }

    /// Like [`submit`](Pool::submit), waiting for a slot without blocking
    /// the thread.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(1).unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// futures::executor::block_on(pool.submit_async(move || tx.send(7).unwrap())).unwrap();
    /// assert_eq!(rx.recv().unwrap(), 7);
    /// ```
    pub fn submit_async<F>(
        &self,
        task: F,
    ) -> impl Future<Output = Result<(), PoolError<F>>> + Send + 'static
    where
        F: FnOnce() + Send + 'static,
    {
        let job: Job = Box::new(Closure(task));
        let admit = self.engine().submit_async(job);
        async move { admit.await.map_err(give_back) }
    }
}

impl Pool {
    /// A new, empty [`TaskGroup`]: tasks submitted through it are waited on
    /// together, and their results come back in order.
    ///
    /// ```
    /// let pool = pool_core::Pool::new(4).unwrap();
    /// let mut group = pool.group();
    /// for word in ["pool", "goroutine"] {
    ///     group.submit(move || word.len()).unwrap();
    /// }
    /// let lengths: Vec<usize> = group.wait().into_iter().map(Result::unwrap).collect();
    /// assert_eq!(lengths, [4, 9]);
    /// ```
    pub fn group<R: Send + 'static>(&self) -> TaskGroup<R> {
        TaskGroup::new(self.clone())
    }
}

impl Pool {
    /// Submits a group task's job (see `task_group.rs`).
    pub(crate) fn submit_ticket<R: Send + 'static>(
        &self,
        ticket: Ticket<BoxedTask<R>, R>,
        wait: Wait,
    ) -> Result<(), PoolError<Ticket<BoxedTask<R>, R>>> {
        let job: Job = Box::new(GroupJob(ticket));
        self.engine().submit(job, wait).map_err(|refused| {
            refused.map(|job| {
                job.into_any()
                    .downcast::<GroupJob<R>>()
                    .expect("the pool hands back the very job it was given")
                    .0
            })
        })
    }

    /// Runs a group task's job on the calling thread, as a worker would.
    pub(crate) fn run_ticket_here<R: Send + 'static>(&self, ticket: Ticket<BoxedTask<R>, R>) {
        self.engine().execute(Box::new(GroupJob(ticket)));
    }

    /// Whether the calling thread is one of this pool's workers.
    pub(crate) fn is_own_worker(&self) -> bool {
        self.engine().is_own_worker()
    }

    /// Gives back the slots of `n` tasks a group cancelled.
    pub(crate) fn give_back_slots(&self, n: usize) {
        for _ in 0..n {
            self.engine().aborted();
        }
    }
}

/// A group task, as the pool's queue carries it.
struct GroupJob<R>(Ticket<BoxedTask<R>, R>);

impl<R: Send + 'static> Task for GroupJob<R> {
    fn run(self: Box<Self>) {
        self.0.run(GroupTask::call);
    }
    fn claim(&self) -> bool {
        self.0.claimable()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// A spawned task: its closure, and where its result goes.
struct Spawned<F, R> {
    task: F,
    result: ResultSender<R>,
}

impl<F, R> Spawned<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    /// The job for `task`, and the handle to its result (abortable on
    /// `engine`).
    fn job(task: F, engine: &Arc<Engine<Job>>) -> (Job, TaskHandle<R>) {
        let (result, handle) = task_channel();
        (Box::new(Spawned { task, result }), handle.abortable(engine))
    }

    /// The caller's closure, out of a job the pool refused.
    fn give_back(job: Job) -> F {
        job.into_any()
            .downcast::<Spawned<F, R>>()
            .expect("the pool hands back the very job it was given")
            .task
    }
}

impl<F, R> Task for Spawned<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    fn run(self: Box<Self>) {
        // A panic's payload goes to the handle; the engine counts and logs it.
        self.result.run(self.task);
    }
    fn claim(&self) -> bool {
        self.result.claim()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl PoolBuilder {
    /// Builds a [`Pool`] that runs closures.
    ///
    /// ```
    /// let pool = pool_core::Pool::builder().capacity(2).build().unwrap();
    /// pool.submit(|| println!("hello from a worker")).unwrap();
    /// ```
    pub fn build(self) -> Result<Pool, BuildError> {
        let opts = self.check()?;
        let engine = Engine::start(opts, Box::new(|job: Job| job.run()), |job| job.claim())?;
        Ok(Pool::from_engine(engine))
    }
}

crate::common::pool_methods!(Pool);
