//! exemplo6: one fixed function, jobs are arguments (ants `NewPoolWithFunc` + `Invoke`).
//!
//! The tutorial's `exemplo6.ApiWorker(id)` calls the slow API for one id.
//! Because every job runs the *same* function and only the id changes, the
//! pool is a [`PoolWithFunc<u64>`](pool_core::PoolWithFunc): the function is
//! given once, and each `invoke(id)` hands over just a number. No closure is
//! boxed per job; compare `exemplo7`, where each job is a closure.
//!
//! [`run`] is the tutorial's `TestPoolWithFuncWaitToGet`, line for line, with
//! the Go comments translated in the same places:
//!
//! | Go | Rust |
//! |---|---|
//! | `var wg sync.WaitGroup` | `let wg = WaitGroup::new();` |
//! | `p, _ := ants.NewPoolWithFunc(poolSize, func(i interface{}) {...})` | `let pool = PoolWithFunc::new(pool_size, move \|id: u64\| {...})?;` |
//! | `defer p.Release()` | nothing: dropping `pool` releases it and joins its threads |
//! | `wg.Add(1); _ = p.Invoke(i)` | `wg.add(1); pool.invoke(id)` |
//! | `wg.Wait()` | `wg.wait();` |
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! // A local API that answers in 1 ms, and 20 calls through a pool of 5.
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! let client = ApiClient::new(server.url(), 5).unwrap();
//! let outcome = exemplo6::run(&client, "two", 20, 5).unwrap();
//! assert_eq!(outcome.failures.count(), 0);
//! assert_eq!(server.served(), 20);
//! ```
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use harness::{Failures, Outcome};
use pool_core::{BuildError, PoolWithFunc, WaitGroup};
use slow_api::{ApiClient, CallError};

/// The tutorial's `ApiWorker(id)`: GET `/{route}/{id}`, timed, its body
/// checked. Logs "worker {id} begin" and "elapsed {ms} worker {id} finished"
/// at debug level (`RUST_LOG=debug`).
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
/// exemplo6::api_worker(&client, "two", 3).unwrap();
/// ```
pub fn api_worker(client: &ApiClient, route: &str, id: u64) -> Result<(), CallError> {
    log::debug!("worker {id} begin");
    let start = Instant::now();
    client.call(route, id)?;
    log::debug!(
        "elapsed {} worker {id} finished",
        start.elapsed().as_millis()
    );
    Ok(())
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
    let start = Instant::now();
    // Create the WaitGroup.
    let wg = WaitGroup::new();
    let failures = Arc::new(Failures::default());

    // Create a pool of `pool_size` threads with one fixed function.
    let pool = PoolWithFunc::new(pool_size, {
        let (client, route) = (client.clone(), route.to_owned());
        let (wg, failures) = (wg.clone(), failures.clone());
        move |id: u64| {
            if let Err(e) = api_worker(&client, &route, id) {
                failures.record(e);
            }
            // After the call, mark the job done: the thread is free again.
            wg.done();
        }
    })?;
    // No `defer p.Release()`: dropping `pool` at the end releases it and
    // joins its threads.

    for id in 0..jobs {
        // Add the job to the WaitGroup.
        wg.add(1);
        // Invoke the pool with the job's id.
        pool.invoke(id)
            .expect("an open blocking pool accepts every job");
    }

    // Wait until every job is done.
    wg.wait();
    Ok(Outcome::finished(start, pool.running(), failures))
}
