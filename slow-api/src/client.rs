//! One HTTP client for all workers, with keep-alive: the way to call the slow API.
//!
//! A new connection per call would cost a TCP handshake each time and, at
//! 100,000 calls, run out of ephemeral ports (each closed connection waits
//! in TIME_WAIT for a minute). One [`ApiClient`] shared by every worker keeps
//! up to `pool_size` connections open and reuses them.
//!
//! Before a run, [`ensure_fd_limit`] checks that the process may open enough
//! sockets for that many connections, and [`ApiClient::check_reachable`]
//! fails within seconds, with a message that says what to do, when no server
//! is listening.
//!
//! ```
//! use slow_api::{ApiClient, Server, ServerConfig};
//! use std::time::Duration;
//!
//! let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
//! // One client, shared by every worker (it is cheap to clone).
//! let client = ApiClient::new(server.url(), 8).unwrap();
//! client.check_reachable().unwrap();
//! assert_eq!(client.get("two", 1).unwrap(), "\"done 1\"");
//! ```

use std::fmt;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use ureq::Agent;

/// How long one call may take before it counts as failed.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the reachability check waits for a TCP connection.
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
    /// keeps up to `connections` connections open for reuse.
    ///
    /// ```
    /// let client = slow_api::ApiClient::new("http://127.0.0.1:8080", 100).unwrap();
    /// assert_eq!(client.base(), "http://127.0.0.1:8080");
    /// // Not a URL this client can call:
    /// assert!(slow_api::ApiClient::new("ftp://x", 1).is_err());
    /// ```
    pub fn new(base: &str, connections: usize) -> Result<ApiClient, String> {
        let base = base.trim_end_matches('/').to_owned();
        if !base.starts_with("http://") {
            return Err(format!(
                "--url must be a plain http:// base address such as http://127.0.0.1:8080 (got {base:?})"
            ));
        }
        let per_shard = connections.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| {
                Agent::config_builder()
                    .max_idle_connections(per_shard)
                    .max_idle_connections_per_host(per_shard)
                    .input_buffer_size(BUFFER_BYTES)
                    .output_buffer_size(BUFFER_BYTES)
                    // No global timeout: with one, ureq resolves every
                    // address (even 127.0.0.1) on a new thread, one thread
                    // per call. Each phase after resolving is bounded instead.
                    .timeout_global(None)
                    .timeout_connect(Some(CONNECT_TIMEOUT))
                    .timeout_send_request(Some(CALL_TIMEOUT))
                    .timeout_recv_response(Some(CALL_TIMEOUT))
                    .timeout_recv_body(Some(CALL_TIMEOUT))
                    .http_status_as_error(true)
                    .build()
                    .into()
            })
            .collect();
        Ok(ApiClient { shards, base })
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

    /// `GET {base}/{route}/{id}` and returns the body.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # let server = slow_api::Server::start(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
    /// let client = slow_api::ApiClient::new(server.url(), 1).unwrap();
    /// // An unknown route is a 404, reported as an error.
    /// assert!(client.get("three", 1).unwrap_err().reason.contains("404"));
    /// ```
    pub fn get(&self, route: &str, id: u64) -> Result<String, CallError> {
        let url = format!("{}/{route}/{id}", self.base);
        let fail = |reason: String| CallError {
            url: url.clone(),
            reason,
        };
        let agent = &self.shards[SHARD.with(|s| *s) % self.shards.len()];
        let mut response = agent.get(&url).call().map_err(|e| fail(e.to_string()))?;
        response
            .body_mut()
            .read_to_string()
            .map_err(|e| fail(e.to_string()))
    }

    /// Fails within [`CONNECT_TIMEOUT`] if nothing listens at the base
    /// address, with a message that says how to start the API.
    ///
    /// ```
    /// // Port 9 (discard) is closed on loopback here.
    /// let client = slow_api::ApiClient::new("http://127.0.0.1:9", 1).unwrap();
    /// let message = client.check_reachable().unwrap_err();
    /// assert!(message.contains("cargo run -p slow-api"));
    /// ```
    pub fn check_reachable(&self) -> Result<(), String> {
        let host = self
            .base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        let addrs: Vec<SocketAddr> = host
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve the API address {host:?}: {e}"))?
            .collect();
        let mut last = String::from("no address");
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!(
            "cannot reach the slow API at {} ({last}). Start it in another terminal with \
             `cargo run -p slow-api`, or leave out --url to start one inside this program.",
            self.base
        ))
    }
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .finish()
    }
}

/// Makes sure this process may open `needed` file descriptors: raises the
/// soft limit up to the hard one if that is enough, else says which limit
/// is too low and how to change it. Returns the limit now in force.
///
/// ```
/// // A handful is always available.
/// assert!(slow_api::ensure_fd_limit(16).unwrap() >= 16);
/// // An absurd number is refused with a message naming the limit.
/// let message = slow_api::ensure_fd_limit(u64::MAX / 2).unwrap_err();
/// assert!(message.contains("ulimit -n"));
/// ```
pub fn ensure_fd_limit(needed: u64) -> Result<u64, String> {
    let (soft, hard) = rlimit::Resource::NOFILE
        .get()
        .map_err(|e| format!("cannot read the file-descriptor limit: {e}"))?;
    if soft >= needed {
        return Ok(soft);
    }
    if hard >= needed {
        rlimit::Resource::NOFILE
            .set(hard, hard)
            .map_err(|e| format!("cannot raise the file-descriptor limit to {hard}: {e}"))?;
        return Ok(hard);
    }
    Err(format!(
        "this run needs about {needed} file descriptors (one socket per concurrent call, \
         twice that when the API runs in this process), but the limit is {soft} (soft) / \
         {hard} (hard). Raise it with `ulimit -n {needed}` (as root, or after raising the \
         hard limit), run the API as a separate process with --url, or use a smaller --pool-size."
    ))
}
