//! exemplo7: jobs are closures (ants `NewPool` + `Submit`).
//!
//! The tutorial's `exemplo7.ApiWorker()` takes no argument: it numbers its
//! call from a package-level counter, and each job is a closure handed to
//! `p.Submit(func() { ... })`. Here the pool is a [`Pool`]
//! and each `submit` boxes one closure.
//!
//! # The data race Rust refused
//!
//! The Go original did this from every goroutine at once:
//!
//! ```go
//! var id int
//! func ApiWorker() { id++; callAPI(id) }   // a data race: go test -race flags it
//! ```
//!
//! The same in Rust does not compile. A plain counter captured by many
//! closures is a mutable borrow shared across threads:
//!
//! ```compile_fail
//! let pool = pool_core::Pool::new(4).unwrap();
//! let mut id = 0u64;
//! for _ in 0..10 {
//!     // error[E0373]/[E0499]: the closure borrows `id` mutably, may outlive
//!     // it, and ten closures would hold that one mutable borrow at once.
//!     pool.submit(|| { id += 1; }).unwrap();
//! }
//! ```
//!
//! and a `static mut` needs `unsafe`, which every crate here forbids. So the
//! counter is an [`AtomicU64`]: each call gets a distinct number, with no lock.
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! let client = ApiClient::new(server.url(), 4).unwrap();
//! let outcome = exemplo7::run(&client, "two", 20, 4, exemplo7::Submits::One, false).unwrap();
//! assert_eq!(outcome.succeeded, 20);
//! assert_eq!(outcome.distinct_ids, 20);
//! ```
#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pool_core::{BuildError, Pool, WaitGroup};
use slow_api::{ApiClient, CallError, Failures};

/// The package-level counter of the Go original, made safe.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// The tutorial's `ApiWorker()`: takes the next number from the shared
/// counter, then calls `/{route}/{number}` like exemplo6's worker. Returns
/// the number it used and the body.
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
/// let (a, _) = exemplo7::api_worker(&client, "two").unwrap();
/// let (b, _) = exemplo7::api_worker(&client, "two").unwrap();
/// assert_ne!(a, b);
/// ```
pub fn api_worker(client: &ApiClient, route: &str) -> Result<(u64, String), CallError> {
    // Go: id++ (a data race). Rust: one atomic read-modify-write.
    let id = NEXT_ID.fetch_add(1, Relaxed) + 1;
    exemplo6::api_worker(client, route, id).map(|body| (id, body))
}

/// One job per loop turn, or two as the tutorial's
/// `TestPoolWaitToGetWorkerWith2Submits` did (an exemplo7 call and an
/// exemplo6 call with the loop index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submits {
    /// `submit(api_worker)` per turn.
    One,
    /// `submit(exemplo7 worker)` and `submit(exemplo6 worker(i))` per turn.
    Two,
}

/// What a run of [`run`] did.
#[derive(Debug)]
pub struct Outcome {
    /// Calls that answered with the right body.
    pub succeeded: u64,
    /// Distinct numbers the exemplo7 calls used (equals their count: no two
    /// calls got the same number, as they could with Go's racy `id++`).
    pub distinct_ids: u64,
    /// Failed calls, with the first error.
    pub failures: Failures,
    /// From the first submit to the last call done.
    pub elapsed: Duration,
    /// Worker threads alive at the end.
    pub workers_running: usize,
}

/// Makes `jobs` calls through `Pool::new(pool_size)` + `submit`: the
/// tutorial's `TestPoolWaitToGetWorker` (and, with [`Submits::Two`],
/// `...With2Submits`; with `pre_alloc`, `...PreMalloc`).
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// # let client = slow_api::ApiClient::new(server.url(), 2).unwrap();
/// let outcome = exemplo7::run(&client, "two", 6, 2, exemplo7::Submits::Two, true).unwrap();
/// assert_eq!(outcome.succeeded, 6);
/// ```
pub fn run(
    client: &ApiClient,
    route: &str,
    jobs: u64,
    pool_size: usize,
    submits: Submits,
    pre_alloc: bool,
) -> Result<Outcome, BuildError> {
    let wg = WaitGroup::new();
    let failures = Arc::new(Failures::default());
    let succeeded = Arc::new(AtomicU64::new(0));
    let ids = Arc::new(Mutex::new(HashSet::new()));

    // Create a pool of `pool_size` workers (ants.NewPool, optionally WithPreAlloc).
    let pool = Pool::builder()
        .capacity(pool_size)
        .pre_alloc(pre_alloc)
        .build()?;

    // One job: the closure each submit hands to the pool.
    let exemplo7_job = || {
        let (client, route, wg) = (client.clone(), route.to_owned(), wg.clone());
        let (failures, succeeded, ids) = (failures.clone(), succeeded.clone(), ids.clone());
        move || {
            match api_worker(&client, &route) {
                Ok((id, _)) => {
                    succeeded.fetch_add(1, Relaxed);
                    ids.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
                }
                Err(e) => failures.record(e.to_string()),
            }
            // After the call, mark the job done.
            wg.done();
        }
    };
    let exemplo6_job = |i: u64| {
        let (client, route, wg) = (client.clone(), route.to_owned(), wg.clone());
        let (failures, succeeded) = (failures.clone(), succeeded.clone());
        move || {
            match exemplo6::api_worker(&client, &route, i) {
                Ok(_) => {
                    succeeded.fetch_add(1, Relaxed);
                }
                Err(e) => failures.record(e.to_string()),
            }
            wg.done();
        }
    };

    // Submit the jobs: a closure per job (ants' p.Submit(func(){...})).
    let start = Instant::now();
    let mut submitted = 0;
    let mut turn = 0;
    while submitted < jobs {
        wg.add(1);
        pool.submit(exemplo7_job())
            .expect("an open blocking pool accepts every job");
        submitted += 1;
        if submits == Submits::Two && submitted < jobs {
            wg.add(1);
            pool.submit(exemplo6_job(turn))
                .expect("an open blocking pool accepts every job");
            submitted += 1;
        }
        turn += 1;
    }

    // Wait until every job is done.
    wg.wait();
    let elapsed = start.elapsed();
    let workers_running = pool.running();
    drop(pool);

    let distinct_ids = ids.lock().unwrap_or_else(|e| e.into_inner()).len() as u64;
    let failures = Arc::try_unwrap(failures).unwrap_or_default();
    Ok(Outcome {
        succeeded: succeeded.load(Relaxed),
        distinct_ids,
        failures,
        elapsed,
        workers_running,
    })
}
