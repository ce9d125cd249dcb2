//! The strategies being compared, and the jobs they run.
//!
//! Every strategy runs the same `jobs` jobs of one [`Workload`] and reports
//! when each is done. What differs is *who runs them*: a thread per job, a
//! pool (ours, the `threadpool` crate's, rayon's, a hand-rolled one), or
//! tokio tasks, the model Go's goroutines follow.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use anyhow::anyhow;
use clap::ValueEnum;
use harness::Failures;
use pool_core::{LoadBalancing, MultiPool, Pool, PoolStats, PoolWithFunc, WaitGroup};
use serde::Serialize;
use slow_api::ApiClient;

/// Who runs the jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// A new OS thread per job ("no pool"), live threads bounded.
    ThreadPerJob,
    /// pool-core's process-wide default pool (`pool_core::submit`).
    DefaultPool,
    /// `Pool::new(10_000)` + submit.
    Pool10000,
    /// `Pool::new(1000)` + submit.
    Pool1000,
    /// `PoolWithFunc::new(1000, f)` + invoke.
    PoolWithFunc1000,
    /// `Pool` of 1000 with `pre_alloc(true)`.
    Pool1000Prealloc,
    /// `MultiPool` of 4 pools of 250, round robin.
    MultiPool,
    /// The `threadpool` crate, 1000 threads.
    Threadpool1000,
    /// rayon's `ThreadPool::spawn`, 1000 threads.
    Rayon1000,
    /// Hand-rolled: 1000 std threads over one crossbeam channel, joined
    /// (what native-workers teaches, with no library).
    Native1000,
    /// One tokio task per job on a 2-thread runtime, async HTTP.
    TokioTasks,
}

impl Strategy {
    /// Every strategy, in the table's order.
    pub const ALL: [Strategy; 11] = [
        Strategy::ThreadPerJob,
        Strategy::DefaultPool,
        Strategy::Pool10000,
        Strategy::Pool1000,
        Strategy::PoolWithFunc1000,
        Strategy::Pool1000Prealloc,
        Strategy::MultiPool,
        Strategy::Threadpool1000,
        Strategy::Rayon1000,
        Strategy::Native1000,
        Strategy::TokioTasks,
    ];

    /// The name used on the command line and in the results.
    ///
    /// ```
    /// assert_eq!(compare::Strategy::Pool1000.name(), "pool1000");
    /// ```
    pub fn name(self) -> String {
        self.to_possible_value()
            .expect("every strategy has a name")
            .get_name()
            .to_owned()
    }

    /// How many jobs it lets run at once, given the bound for the unbounded ones.
    ///
    /// ```
    /// use compare::Strategy;
    /// assert_eq!(Strategy::Pool1000.capacity(10_000), 1000);
    /// assert_eq!(Strategy::ThreadPerJob.capacity(5000), 5000);
    /// ```
    pub fn capacity(self, max_in_flight: usize) -> usize {
        match self {
            Strategy::ThreadPerJob | Strategy::TokioTasks => max_in_flight,
            Strategy::DefaultPool => {
                pool_core::DEFAULT_POOL_CAPACITY.min(pool_core::thread_ceiling().max_threads)
            }
            Strategy::Pool10000 => 10_000,
            _ => 1000,
        }
    }
}

/// What each job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// GET /two/{id} on the slow API (100 ms).
    Http,
    /// Sleep in the job (default 10 ms), the job ants' own benchmark uses.
    Sleep,
    /// Nothing: the strategy's own overhead.
    Noop,
}

/// Everything a job needs, shared by all jobs of a run.
#[derive(Clone)]
pub struct Job {
    workload: Workload,
    sleep: Duration,
    client: Option<ApiClient>,
    call_timeout: Duration,
    failures: Arc<Failures>,
    done: Arc<AtomicU64>,
}

impl Job {
    /// A job of `workload`; `client` is needed for `Http`, and
    /// `call_timeout` bounds each HTTP call (the tokio strategy's too).
    pub fn new(
        workload: Workload,
        sleep: Duration,
        client: Option<ApiClient>,
        call_timeout: Duration,
    ) -> Job {
        Job {
            workload,
            sleep,
            client,
            call_timeout,
            failures: Arc::new(Failures::default()),
            done: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Runs job `id` (blocking), counting it done and recording a failure.
    pub fn run(&self, id: u64) {
        match self.workload {
            Workload::Noop => {}
            Workload::Sleep => std::thread::sleep(self.sleep),
            Workload::Http => {
                let client = self.client.as_ref().expect("http jobs have a client");
                if let Err(e) = client.call("two", id) {
                    self.failures.record(e);
                }
            }
        }
        self.done.fetch_add(1, Relaxed);
    }

    /// The workload.
    pub fn workload(&self) -> Workload {
        self.workload
    }

    /// The sleep of the `Sleep` workload.
    pub fn sleep(&self) -> Duration {
        self.sleep
    }

    /// The limit on each HTTP call.
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// Counts a job done that ran outside [`Job::run`] (the tokio tasks).
    pub fn mark_done(&self) {
        self.done.fetch_add(1, Relaxed);
    }

    /// Jobs done so far.
    pub fn done(&self) -> u64 {
        self.done.load(Relaxed)
    }

    /// The failures so far.
    pub fn failures(&self) -> &Failures {
        &self.failures
    }
}

/// How long a pool-core pool may take to join its workers after the jobs.
const JOIN_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `jobs` jobs with `strategy`; returns when every job is done and every
/// thread the strategy started is gone (pools are released and joined).
/// For pool-core's strategies, also the pool's stats, read after the join so
/// its queue-wait and run-time figures are exact (the default pool lives on:
/// its figures may lag by a few tasks per busy worker).
pub fn run(
    strategy: Strategy,
    job: &Job,
    jobs: u64,
    max_in_flight: usize,
    url: Option<&str>,
) -> anyhow::Result<Option<PoolStats>> {
    let wg = WaitGroup::new();
    let stats = match strategy {
        Strategy::ThreadPerJob => {
            thread_per_job(job, jobs, max_in_flight)?;
            None
        }
        Strategy::DefaultPool => {
            for id in 0..jobs {
                wg.add(1);
                let (job, wg) = (job.clone(), wg.clone());
                pool_core::submit(move || {
                    job.run(id);
                    wg.done();
                })
                .map_err(refused(strategy))?;
            }
            wg.wait();
            Some(pool_core::default_pool().stats())
        }
        Strategy::Pool10000 | Strategy::Pool1000 | Strategy::Pool1000Prealloc => {
            let pool = Pool::builder()
                .capacity(strategy.capacity(max_in_flight))
                .pre_alloc(strategy == Strategy::Pool1000Prealloc)
                .build()?;
            for id in 0..jobs {
                wg.add(1);
                let (job, wg) = (job.clone(), wg.clone());
                pool.submit(move || {
                    job.run(id);
                    wg.done();
                })
                .map_err(refused(strategy))?;
            }
            wg.wait();
            pool.release_timeout(JOIN_TIMEOUT)?;
            Some(pool.stats())
        }
        Strategy::PoolWithFunc1000 => {
            let (j, w) = (job.clone(), wg.clone());
            let pool = PoolWithFunc::new(1000, move |id: u64| {
                j.run(id);
                w.done();
            })?;
            for id in 0..jobs {
                wg.add(1);
                pool.invoke(id).map_err(refused(strategy))?;
            }
            wg.wait();
            pool.release_timeout(JOIN_TIMEOUT)?;
            Some(pool.stats())
        }
        Strategy::MultiPool => {
            let pools = MultiPool::new(4, 250, LoadBalancing::RoundRobin)?;
            for id in 0..jobs {
                wg.add(1);
                let (job, wg) = (job.clone(), wg.clone());
                pools
                    .submit(move || {
                        job.run(id);
                        wg.done();
                    })
                    .map_err(refused(strategy))?;
            }
            wg.wait();
            pools.release_timeout(JOIN_TIMEOUT)?;
            Some(pools.stats())
        }
        Strategy::Threadpool1000 => {
            let pool = threadpool::ThreadPool::new(1000);
            for id in 0..jobs {
                let job = job.clone();
                pool.execute(move || job.run(id));
            }
            pool.join();
            None
        }
        Strategy::Rayon1000 => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1000)
                // Without a handler a panic in spawn aborts the process.
                .panic_handler(|_| log::error!("a rayon job panicked"))
                .build()?;
            for id in 0..jobs {
                wg.add(1);
                let (job, wg) = (job.clone(), wg.clone());
                pool.spawn(move || {
                    job.run(id);
                    wg.done();
                });
            }
            wg.wait();
            None
        }
        Strategy::Native1000 => {
            hand_rolled(job, jobs, 1000)?;
            None
        }
        Strategy::TokioTasks => {
            crate::tokio_tasks::run(job, jobs, max_in_flight, url)?;
            None
        }
    };
    Ok(stats)
}

/// A thread per job, at most `max_live` started and not yet joined; every
/// one joined.
///
/// The bound counts *unjoined* threads, not running ones: a thread that has
/// finished keeps its stack (and its memory maps) until it is joined, and
/// with 10,000 finished-but-unjoined threads on top of 10,000 running ones
/// this process ran out of memory maps and glibc aborted it.
fn thread_per_job(job: &Job, jobs: u64, max_live: usize) -> anyhow::Result<()> {
    let mut unjoined = std::collections::VecDeque::with_capacity(max_live);
    for id in 0..jobs {
        // At the bound, join the oldest thread first (the likeliest to be done).
        if unjoined.len() >= max_live {
            if let Some(oldest) = unjoined.pop_front() {
                let _ = std::thread::JoinHandle::join(oldest);
            }
        }
        let thread_job = job.clone();
        let spawned = std::thread::Builder::new()
            .name("per-job".into())
            .spawn(move || thread_job.run(id));
        match spawned {
            Ok(h) => unjoined.push_back(h),
            Err(e) => job
                .failures()
                .record(format!("job {id}: the OS refused a thread: {e}")),
        }
    }
    for h in unjoined {
        let _ = h.join();
    }
    Ok(())
}

/// The hand-rolled pool: `workers` std threads take ids from one bounded
/// crossbeam channel until it closes; the scope joins them all.
fn hand_rolled(job: &Job, jobs: u64, workers: usize) -> anyhow::Result<()> {
    let (ids, taken) = crossbeam_channel::bounded::<u64>(workers);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let taken = taken.clone();
            std::thread::Builder::new()
                .name("hand-rolled".into())
                .spawn_scoped(s, move || {
                    for id in taken {
                        job.run(id);
                    }
                })?;
        }
        drop(taken);
        for id in 0..jobs {
            ids.send(id)?;
        }
        drop(ids);
        Ok(())
    })
}

/// A refused job as an error (the job itself is dropped: the run stops).
fn refused<T>(strategy: Strategy) -> impl Fn(pool_core::PoolError<T>) -> anyhow::Error {
    move |e| anyhow!("{}: {e}", strategy.name())
}
