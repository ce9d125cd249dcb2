//! One HTTP client for all workers, with keep-alive: the way to call the slow API.
//!
//! A new connection per call would cost a TCP handshake each time and, at
//! 100,000 calls, run out of ephemeral ports (each closed connection waits
//! in TIME_WAIT for a minute). One [`ApiClient`] shared by every worker keeps
//! up to `pool_size` connections open and reuses them.
//!
//! Before a run, [`ApiClient::probe`] makes one real request (`GET /health`)
//! with a short timeout: it fails within seconds, with a message that says
//! what to do, when nothing listens or when something listens and never
//! answers; and it learns the API's real delays (from a server with no
//! `/health`, such as the tutorial's `server.go`, by timing one call).
//!
//! [`ApiClient::call`] is the one call every example makes: `GET
//! /{route}/{id}`, and the body checked to be `"done {id}"`.
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! // One client, shared by every worker (it is cheap to clone).
//! let client = ApiClient::new(server.url(), 8).unwrap();
//! // Check that the API answers, and ask it how slow it is.
//! let info = client.probe("two").unwrap();
//! assert_eq!(info.delay, Duration::from_millis(1));
//! // Make one call; the body is checked for us.
//! client.call("two", 1).unwrap();
//! ```

use std::fmt;
use std::time::Duration;

use ureq::Agent;

use crate::server::Health;

/// How long one call may take before it counts as failed, unless the
/// client was built with [`ApiClient::with_call_timeout`].
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest call timeout a client takes: a day.
///
/// ```
/// use std::time::Duration;
/// let long = slow_api::ApiClient::with_call_timeout("http://127.0.0.1:9", 1, Duration::MAX);
/// assert!(long.unwrap_err().contains("at most a day"));
/// ```
pub const MAX_CALL_TIMEOUT: Duration = Duration::from_secs(86_400);

/// How long [`ApiClient::probe`] waits for the API's answer, and any call
/// for its TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Connection-pool shards inside one [`ApiClient`].
///
/// ureq keeps a pool's idle connections in one list and scans it on every
/// call; with 1,000 workers that scan (and its lock) cost more CPU than the
/// call itself. Splitting the connections over 64 small pools, one chosen per
/// worker thread, keeps each scan short. It is still one client: one set of
/// settings, one object the workers share.
const SHARDS: usize = 64;

/// Each connection's read and write buffer. The API's answers are a few
/// dozen bytes; ureq's default of 128 KiB per buffer would hold 256 MiB for
/// 1,000 idle connections.
const BUFFER_BYTES: usize = 16 * 1024;

/// A keep-alive HTTP client for the slow API. Clones share connections.
#[derive(Clone)]
pub struct ApiClient {
    shards: std::sync::Arc<[Agent]>,
    base: String,
    call_timeout: Duration,
}

/// What [`ApiClient::probe`] learnt about the API: the delay of the route a
/// run will call, and how it was learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiInfo {
    /// The route (`"one"` or `"two"`).
    pub route: String,
    /// Its delay.
    pub delay: Duration,
    /// Whether the API said so, or one call was timed.
    pub source: DelaySource,
}

/// How a route's delay was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelaySource {
    /// The API reported it (`GET /health`): this workspace's slow API.
    Reported,
    /// The API has no `GET /health` (the tutorial's own `server.go` has only
    /// `/one/:id` and `/two/:id`): one call was timed, rounded down to the
    /// millisecond.
    Timed,
}

impl ApiInfo {
    /// The one line to print when the delay was timed rather than reported,
    /// so the figures that follow say where their ideal came from.
    ///
    /// ```
    /// use slow_api::{ApiInfo, DelaySource};
    /// use std::time::Duration;
    /// let timed = ApiInfo { route: "two".into(), delay: Duration::from_millis(100), source: DelaySource::Timed };
    /// assert!(timed.note("http://localhost:8080").unwrap().contains("timed GET /two/0: 100 ms"));
    /// let reported = ApiInfo { source: DelaySource::Reported, ..timed };
    /// assert_eq!(reported.note("http://localhost:8080"), None);
    /// ```
    pub fn note(&self, base: &str) -> Option<String> {
        match self.source {
            DelaySource::Reported => None,
            DelaySource::Timed => Some(format!(
                "{base} has no GET /health (the tutorial's server.go?): timed GET /{}/0: {} ms, \
                 used as the delay of every call",
                self.route,
                self.delay.as_millis()
            )),
        }
    }
}

thread_local! {
    /// This thread's shard, handed out in turn so workers spread evenly.
    static SHARD: usize = {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    };
}

/// A failed call, with the URL it was for.
#[derive(Debug)]
pub struct CallError {
    /// The URL that was called.
    pub url: String,
    /// What went wrong, as the HTTP stack said it.
    pub reason: String,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GET {} failed: {}", self.url, self.reason)
    }
}

impl std::error::Error for CallError {}

impl ApiClient {
    /// A client for the API at `base` (e.g. `http://127.0.0.1:8080`) that
    /// keeps up to `connections` connections open for reuse; a call may
    /// take up to [`CALL_TIMEOUT`].
    ///
    /// ```
    /// let client = slow_api::ApiClient::new("http://127.0.0.1:8080", 100).unwrap();
    /// assert_eq!(client.base(), "http://127.0.0.1:8080");
    /// // Not an address this client can call, and the message says why:
    /// assert!(slow_api::ApiClient::new("ftp://x", 1).unwrap_err().contains("http://"));
    /// assert!(slow_api::ApiClient::new("http://", 1).unwrap_err().contains("\"http://\""));
    /// ```
    pub fn new(base: &str, connections: usize) -> Result<ApiClient, String> {
        ApiClient::with_call_timeout(base, connections, CALL_TIMEOUT)
    }

    /// [`ApiClient::new`] with another limit on each call (sending the
    /// request, waiting for the answer, reading the body: each phase).
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = slow_api::ApiClient::with_call_timeout("http://127.0.0.1:8080", 1, Duration::from_secs(2)).unwrap();
    /// assert_eq!(client.call_timeout(), Duration::from_secs(2));
    /// // A zero timeout would fail every call: refused.
    /// assert!(slow_api::ApiClient::with_call_timeout("http://127.0.0.1:8080", 1, Duration::ZERO).is_err());
    /// ```
    pub fn with_call_timeout(
        base: &str,
        connections: usize,
        call_timeout: Duration,
    ) -> Result<ApiClient, String> {
        let Some(rest) = base.strip_prefix("http://") else {
            return Err(format!(
                "the API address must be a plain http:// address such as http://127.0.0.1:8080 (got {base:?})"
            ));
        };
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains('/') {
            return Err(format!(
                "the API address must be http://HOST:PORT with nothing after it, such as \
                 http://127.0.0.1:8080 (got {base:?})"
            ));
        }
        let base = format!("http://{host}");
        if call_timeout.is_zero() {
            return Err("the call timeout must be more than zero".into());
        }
        if call_timeout > MAX_CALL_TIMEOUT {
            // The client adds it to `Instant::now()`; past what an Instant
            // holds, every call would panic.
            return Err(format!(
                "the call timeout must be at most a day ({} s; got {} s)",
                MAX_CALL_TIMEOUT.as_secs(),
                call_timeout.as_secs()
            ));
        }
        let per_shard = connections.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| agent(per_shard, call_timeout))
            .collect();
        Ok(ApiClient {
            shards,
            base,
            call_timeout,
        })
    }

    /// The base URL this client calls.
    ///
    /// ```
    /// let c = slow_api::ApiClient::new("http://127.0.0.1:9/", 1).unwrap();
    /// assert_eq!(c.base(), "http://127.0.0.1:9");
    /// ```
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The limit on each call.
    ///
    /// ```
    /// let c = slow_api::ApiClient::new("http://127.0.0.1:9", 1).unwrap();
    /// assert_eq!(c.call_timeout(), slow_api::CALL_TIMEOUT);
    /// ```
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// The call every example makes: `GET {base}/{route}/{id}`, and the
    /// answer checked to be the JSON string `"done {id}"`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
    /// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
    /// client.call("two", 3).unwrap();
    /// // An unknown route is a 404, reported as an error.
    /// assert!(client.call("three", 1).unwrap_err().reason.contains("404"));
    /// ```
    ///
    /// A panic inside the HTTP client is caught and returned as a failed
    /// call: a worker that calls this always finishes its job (and counts
    /// it), so a `WaitGroup` waiting on it is never left short.
    pub fn call(&self, route: &str, id: u64) -> Result<(), CallError> {
        let url = format!("{}/{route}/{id}", self.base);
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.get(&url)));
        let body = match got {
            Ok(body) => body?,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("a non-string payload");
                return Err(CallError {
                    reason: format!("the HTTP client panicked: {message}"),
                    url,
                });
            }
        };
        check_body(id, &body).map_err(|reason| CallError { url, reason })
    }

    /// `GET url` on this thread's shard, and the body.
    fn get(&self, url: &str) -> Result<String, CallError> {
        let fail = |reason: String| CallError {
            url: url.to_owned(),
            reason,
        };
        let agent = &self.shards[SHARD.with(|s| *s) % self.shards.len()];
        let mut response = agent.get(url).call().map_err(|e| fail(e.to_string()))?;
        response
            .body_mut()
            .read_to_string()
            .map_err(|e| fail(e.to_string()))
    }

    /// Checks that the API answers, and learns the delay of `route`
    /// (`"one"` or `"two"`), before a run starts: one real request,
    /// `GET /health`, that must answer within [`CONNECT_TIMEOUT`]. It fails
    /// within seconds when nothing listens, and when something listens but
    /// never answers, with a message that says what to do.
    ///
    /// A server with no `GET /health` (it answers 404), such as the
    /// tutorial's own `server.go`, is still the slow API if
    /// `GET /{route}/0` answers `"done 0"`: that call is timed, and its time
    /// (rounded down to the millisecond) is the delay, marked
    /// [`DelaySource::Timed`] so the caller can say so ([`ApiInfo::note`]).
    ///
    /// ```
    /// use slow_api::{ApiClient, DelaySource, Server, ServerConfig};
    /// use std::time::Duration;
    /// let server = Server::start(ServerConfig::fast(Duration::from_millis(20))).unwrap();
    /// let info = ApiClient::new(server.url(), 1).unwrap().probe("two").unwrap();
    /// assert_eq!((info.delay, info.source), (Duration::from_millis(20), DelaySource::Reported));
    ///
    /// // The tutorial's server: /one and /two only. The delay is timed.
    /// let go_like = ServerConfig { health_route: false, ..ServerConfig::fast(Duration::from_millis(20)) };
    /// let server = Server::start(go_like).unwrap();
    /// let info = ApiClient::new(server.url(), 1).unwrap().probe("two").unwrap();
    /// assert_eq!(info.source, DelaySource::Timed);
    /// assert!(info.delay >= Duration::from_millis(20), "{:?}", info.delay);
    ///
    /// // Port 9 (discard) is closed on loopback here.
    /// let client = ApiClient::new("http://127.0.0.1:9", 1).unwrap();
    /// let message = client.probe("two").unwrap_err();
    /// assert!(message.contains("cargo run -p slow-api"));
    /// ```
    pub fn probe(&self, route: &str) -> Result<ApiInfo, String> {
        if !matches!(route, "one" | "two") {
            return Err(format!(
                "--route {route:?} is not a route of the slow API: use one or two"
            ));
        }
        let url = format!("{}/health", self.base);
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(CONNECT_TIMEOUT))
            .http_status_as_error(true)
            .build()
            .into();
        let how_to_fix = "Start it in another terminal with `cargo run -p slow-api`, or leave out \
                          --url to start one inside this program.";
        let mut response = match agent.get(&url).call() {
            Ok(response) => response,
            Err(ureq::Error::StatusCode(404)) => return self.time_one_call(route, how_to_fix),
            Err(ureq::Error::Timeout(_)) => {
                return Err(format!(
                    "the slow API at {} did not answer GET /health within {} s: something listens \
                     there but does not answer. {how_to_fix}",
                    self.base,
                    CONNECT_TIMEOUT.as_secs()
                ));
            }
            Err(ureq::Error::StatusCode(code)) => {
                return Err(format!(
                    "{} answered GET /health with status {code}: is it the slow API? {how_to_fix}",
                    self.base
                ));
            }
            Err(e) => {
                return Err(format!(
                    "cannot reach the slow API at {} ({e}). {how_to_fix}",
                    self.base
                ));
            }
        };
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("reading {url}: {e}"))?;
        let health: Health = serde_json::from_str(&body).map_err(|e| {
            format!(
                "{url} answered {body:?}, not the slow API's delays ({e}): is it the slow API? {how_to_fix}"
            )
        })?;
        let ms = if route == "one" {
            health.one_ms
        } else {
            health.two_ms
        };
        Ok(ApiInfo {
            route: route.to_owned(),
            delay: Duration::from_millis(ms),
            source: DelaySource::Reported,
        })
    }

    /// The delay of a server with no `GET /health`: one `GET /{route}/0`,
    /// timed, which must answer `"done 0"` within the call timeout.
    fn time_one_call(&self, route: &str, how_to_fix: &str) -> Result<ApiInfo, String> {
        let start = std::time::Instant::now();
        self.call(route, 0).map_err(|e| {
            format!(
                "{} answered GET /health with 404 and {e}: is it the slow API? {how_to_fix}",
                self.base
            )
        })?;
        let ms = start.elapsed().as_millis().min(u128::from(u64::MAX)) as u64;
        Ok(ApiInfo {
            route: route.to_owned(),
            delay: Duration::from_millis(ms),
            source: DelaySource::Timed,
        })
    }
}

/// Checks an answer of the slow API: the body of `GET /{route}/{id}` is the
/// JSON string `"done {id}"`. [`ApiClient::call`] uses it; so does any other
/// client (compare's async one), so the rule is written once.
///
/// ```
/// assert!(slow_api::check_body(7, "\"done 7\"").is_ok());
/// assert_eq!(slow_api::check_body(7, "\"done 8\"").unwrap_err(), "unexpected body \"\\\"done 8\\\"\"");
/// ```
pub fn check_body(id: u64, body: &str) -> Result<(), String> {
    if body == format!("\"done {id}\"") {
        Ok(())
    } else {
        Err(format!("unexpected body {body:?}"))
    }
}

/// One shard's agent: up to `connections` idle connections, each phase of
/// a call bounded by `call_timeout`.
fn agent(connections: usize, call_timeout: Duration) -> Agent {
    Agent::config_builder()
        .max_idle_connections(connections)
        .max_idle_connections_per_host(connections)
        .input_buffer_size(BUFFER_BYTES)
        .output_buffer_size(BUFFER_BYTES)
        // No global timeout: with one, ureq resolves every address (even
        // 127.0.0.1) on a new thread, one thread per call. Each phase after
        // resolving is bounded instead.
        .timeout_global(None)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_send_request(Some(call_timeout))
        .timeout_recv_response(Some(call_timeout))
        .timeout_recv_body(Some(call_timeout))
        .http_status_as_error(true)
        .build()
        .into()
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .finish()
    }
}
