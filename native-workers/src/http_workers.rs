//! Stage 3, the tutorial's exemplo4: N workers calling the slow API, with a
//! jobs channel and a results channel.
//!
//! This is the hand-rolled pool the tutorial compared with ants. Compare the
//! job function with exemplo6's:
//!
//! ```text
//! exemplo6 (with a pool):    fn api_worker(client, route, id) -> Result<(), CallError>
//! here (hand-rolled):        fn worker(n, client, route, jobs: Receiver<u64>,
//!                                      results: Sender<JobResult>)
//! ```
//!
//! The pool library let the job stay a plain function of its input. By hand,
//! the job function had to change: it owns the loop over the jobs channel
//! and sends its outcome to the results channel. That is the tutorial's
//! conclusion, in code.
//!
//! # Where Go's WaitGroup went
//!
//! exemplo4 needed a `sync.WaitGroup` to know when every worker was done, so
//! that it could `close(results)` and end the loop reading them. In Rust the
//! results channel closes by itself when the last worker drops its sender,
//! and `std::thread::scope` joins every worker before it returns: the
//! ownership rules do the WaitGroup's job, and prove more (the threads are
//! gone, not only done).
//!
//! Both channels are bounded, and the results are counted as they come: a
//! run of any length holds a few dozen jobs in memory, not one per job.
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! let client = ApiClient::new(server.url(), 4).unwrap();
//! let outcome = native_workers::http_workers::run(&client, "two", 4, 20);
//! assert_eq!(outcome.failures.count(), 0);
//! assert_eq!(server.served(), 20);
//! ```

use std::sync::Arc;
use std::thread;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, bounded};
use harness::{Failures, Outcome};
use slow_api::{ApiClient, CallError};

/// What one job sends back on the results channel.
#[derive(Debug)]
pub struct JobResult {
    /// The job's id.
    pub id: u64,
    /// The worker that ran it.
    pub worker: usize,
    /// The call's outcome.
    pub outcome: Result<(), CallError>,
}

/// The tutorial's exemplo4 worker: note everything it must know besides the id.
fn worker(
    n: usize,
    client: &ApiClient,
    route: &str,
    jobs: Receiver<u64>,
    results: Sender<JobResult>,
) {
    // Runs until the jobs channel is closed and drained.
    for id in jobs {
        let started = Instant::now();
        let outcome = client.call(route, id);
        log::debug!(
            "worker {n} finished job {id} in {} ms",
            started.elapsed().as_millis()
        );
        let result = JobResult {
            id,
            worker: n,
            outcome,
        };
        if results.send(result).is_err() {
            return;
        }
    }
}

/// Makes `jobs` calls to `/{route}/{id}` with `workers` hand-rolled workers.
/// Every worker thread is joined before it returns.
///
/// # Panics
///
/// If `workers` is zero: nobody would ever take a job.
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// # let client = slow_api::ApiClient::new(server.url(), 2).unwrap();
/// let outcome = native_workers::http_workers::run(&client, "two", 2, 5);
/// assert_eq!(outcome.failures.count(), 0);
/// // Every worker has been joined: none is running.
/// assert_eq!(outcome.workers_running, 0);
/// ```
pub fn run(client: &ApiClient, route: &str, workers: usize, jobs: u64) -> Outcome {
    assert!(workers > 0, "stage 3 needs at least one worker");
    let start = Instant::now();
    let failures = Arc::new(Failures::default());
    // Create the channels: jobs in, results out.
    let (job_tx, job_rx) = bounded::<u64>(workers);
    let (result_tx, result_rx) = bounded::<JobResult>(workers);

    thread::scope(|s| {
        // Start the workers: each gets both channels.
        for n in 1..=workers {
            let (jobs, results) = (job_rx.clone(), result_tx.clone());
            s.spawn(move || worker(n, client, route, jobs, results));
        }
        drop(result_tx);

        // Send the jobs from a thread of their own, then close the jobs
        // channel (dropping its sender), so the results can be read as they come.
        s.spawn(move || {
            for id in 0..jobs {
                job_tx
                    .send(id)
                    .expect("the workers outlive the jobs channel");
            }
        });

        // Read every result: the channel closes when the last worker returns.
        for result in result_rx {
            if let Err(e) = result.outcome {
                failures.record(e);
            }
        }
    });
    // The scope has joined every thread it started: none is running.
    Outcome::finished(start, 0, failures)
}
