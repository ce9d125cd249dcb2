//! Each stage, deterministic on two busy cores: results checked, and no
//! thread left running when the stage returns. Ported from the Go tutorial's
//! exemplo1 and exemplo4. Thread counts are per process, so this file runs
//! without the test harness (`harness = false`): one case after another on
//! the main thread, with no harness threads coming and going.

use std::time::Duration;

use harness::probes::live_threads;
use native_workers::{basic, book_pool::ThreadPool, http_workers};
use slow_api::{ApiClient, Fault, Server, ServerConfig};

/// The threads are joined by now, but the kernel takes the thread out of
/// `/proc` a few microseconds after it wakes the joiner: poll, briefly.
fn assert_threads_back_to(before: usize, what: &str) {
    let now = harness::probes::wait_for_threads_at_most(before, Duration::from_secs(30));
    // At most: threads of an earlier case, joined but not yet out of
    // `/proc` when `before` was read, may have left since.
    assert!(now <= before, "{what}: {now} threads, {before} before");
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
        ("the_binary_runs_every_stage", the_binary_runs_every_stage),
        (
            "the_binary_refuses_impossible_numbers_naming_the_flag",
            the_binary_refuses_impossible_numbers_naming_the_flag,
        ),
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
    // The panic is the point of this case: keep the worker's message out of
    // the log, but not this thread's, so a failed check says why.
    let quiet = std::panic::take_hook();
    let main = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == main {
            eprintln!("{info}");
        }
    }));
    let (tx, rx) = std::sync::mpsc::channel();
    pool.execute(move || {
        let _ = tx.send(());
        panic!("a job that panics");
    });
    rx.recv_timeout(Duration::from_secs(30)).unwrap();
    // Wait (bounded) for the unwinding thread to finish dying.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while pool.live_workers() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker that ran the panicking job is still alive after 5 s: \
             native-workers/src/book_pool.rs now catches panics (exercise 1 solved?). \
             This case shows the pool as the Book wrote it: \
             `git restore native-workers/src/book_pool.rs` puts it back"
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
    let config = ServerConfig {
        track_ids: true,
        ..ServerConfig::fast(Duration::from_millis(5))
    };
    let server = Server::start(config).unwrap();
    let client = ApiClient::new(server.url(), 5).unwrap();
    let before = live_threads();
    let outcome = http_workers::run(&client, "two", 5, 100);
    assert_threads_back_to(before, "stage 3 left threads behind");
    assert_eq!(outcome.failures.count(), 0);
    let counts = server.id_counts().unwrap();
    assert_eq!(counts.len(), 100);
    assert!(
        counts.values().all(|&n| n == 1),
        "an id ran twice: {counts:?}"
    );
    assert!(server.peak_in_flight() <= 5);
}

fn a_failed_http_call_is_counted_not_fatal() {
    let config = ServerConfig {
        fault: Fault::Status500,
        ..ServerConfig::fast(Duration::from_millis(1))
    };
    let server = Server::start(config).unwrap();
    let client = ApiClient::new(server.url(), 2).unwrap();
    let outcome = http_workers::run(&client, "two", 2, 10);
    assert_eq!(outcome.failures.count(), 10);
}

fn the_binary_runs_every_stage() {
    for stage in ["basic", "book-pool"] {
        harness::testing::run_ok(env!("CARGO_BIN_EXE_native-workers"), [stage]);
    }
    let r = harness::testing::run_json(
        env!("CARGO_BIN_EXE_native-workers"),
        ["http-workers", "--workers", "4", "--jobs", "12", "--json"],
    );
    assert_eq!(r["server_requests"], 12);
    assert!(r["server_peak_in_flight"].as_u64().unwrap() <= 4);
}

/// 20,000 workers aborted the process and a trillion jobs filled memory:
/// both are refused before anything starts, and the message names the flag
/// the user typed (`--workers`, never another example's `--pool-size`).
fn the_binary_refuses_impossible_numbers_naming_the_flag() {
    let more_threads = "'--workers <WORKERS>': 100000000 is more threads";
    let no_workers = "'--workers <WORKERS>': must be at least 1";
    let too_many_jobs = "'--jobs <JOBS>': 1000000000000 is too many";
    let no_jobs = "'--jobs <JOBS>': must be at least 1";
    for (args, expected) in [
        (vec!["basic", "--workers", "100000000"], more_threads),
        (vec!["book-pool", "--workers", "100000000"], more_threads),
        (vec!["http-workers", "--workers", "100000000"], more_threads),
        (vec!["http-workers", "--workers", "0"], no_workers),
        (vec!["basic", "--workers", "0"], no_workers),
        (vec!["basic", "--jobs", "1000000000000"], too_many_jobs),
        (
            vec!["http-workers", "--jobs", "1000000000000"],
            too_many_jobs,
        ),
        (vec!["basic", "--jobs", "0"], no_jobs),
        (vec!["book-pool", "--jobs", "0"], no_jobs),
        (
            vec!["basic", "--jobs", "200000"],
            "keeps and prints every result",
        ),
        (vec!["basic", "--json"], "unexpected argument '--json'"),
        (
            vec!["http-workers", "--call-timeout-s", "18446744073709551615"],
            "--call-timeout-s 18446744073709551615 is too long",
        ),
    ] {
        let started = std::time::Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_native-workers"))
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?}");
    }
}
