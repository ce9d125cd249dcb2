//! A pool that runs one fixed function on many arguments: ants' `NewPoolWithFunc` + `Invoke`.
//!
//! Use a [`PoolWithFunc<T>`] when every job is the same code on different
//! data: the function is given once, at build time, and each job is only its
//! argument. The argument travels through the pool as plain data, so a job
//! allocates nothing (a [`Pool`](crate::Pool) boxes every closure).
//!
//! # Pool vs PoolWithFunc
//!
//! See the table in [`Pool`](crate::pool): a `Pool` takes *code* per job, a
//! `PoolWithFunc` takes *data* per job. The tutorial's `exemplo6` is a
//! `PoolWithFunc` (`ApiWorker(i)` with `i` as the argument); `exemplo7` is a
//! `Pool`.
//!
//! # Example
//!
//! ```
//! use pool_core::{PoolWithFunc, WaitGroup};
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use std::sync::Arc;
//!
//! let wg = WaitGroup::new();
//! let total = Arc::new(AtomicU64::new(0));
//!
//! // The one function, fixed when the pool is built (ants' NewPoolWithFunc).
//! let (wg2, total2) = (wg.clone(), total.clone());
//! let pool = PoolWithFunc::new(4, move |n: u64| {
//!     total2.fetch_add(n, Ordering::Relaxed);
//!     wg2.done();
//! })
//! .unwrap();
//!
//! // Invoke it with each argument.
//! for n in 1..=10 {
//!     wg.add(1);
//!     pool.invoke(n).unwrap();
//! }
//!
//! // Wait until every job is done.
//! wg.wait();
//! assert_eq!(total.load(Ordering::Relaxed), 55);
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::admission::Wait;
use crate::engine::{Engine, Owner};
use crate::error::{BuildError, PoolError};
use crate::options::PoolBuilder;
use crate::sync::deadline_after;
use crate::task_group::{FuncTaskGroup, Ticket};

/// One job of a `PoolWithFunc`.
pub(crate) enum FuncJob<T, R> {
    /// `invoke`: the argument; the value is dropped.
    Invoke(T),
    /// A group's task: its argument waits in the group's slot, so that the
    /// group can run it itself when waiting from inside the pool. Boxed:
    /// the queue moves jobs by value, and `invoke`'s should stay small.
    Group(Box<Ticket<T, R>>),
}

impl<T, R> FuncJob<T, R> {
    /// Whether a worker may run it (see `engine::Claim`): only a group's
    /// task can be cancelled.
    fn claimable(&self) -> bool {
        match self {
            FuncJob::Invoke(_) => true,
            FuncJob::Group(ticket) => ticket.claimable(),
        }
    }
}

/// The runner a `PoolWithFunc` gives its engine: calls `f`, and for a group's
/// job puts the value (or the panic) in the group. A group task's panic
/// payload goes to the group; the engine then sees a
/// [`PanicDelivered`](crate::task::PanicDelivered) marker, which it counts
/// and logs without handing it to the panic handler.
pub(crate) fn func_runner<T, R, F>(f: F) -> crate::engine::Runner<FuncJob<T, R>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    Box::new(move |job: FuncJob<T, R>| match job {
        FuncJob::Invoke(arg) => {
            f(arg);
        }
        FuncJob::Group(ticket) => ticket.run(&f),
    })
}

/// A pool of at most `cap()` worker threads running one function on each
/// argument it is given.
///
/// Cloning gives another handle to the same pool; dropping the last handle
/// releases the pool and joins its threads.
///
/// The function may return a value `R`; [`invoke`](PoolWithFunc::invoke)
/// drops it, and a [`group`](PoolWithFunc::group) collects it.
///
/// ```
/// let pool = pool_core::PoolWithFunc::new(2, |s: String| assert!(!s.is_empty())).unwrap();
/// pool.invoke("job".to_owned()).unwrap();
/// ```
pub struct PoolWithFunc<T: Send + 'static, R: Send + 'static = ()> {
    owner: Arc<Owner<FuncJob<T, R>>>,
}

impl<T: Send + 'static, R: Send + 'static> Clone for PoolWithFunc<T, R> {
    fn clone(&self) -> Self {
        PoolWithFunc {
            owner: Arc::clone(&self.owner),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> PoolWithFunc<T, R> {
    /// A pool of `capacity` workers that run `f` on every argument
    /// (ants' `NewPoolWithFunc(capacity, f)`). For other settings use
    /// [`PoolBuilder::build_with_func`].
    ///
    /// ```
    /// use pool_core::PoolWithFunc;
    /// let pool = PoolWithFunc::new(8, |id: usize| { let _ = id; }).unwrap();
    /// assert_eq!(pool.cap(), 8);
    /// ```
    pub fn new<F>(capacity: usize, f: F) -> Result<Self, BuildError>
    where
        F: Fn(T) -> R + Send + Sync + 'static,
    {
        PoolBuilder::new().capacity(capacity).build_with_func(f)
    }

    pub(crate) fn from_engine(engine: Arc<Engine<FuncJob<T, R>>>) -> Self {
        PoolWithFunc {
            owner: Arc::new(Owner { engine }),
        }
    }

    fn engine(&self) -> &Arc<Engine<FuncJob<T, R>>> {
        &self.owner.engine
    }

    /// Runs the pool's function on `arg`, waiting for a free worker if all
    /// are busy (ants' `Invoke`). A `nonblocking` pool refuses instead.
    /// Called from the pool's own function into the full pool, it runs the
    /// function on the calling thread instead of waiting forever (see
    /// [`Pool::submit`](crate::Pool::submit), "From a task of the same pool").
    ///
    /// ```
    /// use std::sync::mpsc;
    /// let (tx, rx) = mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let pool = pool_core::PoolWithFunc::new(1, move |n: i32| tx.lock().unwrap().send(n * 2).unwrap()).unwrap();
    /// pool.invoke(21).unwrap();
    /// assert_eq!(rx.recv().unwrap(), 42);
    /// ```
    #[doc(alias = "execute")]
    pub fn invoke(&self, arg: T) -> Result<(), PoolError<T>> {
        self.invoke_with(arg, Wait::Forever)
    }

    pub(crate) fn invoke_with(&self, arg: T, wait: Wait) -> Result<(), PoolError<T>> {
        self.engine()
            .submit(FuncJob::Invoke(arg), wait)
            .map_err(|refused| {
                refused.map(|job| match job {
                    FuncJob::Invoke(arg) => arg,
                    FuncJob::Group(_) => {
                        unreachable!("the pool hands back the very job it was given")
                    }
                })
            })
    }

    /// Like [`invoke`](PoolWithFunc::invoke), waiting for a slot without
    /// blocking the thread (see [`Pool::spawn_async`](crate::Pool::spawn_async)
    /// for the rules, which are the same). Dropped before it is admitted,
    /// the argument is dropped unrun.
    ///
    /// ```
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let pool = pool_core::PoolWithFunc::new(1, move |n: u32| tx.lock().unwrap().send(n).unwrap()).unwrap();
    /// futures::executor::block_on(pool.invoke_async(5)).unwrap();
    /// assert_eq!(rx.recv().unwrap(), 5);
    /// ```
    pub fn invoke_async(
        &self,
        arg: T,
    ) -> impl std::future::Future<Output = Result<(), PoolError<T>>> + Send + 'static {
        let admit = self.engine().submit_async(FuncJob::Invoke(arg));
        async move {
            admit.await.map_err(|refused| {
                refused.map(|job| match job {
                    FuncJob::Invoke(arg) => arg,
                    FuncJob::Group(_) => {
                        unreachable!("the pool hands back the very job it was given")
                    }
                })
            })
        }
    }

    /// Submits a group task's job (see `task_group.rs`).
    pub(crate) fn submit_ticket(
        &self,
        ticket: Ticket<T, R>,
        wait: Wait,
    ) -> Result<(), PoolError<Ticket<T, R>>> {
        self.engine()
            .submit(FuncJob::Group(Box::new(ticket)), wait)
            .map_err(|refused| {
                refused.map(|job| match job {
                    FuncJob::Group(ticket) => *ticket,
                    FuncJob::Invoke(_) => {
                        unreachable!("the pool hands back the very job it was given")
                    }
                })
            })
    }

    /// Runs a group task's job on the calling thread, as a worker would.
    pub(crate) fn run_ticket_here(&self, ticket: Ticket<T, R>) {
        self.engine().execute(FuncJob::Group(Box::new(ticket)));
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

    /// A new, empty [`FuncTaskGroup`]: arguments invoked through it are
    /// waited on together, and the function's values come back in order.
    ///
    /// ```
    /// let pool = pool_core::PoolWithFunc::new(4, |n: u64| n * n).unwrap();
    /// let mut group = pool.group();
    /// for n in 1..=4 {
    ///     group.invoke(n).unwrap();
    /// }
    /// let squares: Vec<u64> = group.wait().into_iter().map(Result::unwrap).collect();
    /// assert_eq!(squares, [1, 4, 9, 16]);
    /// ```
    pub fn group(&self) -> FuncTaskGroup<T, R> {
        FuncTaskGroup::new(self.clone())
    }

    /// Like [`invoke`](PoolWithFunc::invoke), but never waits: with every
    /// worker busy it returns [`PoolError::Overload`] and the argument.
    ///
    /// ```
    /// use pool_core::{PoolError, PoolWithFunc};
    /// use std::sync::mpsc::Receiver;
    /// use std::sync::Mutex;
    /// // Each argument is a gate the worker waits on.
    /// let pool = PoolWithFunc::new(1, |gate: Mutex<Receiver<()>>| { let _ = gate.lock().unwrap().recv(); }).unwrap();
    /// let (hold, gate) = std::sync::mpsc::channel();
    /// pool.invoke(Mutex::new(gate)).unwrap();
    /// let (_other, gate2) = std::sync::mpsc::channel();
    /// assert!(matches!(pool.try_invoke(Mutex::new(gate2)), Err(PoolError::Overload(_))));
    /// drop(hold);
    /// ```
    pub fn try_invoke(&self, arg: T) -> Result<(), PoolError<T>> {
        self.invoke_with(arg, Wait::Never)
    }

    /// Like [`invoke`](PoolWithFunc::invoke), but waits at most `timeout` for
    /// a free worker, then returns [`PoolError::Timeout`] and the argument.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pool_core::PoolWithFunc::new(2, |_: u8| ()).unwrap();
    /// assert!(pool.invoke_timeout(1, Duration::from_secs(1)).is_ok());
    /// ```
    pub fn invoke_timeout(&self, arg: T, timeout: Duration) -> Result<(), PoolError<T>> {
        self.invoke_with(arg, Wait::until(deadline_after(timeout)))
    }
}

crate::common::pool_methods!(PoolWithFunc<T, R>);

impl PoolBuilder {
    /// Builds a [`PoolWithFunc`] that runs `f` on every argument it is given.
    ///
    /// ```
    /// let pool = pool_core::Pool::builder()
    ///     .capacity(2)
    ///     .build_with_func(|n: u64| assert!(n < 10))
    ///     .unwrap();
    /// pool.invoke(3).unwrap();
    /// ```
    pub fn build_with_func<T, R, F>(self, f: F) -> Result<PoolWithFunc<T, R>, BuildError>
    where
        T: Send + 'static,
        R: Send + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
    {
        let opts = self.check()?;
        let engine = Engine::start(opts, func_runner(f), FuncJob::claimable)?;
        Ok(PoolWithFunc::from_engine(engine))
    }
}
