//! The tutorial's slow local HTTP API (`server.go`), in Rust, and the kit the
//! examples use to call it.
//!
//! - [`Server`]: `GET /one/{id}` waits 2 s, `GET /two/{id}` waits 100 ms, both
//!   answer `"done {id}"` as JSON; anything else is a 404. Runs in-process on
//!   a free port, counting requests served and the most in flight at once.
//! - [`ApiClient`]: one keep-alive client shared by every worker.
//! - [`RunArgs`], [`RunReport`]: the flags and the final figures every
//!   example shares; [`probes`]: the process figures they report.
//!
//! Run it on its own (the tutorial's `go run server.go`):
//!
//! ```text
//! cargo run -p slow-api -- --addr 127.0.0.1:8080
//! ```
#![forbid(unsafe_code)]

mod client;
pub mod probes;
mod run;
mod server;

pub use client::{ApiClient, CALL_TIMEOUT, CONNECT_TIMEOUT, CallError, ensure_fd_limit};
pub use run::{Failures, Measured, RunArgs, RunReport, Target, ideal_time};
pub use server::{Server, ServerConfig};

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
