//! Each stage, deterministic on two busy cores: results checked, and no
//! thread left running when the stage returns. Ported from the Go tutorial's
//! exemplo1 and exemplo4. Thread counts are per process, so this file runs
//! without the test harness (`harness = false`): one case after another on
//! the main thread, with no harness threads coming and going.

use std::time::Duration;

use native_workers::{basic, book_pool::ThreadPool, http_workers};
use pool_core::live_threads;
use slow_api::{ApiClient, Server, ServerConfig};

/// The threads are joined by now, but the kernel takes the thread out of
/// `/proc` a few microseconds after it wakes the joiner: poll, briefly.
fn assert_threads_back_to(before: usize, what: &str) {
    let now = slow_api::probes::wait_for_threads_at_most(before, Duration::from_secs(30));
    assert_eq!(now, before, "{what}");
}

fn main() {
    let cases: &[(&str, fn())] = &[
        (
            "basic_runs_every_job_and_joins_its_workers",
            basic_runs_every_job_and_joins_its_workers,
        ),
        (
            "book_pool_drop_joins_every_worker",
            book_pool_drop_joins_every_worker,
        ),
        (
            "a_panicking_job_kills_its_book_pool_worker",
            a_panicking_job_kills_its_book_pool_worker,
        ),
        (
            "http_workers_call_once_per_job_and_leave_no_thread",
            http_workers_call_once_per_job_and_leave_no_thread,
        ),
        (
            "a_failed_http_call_is_counted_not_fatal",
            a_failed_http_call_is_counted_not_fatal,
        ),
        (
            "run_jobs_takes_any_job_function",
            run_jobs_takes_any_job_function,
        ),
        ("the_binary_runs_every_stage", the_binary_runs_every_stage),
    ];
    for (name, case) in cases {
        case();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed; 0 failed", cases.len());
}

fn basic_runs_every_job_and_joins_its_workers() {
    let before = live_threads();
    let mut results = basic::run(3, 5);
    results.sort();
    assert_eq!(results, [2, 4, 6, 8, 10]);
    assert_threads_back_to(before, "stage 1 left threads behind");
}

fn book_pool_drop_joins_every_worker() {
    let before = live_threads();
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let pool = ThreadPool::new(4);
        assert_eq!(live_threads(), before + 4);
        for i in 0..100 {
            let tx = tx.clone();
            pool.execute(move || tx.send(i).unwrap());
        }
    }
    drop(tx);
    assert_eq!(rx.iter().count(), 100);
    assert_threads_back_to(before, "Drop did not join");
}

fn a_panicking_job_kills_its_book_pool_worker() {
    let pool = ThreadPool::new(2);
    // The panic is the point of this case: keep its message out of the log.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let (tx, rx) = std::sync::mpsc::channel();
    pool.execute(move || {
        let _ = tx.send(());
        panic!("a job that panics");
    });
    rx.recv_timeout(Duration::from_secs(30)).unwrap();
    // Wait (bounded) for the unwinding thread to finish dying.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while pool.live_workers() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never died"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    std::panic::set_hook(quiet);
    // The survivor still runs jobs; the pool has quietly lost one worker.
    let (tx, rx) = std::sync::mpsc::channel();
    pool.execute(move || tx.send(42).unwrap());
    assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), 42);
}

fn http_workers_call_once_per_job_and_leave_no_thread() {
    let server = Server::start(ServerConfig::fast(Duration::from_millis(5))).unwrap();
    let client = ApiClient::new(server.url(), 5).unwrap();
    let before = live_threads();
    let summary = http_workers::run(&client, "two", 5, 100);
    assert_threads_back_to(before, "stage 3 left threads behind");
    assert_eq!(summary.succeeded, 100);
    assert_eq!(server.served(), 100);
    assert!(server.peak_in_flight() <= 5);
}

fn a_failed_http_call_is_counted_not_fatal() {
    let server = Server::start(ServerConfig::fast(Duration::from_millis(1))).unwrap();
    let client = ApiClient::new(server.url(), 2).unwrap();
    let summary = http_workers::run(&client, "nope", 2, 10);
    assert_eq!(summary.failures.count(), 10);
    assert_eq!(summary.succeeded, 0);
}

fn run_jobs_takes_any_job_function() {
    let before = live_threads();
    let summary =
        http_workers::run_jobs(
            4,
            1000,
            |id| if id == 7 { Err("seven".into()) } else { Ok(()) },
        );
    assert_eq!(summary.succeeded, 999);
    assert_eq!(summary.failures.first().as_deref(), Some("seven"));
    assert_threads_back_to(before, "run_jobs left threads behind");
}

fn the_binary_runs_every_stage() {
    for stage in ["basic", "book-pool"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_native-workers"))
            .arg(stage)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{stage}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_native-workers"))
        .args(["http-workers", "--workers", "4", "--jobs", "12", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["server_requests"], 12);
    assert!(r["server_peak_in_flight"].as_u64().unwrap() <= 4);
}
