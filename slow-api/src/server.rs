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
//! let body = client.get("two", 7).unwrap();
//! assert_eq!(body, "\"done 7\"");
//! assert_eq!(server.served(), 1);
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;

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
}

impl Default for ServerConfig {
    /// The tutorial's server: port 8080 on loopback, 2 s and 100 ms.
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            one_delay: Duration::from_secs(2),
            two_delay: Duration::from_millis(100),
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

async fn slow(state: &AppState, delay: Duration, id: String) -> Json<String> {
    let _in_flight = InFlight::enter(&state.counters);
    log::debug!("request id {id}");
    tokio::time::sleep(delay).await;
    state.counters.served.fetch_add(1, SeqCst);
    Json(format!("done {id}"))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Json<String> {
    let delay = state.config.one_delay;
    slow(&state, delay, id).await
}

async fn two(State(state): State<AppState>, Path(id): Path<String>) -> Json<String> {
    let delay = state.config.two_delay;
    slow(&state, delay, id).await
}

fn router(state: AppState) -> Router {
    // Anything else falls through to axum's 404.
    Router::new()
        .route("/one/{id}", get(one))
        .route("/two/{id}", get(two))
        .with_state(state)
}

/// A running slow API. Dropping it shuts the server down and joins its thread.
pub struct Server {
    url: String,
    addr: SocketAddr,
    counters: Arc<Counters>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
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
        let state = AppState {
            counters: Arc::clone(&counters),
            config: Arc::new(config),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("slow-api")
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("slow-api-main".into())
            .spawn(move || serve(runtime, listener, router(state), stopped))?;
        Ok(Server {
            url: format!("http://{addr}"),
            addr,
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

    /// Stops the server and waits for its thread (what `drop` does).
    ///
    /// ```
    /// let server = slow_api::Server::start(slow_api::ServerConfig::ephemeral()).unwrap();
    /// server.shutdown();
    /// ```
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_and_join();
    }
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
    stopped: tokio::sync::oneshot::Receiver<()>,
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
        let graceful = async move {
            let _ = stopped.await;
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
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } => {}
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
}
