//! An ants-style worker pool for Rust, and a Go-shaped `WaitGroup`.
//!
//! This crate is the Rust side of the Portuguese tutorial "Pool goroutine",
//! which taught worker pools with Go's [ants](https://github.com/panjf2000/ants)
//! library. The names follow ants so that the Go and the Rust read side by side.
//!
//! # Why a pool
//!
//! Starting a thread per job is simple, and it breaks at scale: every OS
//! thread reserves a stack (2 MiB by default), costs tens of microseconds to
//! start, and a process may hold only so many (see [`thread_ceiling`]). A pool
//! starts at most `cap()` threads, reuses them, and makes extra jobs wait for
//! a free worker, which also caps how hard you hit whatever the jobs call.
//!
//! # From ants to pool-core
//!
//! | ants (Go) | pool-core (Rust) |
//! |---|---|
//! | `ants.NewPool(n)` | [`Pool::new(n)`](Pool::new) |
//! | `ants.NewPool(n, ants.WithX(..))` | [`Pool::builder()`](Pool::builder)`.capacity(n).x(..).build()` |
//! | `p.Submit(func(){..})` | [`pool.submit(move \|\| ..)`](Pool::submit) |
//! | — | [`try_submit`](Pool::try_submit), [`submit_timeout`](Pool::submit_timeout), [`spawn`](Pool::spawn) → [`TaskHandle`] |
//! | `ants.NewPoolWithFunc(n, f)` | [`PoolWithFunc::new(n, f)`](PoolWithFunc::new) |
//! | `p.Invoke(arg)` | [`pool.invoke(arg)`](PoolWithFunc::invoke) |
//! | `p.Running()`, `Free()`, `Cap()`, `Waiting()` | [`running()`](Pool::running), [`free()`](Pool::free), [`cap()`](Pool::cap), [`waiting()`](Pool::waiting), plus [`idle()`](Pool::idle) and [`stats()`](Pool::stats) |
//! | `p.Tune(n)` | [`tune(n)`](Pool::tune) |
//! | `p.Release()`, `ReleaseTimeout(d)` | [`release()`](Pool::release), [`release_timeout(d)`](Pool::release_timeout) |
//! | `p.Reboot()`, `IsClosed()` | [`reboot()`](Pool::reboot), [`is_closed()`](Pool::is_closed) |
//! | `WithExpiryDuration`, `WithDisablePurge`, `WithPreAlloc`, `WithNonblocking`, `WithMaxBlockingTasks`, `WithPanicHandler` | [`PoolBuilder`] methods of the same names (`pre_alloc` starts the threads: see below) |
//! | — (pond's queue size) | [`PoolBuilder::queue_size`]: a bounded queue beside the workers |
//! | — | [`PoolStats`]'s `queue_wait_total`, `queue_wait_max`, `run_total`: where the tasks' time went |
//! | `ErrPoolClosed`, `ErrPoolOverload`, `ErrTimeout` | [`PoolError::Closed`], [`PoolError::Overload`], [`PoolError::Timeout`], each carrying the task back |
//! | `ants.NewMultiPool(n, size, ants.RoundRobin)` | [`MultiPool::new(n, size, LoadBalancing::RoundRobin)`](MultiPool::new) |
//! | `ants.NewMultiPoolWithFunc(n, size, f, ants.LeastTasks)`, `Invoke(arg)` | [`MultiPoolWithFunc::new(n, size, LoadBalancing::LeastTasks, f)`](MultiPoolWithFunc::new), [`invoke(arg)`](MultiPoolWithFunc::invoke) |
//! | `ants.Submit(f)` (default pool) | [`pool_core::submit(f)`](submit), [`default_pool()`] |
//! | `sync.WaitGroup` | [`WaitGroup`], or a [`TaskGroup`] ([`pool.group()`](Pool::group)) that counts for you and returns results |
//!
//! # For threadpool, rayon and tokio users
//!
//! The names above are ants'; each has a doc alias with the Rust name, so
//! searching these docs for `shutdown` or `resize` finds it.
//!
//! | you know | closest pool-core call | what differs |
//! |---|---|---|
//! | threadpool `ThreadPool::new(n)`, rayon `ThreadPoolBuilder::num_threads(n)` | [`Pool::new(n)`](Pool::new), [`PoolBuilder::capacity`] | threads start on demand and expire when idle ([`PoolBuilder::expiry`], rusty_pool's `keep_alive`); [`pre_alloc`](PoolBuilder::pre_alloc) starts them all up front |
//! | threadpool `execute(f)`, rayon `spawn(f)` | [`submit(f)`](Pool::submit) | at capacity `submit` **blocks** (ants' rule) instead of queueing without bound; [`queue_size`](PoolBuilder::queue_size) adds a bounded queue, [`try_submit`](Pool::try_submit) never waits |
//! | tokio `spawn_blocking(f)` | [`spawn_async(f)`](Pool::spawn_async)`.await`, then `.await` the [`TaskHandle`] | the pool is bounded, and a full one makes the future wait, not the thread |
//! | `std::thread::spawn(f).join()` | [`spawn(f)`](Pool::spawn)`.join()` | a panic comes back as [`JoinError::Panicked`] |
//! | tokio `JoinHandle::abort` | [`TaskHandle::abort`], [`TaskGroup::cancel_pending`] | only a task no worker has started is cancelled; a running one finishes |
//! | threadpool `join()`, rusty_pool `join_timeout` | [`wait_idle()`](Pool::wait_idle), [`wait_idle_timeout(d)`](Pool::wait_idle_timeout) | also waits for tasks submitted during the wait |
//! | threadpool `set_num_threads(n)`, "resize" | [`tune(n)`](Pool::tune) | shrinking retires idle workers at once |
//! | threadpool `active_count()` | [`busy()`](Pool::busy) | [`running()`](Pool::running) counts live threads, busy or idle, and [`free()`](Pool::free) is `cap() - running()`, not idle slots |
//! | threadpool `max_count()`, rayon `current_num_threads()` | [`cap()`](Pool::cap) | |
//! | threadpool `queued_count()` | [`waiting()`](Pool::waiting) | counts parked submitters too |
//! | rusty_pool `shutdown`, tokio `Runtime::shutdown_timeout` | [`release()`](Pool::release), [`release_timeout(d)`](Pool::release_timeout) | queued tasks still run; a released pool can [`reboot`](Pool::reboot) |
//! | dropping a threadpool `ThreadPool` (threads live on) | dropping the last [`Pool`] handle | **joins** every worker: a drop may wait for running tasks |
//! | rayon `start_handler`/`exit_handler`, tokio `on_thread_start`/`on_thread_stop` | [`PoolBuilder::on_thread_start`], [`PoolBuilder::on_thread_stop`], [`current_worker()`](current_worker) | run each time a worker starts or exits, which here includes expiry and `tune` |
//! | rayon `scope`, `join` | a [`TaskGroup`] | tasks are `'static` closures; a group waited on from inside its pool runs its unstarted tasks itself |
//!
//! # Where the Rust version differs
//!
//! - **Threads, not goroutines.** Workers are OS threads. They are expensive to
//!   start and there is a ceiling per process, so capacities above
//!   [`thread_ceiling`] are refused with a [`BuildError`] instead of crashing
//!   later, and the default pool holds [`DEFAULT_POOL_CAPACITY`] threads, not
//!   ants' `math.MaxInt32`.
//! - **Prompt shrink.** ants' `Tune` to a smaller size leaves surplus idle
//!   workers until the next purge; here they are retired at once, and no new
//!   task starts while the new capacity is in use.
//! - **Nothing is lost.** A refused task comes back in the error, as your own
//!   closure type ([`PoolError::into_inner`]).
//! - **No nil-task exit.** ants stops a worker when it receives a nil task;
//!   Rust has no nil closure, so workers stop when the pool is released, when
//!   they expire, or when `tune` retires them.
//! - **Dropping joins.** When the last handle to a pool is dropped, the pool is
//!   released and every worker thread is joined (a worker that expired or
//!   was retired before lets itself go as it exits).
//! - **A task may submit into its own pool.** A blocking submit from a task
//!   into its own full pool waits forever in ants (#197); here it runs the
//!   task on the calling thread, on the slot it holds. See [`Pool::submit`].
//! - **Async callers.** [`TaskHandle`] is a future, and
//!   [`Pool::spawn_async`] waits for a slot without blocking a thread.
//! - **No purge goroutine.** ants runs a `ticktock` and a purge goroutine per
//!   pool; here each worker expires by itself, through its own timed park,
//!   and the pool joins the threads that have exited.
//! - **A panic does not end its worker.** In ants the goroutine that ran a
//!   panicking task exits (`Running()` drops). Here the worker catches the
//!   panic, hands the payload to the panic handler, and takes the next task.
//! - **`pre_alloc` starts the threads.** ants' `WithPreAlloc` sizes the worker
//!   queue up front and still starts goroutines on demand; here
//!   [`pre_alloc(true)`](PoolBuilder::pre_alloc) starts every worker thread
//!   in `build()`, because a thread costs tens of microseconds to start.
//! - **`tune` works on every pool.** ants ignores `Tune` on a pre-allocated
//!   pool; here it changes the capacity of any pool.
//! - **`reboot` on an open pool** keeps it open and, with `pre_alloc`,
//!   starts the workers that expired meanwhile (ants: does nothing).
//! - **`release` then `release_timeout`** joins the workers and returns
//!   `Ok`, as often as it is called (ants: `ErrPoolClosed` after a release):
//!   close now, join later.
//! - **`expiry(Duration::ZERO)` is refused** with [`BuildError::ZeroExpiry`]
//!   (ants silently uses its 1 s default); not setting it gives the default.
//! - **A task's slot is freed after its last line.** A task that signals
//!   "done" and a caller that submits to a `nonblocking` pool right away may
//!   meet [`PoolError::Overload`]: Go's scheduler runs the finishing goroutine
//!   first, OS threads don't (measured: an `Overload` on nearly every one of
//!   2,000 such rounds here, 0 in Go). Retry the task the error gives back,
//!   or use a blocking `submit`; see [`PoolBuilder::nonblocking`].
//!
//! # The life of a task
//!
//! What happens between `pool.submit(task)` and the task's last line, and
//! the file that does each step:
//!
//! 1. **Submit** (`pool.rs`, `pool_with_func.rs`). `Pool` boxes the closure;
//!    `PoolWithFunc` passes the argument as it is.
//! 2. **Admission** (`admission.rs`). The task needs a slot: at most `cap()`
//!    tasks are accepted at once, plus [`queue_size`](PoolBuilder::queue_size)
//!    if the pool has a queue. A free slot is taken with one
//!    compare-and-swap. With none free, the submitter gives up (`try_submit`,
//!    `nonblocking`, `max_blocking_tasks`), or joins the waiters' line with
//!    its task beside it, spins there a few microseconds, and then parks on
//!    its doorbell (`doorbell.rs`).
//! 3. **Hand-off** (`engine.rs`, `idle.rs`). With no idle worker and room to
//!    grow, a new thread starts with the task in hand, as ants does.
//!    Otherwise the task goes into the queue (`queue.rs`), and a worker is
//!    woken if none is searching, plus a few more while a burst piles up.
//! 4. **Worker** (`worker.rs`). A searching worker takes the task. If it was
//!    the last one searching and more are queued, it first wakes the next
//!    worker. Then it runs the task, catching any panic, and notes how long
//!    the task waited and ran (`timing.rs`: one clock read per task).
//! 5. **Finish** (`engine.rs`, `admission.rs`). If a submitter waits in
//!    line, the worker takes its task out of the line and runs it next,
//!    keeping the slot, and rings the submitter's doorbell (no system call
//!    if it is still spinning). Otherwise it frees the slot
//!    and looks at the queue; an idle worker yields the core a few times
//!    while it searches, and then parks on its own doorbell (`idle.rs`). It
//!    exits after `expiry` parked (`threads.rs` joins it).
//!
//! A pool's threads are its workers and nothing else: there is no
//! background thread, so an idle pool whose workers have expired holds no
//! thread and costs no CPU.
//!
//! # Example: the tutorial's test, in Rust
//!
//! ```
//! use pool_core::{PoolWithFunc, WaitGroup};
//!
//! let wg = WaitGroup::new();
//! // A pool of 10 workers with one fixed function, as ants.NewPoolWithFunc.
//! let done = wg.clone();
//! let pool = PoolWithFunc::new(10, move |id: usize| {
//!     let _ = id; // exemplo6.ApiWorker(id) would go here
//!     done.done();
//! })
//! .unwrap();
//!
//! // Invoke the pool once per job.
//! for id in 0..1000 {
//!     wg.add(1);
//!     pool.invoke(id).unwrap();
//! }
//!
//! // Wait until every job is done.
//! wg.wait();
//! println!("workers running: {}", pool.running());
//! ```
#![forbid(unsafe_code)]

mod admission;
mod common;
mod default_pool;
mod doorbell;
mod engine;
mod error;
mod idle;
mod idle_wait;
pub mod limits;
mod multi_pool;
mod options;
mod pool;
mod pool_with_func;
mod queue;
mod spin;
mod stats;
mod sync;
mod task;
mod task_group;
mod threads;
mod timing;
mod wait_group;
mod worker;
mod worker_info;

pub use default_pool::{DEFAULT_POOL_CAPACITY, default_pool, submit};
pub use error::{BuildError, JoinError, PanicPayload, PoolError, ReleaseTimeoutError};
pub use limits::{ThreadCeiling, live_threads, thread_ceiling};
pub use multi_pool::{LoadBalancing, MultiPool, MultiPoolWithFunc};
pub use options::{
    BUILDER_DEFAULT_CAPACITY, MAX_QUEUE_SIZE, MIN_STACK_SIZE, PanicHandler, PoolBuilder,
};
pub use pool::Pool;
pub use pool_with_func::PoolWithFunc;
pub use stats::PoolStats;
pub use task::TaskHandle;
pub use task_group::{FuncTaskGroup, TaskGroup};
pub use wait_group::WaitGroup;
pub use worker_info::{PoolId, WorkerInfo, current_worker};
