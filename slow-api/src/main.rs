//! The slow API as a program: the tutorial's `go run server.go`.
//!
//! `cargo run -p slow-api -- --addr 127.0.0.1:8080 --one-delay-ms 2000 --two-delay-ms 100`
//!
//! Three flags, read by hand: this crate stays the server and its client,
//! with no command-line library (the examples' flags live in `harness`).
#![forbid(unsafe_code)]

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use slow_api::{Server, ServerConfig};

const USAGE: &str = "\
A local HTTP API that answers slowly: GET /one/{id}, GET /two/{id}, GET /health.

Usage: slow-api [--addr HOST:PORT] [--one-delay-ms MS] [--two-delay-ms MS]

  --addr HOST:PORT     where to listen (default 127.0.0.1:8080)
  --one-delay-ms MS    delay of /one/{id} (default 2000)
  --two-delay-ms MS    delay of /two/{id} (default 100)";

fn main() -> ExitCode {
    slow_api::init_logging();
    let config = match parse(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("slow-api: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    // Start the server.
    let (one, two) = (config.one_delay, config.two_delay);
    let addr = config.addr;
    let server = match Server::start(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "slow-api: cannot listen on {addr}: {e} (is another slow-api running? pick another port with --addr)"
            );
            return ExitCode::from(1);
        }
    };
    log::info!(
        "slow API on {}: /one/{{id}} waits {} ms, /two/{{id}} waits {} ms (Ctrl-C to stop)",
        server.url(),
        one.as_millis(),
        two.as_millis()
    );

    // Serve until the process is stopped.
    loop {
        std::thread::park();
    }
}

/// The flags, or `None` for `--help`.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<ServerConfig>, String> {
    let mut config = ServerConfig::default();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => config.addr = address(&value)?,
            "--one-delay-ms" => config.one_delay = millis(&flag, &value)?,
            "--two-delay-ms" => config.two_delay = millis(&flag, &value)?,
            _ => return Err(format!("unknown flag {flag:?}")),
        }
    }
    Ok(Some(config))
}

/// `127.0.0.1:8080`, or a name such as `localhost:8080`, resolved.
fn address(value: &str) -> Result<SocketAddr, String> {
    value
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            format!(
                "--addr {value:?} is not an address to listen on: give HOST:PORT, \
                 such as 127.0.0.1:8080 or localhost:8080"
            )
        })
}

fn millis(flag: &str, value: &str) -> Result<Duration, String> {
    value
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{flag} {value:?} is not a whole number of milliseconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn flags_set_the_address_and_delays() {
        let config = parse(args(&["--addr", "127.0.0.1:9000", "--two-delay-ms", "500"]))
            .unwrap()
            .unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.two_delay, Duration::from_millis(500));
        assert_eq!(config.one_delay, Duration::from_secs(2));
    }

    /// A host name is resolved; a bad address gets a hint, not a bare
    /// "invalid socket address syntax".
    #[test]
    fn a_host_name_is_resolved_and_a_bad_address_gets_a_hint() {
        let config = parse(args(&["--addr", "localhost:8080"])).unwrap().unwrap();
        assert!(config.addr.ip().is_loopback());
        let message = parse(args(&["--addr", "nonsense"])).unwrap_err();
        assert!(
            message.contains("give HOST:PORT, such as 127.0.0.1:8080"),
            "{message}"
        );
    }

    #[test]
    fn bad_flags_name_themselves() {
        let message = parse(args(&["--two-delay-ms", "fast"])).unwrap_err();
        assert!(message.starts_with("--two-delay-ms \"fast\""), "{message}");
        assert!(
            parse(args(&["--port", "1"]))
                .unwrap_err()
                .contains("--port")
        );
        assert!(
            parse(args(&["--addr"]))
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(parse(args(&["--help"])).unwrap().is_none());
    }
}
