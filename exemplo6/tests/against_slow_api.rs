//! exemplo6 against an in-process slow API with a short delay: ported from
//! the Go tutorial's `TestPoolWithFuncWaitToGet`, with the checks it lacked,
//! and the binary against servers that misbehave on purpose (silent, 500,
//! killed mid-run), each in seconds.

use std::process::Output;
use std::time::{Duration, Instant};

use harness::testing::{run, text};
use slow_api::{ApiClient, Fault, Server, ServerConfig};

fn server(delay_ms: u64, fault: Fault) -> Server {
    let config = ServerConfig {
        fault,
        track_ids: true,
        ..ServerConfig::fast(Duration::from_millis(delay_ms))
    };
    Server::start(config).unwrap()
}

fn exemplo6(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let out = run(env!("CARGO_BIN_EXE_exemplo6"), args);
    (out, start.elapsed())
}

#[test]
fn every_job_runs_exactly_once_and_the_api_never_sees_more_than_the_pool_size() {
    let server = server(5, Fault::None);
    let client = ApiClient::new(server.url(), 8).unwrap();
    let outcome = exemplo6::run(&client, "two", 400, 8).unwrap();
    assert_eq!(
        outcome.failures.count(),
        0,
        "{:?}",
        outcome.failures.first()
    );
    // The server counted each id: 0..400, once each.
    let counts = server.id_counts().unwrap();
    assert_eq!(counts.len(), 400);
    for id in 0..400 {
        assert_eq!(counts.get(&id.to_string()), Some(&1), "id {id}");
    }
    let peak = server.peak_in_flight();
    assert!(peak <= 8, "{peak} requests in flight with a pool of 8");
    assert!(peak >= 2, "the pool never ran two calls at once");
}

#[test]
fn failed_calls_are_counted_not_fatal() {
    let server = server(1, Fault::Status500);
    let client = ApiClient::new(server.url(), 4).unwrap();
    let outcome = exemplo6::run(&client, "two", 20, 4).unwrap();
    assert_eq!(outcome.failures.count(), 20);
    assert!(outcome.failures.first().unwrap().contains("500"));
}

#[test]
fn the_binary_reports_an_unreachable_api_within_seconds() {
    // Bind a port, then free it: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (out, took) = exemplo6(&["--jobs", "3", "--url", &url]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot reach the slow API"), "{stderr}");
    assert!(stderr.contains("cargo run -p slow-api"), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// A server that accepts and never answers is named within seconds, not
/// after a minute of silence.
#[test]
fn the_binary_reports_a_silent_api_within_seconds() {
    let silent = server(1, Fault::Silent);
    let (out, took) = exemplo6(&["--jobs", "8", "--pool-size", "4", "--url", silent.url()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("did not answer GET /health"), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    silent.kill();
}

/// 20 of 20 calls failing fast print no "took 0.01x the ideal" and exit 1.
#[test]
fn a_failed_run_shows_no_ratio_and_fails() {
    let broken = server(1, Fault::Status500);
    let (out, _) = exemplo6(&["--jobs", "20", "--pool-size", "4", "--url", broken.url()]);
    assert_eq!(out.status.code(), Some(1), "any failed call fails the run");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ratio n/a: 20 of 20 calls failed"),
        "{stdout}"
    );
    assert!(!stdout.contains("x the ideal"), "{stdout}");
    assert!(stdout.contains("500"), "the first error is shown: {stdout}");
}

/// An API killed mid-run: half the calls fail fast, and no flattering ratio.
#[test]
fn a_server_killed_mid_run_is_reported_as_failed_calls() {
    let api = server(20, Fault::None);
    let url = api.url().to_owned();
    // Kill the API once a quarter of the calls are served.
    let killer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while api.served() < 10 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        api.kill();
    });
    let (out, took) = exemplo6(&["--jobs", "40", "--pool-size", "4", "--url", &url, "--json"]);
    killer.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed = report["failed"].as_u64().unwrap();
    assert!(failed > 0 && failed <= 30, "failed {failed}");
    assert!(report["ideal_ratio"].is_null(), "{report}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// Runs exemplo6 with 8 calls through a pool of 4 against `api`, checks it
/// exited 0, and returns its JSON report and what it said on stderr.
fn eight_calls_through_four(api: &Server) -> (serde_json::Value, String) {
    let (out, _) = exemplo6(&[
        "--jobs",
        "8",
        "--pool-size",
        "4",
        "--url",
        api.url(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = serde_json::from_slice(&out.stdout).unwrap();
    (report, text(&out.stderr))
}

/// The ideal uses the delay the API reports, not an assumed 100 ms.
#[test]
fn the_ideal_uses_the_delay_the_api_reports() {
    let api = server(30, Fault::None);
    let (report, _) = eight_calls_through_four(&api);
    assert_eq!(report["delay_ms"], 30);
    assert_eq!(report["ideal_s"], 0.06);
}

/// Impossible numbers and half addresses are refused at once.
#[test]
fn impossible_flags_are_refused_before_anything_starts() {
    for (args, expected) in [
        (
            vec!["--jobs", "18446744073709551615"],
            "'--jobs <JOBS>': 18446744073709551615 is too many",
        ),
        (vec!["--jobs", "100000000000"], "at most 1000000000"),
        (vec!["--jobs", "0"], "'--jobs <JOBS>': must be at least 1"),
        (
            vec!["--pool-size", "0"],
            "'--pool-size <POOL_SIZE>': must be at least 1",
        ),
        (
            vec!["--pool-size", "100000000"],
            "'--pool-size <POOL_SIZE>': 100000000 is more threads",
        ),
        (vec!["--url", "http://"], "(got \"http://\")"),
        (vec!["--url", "notaurl"], "(got \"notaurl\")"),
        (
            vec!["--call-timeout-s", "0"],
            "--call-timeout-s must be at least 1",
        ),
        (
            vec!["--call-timeout-s", "18446744073709551615"],
            "--call-timeout-s 18446744073709551615 is too long",
        ),
        (
            vec!["--call-timeout-s", "9300000000000000000"],
            "at most 86400 (a day)",
        ),
    ] {
        let (out, took) = exemplo6(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
    }
}

#[test]
fn the_binary_prints_json_for_scripts() {
    let (out, _) = exemplo6(&["--jobs", "20", "--pool-size", "5", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["jobs"], 20);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["delay_ms"], 100);
    assert_eq!(report["server_requests"], 20);
    assert!(report["server_peak_in_flight"].as_u64().unwrap() <= 5);
    assert!(report["allocated_bytes"].as_u64().unwrap() > 0);
    assert!(report["ideal_ratio"].as_f64().unwrap() >= 0.95);
}

/// docs/exercises.md, exercise 2: call /one instead of /two and predict the
/// time: 10 calls of 2 s on 10 workers is one round, 2 s.
#[test]
fn exercise_2_route_one_takes_one_round_of_two_seconds() {
    let (out, took) = exemplo6(&[
        "--route",
        "one",
        "--jobs",
        "10",
        "--pool-size",
        "10",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["delay_ms"], 2000);
    assert_eq!(report["ideal_s"], 2.0);
    assert!(report["elapsed_s"].as_f64().unwrap() >= 2.0);
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// The tutorial's own `server.go` has only `/one/:id` and `/two/:id` (404
/// elsewhere): with no `/health` to ask, exemplo6 times one call, says so
/// in one line, and runs against it.
#[test]
fn the_tutorials_own_server_is_timed_and_used() {
    let go_like = ServerConfig {
        health_route: false,
        track_ids: true,
        ..ServerConfig::fast(Duration::from_millis(30))
    };
    let api = Server::start(go_like).unwrap();
    let (report, said) = eight_calls_through_four(&api);
    assert_eq!(said.matches("has no GET /health").count(), 1, "{said}");
    assert_eq!(report["failed"], 0);
    let delay = report["delay_ms"].as_u64().unwrap();
    assert!((30..1000).contains(&delay), "timed delay {delay} ms");
    // Eight jobs and the one timed call (id 0).
    assert_eq!(api.served(), 9);
}
