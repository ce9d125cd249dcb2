//! `compare` under failure, against in-process servers that misbehave on
//! purpose, each in seconds: an API killed mid-run, a parent killed with a
//! child running, an unwritable folder, calls failing fast, too few file
//! descriptors.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::compare_in as compare;
use compare::StrategyResult;
use harness::testing::{read_json, temp_dir};
use slow_api::{Fault, Server, ServerConfig};

fn results(dir: &Path, workload: &str) -> Vec<StrategyResult> {
    read_json(&dir.join(format!("results-{workload}.json")))
}

/// The API killed mid-run loses no finished strategy: the strategy running
/// at the kill reports its failed calls, the ones after it get "did not
/// finish" rows with the reason, and every file is written.
#[test]
fn finished_strategies_survive_a_server_killed_mid_run() {
    let config = ServerConfig {
        two_delay: Duration::from_millis(200),
        ..ServerConfig::ephemeral()
    };
    let api = Server::start(config).unwrap();
    let url = api.url().to_owned();
    // Kill the API once the first strategy is part-way through.
    let killer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while api.served() < 500 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        api.kill();
    });
    let dir = temp_dir("killed");
    let out = compare(
        &[
            "--url",
            &url,
            "--jobs",
            "2000",
            "--only",
            "pool1000",
            "threadpool1000",
        ],
        &dir,
    );
    killer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rows = results(&dir, "http");
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (first, second) = (&rows[0], &rows[1]);
    assert_eq!(first.did_not_finish, None);
    assert!(first.failed > 0 && first.failed < 2000, "{first:?}");
    assert_eq!(
        first.ideal_ratio, None,
        "no ratio for a run with failed calls"
    );
    let reason = second.did_not_finish.as_deref().unwrap();
    assert!(reason.contains("cannot reach the slow API"), "{reason}");

    // The table says it all: the unfinished row with its reason, the first error.
    assert!(
        stdout.contains("threadpool1000       did not finish: "),
        "{stdout}"
    );
    assert!(stdout.contains("pool1000: "), "{stdout}");
    assert!(stdout.contains("failed; first: GET "), "{stdout}");
    let csv = std::fs::read_to_string(dir.join("results-http.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let svg = std::fs::read_to_string(dir.join("chart-http.svg")).unwrap();
    assert!(
        svg.contains("(FAILED: "),
        "the chart marks the failed strategy"
    );
    assert!(svg.contains("threadpool1000 (DID NOT FINISH)"));
}

/// Every call failing fast against a 500 server is not a win.
#[test]
fn a_500_server_gives_failed_rows_not_fast_ones() {
    let config = ServerConfig {
        fault: Fault::Status500,
        ..ServerConfig::ephemeral()
    };
    let api = Server::start(config).unwrap();
    let dir = temp_dir("500");
    let out = compare(
        &["--url", api.url(), "--jobs", "50", "--only", "pool1000"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    let rows = results(&dir, "http");
    assert_eq!(rows[0].failed, 50);
    assert_eq!(rows[0].ideal_ratio, None);
    assert!(rows[0].first_error.as_deref().unwrap().contains("500"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(" n/a "), "{stdout}");
}

/// An unwritable output folder is refused before the first strategy runs.
#[test]
fn an_unwritable_out_dir_is_refused_before_anything_runs() {
    let started = Instant::now();
    let out = compare(
        &["--workload", "noop", "--jobs", "10"],
        Path::new("/proc/compare-results"),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--out-dir /proc/compare-results"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing ran: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Too few file descriptors: the message names `--max-in-flight` and
/// `--only`, the flags compare has.
#[test]
fn the_fd_limit_message_names_compares_own_flags() {
    let dir = temp_dir("fd");
    let script = format!(
        "ulimit -n 512 && exec '{}' --only pool10000 --jobs 10 --out-dir '{}'",
        env!("CARGO_BIN_EXE_compare"),
        dir.display()
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--max-in-flight") && stderr.contains("--only"),
        "{stderr}"
    );
    assert!(!stderr.contains("--pool-size"), "{stderr}");
}

/// `kill -TERM` on the parent ends its child at once, not 30 s later.
#[test]
fn a_child_exits_when_its_parent_is_killed() {
    let dir = temp_dir("orphan");
    // A strategy that takes a minute, so the child is surely mid-run.
    let mut parent = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args([
            "--workload",
            "sleep",
            "--sleep-ms",
            "1000",
            "--jobs",
            "60000",
        ])
        .args(["--only", "pool1000", "--out-dir"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let child = wait_for(Duration::from_secs(30), || {
        children_of(parent.id()).into_iter().next()
    })
    .expect("the parent started a child");
    let killed = Command::new("kill")
        .args(["-TERM", &parent.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    parent.wait().unwrap();
    let gone = wait_for(Duration::from_secs(10), || (!alive(child)).then_some(()));
    assert!(gone.is_some(), "child {child} outlived its parent by 10 s");
}

/// Polls `probe` every 10 ms until it gives a value or `timeout` passes.
fn wait_for<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The processes whose parent is `pid`, from `/proc/*/stat`.
fn children_of(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if stat_field(child, 1).and_then(|p| p.parse::<u32>().ok()) == Some(pid) {
            found.push(child);
        }
    }
    found
}

/// A process that exists and is not a zombie (a zombie has exited; only
/// its parent's wait is missing).
fn alive(pid: u32) -> bool {
    stat_field(pid, 0).is_some_and(|state| state != "Z" && state != "X")
}

/// Field `n` after the command name in `/proc/{pid}/stat` (0: state, 1: ppid).
fn stat_field(pid: u32, n: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    after_name.split_whitespace().nth(n).map(str::to_owned)
}

/// Against the tutorial's own server (no `/health`), compare times one call
/// once, in the parent, says so in one line, and every strategy runs.
#[test]
fn the_tutorials_own_server_is_timed_once_and_every_strategy_runs() {
    let go_like = ServerConfig {
        health_route: false,
        ..ServerConfig::fast(Duration::from_millis(20))
    };
    let api = Server::start(go_like).unwrap();
    let dir = temp_dir("go-server");
    let out = compare(
        &[
            "--jobs",
            "40",
            "--only",
            "pool1000",
            "tokio-tasks",
            "--url",
            api.url(),
        ],
        &dir,
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert_eq!(said.matches("has no GET /health").count(), 1, "{said}");
    let rows = results(&dir, "http");
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r.failed, 0, "{r:?}");
        // The ideal comes from the timed delay: at least the 20 ms sleep.
        assert!(r.ideal_s.unwrap() >= 0.020, "{r:?}");
    }
}
