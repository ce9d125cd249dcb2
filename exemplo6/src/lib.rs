//! exemplo6: one fixed function, jobs are arguments (ants `NewPoolWithFunc` + `Invoke`).
//!
//! The tutorial's `exemplo6.ApiWorker(id)` calls the slow API for one id.
//! Because every job runs the *same* function and only the id changes, the
//! pool is a [`PoolWithFunc<u64>`](pool_core::PoolWithFunc): the function is
//! given once, and each `invoke(id)` hands over just a number. No closure is
//! boxed per job; compare `exemplo7`, where each job is a closure.
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! // A local API that answers in 1 ms, and 20 calls through a pool of 5.
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! let client = ApiClient::new(server.url(), 5).unwrap();
//! let outcome = exemplo6::run(&client, "two", 20, 5).unwrap();
//! assert_eq!(outcome.succeeded, 20);
//! assert_eq!(server.served(), 20);
//! ```
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use pool_core::{BuildError, PoolWithFunc, WaitGroup};
use slow_api::{ApiClient, CallError, Failures};

/// The tutorial's `ApiWorker(id)`: GET `/{route}/{id}`, timed, body read, and
/// checked. Logs "worker {id} begin" and "elapsed {ms} worker {id} finished"
/// at debug level (`RUST_LOG=debug`).
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
/// assert_eq!(exemplo6::api_worker(&client, "two", 3).unwrap(), "\"done 3\"");
/// ```
pub fn api_worker(client: &ApiClient, route: &str, id: u64) -> Result<String, CallError> {
    log::debug!("worker {id} begin");
    let start = Instant::now();
    let body = client.get(route, id)?;
    log::debug!(
        "elapsed {} worker {id} finished",
        start.elapsed().as_millis()
    );
    if body != format!("\"done {id}\"") {
        return Err(CallError {
            url: format!("{}/{route}/{id}", client.base()),
            reason: format!("unexpected body {body:?}"),
        });
    }
    Ok(body)
}

/// What a run of [`run`] did.
#[derive(Debug)]
pub struct Outcome {
    /// Calls that answered with the right body.
    pub succeeded: u64,
    /// Ids whose call ran more than once (always 0 unless the pool is broken).
    pub ran_twice: u64,
    /// Failed calls, with the first error.
    pub failures: Failures,
    /// From the first invoke to the last call done.
    pub elapsed: Duration,
    /// Worker threads alive at the end (ants' `Running()`).
    pub workers_running: usize,
}

/// Makes `jobs` calls through a `PoolWithFunc` of `pool_size` workers: the
/// tutorial's `TestPoolWithFuncWaitToGet`.
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// # let client = slow_api::ApiClient::new(server.url(), 2).unwrap();
/// let outcome = exemplo6::run(&client, "two", 4, 2).unwrap();
/// assert_eq!(outcome.failures.count(), 0);
/// ```
pub fn run(
    client: &ApiClient,
    route: &str,
    jobs: u64,
    pool_size: usize,
) -> Result<Outcome, BuildError> {
    let wg = WaitGroup::new();
    let failures = Arc::new(Failures::default());
    let succeeded = Arc::new(AtomicU64::new(0));
    let times_run: Arc<Vec<AtomicU8>> = Arc::new((0..jobs).map(|_| AtomicU8::new(0)).collect());

    // Create a pool of `pool_size` workers with one fixed function (ants.NewPoolWithFunc).
    let pool = {
        let (client, route) = (client.clone(), route.to_owned());
        let (wg, failures, succeeded, times_run) = (
            wg.clone(),
            failures.clone(),
            succeeded.clone(),
            times_run.clone(),
        );
        PoolWithFunc::new(pool_size, move |id: u64| {
            match api_worker(&client, &route, id) {
                Ok(_) => {
                    succeeded.fetch_add(1, Relaxed);
                }
                // A failed call is counted, never fatal: the others go on.
                Err(e) => failures.record(e.to_string()),
            }
            times_run[id as usize].fetch_add(1, Relaxed);
            // After the call, mark the job done.
            wg.done();
        })?
    };

    // Invoke the pool once per job (ants' p.Invoke(i)).
    let start = Instant::now();
    for id in 0..jobs {
        wg.add(1);
        pool.invoke(id)
            .expect("a blocking pool that is open accepts every job");
    }

    // Wait until every job is done.
    wg.wait();
    let elapsed = start.elapsed();
    let workers_running = pool.running();
    drop(pool);

    let ran_twice = times_run.iter().filter(|n| n.load(Relaxed) > 1).count() as u64;
    let failures = Arc::try_unwrap(failures).unwrap_or_default();
    Ok(Outcome {
        succeeded: succeeded.load(Relaxed),
        ran_twice,
        failures,
        elapsed,
        workers_running,
    })
}
