//! The slow API as a program: the tutorial's `go run server.go`.
//!
//! `cargo run -p slow-api -- --addr 127.0.0.1:8080`
#![forbid(unsafe_code)]

use std::time::Duration;

use clap::Parser;
use slow_api::{Server, ServerConfig};

/// A local HTTP API that answers slowly: GET /one/{id} and GET /two/{id}.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on (loopback unless you say otherwise).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Delay of /one/{id}, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    one_delay_ms: u64,
    /// Delay of /two/{id}, in milliseconds.
    #[arg(long, default_value_t = 100)]
    two_delay_ms: u64,
}

fn main() {
    slow_api::init_logging();
    let cli = Cli::parse();

    // Start the server.
    let config = ServerConfig {
        addr: cli.addr,
        one_delay: Duration::from_millis(cli.one_delay_ms),
        two_delay: Duration::from_millis(cli.two_delay_ms),
    };
    let server = match Server::start(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("slow-api: cannot listen on {}: {e}", cli.addr);
            std::process::exit(1);
        }
    };
    log::info!(
        "slow API on {}: /one/{{id}} waits {} ms, /two/{{id}} waits {} ms (Ctrl-C to stop)",
        server.url(),
        cli.one_delay_ms,
        cli.two_delay_ms
    );

    // Serve until the process is stopped.
    loop {
        std::thread::park();
    }
}
