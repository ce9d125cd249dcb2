//! One strategy's measured figures, and the table, JSON and CSV made of them.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// What one strategy's run measured, in its own process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyResult {
    /// The strategy's name (e.g. `pool1000`).
    pub strategy: String,
    /// The workload (`http`, `sleep`, `noop`).
    pub workload: String,
    /// Jobs run.
    pub jobs: u64,
    /// Jobs it lets run at once.
    pub capacity: usize,
    /// Wall-clock time from the first job started to the last one done, in seconds.
    pub elapsed_s: f64,
    /// `ceil(jobs / capacity) × job time`, in seconds (none for `noop`).
    pub ideal_s: Option<f64>,
    /// `elapsed / ideal` (1.00 is perfect).
    pub ideal_ratio: Option<f64>,
    /// Nanoseconds per job (elapsed / jobs): the figure for `noop`.
    pub ns_per_job: f64,
    /// The most threads the process had at once (sampled every 2 ms).
    pub peak_threads: usize,
    /// Peak resident memory of the process (VmHWM), in bytes.
    pub peak_rss_bytes: u64,
    /// Bytes allocated during the run, freed or not.
    pub allocated_bytes: u64,
    /// Allocations made during the run.
    pub allocations: u64,
    /// Jobs that failed.
    pub failed: u64,
    /// The first failure, if any.
    pub first_error: Option<String>,
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The terminal table, one row per strategy.
///
/// ```
/// let row = compare::StrategyResult {
///     strategy: "pool1000".into(), workload: "noop".into(), jobs: 10, capacity: 1000,
///     elapsed_s: 0.001, ideal_s: None, ideal_ratio: None, ns_per_job: 100_000.0,
///     peak_threads: 3, peak_rss_bytes: 1 << 20, allocated_bytes: 1 << 20, allocations: 10,
///     failed: 0, first_error: None,
/// };
/// assert!(compare::table(&[row]).contains("pool1000"));
/// ```
pub fn table(results: &[StrategyResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:>9} {:>9} {:>8} {:>10} {:>8} {:>10} {:>12} {:>10} {:>7}",
        "strategy",
        "elapsed",
        "ideal",
        "x ideal",
        "ns/job",
        "threads",
        "peak RSS",
        "allocated",
        "allocs",
        "failed"
    );
    for r in results {
        let ideal = r.ideal_s.map_or("-".into(), |s| format!("{s:.2}s"));
        let ratio = r.ideal_ratio.map_or("-".into(), |x| format!("{x:.2}x"));
        let _ = writeln!(
            out,
            "{:<20} {:>8.2}s {:>9} {:>8} {:>10.0} {:>8} {:>7.1}MiB {:>9.1}MiB {:>10} {:>7}",
            r.strategy,
            r.elapsed_s,
            ideal,
            ratio,
            r.ns_per_job,
            r.peak_threads,
            mib(r.peak_rss_bytes),
            mib(r.allocated_bytes),
            r.allocations,
            r.failed
        );
    }
    out
}

/// The results as CSV, with a header row.
///
/// ```
/// assert!(compare::csv(&[]).starts_with("strategy,workload,jobs"));
/// ```
pub fn csv(results: &[StrategyResult]) -> String {
    let mut out = String::from(
        "strategy,workload,jobs,capacity,elapsed_s,ideal_s,ideal_ratio,ns_per_job,peak_threads,peak_rss_bytes,allocated_bytes,allocations,failed,first_error\n",
    );
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    for r in results {
        let error = r
            .first_error
            .as_deref()
            .unwrap_or_default()
            .replace('"', "\"\"");
        let _ = writeln!(
            out,
            "{},{},{},{},{:.6},{},{},{:.1},{},{},{},{},{},\"{}\"",
            r.strategy,
            r.workload,
            r.jobs,
            r.capacity,
            r.elapsed_s,
            opt(r.ideal_s),
            opt(r.ideal_ratio),
            r.ns_per_job,
            r.peak_threads,
            r.peak_rss_bytes,
            r.allocated_bytes,
            r.allocations,
            r.failed,
            error
        );
    }
    out
}
