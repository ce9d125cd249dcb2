//! exemplo7 against an in-process slow API: ported from the Go tutorial's
//! `TestPoolWaitToGetWorker`, `...With2Submits` and `...PreMalloc`.

use std::time::Duration;

use exemplo7::Submits;
use slow_api::{ApiClient, Server, ServerConfig};

fn check(submits: Submits, pre_alloc: bool) {
    let server = Server::start(ServerConfig::fast(Duration::from_millis(5))).unwrap();
    let client = ApiClient::new(server.url(), 6).unwrap();
    let outcome = exemplo7::run(&client, "two", 300, 6, submits, pre_alloc).unwrap();
    assert_eq!(
        outcome.failures.count(),
        0,
        "{:?}",
        outcome.failures.first()
    );
    assert_eq!(outcome.succeeded, 300);
    let exemplo7_calls = if submits == Submits::Two { 150 } else { 300 };
    assert_eq!(
        outcome.distinct_ids, exemplo7_calls,
        "every call got its own number"
    );
    assert_eq!(server.served(), 300);
    assert!(
        server.peak_in_flight() <= 6,
        "peak {}",
        server.peak_in_flight()
    );
}

#[test]
fn one_submit_per_turn() {
    check(Submits::One, false);
}

#[test]
fn two_submits_per_turn() {
    check(Submits::Two, false);
}

#[test]
fn pre_allocated_workers() {
    check(Submits::One, true);
}

#[test]
fn the_binary_prints_json_with_every_figure() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_exemplo7"))
        .args([
            "--jobs",
            "11",
            "--pool-size",
            "3",
            "--two-submits",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["jobs"], 11);
    assert_eq!(r["server_requests"], 11);
    assert_eq!(r["failed"], 0);
    assert!(r["ideal_s"].as_f64().unwrap() > 0.0);
}
