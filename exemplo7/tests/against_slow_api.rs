//! exemplo7 against an in-process slow API: ported from the Go tutorial's
//! `TestPoolWaitToGetWorker` and `TestPoolWaitToGetWorkerPreMalloc`, with
//! the check Go's racy `id++` would fail: every call got its own number.

use std::time::Duration;

use exemplo7::Workers;
use slow_api::{ApiClient, Server, ServerConfig};

fn every_call_gets_its_own_number(workers: Workers) {
    let config = ServerConfig {
        track_ids: true,
        ..ServerConfig::fast(Duration::from_millis(5))
    };
    let server = Server::start(config).unwrap();
    let client = ApiClient::new(server.url(), 6).unwrap();
    let outcome = exemplo7::run(&client, "two", 300, 6, workers).unwrap();
    assert_eq!(
        outcome.failures.count(),
        0,
        "{:?}",
        outcome.failures.first()
    );
    // 300 calls, 300 distinct numbers, each called once: no number was
    // taken twice, as Go's racy `id++` could.
    let counts = server.id_counts().unwrap();
    assert_eq!(counts.len(), 300);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert!(
        server.peak_in_flight() <= 6,
        "peak {}",
        server.peak_in_flight()
    );
}

#[test]
fn pool_wait_to_get_worker() {
    every_call_gets_its_own_number(Workers::OnDemand);
}

#[test]
fn pool_wait_to_get_worker_pre_malloc() {
    every_call_gets_its_own_number(Workers::PreAllocated);
}

#[test]
fn the_binary_prints_json_with_every_figure() {
    let r = harness::testing::run_json(
        env!("CARGO_BIN_EXE_exemplo7"),
        ["--jobs", "11", "--pool-size", "3", "--pre-alloc", "--json"],
    );
    assert_eq!(r["jobs"], 11);
    assert_eq!(r["server_requests"], 11);
    assert_eq!(r["failed"], 0);
    assert_eq!(r["workers_running"], 3, "pre-allocated: every worker is up");
    assert!(r["ideal_s"].as_f64().unwrap() > 0.0);
}

/// Against the tutorial's own server (no `/health`), exemplo7 times one
/// call, says so, and runs.
#[test]
fn the_tutorials_own_server_is_timed_and_used() {
    let go_like = ServerConfig {
        health_route: false,
        ..ServerConfig::fast(Duration::from_millis(30))
    };
    let api = Server::start(go_like).unwrap();
    let out = harness::testing::run_ok(
        env!("CARGO_BIN_EXE_exemplo7"),
        [
            "--jobs",
            "6",
            "--pool-size",
            "3",
            "--url",
            api.url(),
            "--json",
        ],
    );
    let said = harness::testing::text(&out.stderr);
    assert!(said.contains("has no GET /health"), "{said}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["failed"], 0);
    assert!(r["delay_ms"].as_u64().unwrap() >= 30, "{r}");
}
