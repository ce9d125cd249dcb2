//! The slow API itself: `GET /one/{id}` waits 2 s, `GET /two/{id}` waits 100 ms.
//!
//! This is the tutorial's `server.go`. A slow answer is what makes pool sizes
//! matter: with 100 ms per call, 1,000 workers finish 10,000 calls in ten
//! rounds (1 s) at best, and 10 workers need a thousand rounds (100 s).
//!
//! It runs on tokio with axum, so 10,000 requests waiting at once cost
//! 10,000 small futures, not 10,000 threads. [`Server::start`] runs it
//! in-process on its own runtime thread, and counts what the pool under test
//! did to it: requests served, and the most requests in flight at once (the
//! pool's capacity, seen from outside).
//!
//! ```
//! use slow_api::{Server, ServerConfig};
//! use std::time::Duration;
//!
//! // Start the API on an ephemeral loopback port, with short delays.
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(5))).unwrap();
//! let client = slow_api::ApiClient::new(server.url(), 4).unwrap();
//! client.call("two", 7).unwrap();
//! assert_eq!(server.served(), 1);
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::thread::JoinHandle;
use std::time::Duration;

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

/// How long shutdown waits for requests still sleeping before it drops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Where the server listens and how slow each route is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Delay of `GET /one/{id}` (the tutorial: 2 s).
    pub one_delay: Duration,
    /// Delay of `GET /two/{id}` (the tutorial: 100 ms).
    pub two_delay: Duration,
    /// How the server misbehaves on purpose, for failure tests.
    pub fault: Fault,
    /// Count the requests per id, for tests that prove every job ran once
    /// ([`Server::id_counts`]). Off by default: it costs a map entry per id.
    pub track_ids: bool,
    /// Serve `GET /health`. On by default; off, the server has only the
    /// tutorial's two routes, as its `server.go` does (404 elsewhere).
    pub health_route: bool,
}

/// A way the server fails on purpose, so the failure paths of every client
/// can be tested in seconds, in-process.
///
/// ```
/// use slow_api::{ApiClient, Fault, Server, ServerConfig};
/// use std::time::Duration;
///
/// // Every job route answers 500; /health still answers.
/// let config = ServerConfig { fault: Fault::Status500, ..ServerConfig::fast(Duration::ZERO) };
/// let server = Server::start(config).unwrap();
/// let client = ApiClient::new(server.url(), 1).unwrap();
/// assert!(client.probe("two").is_ok());
/// assert!(client.call("two", 1).unwrap_err().reason.contains("500"));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fault {
    /// Behaves.
    #[default]
    None,
    /// `/one/{id}` and `/two/{id}` answer `500 Internal Server Error` at
    /// once; `/health` answers normally (a server whose work is broken).
    Status500,
    /// Accepts connections and reads requests, and never answers anything,
    /// `/health` included (a hung server).
    Silent,
}

impl Default for ServerConfig {
    /// The tutorial's server: port 8080 on loopback, 2 s and 100 ms.
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            one_delay: Duration::from_secs(2),
            two_delay: Duration::from_millis(100),
            fault: Fault::None,
            track_ids: false,
            health_route: true,
        }
    }
}

impl ServerConfig {
    /// The tutorial's delays on an ephemeral loopback port.
    ///
    /// ```
    /// let c = slow_api::ServerConfig::ephemeral();
    /// assert_eq!(c.addr.port(), 0);
    /// assert_eq!(c.two_delay.as_millis(), 100);
    /// ```
    pub fn ephemeral() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }

    /// Both routes answering after `delay`, on an ephemeral loopback port (for tests).
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = slow_api::ServerConfig::fast(Duration::from_millis(1));
    /// assert_eq!(c.one_delay, c.two_delay);
    /// ```
    pub fn fast(delay: Duration) -> Self {
        ServerConfig {
            one_delay: delay,
            two_delay: delay,
            ..Self::ephemeral()
        }
    }

    /// The delay of a route (`"one"` or `"two"`), if it exists.
    ///
    /// ```
    /// let c = slow_api::ServerConfig::default();
    /// assert_eq!(c.delay_of("one").unwrap().as_secs(), 2);
    /// assert!(c.delay_of("three").is_none());
    /// ```
    pub fn delay_of(&self, route: &str) -> Option<Duration> {
        match route {
            "one" => Some(self.one_delay),
            "two" => Some(self.two_delay),
            _ => None,
        }
    }
}

/// What the server counts.
#[derive(Debug, Default)]
struct Counters {
    served: AtomicU64,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    ids: Mutex<HashMap<String, u32>>,
}

/// Counts a request in flight for as long as it lives.
struct InFlight<'a>(&'a Counters);

impl<'a> InFlight<'a> {
    fn enter(c: &'a Counters) -> Self {
        let now = c.in_flight.fetch_add(1, SeqCst) + 1;
        c.peak_in_flight.fetch_max(now, SeqCst);
        InFlight(c)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
    }
}

#[derive(Clone)]
struct AppState {
    counters: Arc<Counters>,
    config: Arc<ServerConfig>,
}

async fn slow(state: &AppState, delay: Duration, id: String) -> Response {
    let _in_flight = InFlight::enter(&state.counters);
    log::debug!("request id {id}");
    match state.config.fault {
        Fault::None => {}
        Fault::Status500 => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Fault::Silent => std::future::pending::<()>().await,
    }
    tokio::time::sleep(delay).await;
    state.counters.served.fetch_add(1, SeqCst);
    if state.config.track_ids {
        *lock(&state.counters.ids).entry(id.clone()).or_default() += 1;
    }
    Json(format!("done {id}")).into_response()
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let delay = state.config.one_delay;
    slow(&state, delay, id).await
}

async fn two(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let delay = state.config.two_delay;
    slow(&state, delay, id).await
}

/// `GET /health`: answers at once with the routes' delays, so a client can
/// check that the API really answers (not only accepts connections) and
/// compute its ideal times from the real delays.
async fn health(State(state): State<AppState>) -> Response {
    if state.config.fault == Fault::Silent {
        std::future::pending::<()>().await;
    }
    Json(Health {
        one_ms: state.config.one_delay.as_millis() as u64,
        two_ms: state.config.two_delay.as_millis() as u64,
    })
    .into_response()
}

/// The body of `GET /health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Health {
    pub(crate) one_ms: u64,
    pub(crate) two_ms: u64,
}

fn router(state: AppState) -> Router {
    // Anything else falls through to axum's 404.
    let routes = Router::new()
        .route("/one/{id}", get(one))
        .route("/two/{id}", get(two));
    let routes = if state.config.health_route {
        routes.route("/health", get(health))
    } else {
        routes
    };
    routes.with_state(state)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running slow API. Dropping it shuts the server down and joins its thread.
pub struct Server {
    url: String,
    addr: SocketAddr,
    track_ids: bool,
    counters: Arc<Counters>,
    stop: Option<tokio::sync::oneshot::Sender<Stop>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `config.addr` (errors such as "address in use" come back here)
    /// and serves on a runtime thread of its own.
    ///
    /// ```
    /// let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start(config: ServerConfig) -> io::Result<Server> {
        let listener = std::net::TcpListener::bind(config.addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let track_ids = config.track_ids;
        let state = AppState {
            counters: Arc::clone(&counters),
            config: Arc::new(config),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("slow-api")
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<Stop>();
        let thread = std::thread::Builder::new()
            .name("slow-api-main".into())
            .spawn(move || serve(runtime, listener, router(state), stopped))?;
        Ok(Server {
            url: format!("http://{addr}"),
            addr,
            track_ids,
            counters,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:8080`.
    ///
    /// ```
    /// # let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// assert!(server.url().contains(&server.addr().port().to_string()));
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address (with the real port when 0 was asked for).
    ///
    /// ```
    /// # let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// assert_ne!(server.addr().port(), 0);
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests answered so far.
    ///
    /// ```
    /// # let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// assert_eq!(server.served(), 0);
    /// ```
    pub fn served(&self) -> u64 {
        self.counters.served.load(SeqCst)
    }

    /// The most requests that were in flight at once since the start.
    ///
    /// ```
    /// # let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// assert_eq!(server.peak_in_flight(), 0);
    /// ```
    pub fn peak_in_flight(&self) -> usize {
        self.counters.peak_in_flight.load(SeqCst)
    }

    /// How many times each id was served on either route, when
    /// [`ServerConfig::track_ids`] is on (`None` when it is off).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = slow_api::ServerConfig { track_ids: true, ..slow_api::ServerConfig::fast(Duration::ZERO) };
    /// let server = slow_api::Server::start(config).unwrap();
    /// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
    /// client.call("two", 7).unwrap();
    /// client.call("two", 7).unwrap();
    /// assert_eq!(server.id_counts().unwrap()["7"], 2);
    /// ```
    pub fn id_counts(&self) -> Option<HashMap<String, u32>> {
        self.track_ids.then(|| lock(&self.counters.ids).clone())
    }

    /// Stops the server and waits for its thread (what `drop` does):
    /// requests already in flight get up to 2 s to finish.
    ///
    /// ```
    /// let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// server.shutdown();
    /// ```
    pub fn shutdown(mut self) {
        self.stop_and_join(Stop::Graceful);
    }

    /// Stops the server at once, the way a crash would: requests in flight
    /// are cut off (their clients see the connection close) and new
    /// connections are refused. For tests of a server killed mid-run.
    ///
    /// ```
    /// let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// let url = server.url().to_owned();
    /// server.kill();
    /// assert!(slow_api::ApiClient::new(&url, 1).unwrap().probe("two").is_err());
    /// ```
    pub fn kill(mut self) {
        self.stop_and_join(Stop::Now);
    }

    fn stop_and_join(&mut self, how: Stop) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(how);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_and_join(Stop::Graceful);
    }
}

/// How [`Server`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Let requests in flight finish, for at most [`SHUTDOWN_GRACE`].
    Graceful,
    /// Drop everything now.
    Now,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("url", &self.url)
            .field("served", &self.served())
            .field("peak_in_flight", &self.peak_in_flight())
            .finish()
    }
}

/// Serves until `stopped` fires, then lets requests finish for at most
/// [`SHUTDOWN_GRACE`], then drops the runtime.
fn serve(
    runtime: tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    app: Router,
    stopped: tokio::sync::oneshot::Receiver<Stop>,
) {
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                log::error!("slow-api could not use its socket: {e}");
                return;
            }
        };
        let stop_now = Arc::new(tokio::sync::Notify::new());
        let stop_signal = Arc::clone(&stop_now);
        let grace = Arc::new(std::sync::Mutex::new(SHUTDOWN_GRACE));
        let grace_set = Arc::clone(&grace);
        let graceful = async move {
            // A dropped sender (the Server forgotten) counts as graceful.
            if let Ok(Stop::Now) = stopped.await {
                *lock(&grace_set) = Duration::ZERO;
            }
            stop_signal.notify_one();
        };
        let server = axum::serve(listener, app).with_graceful_shutdown(graceful);
        tokio::select! {
            result = server => {
                if let Err(e) = result {
                    log::error!("slow-api stopped: {e}");
                }
            }
            _ = async {
                stop_now.notified().await;
                let grace = *lock(&grace);
                tokio::time::sleep(grace).await;
            } => {}
        }
    });
    // Dropping the runtime drops every connection still open.
    runtime.shutdown_timeout(Duration::from_millis(100));
}
