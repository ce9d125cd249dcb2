//! exemplo6 against an in-process slow API with a short delay: ported from
//! the Go tutorial's `TestPoolWithFuncWaitToGet`, with the checks it lacked.

use std::time::{Duration, Instant};

use slow_api::{ApiClient, Server, ServerConfig};

#[test]
fn every_job_runs_once_and_the_api_never_sees_more_than_the_pool_size() {
    let server = Server::start(ServerConfig::fast(Duration::from_millis(5))).unwrap();
    let client = ApiClient::new(server.url(), 8).unwrap();
    let outcome = exemplo6::run(&client, "two", 400, 8).unwrap();
    assert_eq!(
        outcome.failures.count(),
        0,
        "{:?}",
        outcome.failures.first()
    );
    assert_eq!(outcome.succeeded, 400);
    assert_eq!(outcome.ran_twice, 0);
    assert_eq!(
        server.served(),
        400,
        "the API saw exactly one request per job"
    );
    let peak = server.peak_in_flight();
    assert!(peak <= 8, "{peak} requests in flight with a pool of 8");
    assert!(peak >= 2, "the pool never ran two calls at once");
}

#[test]
fn failed_calls_are_counted_not_fatal() {
    let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
    let client = ApiClient::new(server.url(), 4).unwrap();
    // The route does not exist: every call gets a 404, and the run goes on.
    let outcome = exemplo6::run(&client, "three", 20, 4).unwrap();
    assert_eq!(outcome.failures.count(), 20);
    assert!(outcome.failures.first().unwrap().contains("404"));
}

#[test]
fn an_unreachable_api_is_reported_within_seconds() {
    // Bind a port, then free it: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ApiClient::new(&format!("http://127.0.0.1:{port}"), 1).unwrap();
    let start = Instant::now();
    let message = client.check_reachable().unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(message.contains("cannot reach the slow API"), "{message}");
    assert!(message.contains("cargo run -p slow-api"), "{message}");
}

#[test]
fn the_binary_reports_and_fails_on_an_unreachable_api() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_exemplo6"))
        .args(["--jobs", "3", "--url", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot reach the slow API"), "{stderr}");
}

#[test]
fn the_binary_prints_json_for_scripts() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_exemplo6"))
        .args(["--jobs", "20", "--pool-size", "5", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["jobs"], 20);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["server_requests"], 20);
    assert!(report["server_peak_in_flight"].as_u64().unwrap() <= 5);
    assert!(report["allocated_bytes"].as_u64().unwrap() > 0);
}
