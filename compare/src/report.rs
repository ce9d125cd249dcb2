//! One strategy's measured figures, and the table, JSON and CSV made of them.
//!
//! Failure is never flattering: a strategy with failed jobs has no ratio to
//! the ideal (failed calls are often fast ones), its first error is printed
//! under the table, and a strategy that did not finish keeps a row that says
//! so and why.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
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
    /// Why the strategy has no figures: its child process failed or crashed.
    /// `None` when it finished (its jobs may still have failed: see `failed`).
    pub did_not_finish: Option<String>,
    /// Wall-clock time from the first job started to the last one done, in seconds.
    pub elapsed_s: f64,
    /// `ceil(jobs / capacity) × job time`, in seconds (none for `noop`).
    pub ideal_s: Option<f64>,
    /// `elapsed / ideal` (1.00 is perfect); none when a job failed.
    pub ideal_ratio: Option<f64>,
    /// Nanoseconds per job (elapsed / jobs): the figure for `noop`.
    pub ns_per_job: f64,
    /// The most threads the process had at once (sampled every 2 ms; counts
    /// the sampler and the parent watcher too).
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
    /// pool-core's strategies: the mean time a job waited in the pool
    /// between being accepted and starting, in milliseconds (from the pool's
    /// own `stats()`); none for the others.
    pub queue_wait_mean_ms: Option<f64>,
    /// pool-core's strategies: the longest such wait, in milliseconds.
    pub queue_wait_max_ms: Option<f64>,
    /// Start latency, from handing a job over to its first line running:
    /// the median, in microseconds (to within 12.5%, see `latency.rs`).
    pub start_p50_us: Option<f64>,
    /// The 99th percentile of the start latency, in microseconds.
    pub start_p99_us: Option<f64>,
    /// How many jobs' start latency was timed (one in 8; every job of `burst`).
    pub start_samples: u64,
}

impl StrategyResult {
    /// The row of a strategy that did not finish, with the reason.
    ///
    /// ```
    /// let row = compare::StrategyResult::did_not_finish("pool1000".into(), "http".into(), 10, 1000, "killed".into());
    /// assert!(row.failed_or_unfinished());
    /// assert!(compare::table(&[row]).contains("did not finish: killed"));
    /// ```
    pub fn did_not_finish(
        strategy: String,
        workload: String,
        jobs: u64,
        capacity: usize,
        reason: String,
    ) -> StrategyResult {
        StrategyResult {
            strategy,
            workload,
            jobs,
            capacity,
            did_not_finish: Some(reason),
            elapsed_s: 0.0,
            ideal_s: None,
            ideal_ratio: None,
            ns_per_job: 0.0,
            peak_threads: 0,
            peak_rss_bytes: 0,
            allocated_bytes: 0,
            allocations: 0,
            failed: 0,
            first_error: None,
            queue_wait_mean_ms: None,
            queue_wait_max_ms: None,
            start_p50_us: None,
            start_p99_us: None,
            start_samples: 0,
        }
    }

    /// Whether this row is not a clean run: a job failed, or the strategy
    /// did not finish.
    pub fn failed_or_unfinished(&self) -> bool {
        self.failed > 0 || self.did_not_finish.is_some()
    }
}

/// Microseconds, or milliseconds once they reach thousands.
pub(crate) fn micros(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.1}ms", us / 1000.0)
    } else {
        format!("{us:.0}µs")
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A column of the terminal tables: its header, its width, and how one
/// row fills it. The table and the sweep's table pick their columns from
/// here, so a column reads the same in both.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column {
    Strategy,
    Size,
    Elapsed,
    Ideal,
    XIdeal,
    NsPerJob,
    StartP50,
    StartP99,
    QWait,
    Threads,
    PeakRss,
    Allocated,
    Allocs,
    Failed,
}

impl Column {
    fn header(self) -> &'static str {
        match self {
            Column::Strategy => "strategy",
            Column::Size => "size",
            Column::Elapsed => "elapsed",
            Column::Ideal => "ideal",
            Column::XIdeal => "x ideal",
            Column::NsPerJob => "ns/job",
            Column::StartP50 => "start p50",
            Column::StartP99 => "start p99",
            Column::QWait => "q wait",
            Column::Threads => "threads",
            Column::PeakRss => "peak RSS",
            Column::Allocated => "allocated",
            Column::Allocs => "allocs",
            Column::Failed => "failed",
        }
    }

    fn width(self) -> usize {
        match self {
            Column::Strategy => 20,
            Column::Size => 6,
            Column::Elapsed
            | Column::Ideal
            | Column::XIdeal
            | Column::StartP50
            | Column::StartP99
            | Column::QWait
            | Column::Threads => 9,
            Column::NsPerJob | Column::PeakRss | Column::Allocs => 10,
            Column::Allocated => 12,
            Column::Failed => 7,
        }
    }

    fn cell(self, r: &StrategyResult) -> String {
        let us = |v: Option<f64>| v.map_or("-".into(), micros);
        match self {
            Column::Strategy => r.strategy.clone(),
            Column::Size => r.capacity.to_string(),
            Column::Elapsed => format!("{:.2}s", r.elapsed_s),
            Column::Ideal => r.ideal_s.map_or("-".into(), |s| format!("{s:.2}s")),
            Column::XIdeal => match (r.ideal_ratio, r.ideal_s) {
                (Some(x), _) => format!("{x:.2}x"),
                (None, Some(_)) => "n/a".into(),
                (None, None) => "-".into(),
            },
            Column::NsPerJob => format!("{:.0}", r.ns_per_job),
            Column::StartP50 => us(r.start_p50_us),
            Column::StartP99 => us(r.start_p99_us),
            Column::QWait => r
                .queue_wait_mean_ms
                .map_or("-".into(), |ms| format!("{ms:.2}ms")),
            Column::Threads => r.peak_threads.to_string(),
            Column::PeakRss => format!("{:.1}MiB", mib(r.peak_rss_bytes)),
            Column::Allocated => format!("{:.1}MiB", mib(r.allocated_bytes)),
            Column::Allocs => r.allocations.to_string(),
            Column::Failed => r.failed.to_string(),
        }
    }

    fn pad(self, text: &str) -> String {
        match self {
            // The name column reads left to right; figures line up on the right.
            Column::Strategy => format!("{text:<width$}", width = self.width()),
            _ => format!("{text:>width$}", width = self.width()),
        }
    }
}

/// `rows` under `columns`' headers, one line each; a row that did not
/// finish keeps its first cell and says why instead of the figures.
pub(crate) fn render(columns: &[Column], rows: &[StrategyResult]) -> String {
    let line = |cells: Vec<String>| cells.join(" ").trim_end().to_owned() + "\n";
    let mut out = line(columns.iter().map(|c| c.pad(c.header())).collect());
    for r in rows {
        let first = columns.first().map_or(String::new(), |c| c.pad(&c.cell(r)));
        match &r.did_not_finish {
            Some(reason) => out.push_str(&line(vec![first, format!("did not finish: {reason}")])),
            None => out.push_str(&line(columns.iter().map(|c| c.pad(&c.cell(r))).collect())),
        }
    }
    out
}

/// The main table's columns.
const TABLE: [Column; 13] = [
    Column::Strategy,
    Column::Elapsed,
    Column::Ideal,
    Column::XIdeal,
    Column::NsPerJob,
    Column::StartP50,
    Column::StartP99,
    Column::QWait,
    Column::Threads,
    Column::PeakRss,
    Column::Allocated,
    Column::Allocs,
    Column::Failed,
];

/// The terminal table, one row per strategy, then the first error of each
/// strategy that had one.
///
/// ```
/// let row = compare::StrategyResult {
///     strategy: "pool1000".into(), workload: "noop".into(), jobs: 10, capacity: 1000,
///     did_not_finish: None, elapsed_s: 0.001, ideal_s: None, ideal_ratio: None,
///     ns_per_job: 100_000.0, peak_threads: 3, peak_rss_bytes: 1 << 20,
///     allocated_bytes: 1 << 20, allocations: 10, failed: 0, first_error: None,
///     queue_wait_mean_ms: Some(0.5), queue_wait_max_ms: Some(2.0),
///     start_p50_us: Some(12.0), start_p99_us: Some(80.0), start_samples: 2,
/// };
/// assert!(compare::table(&[row]).contains("pool1000"));
/// ```
pub fn table(results: &[StrategyResult]) -> String {
    let mut out = render(&TABLE, results);
    let _ = writeln!(
        out,
        "\nstart p50/p99: from handing a job over to its first line running (one job in 8 timed; \
         every job of `burst`)."
    );
    if results.iter().any(|r| r.queue_wait_mean_ms.is_some()) {
        let _ = writeln!(
            out,
            "q wait: pool-core's own figure, the mean time a job sat in the pool between \
             being accepted and starting (a blocked submit is not counted)."
        );
    }
    let failed: Vec<_> = results.iter().filter(|r| r.failed > 0).collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\nfailed jobs (no ratio shown: failed calls are often fast ones):"
        );
        for r in failed {
            let _ = writeln!(
                out,
                "  {}: {} of {} failed; first: {}",
                r.strategy,
                r.failed,
                r.jobs,
                r.first_error.as_deref().unwrap_or("(no message)")
            );
        }
    }
    out
}

/// The results as CSV, with a header row (the `csv` crate quotes for us).
///
/// ```
/// let row = compare::StrategyResult::did_not_finish("pool1000".into(), "http".into(), 10, 1000, "a \"quoted\", reason".into());
/// let text = compare::to_csv(&[row]).unwrap();
/// assert!(text.starts_with("strategy,workload,jobs,capacity,did_not_finish"));
/// assert!(text.contains("\"a \"\"quoted\"\", reason\""));
/// ```
pub fn to_csv(results: &[StrategyResult]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for r in results {
        writer.serialize(r)?;
    }
    let bytes = writer.into_inner().context("cannot finish the CSV")?;
    Ok(String::from_utf8(bytes)?)
}

/// Writes [`to_csv`] to `path`; an error names the path.
pub fn write_csv(results: &[StrategyResult], path: &Path) -> anyhow::Result<()> {
    std::fs::write(path, to_csv(results)?)
        .with_context(|| format!("cannot write {}", path.display()))
}
