//! The figures a run prints at the end, each labelled for what it is.
//!
//! - elapsed time, and the **ideal** time `ceil(jobs / pool size) × delay`
//!   (the pool can do no better than that many rounds of one delay each),
//!   with the delay the API itself reported;
//! - how many times the ideal it took: shown only when every call
//!   succeeded, since a failed call is often a fast one and would flatter
//!   the run;
//! - requests per second (successful calls only) and failed calls, with the
//!   first error;
//! - **peak resident memory** (`VmHWM`: the most RAM the process held at once);
//! - **bytes allocated** (every allocation added up, freed or not: what Go's
//!   `TotalAlloc` measured, and what the tutorial called "memória usada").

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use slow_api::Server;

use crate::alloc::AllocCounter;
use crate::args::{RunArgs, Target};
use crate::failures::Failures;

/// `ceil(jobs / workers) × delay`: the fastest any pool of `workers` can
/// make `jobs` calls that each take `delay`.
///
/// ```
/// use std::time::Duration;
/// let ideal = harness::ideal_time(100_000, 1000, Duration::from_millis(100));
/// assert_eq!(ideal, Duration::from_secs(10));
/// assert_eq!(harness::ideal_time(5, 2, Duration::from_secs(1)), Duration::from_secs(3));
/// ```
pub fn ideal_time(jobs: u64, workers: usize, delay: Duration) -> Duration {
    let rounds = jobs.div_ceil(workers.max(1) as u64);
    delay.saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX))
}

/// What a lesson's `run` gives back: the same for every pool, so one report
/// fits them all.
#[derive(Debug)]
pub struct Outcome {
    /// Failed calls, with the first error (a failed call is counted, and
    /// the others go on: the Go original ended the process instead).
    pub failures: std::sync::Arc<Failures>,
    /// From the first job handed over to the last one done.
    pub elapsed: Duration,
    /// Worker threads alive at the end (ants' `Running()`).
    pub workers_running: usize,
}

impl Outcome {
    /// The outcome of a run that started at `start` and has just finished.
    ///
    /// ```
    /// let start = std::time::Instant::now();
    /// let failures = std::sync::Arc::new(harness::Failures::default());
    /// let outcome = harness::Outcome::finished(start, 4, failures);
    /// assert_eq!(outcome.workers_running, 4);
    /// ```
    pub fn finished(
        start: std::time::Instant,
        workers_running: usize,
        failures: std::sync::Arc<Failures>,
    ) -> Outcome {
        Outcome {
            failures,
            elapsed: start.elapsed(),
            workers_running,
        }
    }
}

/// What a run measured, before it becomes a [`RunReport`].
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Wall-clock time from the first job submitted to the last one done.
    pub elapsed: Duration,
    /// Worker threads alive at the end.
    pub workers_running: usize,
    /// Bytes and number of allocations during the run, if counted.
    pub allocated: Option<(u64, u64)>,
}

/// The figures a run prints at the end: `Display` gives the text report,
/// serde the JSON one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunReport {
    /// Which program and pool made the run.
    pub program: String,
    /// Calls made.
    pub jobs: u64,
    /// Workers allowed at once.
    pub pool_size: usize,
    /// Worker threads alive at the end (ants' `Running()`).
    pub workers_running: usize,
    /// Route called.
    pub route: String,
    /// Delay of that route as the API reported it, in milliseconds.
    pub delay_ms: u64,
    /// Wall-clock time of the run, in seconds.
    pub elapsed_s: f64,
    /// `ceil(jobs / pool_size) × delay`, in seconds.
    pub ideal_s: f64,
    /// `elapsed / ideal` (1.00 is perfect); `None` when a call failed, since
    /// failed calls are often fast and the ratio would flatter the run.
    pub ideal_ratio: Option<f64>,
    /// Successful calls per second.
    pub requests_per_s: f64,
    /// Calls that failed.
    pub failed: u64,
    /// The first failure, if any.
    pub first_error: Option<String>,
    /// Peak resident memory of the process (VmHWM), in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Bytes allocated during the run, freed or not (Go's TotalAlloc).
    pub allocated_bytes: Option<u64>,
    /// Allocations made during the run.
    pub allocations: Option<u64>,
    /// Requests the in-process API answered.
    pub server_requests: Option<u64>,
    /// Most requests in flight at once at the in-process API.
    pub server_peak_in_flight: Option<usize>,
}

impl RunReport {
    /// Puts together the report of a run of `args` against `target`.
    ///
    /// ```
    /// use clap::Parser;
    /// use std::time::Duration;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: harness::RunArgs }
    ///
    /// let args = Cli::parse_from(["x", "--jobs", "10", "--pool-size", "5"]).run;
    /// let target = args.prepare_with(slow_api::ServerConfig::fast(Duration::from_millis(1))).unwrap();
    /// let measured = harness::Measured { elapsed: Duration::from_millis(4), workers_running: 5, allocated: None };
    /// let failures = harness::Failures::default();
    /// let report = harness::RunReport::new("demo", &args, &target, measured, &failures);
    /// assert_eq!(report.ideal_s, 0.002);
    /// assert_eq!(report.ideal_ratio, Some(2.0));
    ///
    /// // One failed call: the ratio is not shown.
    /// failures.record("500");
    /// let report = harness::RunReport::new("demo", &args, &target, measured, &failures);
    /// assert_eq!(report.ideal_ratio, None);
    /// assert!(report.to_string().contains("n/a: 1 of 10 calls failed"));
    /// ```
    pub fn new(
        program: &str,
        args: &RunArgs,
        target: &Target,
        measured: Measured,
        failures: &Failures,
    ) -> RunReport {
        let elapsed_s = measured.elapsed.as_secs_f64();
        let ideal_s = ideal_time(args.jobs, args.pool_size, target.delay).as_secs_f64();
        let failed = failures.count();
        RunReport {
            program: program.to_owned(),
            jobs: args.jobs,
            pool_size: args.pool_size,
            workers_running: measured.workers_running,
            route: args.route.clone(),
            delay_ms: target.delay.as_millis() as u64,
            elapsed_s,
            ideal_s,
            ideal_ratio: (failed == 0 && ideal_s > 0.0).then(|| elapsed_s / ideal_s),
            requests_per_s: args.jobs.saturating_sub(failed) as f64 / elapsed_s.max(1e-9),
            failed,
            first_error: failures.first(),
            peak_rss_bytes: crate::probes::peak_resident_bytes(),
            allocated_bytes: measured.allocated.map(|(bytes, _)| bytes),
            allocations: measured.allocated.map(|(_, count)| count),
            server_requests: target.server.as_ref().map(Server::served),
            server_peak_in_flight: target.server.as_ref().map(Server::peak_in_flight),
        }
    }

    /// Prints the report as text, or as one JSON object with `json`.
    pub fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string(self).expect("a report always serialises")
            );
        } else {
            print!("{self}");
        }
    }

    /// The exit code a program ends with: failure when any call failed,
    /// so scripts notice.
    pub fn exit_code(&self) -> std::process::ExitCode {
        if self.failed == 0 {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: Option<u64>| match b {
            Some(b) => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
            None => "not measured".into(),
        };
        writeln!(
            f,
            "{}: {} calls to /{}/{{id}} ({} ms each), pool size {}",
            self.program, self.jobs, self.route, self.delay_ms, self.pool_size
        )?;
        writeln!(f, "  workers running at the end : {}", self.workers_running)?;
        writeln!(f, "  elapsed                    : {:.2} s", self.elapsed_s)?;
        let ratio = match self.ideal_ratio {
            Some(x) => format!("took {x:.2}x the ideal"),
            None => format!("ratio n/a: {} of {} calls failed", self.failed, self.jobs),
        };
        writeln!(
            f,
            "  ideal (ceil(jobs/pool) x delay): {:.2} s -> {ratio}",
            self.ideal_s
        )?;
        writeln!(
            f,
            "  requests per second        : {:.0} (successful calls only)",
            self.requests_per_s
        )?;
        writeln!(f, "  failed calls               : {}", self.failed)?;
        if let Some(e) = &self.first_error {
            writeln!(f, "  first error                : {e}")?;
        }
        writeln!(
            f,
            "  peak resident memory (VmHWM): {}",
            mib(self.peak_rss_bytes)
        )?;
        write!(
            f,
            "  bytes allocated (all, freed or not; Go's TotalAlloc): {}",
            mib(self.allocated_bytes)
        )?;
        if let Some(n) = self.allocations {
            write!(f, " in {n} allocations")?;
        }
        writeln!(f)?;
        if let (Some(n), Some(peak)) = (self.server_requests, self.server_peak_in_flight) {
            writeln!(
                f,
                "  API (in-process): {n} requests served, at most {peak} in flight at once"
            )?;
        }
        Ok(())
    }
}

impl RunArgs {
    /// A whole example, after its flags are parsed: [`prepare`](RunArgs::prepare)
    /// the API, run `jobs` against it counting allocations, print the
    /// report (text, or JSON with `--json`), and give the exit code (1 when
    /// a call failed).
    ///
    /// ```no_run
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: harness::RunArgs }
    ///
    /// let cli = Cli::parse();
    /// let code = cli.run.run_and_report("demo", |target| {
    ///     # let _ = target;
    ///     // Make the calls through some pool, and say how it went.
    ///     # let outcome = harness::Outcome::finished(std::time::Instant::now(), 1, Default::default());
    ///     Ok::<_, std::convert::Infallible>(outcome)
    /// });
    /// ```
    pub fn run_and_report<E>(
        &self,
        program: &str,
        jobs: impl FnOnce(&Target) -> Result<Outcome, E>,
    ) -> anyhow::Result<std::process::ExitCode>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        // Start (or find) the slow API, before any job starts.
        let target = self.prepare()?;

        // Run the jobs, counting allocations.
        let counter = AllocCounter::start();
        let outcome = jobs(&target)?;

        // Print the figures.
        let measured = Measured {
            elapsed: outcome.elapsed,
            workers_running: outcome.workers_running,
            allocated: counter.allocated(),
        };
        let report = RunReport::new(program, self, &target, measured, &outcome.failures);
        report.print(self.json);
        Ok(report.exit_code())
    }
}
