//! What every example shares: its flags, its target API, and its report.
//!
//! exemplo6, exemplo7 and native-workers run the same experiment (N calls to
//! the slow API through some pool) and differ only in the pool. So the
//! flags, the setup (start the API in-process or check the one at `--url`,
//! check the file-descriptor limit, build the shared client) and the printed
//! figures live here, once.
//!
//! The figures, each labelled for what it is:
//! - elapsed time, and the **ideal** time `ceil(jobs / pool size) × delay`
//!   (the pool can do no better than that many rounds of one delay each);
//! - requests per second and failed calls (with the first error);
//! - **peak resident memory** (`VmHWM`: the most RAM the process held at once);
//! - **bytes allocated** (every allocation added up, freed or not: what Go's
//!   `TotalAlloc` measured, and what the tutorial called "memória usada").

use std::time::Duration;

use serde::Serialize;

use crate::client::{ApiClient, ensure_fd_limit};
use crate::server::{Server, ServerConfig};

/// The flags every example takes.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// How many calls to make.
    #[arg(long, default_value_t = 10_000)]
    pub jobs: u64,
    /// How many workers call at once.
    #[arg(long, default_value_t = 1000)]
    pub pool_size: usize,
    /// Which route to call: `one` (2 s) or `two` (100 ms).
    #[arg(long, default_value = "two", value_parser = ["one", "two"])]
    pub route: String,
    /// Base address of a running slow API, e.g. http://127.0.0.1:8080.
    /// Without it, one is started inside this program on a free port.
    #[arg(long)]
    pub url: Option<String>,
    /// Print the final figures as one JSON object instead of the text report.
    #[arg(long)]
    pub json: bool,
}

/// The API a run calls: the shared client, and the in-process server if any.
#[derive(Debug)]
pub struct Target {
    /// The shared keep-alive client.
    pub client: ApiClient,
    /// The in-process server, when no `--url` was given.
    pub server: Option<Server>,
    /// The delay of the route called.
    pub delay: Duration,
}

impl RunArgs {
    /// Checks the flags and sets up the API: everything that can fail fails
    /// here, before any job starts, with a message that says what to change.
    ///
    /// ```
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: slow_api::RunArgs }
    ///
    /// let cli = Cli::parse_from(["x", "--jobs", "4", "--pool-size", "2"]);
    /// let target = cli.run.prepare(std::time::Duration::from_millis(1)).unwrap();
    /// assert!(target.server.is_some());
    /// ```
    pub fn prepare(&self, in_process_delay: Duration) -> Result<Target, String> {
        if self.jobs == 0 {
            return Err("--jobs must be at least 1".into());
        }
        if self.pool_size == 0 {
            return Err("--pool-size must be at least 1".into());
        }
        let ceiling = pool_core::thread_ceiling();
        if self.pool_size > ceiling.max_threads {
            return Err(format!(
                "--pool-size {} is more threads than this process may hold: at most {} here ({})",
                self.pool_size, ceiling.max_threads, ceiling.limit
            ));
        }
        // One socket per worker on our side, one more per worker on the
        // server's side when it runs in this process, and some to spare.
        let per_worker = if self.url.is_some() { 1 } else { 2 };
        ensure_fd_limit(self.pool_size as u64 * per_worker + 64)?;
        match &self.url {
            Some(url) => {
                let client = ApiClient::new(url, self.pool_size)?;
                client.check_reachable()?;
                let delay = ServerConfig::default()
                    .delay_of(&self.route)
                    .expect("clap only accepts known routes");
                Ok(Target {
                    client,
                    server: None,
                    delay,
                })
            }
            None => {
                let mut config = ServerConfig::ephemeral();
                if in_process_delay != ServerConfig::default().two_delay {
                    config = ServerConfig::fast(in_process_delay);
                }
                let delay = config.delay_of(&self.route).expect("known route");
                let server = Server::start(config)
                    .map_err(|e| format!("cannot start the slow API in-process: {e}"))?;
                let client = ApiClient::new(server.url(), self.pool_size)?;
                Ok(Target {
                    client,
                    server: Some(server),
                    delay,
                })
            }
        }
    }
}

impl RunArgs {
    /// [`prepare`](RunArgs::prepare) for a program's `main`: on failure,
    /// prints `"{program}: {message}"` to stderr and gives the exit code (2)
    /// to return.
    ///
    /// ```
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: slow_api::RunArgs }
    /// let cli = Cli::parse_from(["x", "--jobs", "0"]);
    /// assert!(cli.run.prepare_or_explain("demo").is_err());
    /// ```
    pub fn prepare_or_explain(&self, program: &str) -> Result<Target, std::process::ExitCode> {
        self.prepare(ServerConfig::default().two_delay)
            .map_err(|message| {
                eprintln!("{program}: {message}");
                std::process::ExitCode::from(2)
            })
    }
}

/// `ceil(jobs / workers) × delay`: the fastest any pool of `workers` can
/// make `jobs` calls that each take `delay`.
///
/// ```
/// use std::time::Duration;
/// let ideal = slow_api::ideal_time(100_000, 1000, Duration::from_millis(100));
/// assert_eq!(ideal, Duration::from_secs(10));
/// assert_eq!(slow_api::ideal_time(5, 2, Duration::from_secs(1)), Duration::from_secs(3));
/// ```
pub fn ideal_time(jobs: u64, workers: usize, delay: Duration) -> Duration {
    let rounds = jobs.div_ceil(workers.max(1) as u64);
    delay * u32::try_from(rounds).unwrap_or(u32::MAX)
}

/// Failed calls: how many, and the first one (the rest are usually alike).
///
/// ```
/// let failures = slow_api::Failures::default();
/// failures.record("connection refused".into());
/// failures.record("again".into());
/// assert_eq!(failures.count(), 2);
/// assert_eq!(failures.first().as_deref(), Some("connection refused"));
/// ```
#[derive(Debug, Default)]
pub struct Failures {
    count: std::sync::atomic::AtomicU64,
    first: std::sync::OnceLock<String>,
}

impl Failures {
    /// Counts one failure; keeps its message if it is the first.
    pub fn record(&self, message: String) {
        self.count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = self.first.set(message);
    }

    /// How many calls failed.
    pub fn count(&self) -> u64 {
        self.count.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The first failure's message.
    pub fn first(&self) -> Option<String> {
        self.first.get().cloned()
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

/// The figures a run prints at the end.
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
    /// Delay of that route, in milliseconds.
    pub delay_ms: u64,
    /// Wall-clock time of the run, in seconds.
    pub elapsed_s: f64,
    /// `ceil(jobs / pool_size) × delay`, in seconds.
    pub ideal_s: f64,
    /// `elapsed / ideal`: 1.00 is perfect.
    pub ideal_ratio: f64,
    /// Calls completed per second.
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
    /// use std::time::Duration;
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: slow_api::RunArgs }
    /// let args = Cli::parse_from(["x", "--jobs", "10", "--pool-size", "5"]).run;
    /// let target = args.prepare(Duration::from_millis(1)).unwrap();
    /// let measured = slow_api::Measured { elapsed: Duration::from_millis(4), workers_running: 5, allocated: None };
    /// let report = slow_api::RunReport::new("demo", &args, &target, measured, &slow_api::Failures::default());
    /// assert_eq!(report.ideal_s, 0.002);
    /// assert_eq!(report.ideal_ratio, 2.0);
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
        RunReport {
            program: program.to_owned(),
            jobs: args.jobs,
            pool_size: args.pool_size,
            workers_running: measured.workers_running,
            route: args.route.clone(),
            delay_ms: target.delay.as_millis() as u64,
            elapsed_s,
            ideal_s,
            ideal_ratio: if ideal_s > 0.0 {
                elapsed_s / ideal_s
            } else {
                0.0
            },
            requests_per_s: (args.jobs - failures.count().min(args.jobs)) as f64
                / elapsed_s.max(1e-9),
            failed: failures.count(),
            first_error: failures.first(),
            peak_rss_bytes: crate::probes::peak_resident_bytes(),
            allocated_bytes: measured.allocated.map(|(bytes, _)| bytes),
            allocations: measured.allocated.map(|(_, count)| count),
            server_requests: target.server.as_ref().map(Server::served),
            server_peak_in_flight: target.server.as_ref().map(Server::peak_in_flight),
        }
    }

    /// Prints the report as text, or as one JSON object with `json`.
    ///
    /// ```
    /// # let r = slow_api::RunReport { program: "x".into(), jobs: 1, pool_size: 1, workers_running: 1,
    /// #   route: "two".into(), delay_ms: 100, elapsed_s: 0.1, ideal_s: 0.1, ideal_ratio: 1.0,
    /// #   requests_per_s: 10.0, failed: 0, first_error: None, peak_rss_bytes: None,
    /// #   allocated_bytes: None, allocations: None, server_requests: None, server_peak_in_flight: None };
    /// assert!(r.to_text().contains("ideal"));
    /// ```
    pub fn print(&self, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string(self).expect("a report always serialises")
            );
        } else {
            print!("{}", self.to_text());
        }
    }

    /// The exit code a program ends with: failure when any call failed,
    /// so scripts notice.
    ///
    /// ```
    /// # let r = slow_api::RunReport { program: "x".into(), jobs: 1, pool_size: 1, workers_running: 1,
    /// #   route: "two".into(), delay_ms: 100, elapsed_s: 0.1, ideal_s: 0.1, ideal_ratio: 1.0,
    /// #   requests_per_s: 10.0, failed: 0, first_error: None, peak_rss_bytes: None,
    /// #   allocated_bytes: None, allocations: None, server_requests: None, server_peak_in_flight: None };
    /// assert_eq!(r.exit_code(), std::process::ExitCode::SUCCESS);
    /// ```
    pub fn exit_code(&self) -> std::process::ExitCode {
        if self.failed == 0 {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }

    /// The text report.
    pub fn to_text(&self) -> String {
        let mib = |b: Option<u64>| match b {
            Some(b) => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
            None => "not measured".into(),
        };
        let mut out = String::new();
        out += &format!(
            "{}: {} calls to /{}/{{id}} ({} ms each), pool size {}\n",
            self.program, self.jobs, self.route, self.delay_ms, self.pool_size
        );
        out += &format!("  workers running at the end : {}\n", self.workers_running);
        out += &format!("  elapsed                    : {:.2} s\n", self.elapsed_s);
        out += &format!(
            "  ideal (ceil(jobs/pool) x delay): {:.2} s -> took {:.2}x the ideal\n",
            self.ideal_s, self.ideal_ratio
        );
        out += &format!(
            "  requests per second        : {:.0}\n",
            self.requests_per_s
        );
        out += &format!("  failed calls               : {}\n", self.failed);
        if let Some(e) = &self.first_error {
            out += &format!("  first error                : {e}\n");
        }
        out += &format!(
            "  peak resident memory (VmHWM): {}\n",
            mib(self.peak_rss_bytes)
        );
        out += &format!(
            "  bytes allocated (all, freed or not; Go's TotalAlloc): {}",
            mib(self.allocated_bytes)
        );
        if let Some(n) = self.allocations {
            out += &format!(" in {n} allocations");
        }
        out += "\n";
        if let (Some(n), Some(peak)) = (self.server_requests, self.server_peak_in_flight) {
            out += &format!(
                "  API (in-process): {n} requests served, at most {peak} in flight at once\n"
            );
        }
        out
    }
}
