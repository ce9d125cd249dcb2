//! `compare` end to end on a few hundred jobs per strategy: every strategy
//! reports every figure, measured in its own process.

use std::process::Command;

use compare::StrategyResult;
use harness::testing::temp_dir;

fn run(
    args: &[&str],
    out_dir: &std::path::Path,
) -> (std::process::Output, Vec<StrategyResult>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(args)
        .arg("--out-dir")
        .arg(out_dir)
        .output()
        .unwrap();
    let workload = args
        .windows(2)
        .find(|w| w[0] == "--workload")
        .map_or("http", |w| w[1]);
    let json = std::fs::read_to_string(out_dir.join(format!("results-{workload}.json")))
        .unwrap_or_default();
    let results = serde_json::from_str(&json).unwrap_or_default();
    (out, results, workload.to_owned())
}

#[test]
fn every_strategy_reports_every_figure_over_http() {
    let dir = temp_dir("http");
    let (out, results, _) = run(&["--jobs", "300"], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(results.len(), compare::Strategy::all().len());
    for (r, s) in results.iter().zip(compare::Strategy::all()) {
        assert_eq!(r.strategy, s.name());
        assert_eq!(r.jobs, 300);
        assert_eq!(r.failed, 0, "{}: {:?}", r.strategy, r.first_error);
        assert!(r.elapsed_s > 0.0, "{}", r.strategy);
        // 300 calls of 100 ms can't beat the ideal.
        let ideal = r.ideal_s.unwrap();
        assert!(
            ideal >= 0.1 && r.elapsed_s >= ideal * 0.95,
            "{}: {} < {}",
            r.strategy,
            r.elapsed_s,
            ideal
        );
        assert!(r.peak_threads >= 2, "{}", r.strategy);
        assert!(r.peak_rss_bytes > 0, "{}", r.strategy);
        assert!(r.allocated_bytes > 0 && r.allocations > 0, "{}", r.strategy);
    }
    // A pool of 1000 never has more than 1000 workers plus a few others.
    let pool1000 = results.iter().find(|r| r.strategy == "pool1000").unwrap();
    assert!(pool1000.peak_threads <= 1000 + 16);
    // Tokio runs 300 calls on a handful of threads.
    let tokio = results
        .iter()
        .find(|r| r.strategy == "tokio-tasks")
        .unwrap();
    assert!(
        tokio.peak_threads < 16,
        "tokio used {} threads",
        tokio.peak_threads
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("strategy") && stdout.contains("peak RSS"));
    assert!(dir.join("results-http.csv").exists());
    assert!(
        std::fs::read_to_string(dir.join("chart-http.svg"))
            .unwrap()
            .contains("<svg")
    );
}

#[test]
fn sleep_and_noop_workloads_run_too() {
    for workload in ["sleep", "noop"] {
        let dir = temp_dir(workload);
        let (out, results, _) = run(
            &[
                "--workload",
                workload,
                "--jobs",
                "500",
                "--only",
                "pool1000",
                "tokio-tasks",
                "thread-per-job",
            ],
            &dir,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(results.len(), 3);
        for r in &results {
            assert_eq!(r.failed, 0);
            assert_eq!(r.ideal_s.is_some(), workload == "sleep");
            assert!(r.ns_per_job > 0.0);
        }
    }
}

#[test]
fn a_duration_flag_past_a_day_is_refused_before_anything_starts() {
    let dir = temp_dir("durations");
    for (flag, value) in [
        ("--call-timeout-s", "18446744073709551615"),
        ("--sleep-ms", "9300000000000000000"),
    ] {
        let (out, _, _) = run(&["--only", "pool1000", flag, value], &dir);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{flag} {value} is too long")),
            "{stderr}"
        );
    }
    assert!(!dir.join("results-http.json").exists(), "nothing ran");
}

#[test]
fn a_strategy_named_twice_is_refused_not_run_twice() {
    let dir = temp_dir("duplicates");
    let (out, _, _) = run(&["--only", "pool1000", "threadpool1000", "pool1000"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--only names pool1000 twice"), "{stderr}");
    assert!(!dir.join("results-http.json").exists(), "nothing ran");
}

#[test]
fn too_many_threads_is_refused_before_anything_starts() {
    let dir = temp_dir("refused");
    let ceiling = pool_core::thread_ceiling().max_threads;
    let too_many = (ceiling + 1).to_string();
    let (out, _, _) = run(
        &[
            "--only",
            "thread-per-job",
            "--max-in-flight",
            &too_many,
            "--workload",
            "noop",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("more threads than this process may hold"),
        "{stderr}"
    );
    assert!(!dir.join("results-noop.json").exists(), "nothing ran");
}
