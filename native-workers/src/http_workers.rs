//! Stage 3, the tutorial's exemplo4: N workers calling the slow API, with
//! jobs/results channels and a `WaitGroup`.
//!
//! This is the hand-rolled pool the tutorial compared with ants. Compare the
//! job function with exemplo6's:
//!
//! ```text
//! exemplo6 (with a pool):    fn api_worker(client, route, id) -> Result<String, CallError>
//! here (hand-rolled):        fn worker(n, client, route, jobs: Receiver<u64>,
//!                                      results: Sender<JobResult>, wg: WaitGroup)
//! ```
//!
//! The pool library let the job stay a plain function of its input. By hand,
//! the job function had to change: it owns the loop over the jobs channel,
//! sends its outcome to the results channel, and signals the WaitGroup. That
//! is the tutorial's conclusion, in code.
//!
//! [`run_jobs`] is the same machinery with any job function, so the
//! comparison crate can time it beside pool-core, threadpool and rayon.
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! let client = ApiClient::new(server.url(), 4).unwrap();
//! let summary = native_workers::http_workers::run(&client, "two", 4, 20);
//! assert_eq!(summary.succeeded, 20);
//! ```

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use pool_core::WaitGroup;
use slow_api::{ApiClient, Failures};

/// What one job sends back on the results channel.
#[derive(Debug)]
pub struct JobResult {
    /// The job's id.
    pub id: u64,
    /// The worker that ran it.
    pub worker: usize,
    /// The body, or the error.
    pub outcome: Result<String, String>,
}

/// The tutorial's exemplo4 worker: note everything it must know besides the id.
fn worker(
    n: usize,
    client: &ApiClient,
    route: &str,
    jobs: Receiver<u64>,
    results: Sender<JobResult>,
    wg: WaitGroup,
) {
    for id in jobs {
        let started = Instant::now();
        let outcome = client.get(route, id).map_err(|e| e.to_string());
        log::debug!(
            "worker {n} finished job {id} in {} ms",
            started.elapsed().as_millis()
        );
        let _ = results.send(JobResult {
            id,
            worker: n,
            outcome,
        });
        wg.done();
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Jobs that succeeded.
    pub succeeded: u64,
    /// Failed jobs, with the first error.
    pub failures: Failures,
    /// From the first job sent to the last one done.
    pub elapsed: Duration,
}

/// Makes `jobs` calls to `/{route}/{id}` with `workers` hand-rolled workers.
/// Every worker thread is joined before it returns.
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// # let client = slow_api::ApiClient::new(server.url(), 2).unwrap();
/// let summary = native_workers::http_workers::run(&client, "two", 2, 5);
/// assert_eq!(summary.failures.count(), 0);
/// ```
pub fn run(client: &ApiClient, route: &str, workers: usize, jobs: u64) -> Summary {
    let (job_tx, job_rx) = bounded::<u64>(workers.max(1));
    let (result_tx, result_rx) = unbounded::<JobResult>();
    let wg = WaitGroup::new();

    // Start the workers: each gets the channels and the WaitGroup.
    let handles: Vec<_> = (1..=workers.max(1))
        .map(|n| {
            let (client, route) = (client.clone(), route.to_owned());
            let (jobs, results, wg) = (job_rx.clone(), result_tx.clone(), wg.clone());
            thread::spawn(move || worker(n, &client, &route, jobs, results, wg))
        })
        .collect();
    drop(result_tx);

    // Send the jobs (wg.Add(1) each), then close the jobs channel.
    let start = Instant::now();
    for id in 0..jobs {
        wg.add(1);
        job_tx.send(id).expect("workers are alive");
    }
    drop(job_tx);

    // Wait until every job is done, then read the results.
    wg.wait();
    let elapsed = start.elapsed();
    let mut summary = Summary {
        elapsed,
        ..Summary::default()
    };
    for result in result_rx.iter() {
        match result.outcome {
            Ok(_) => summary.succeeded += 1,
            Err(e) => summary.failures.record(e),
        }
    }
    for h in handles {
        h.join().expect("a worker panicked");
    }
    summary
}

/// The same hand-rolled pool with any job: `workers` threads take ids
/// `0..jobs` from a channel and run `job(id)`; a failure is counted. Every
/// thread is joined before it returns.
///
/// ```
/// let summary = native_workers::http_workers::run_jobs(3, 100, |id| {
///     if id % 10 == 0 { Err(format!("job {id} failed")) } else { Ok(()) }
/// });
/// assert_eq!(summary.succeeded, 90);
/// assert_eq!(summary.failures.count(), 10);
/// ```
pub fn run_jobs<F>(workers: usize, jobs: u64, job: F) -> Summary
where
    F: Fn(u64) -> Result<(), String> + Send + Sync + 'static,
{
    let job = Arc::new(job);
    let failures = Arc::new(Failures::default());
    let succeeded = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (job_tx, job_rx) = bounded::<u64>(workers.max(1));
    let wg = WaitGroup::new();
    let handles: Vec<_> = (0..workers.max(1))
        .map(|_| {
            let (jobs, wg, job) = (job_rx.clone(), wg.clone(), job.clone());
            let (failures, succeeded) = (failures.clone(), succeeded.clone());
            thread::spawn(move || {
                for id in jobs {
                    match job(id) {
                        Ok(()) => {
                            succeeded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(e) => failures.record(e),
                    }
                    wg.done();
                }
            })
        })
        .collect();
    let start = Instant::now();
    for id in 0..jobs {
        wg.add(1);
        job_tx.send(id).expect("workers are alive");
    }
    drop(job_tx);
    wg.wait();
    let elapsed = start.elapsed();
    for h in handles {
        h.join().expect("a worker panicked");
    }
    Summary {
        succeeded: succeeded.load(std::sync::atomic::Ordering::Relaxed),
        failures: Arc::try_unwrap(failures).unwrap_or_default(),
        elapsed,
    }
}
