//! The tutorial's slow local HTTP API (`server.go`), in Rust, and the client
//! the examples call it with.
//!
//! - [`Server`]: `GET /one/{id}` waits 2 s, `GET /two/{id}` waits 100 ms, both
//!   answer `"done {id}"` as JSON; `GET /health` answers at once with the
//!   delays; anything else is a 404. Runs in-process on a free port, counting
//!   requests served and the most in flight at once, and can misbehave on
//!   purpose ([`Fault`]) for failure tests.
//! - [`ApiClient`]: one keep-alive client shared by every worker, with
//!   [`ApiClient::call`] (the one call every example makes, body checked)
//!   and [`ApiClient::probe`] (is it there, and how slow is it?).
//!
//! The examples' flags, reports and probes are not here: they live in the
//! `harness` crate, so this crate is only the server and its client.
//!
//! Run it on its own (the tutorial's `go run server.go`):
//!
//! ```text
//! cargo run -p slow-api -- --addr 127.0.0.1:8080
//! ```
#![forbid(unsafe_code)]

mod client;
mod server;

pub use client::{
    ApiClient, ApiInfo, CALL_TIMEOUT, CONNECT_TIMEOUT, CallError, DelaySource, MAX_CALL_TIMEOUT,
    check_body,
};
pub use server::{Fault, Server, ServerConfig};

/// Starts `env_logger` at `info`, or at whatever `RUST_LOG` says
/// (`RUST_LOG=debug` shows every worker's begin and finish lines).
///
/// ```
/// slow_api::init_logging();
/// ```
pub fn init_logging() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format_timestamp_millis()
        .try_init();
}
