//! exemplo7: jobs are closures (ants `NewPool` + `Submit`).
//!
//! The tutorial's `exemplo7.ApiWorker()` takes no argument: it numbers its
//! call from a package-level counter, and each job is a closure handed to
//! `p.Submit(func() { ... })`. Here the pool is a [`Pool`] and each `submit`
//! boxes one closure.
//!
//! [`run`] is the tutorial's `TestPoolWaitToGetWorker`, line for line, with
//! the Go comments translated in the same places:
//!
//! | Go | Rust |
//! |---|---|
//! | `var wg sync.WaitGroup` | `let wg = WaitGroup::new();` |
//! | `p, _ := ants.NewPool(poolSize)` | `let pool = Pool::new(pool_size)?;` |
//! | `defer p.Release()` | nothing: dropping `pool` releases it and joins its threads |
//! | `wg.Add(1); _ = p.Submit(func() {...})` | `wg.add(1); pool.submit(move \|\| {...})` |
//! | `wg.Wait()` | `wg.wait();` |
//!
//! A Go closure borrows `wg` from the test function; a Rust closure handed
//! to a pool may outlive the loop, so it owns what it uses: a clone of the
//! client, the route, the WaitGroup and the failure count (each clone is one
//! reference count, not a copy).
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
//! let outcome = exemplo7::run(&client, "two", 20, 4, exemplo7::Workers::OnDemand).unwrap();
//! assert_eq!(outcome.failures.count(), 0);
//! assert_eq!(server.served(), 20);
//! ```
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use harness::{Failures, Outcome};
use pool_core::{BuildError, Pool, WaitGroup};
use slow_api::{ApiClient, CallError};

/// The package-level counter of the Go original, made safe.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// The tutorial's `ApiWorker()`: takes the next number from the shared
/// counter and calls `/{route}/{number}`, timed, its body checked. Returns
/// the number it used.
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
/// let a = exemplo7::api_worker(&client, "two").unwrap();
/// let b = exemplo7::api_worker(&client, "two").unwrap();
/// assert_ne!(a, b);
/// ```
pub fn api_worker(client: &ApiClient, route: &str) -> Result<u64, CallError> {
    // Go: id++ (a data race). Rust: one atomic read-modify-write.
    let id = NEXT_ID.fetch_add(1, Relaxed) + 1;
    log::debug!("worker {id} begin");
    let start = Instant::now();
    client.call(route, id)?;
    log::debug!(
        "elapsed {} worker {id} finished",
        start.elapsed().as_millis()
    );
    Ok(id)
}

/// When the pool's workers start: the tutorial's two submit tests differ
/// only in this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workers {
    /// Each worker starts when a task first needs it (ants' default):
    /// `TestPoolWaitToGetWorker`.
    OnDemand,
    /// Every worker starts before the first task (ants' `WithPreAlloc(true)`):
    /// `TestPoolWaitToGetWorkerPreMalloc`.
    PreAllocated,
}

impl Workers {
    /// How the report names the run.
    ///
    /// ```
    /// assert_eq!(exemplo7::Workers::OnDemand.label(), "exemplo7 (Pool + submit)");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Workers::OnDemand => "exemplo7 (Pool + submit)",
            Workers::PreAllocated => "exemplo7 (Pool + submit, pre-allocated)",
        }
    }
}

/// Makes `jobs` calls through `Pool::new(pool_size)` + `submit`: the
/// tutorial's `TestPoolWaitToGetWorker`, or with
/// [`Workers::PreAllocated`] its `TestPoolWaitToGetWorkerPreMalloc`.
///
/// ```
/// # use std::time::Duration;
/// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
/// # let client = slow_api::ApiClient::new(server.url(), 2).unwrap();
/// let outcome = exemplo7::run(&client, "two", 6, 2, exemplo7::Workers::PreAllocated).unwrap();
/// assert_eq!(outcome.failures.count(), 0);
/// ```
pub fn run(
    client: &ApiClient,
    route: &str,
    jobs: u64,
    pool_size: usize,
    workers: Workers,
) -> Result<Outcome, BuildError> {
    let start = Instant::now();
    // Create the WaitGroup.
    let wg = WaitGroup::new();
    let failures = Arc::new(Failures::default());
    let route: Arc<str> = route.into();

    // Create a pool of `pool_size` threads.
    let pool = Pool::builder()
        .capacity(pool_size)
        .pre_alloc(workers == Workers::PreAllocated)
        .build()?;
    // No `defer p.Release()`: dropping `pool` at the end releases it and
    // joins its threads.

    for _ in 0..jobs {
        // Add the job to the WaitGroup.
        wg.add(1);
        // Hand the job to the pool's threads: a closure that owns what it uses.
        let (client, route) = (client.clone(), route.clone());
        let (wg, failures) = (wg.clone(), failures.clone());
        pool.submit(move || {
            if let Err(e) = api_worker(&client, &route) {
                failures.record(e);
            }
            // After the call, mark the job done: the thread is free again.
            wg.done();
        })
        .expect("an open blocking pool accepts every job");
    }

    // Wait until every job is done.
    wg.wait();
    Ok(Outcome::finished(start, pool.running(), failures))
}
