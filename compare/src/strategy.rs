//! The strategies being compared.
//!
//! Every strategy runs the same jobs (`job.rs`) and reports when each is
//! done. What differs is *who runs them*: a thread per job, a pool (ours, the
//! `threadpool` crate's, rayon's, a hand-rolled one), or tokio tasks, the
//! model Go's goroutines follow.

use std::time::Duration;

use anyhow::anyhow;
use clap::ValueEnum;
use pool_core::{LoadBalancing, MultiPool, Pool, PoolStats, PoolWithFunc, WaitGroup};
use serde::Serialize;

use crate::job::{Job, Ticket};

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
    /// `Pool` of 1000 with a bounded queue: `queue_size(1024)` (beyond ants).
    Pool1000Queue,
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
    /// One tokio task per job on a 2-thread runtime, each awaiting
    /// `Pool::spawn_async` of the blocking job on a pool of 1000: async
    /// callers, a bounded blocking pool.
    TokioPool1000,
}

/// How many jobs a strategy runs at once, and who decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A pool of this many workers by default; `compare sweep` may set it.
    Pool(usize),
    /// pool-core's process-wide default pool: its size is the library's.
    DefaultPool,
    /// No pool: one thread or task per job, at most `--max-in-flight` at once.
    PerJob,
}

/// Everything the runner, the sweep and the charts need to know about a
/// strategy, in one place: adding a [`Strategy`] means adding its `Spec`
/// (the compiler asks for it) and its arm in [`run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// How many jobs run at once.
    pub size: Size,
    /// Its colour in every chart, `(red, green, blue)`: no two strategies
    /// share one. From the Okabe–Ito and Paul Tol palettes, which stay
    /// apart for colour-blind eyes, keeping only the shades that read on
    /// white (no yellow, no pale tints; black is the charts' ideal mark).
    pub rgb: (u8, u8, u8),
}

impl Strategy {
    /// Every strategy, in the table's order (the enum's own order).
    ///
    /// ```
    /// let all = compare::Strategy::all();
    /// assert_eq!(all.first(), Some(&compare::Strategy::ThreadPerJob));
    /// ```
    pub fn all() -> &'static [Strategy] {
        Strategy::value_variants()
    }

    /// What this strategy is: the one place that says so.
    ///
    /// ```
    /// use compare::{Size, Strategy};
    /// assert_eq!(Strategy::Pool1000.spec().size, Size::Pool(1000));
    /// assert_eq!(Strategy::TokioTasks.spec().size, Size::PerJob);
    /// ```
    pub fn spec(self) -> Spec {
        let (size, rgb) = match self {
            Strategy::ThreadPerJob => (Size::PerJob, (213, 94, 0)),
            Strategy::DefaultPool => (Size::DefaultPool, (136, 34, 85)),
            Strategy::Pool10000 => (Size::Pool(10_000), (170, 68, 153)),
            Strategy::Pool1000 => (Size::Pool(1000), (0, 114, 178)),
            Strategy::PoolWithFunc1000 => (Size::Pool(1000), (51, 34, 136)),
            Strategy::Pool1000Prealloc => (Size::Pool(1000), (86, 180, 233)),
            Strategy::Pool1000Queue => (Size::Pool(1000), (68, 170, 153)),
            Strategy::MultiPool => (Size::Pool(1000), (17, 119, 51)),
            Strategy::Threadpool1000 => (Size::Pool(1000), (230, 159, 0)),
            Strategy::Rayon1000 => (Size::Pool(1000), (153, 153, 51)),
            Strategy::Native1000 => (Size::Pool(1000), (204, 121, 167)),
            Strategy::TokioTasks => (Size::PerJob, (0, 158, 115)),
            Strategy::TokioPool1000 => (Size::Pool(1000), (204, 102, 119)),
        };
        Spec { size, rgb }
    }

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

    /// The strategy a result row names, if any.
    ///
    /// ```
    /// use compare::Strategy;
    /// assert_eq!(Strategy::from_name("multi-pool"), Some(Strategy::MultiPool));
    /// assert_eq!(Strategy::from_name("ants"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::all().iter().copied().find(|s| s.name() == name)
    }

    /// Whether a pool size can be set (`compare sweep`): every pool but the
    /// process-wide default one.
    ///
    /// ```
    /// assert!(compare::Strategy::Pool1000.sizable());
    /// assert!(!compare::Strategy::TokioTasks.sizable());
    /// ```
    pub fn sizable(self) -> bool {
        matches!(self.spec().size, Size::Pool(_))
    }

    /// How many jobs it lets run at once, given the bound for the ones with
    /// no pool.
    ///
    /// ```
    /// use compare::Strategy;
    /// assert_eq!(Strategy::Pool1000.capacity(10_000), 1000);
    /// assert_eq!(Strategy::ThreadPerJob.capacity(5000), 5000);
    /// ```
    pub fn capacity(self, max_in_flight: usize) -> usize {
        match self.spec().size {
            Size::Pool(n) => n,
            Size::DefaultPool => {
                pool_core::DEFAULT_POOL_CAPACITY.min(pool_core::thread_ceiling().max_threads)
            }
            Size::PerJob => max_in_flight,
        }
    }

    /// How many jobs it will really hold at once for a run of `jobs`: a
    /// strategy with no pool holds at most one per job.
    ///
    /// ```
    /// use compare::Strategy;
    /// assert_eq!(Strategy::TokioTasks.in_flight(10_000, 300), 300);
    /// assert_eq!(Strategy::Pool1000.in_flight(1000, 300), 1000);
    /// ```
    pub fn in_flight(self, capacity: usize, jobs: u64) -> usize {
        match self.spec().size {
            Size::PerJob => capacity.min(usize::try_from(jobs).unwrap_or(usize::MAX)),
            Size::Pool(_) | Size::DefaultPool => capacity,
        }
    }
}

/// The bounded queue of `pool1000-queue`.
const QUEUE_SIZE: usize = 1024;

/// How long a pool-core pool may take to join its workers after the jobs.
const JOIN_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `jobs` jobs with `strategy`, its pools sized `capacity` (the
/// strategies with no pool hold at most `max_in_flight` jobs at once);
/// returns when every job is done and every thread the strategy started is
/// gone (pools are released and joined). For pool-core's strategies, also
/// the pool's stats, read after the join so its queue-wait and run-time
/// figures are exact (the default pool lives on: its figures may lag by a
/// few tasks per busy worker).
pub fn run(
    strategy: Strategy,
    job: &Job,
    jobs: u64,
    capacity: usize,
    max_in_flight: usize,
    url: Option<&str>,
) -> anyhow::Result<Option<PoolStats>> {
    let wg = WaitGroup::new();
    // The closure each pool runs for one job: the job, then `done`.
    let task = |ticket: Ticket| {
        let (job, wg) = (job.clone(), wg.clone());
        move || {
            job.run(ticket);
            wg.done();
        }
    };
    let stats = match strategy {
        Strategy::ThreadPerJob => {
            thread_per_job(job, jobs, max_in_flight)?;
            None
        }
        Strategy::DefaultPool => {
            for id in 0..jobs {
                wg.add(1);
                pool_core::submit(task(job.ticket(id))).map_err(refused(strategy))?;
            }
            wg.wait();
            Some(pool_core::default_pool().stats())
        }
        Strategy::Pool10000
        | Strategy::Pool1000
        | Strategy::Pool1000Prealloc
        | Strategy::Pool1000Queue => {
            let queue = if strategy == Strategy::Pool1000Queue {
                QUEUE_SIZE
            } else {
                0
            };
            let pool = Pool::builder()
                .capacity(capacity)
                .pre_alloc(strategy == Strategy::Pool1000Prealloc)
                .queue_size(queue)
                .build()?;
            for id in 0..jobs {
                wg.add(1);
                pool.submit(task(job.ticket(id)))
                    .map_err(refused(strategy))?;
            }
            wg.wait();
            pool.release_timeout(JOIN_TIMEOUT)?;
            Some(pool.stats())
        }
        Strategy::PoolWithFunc1000 => {
            let (j, w) = (job.clone(), wg.clone());
            let pool = PoolWithFunc::new(capacity, move |ticket: Ticket| {
                j.run(ticket);
                w.done();
            })?;
            for id in 0..jobs {
                wg.add(1);
                pool.invoke(job.ticket(id)).map_err(refused(strategy))?;
            }
            wg.wait();
            pool.release_timeout(JOIN_TIMEOUT)?;
            Some(pool.stats())
        }
        Strategy::MultiPool => {
            let each = capacity.div_ceil(4).max(1);
            let pools = MultiPool::new(4, each, LoadBalancing::RoundRobin)?;
            for id in 0..jobs {
                wg.add(1);
                pools
                    .submit(task(job.ticket(id)))
                    .map_err(refused(strategy))?;
            }
            wg.wait();
            pools.release_timeout(JOIN_TIMEOUT)?;
            Some(pools.stats())
        }
        Strategy::Threadpool1000 => {
            let pool = threadpool::ThreadPool::new(capacity);
            for id in 0..jobs {
                let (job, ticket) = (job.clone(), job.ticket(id));
                pool.execute(move || job.run(ticket));
            }
            pool.join();
            None
        }
        Strategy::Rayon1000 => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(capacity)
                // Without a handler a panic in spawn aborts the process.
                .panic_handler(|_| log::error!("a rayon job panicked"))
                .build()?;
            for id in 0..jobs {
                wg.add(1);
                pool.spawn(task(job.ticket(id)));
            }
            wg.wait();
            None
        }
        Strategy::Native1000 => {
            hand_rolled(job, jobs, capacity)?;
            None
        }
        Strategy::TokioTasks => {
            crate::tokio_tasks::run(job, jobs, max_in_flight, url)?;
            None
        }
        Strategy::TokioPool1000 => {
            let pool = Pool::new(capacity)?;
            crate::tokio_tasks::through_pool(job, jobs, &pool)?;
            pool.release_timeout(JOIN_TIMEOUT)?;
            Some(pool.stats())
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
        let (thread_job, ticket) = (job.clone(), job.ticket(id));
        let spawned = std::thread::Builder::new()
            .name("per-job".into())
            .spawn(move || thread_job.run(ticket));
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

/// The hand-rolled pool: `workers` std threads take tickets from one bounded
/// crossbeam channel until it closes; the scope joins them all.
fn hand_rolled(job: &Job, jobs: u64, workers: usize) -> anyhow::Result<()> {
    let (tickets, taken) = crossbeam_channel::bounded::<Ticket>(workers);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let taken = taken.clone();
            std::thread::Builder::new()
                .name("hand-rolled".into())
                .spawn_scoped(s, move || {
                    for ticket in taken {
                        job.run(ticket);
                    }
                })?;
        }
        drop(taken);
        for id in 0..jobs {
            tickets.send(job.ticket(id))?;
        }
        drop(tickets);
        Ok(())
    })
}

/// A refused job as an error (the job itself is dropped: the run stops).
fn refused<T>(strategy: Strategy) -> impl Fn(pool_core::PoolError<T>) -> anyhow::Error {
    move |e| anyhow!("{}: {e}", strategy.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant has a spec (the `match` in `spec` has no wildcard, so
    /// one without does not compile), and what the runner derives from it
    /// agrees: its name parses back, a sizable strategy has a pool size, and
    /// every capacity is at least 1.
    #[test]
    fn every_strategy_has_a_spec_the_runner_can_use() {
        assert!(!Strategy::all().is_empty());
        for &s in Strategy::all() {
            assert_eq!(Strategy::from_name(&s.name()), Some(s));
            assert_eq!(s.sizable(), matches!(s.spec().size, Size::Pool(_)));
            assert!(s.capacity(7) >= 1, "{}", s.name());
            let rgb = s.spec().rgb;
            assert!(
                Strategy::all()
                    .iter()
                    .filter(|o| o.spec().rgb == rgb)
                    .count()
                    == 1,
                "{} shares its colour",
                s.name()
            );
            if s.spec().size == Size::PerJob {
                assert_eq!(
                    s.capacity(7),
                    7,
                    "{} is bounded by --max-in-flight",
                    s.name()
                );
            }
        }
    }
}
