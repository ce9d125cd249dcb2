//! The parent (runs each strategy in a child process, collects, reports)
//! and the child (runs one strategy and measures it).
//!
//! # What survives a failure
//!
//! A strategy whose child fails or crashes gets a row of its own, marked
//! "did not finish" with the child's reason; the strategies that finished
//! keep theirs, and the table, JSON, CSV and chart are written for all of
//! them. A long run is never lost on its last strategy.
//!
//! # No orphans
//!
//! The parent holds the write end of each child's stdin and never writes. A
//! child started with `--parent-pipe` reads its stdin on a thread of its
//! own: end of file means the parent is gone (exited, killed, crashed: the
//! kernel closes its pipes in every case), and the child exits at once.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use harness::{AllocCounter, checks};
use indicatif::{ProgressBar, ProgressStyle};
use slow_api::{ApiClient, Server, ServerConfig};

use crate::report::{StrategyResult, table, write_csv};
use crate::strategy::{Job, Strategy, Workload, run};

/// The exit code of a child whose parent went away.
pub const ORPHAN_EXIT_CODE: i32 = 3;

/// The command line (the parent's flags; the child gets the same plus `--child`).
#[derive(Debug, Clone, clap::Parser)]
#[command(version, about = "The tutorial's Goroutine X Ants table, in Rust")]
pub struct Args {
    /// Jobs per strategy (default: 10,000 for http and sleep, 100,000 for
    /// noop, so the default run ends within a minute on 2 cores;
    /// `--jobs 100000` is the tutorial's table).
    #[arg(long)]
    pub jobs: Option<u64>,
    /// What each job does.
    #[arg(long, value_enum, default_value = "http")]
    pub workload: Workload,
    /// Run only these strategies.
    #[arg(long, value_enum, num_args = 1..)]
    pub only: Vec<Strategy>,
    /// Where the JSON, CSV and SVG go (created, and checked for writing,
    /// before anything runs).
    #[arg(long, default_value = "compare-results")]
    pub out_dir: PathBuf,
    /// The sleep of the `sleep` workload, in milliseconds.
    #[arg(long, default_value_t = 10)]
    pub sleep_ms: u64,
    /// Most jobs in flight for the strategies with no pool (a thread per
    /// job, tokio tasks): each holds a thread or a socket.
    #[arg(long, default_value_t = 10_000)]
    pub max_in_flight: usize,
    /// Base address of a running slow API (default: start one in-process).
    #[arg(long)]
    pub url: Option<String>,
    /// The longest one HTTP call may take, in seconds, before it counts as failed.
    #[arg(long, default_value_t = 30)]
    pub call_timeout_s: u64,
    /// Internal: run one strategy in this process and print its result.
    #[arg(long, hide = true)]
    pub child: Option<Strategy>,
    /// Internal: exit when stdin closes (the parent is gone).
    #[arg(long, hide = true)]
    pub parent_pipe: bool,
}

impl Args {
    /// The jobs per strategy, the workload's default when not given.
    pub fn jobs(&self) -> u64 {
        self.jobs.unwrap_or(match self.workload {
            Workload::Http | Workload::Sleep => 10_000,
            Workload::Noop => 100_000,
        })
    }

    fn strategies(&self) -> Vec<Strategy> {
        if self.only.is_empty() {
            Strategy::ALL.to_vec()
        } else {
            self.only.clone()
        }
    }

    fn workload_name(&self) -> String {
        format!("{:?}", self.workload).to_lowercase()
    }

    /// Everything that can be refused is refused here, before anything starts.
    fn check(&self) -> anyhow::Result<()> {
        checks::jobs("--jobs", self.jobs())?;
        if self.call_timeout_s == 0 {
            bail!("--call-timeout-s must be at least 1");
        }
        if self.strategies().contains(&Strategy::ThreadPerJob) {
            checks::threads("--max-in-flight", self.max_in_flight)?;
        } else if self.max_in_flight == 0 {
            bail!("--max-in-flight must be at least 1");
        }
        Ok(())
    }
}

/// The child: runs `strategy` once, measures it, prints one JSON line on
/// stdout; progress lines (`progress N`) go to stderr for the parent.
pub fn run_child(args: &Args, strategy: Strategy) -> anyhow::Result<StrategyResult> {
    if args.parent_pipe {
        exit_when_the_parent_is_gone();
    }
    let jobs = args.jobs();
    let capacity = strategy.capacity(args.max_in_flight).min(match strategy {
        Strategy::ThreadPerJob | Strategy::TokioTasks => jobs as usize,
        _ => usize::MAX,
    });
    let sleep = Duration::from_millis(args.sleep_ms);
    let call_timeout = Duration::from_secs(args.call_timeout_s);
    let (client, job_time) = match args.workload {
        Workload::Http => {
            let url = args
                .url
                .as_deref()
                .context("the http workload needs --url")?;
            // One socket per job in flight, and some to spare.
            checks::fd_limit(
                capacity as u64 + 256,
                "a smaller --max-in-flight, or fewer strategies with --only",
            )?;
            let client = ApiClient::with_call_timeout(url, capacity, call_timeout)
                .map_err(|e| anyhow!("--url: {e}"))?;
            // The ideal uses the delay the API itself reports.
            let delay = client.probe().map_err(anyhow::Error::msg)?.two_delay;
            (Some(client), Some(delay))
        }
        Workload::Sleep => (None, Some(sleep)),
        Workload::Noop => (None, None),
    };
    let job = Job::new(args.workload, sleep, client, call_timeout);

    // Sample the thread count and report progress while the jobs run.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (stop, job) = (stop.clone(), job.clone());
        std::thread::spawn(move || {
            let mut peak = 0;
            let mut last_report = Instant::now();
            while !stop.load(SeqCst) {
                peak = peak.max(harness::probes::live_threads());
                if last_report.elapsed() >= Duration::from_millis(100) {
                    eprintln!("progress {}", job.done());
                    last_report = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            peak.max(harness::probes::live_threads())
        })
    };

    // Run the jobs.
    let counter = AllocCounter::start();
    let start = Instant::now();
    let outcome = run(
        strategy,
        &job,
        jobs,
        args.max_in_flight,
        args.url.as_deref(),
    );
    let elapsed = start.elapsed();
    let allocated = counter.allocated();
    stop.store(true, SeqCst);
    let peak_threads = sampler
        .join()
        .map_err(|_| anyhow!("the sampler panicked"))?;
    eprintln!("progress {}", job.done());
    let pool_stats = outcome?;

    let ideal_s = job_time.map(|t| harness::ideal_time(jobs, capacity, t).as_secs_f64());
    let elapsed_s = elapsed.as_secs_f64();
    let failed = job.failures().count();
    Ok(StrategyResult {
        strategy: strategy.name(),
        workload: args.workload_name(),
        jobs,
        capacity,
        did_not_finish: None,
        elapsed_s,
        ideal_s,
        // A failed job is often a fast one: no ratio then, it would flatter.
        ideal_ratio: ideal_s.filter(|_| failed == 0).map(|i| elapsed_s / i),
        ns_per_job: elapsed.as_nanos() as f64 / jobs as f64,
        peak_threads,
        peak_rss_bytes: harness::probes::peak_resident_bytes().unwrap_or(0),
        allocated_bytes: allocated.map_or(0, |(bytes, _)| bytes),
        allocations: allocated.map_or(0, |(_, count)| count),
        failed,
        first_error: job.failures().first(),
        queue_wait_mean_ms: pool_stats
            .filter(|s| s.timed > 0)
            .map(|s| s.mean_queue_wait().as_secs_f64() * 1e3),
        queue_wait_max_ms: pool_stats
            .filter(|s| s.timed > 0)
            .map(|s| s.queue_wait_max.as_secs_f64() * 1e3),
    })
}

/// Exits this process when its stdin reaches end of file: the parent that
/// holds the other end is gone.
fn exit_when_the_parent_is_gone() {
    let watcher = std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(|| {
            let mut sink = [0u8; 64];
            let mut stdin = std::io::stdin();
            // The parent never writes: read returns 0 (end of file) or an
            // error only once the parent's end of the pipe is closed.
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(ORPHAN_EXIT_CODE);
        });
    if let Err(e) = watcher {
        // Without the watcher the child still works; it only loses the
        // guarantee, so say so.
        eprintln!("cannot start the parent watcher ({e}): this child may outlive its parent");
    }
}

/// The parent: checks the flags and the output folder, starts the API if
/// needed, runs each strategy in a child process with a progress bar,
/// prints the table and writes JSON, CSV and SVG into `--out-dir`, for every
/// strategy, finished or not. Returns the results.
pub fn run_parent(args: &Args) -> anyhow::Result<Vec<StrategyResult>> {
    args.check()?;
    checks::out_dir(&args.out_dir)?;
    let jobs = args.jobs();
    let strategies = args.strategies();
    let workload = args.workload_name();

    // The API runs here, in the parent, so no child pays for it.
    let mut server = None;
    let mut url = args.url.clone();
    if args.workload == Workload::Http && url.is_none() {
        let largest = strategies
            .iter()
            .map(|s| s.capacity(args.max_in_flight))
            .max()
            .unwrap_or(1);
        checks::fd_limit(
            largest as u64 + 256,
            "a smaller --max-in-flight, or fewer strategies with --only",
        )?;
        let s = Server::start(ServerConfig::ephemeral()).context("cannot start the slow API")?;
        url = Some(s.url().to_owned());
        server = Some(s);
    }
    if let Some(url) = &url {
        ApiClient::new(url, 1)
            .map_err(|e| anyhow!("--url: {e}"))?
            .probe()
            .map_err(anyhow::Error::msg)?;
    }

    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template("{msg:>20} [{bar:40}] {pos}/{len} jobs ({elapsed})")
            .expect("a valid template")
            .progress_chars("=> "),
    );

    let mut results = Vec::new();
    for &strategy in &strategies {
        bar.reset();
        bar.set_message(strategy.name());
        let result = run_one(args, &exe, strategy, url.as_deref(), &bar).unwrap_or_else(|reason| {
            StrategyResult::did_not_finish(
                strategy.name(),
                workload.clone(),
                jobs,
                strategy.capacity(args.max_in_flight),
                reason,
            )
        });
        results.push(result);
    }
    bar.finish_and_clear();
    drop(server);

    // Print and write the results: every strategy, finished or not.
    println!("{jobs} jobs, workload {workload}, each strategy in its own process:\n");
    print!("{}", table(&results));
    let base = args.out_dir.join(format!("results-{workload}"));
    let (json_path, csv_path) = (base.with_extension("json"), base.with_extension("csv"));
    let json = serde_json::to_string_pretty(&results).context("cannot serialise the results")?;
    std::fs::write(&json_path, json)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    write_csv(&results, &csv_path)?;
    let svg = args.out_dir.join(format!("chart-{workload}.svg"));
    let title = format!("{jobs} {workload} jobs per strategy");
    crate::chart::draw_chart(&results, &title, &svg)?;
    println!(
        "\nwritten: {}, {}, {}",
        json_path.display(),
        csv_path.display(),
        svg.display()
    );
    Ok(results)
}

/// Runs one strategy in a child process; its result, or why it has none.
fn run_one(
    args: &Args,
    exe: &std::path::Path,
    strategy: Strategy,
    url: Option<&str>,
    bar: &ProgressBar,
) -> Result<StrategyResult, String> {
    let mut cmd = Command::new(exe);
    cmd.arg("--child")
        .arg(strategy.name())
        .arg("--parent-pipe")
        .args(["--workload", &args.workload_name()])
        .args(["--jobs", &args.jobs().to_string()])
        .args(["--sleep-ms", &args.sleep_ms.to_string()])
        .args(["--max-in-flight", &args.max_in_flight.to_string()])
        .args(["--call-timeout-s", &args.call_timeout_s.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = url {
        cmd.args(["--url", url]);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start its child process: {e}"))?;
    // Held, never written, until the child is done: if this process dies,
    // the pipe closes and the child exits.
    let parent_pipe = child.stdin.take();
    let stderr = child.stderr.take().expect("piped");
    let mut diagnostics = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        match line.strip_prefix("progress ").and_then(|n| n.parse().ok()) {
            Some(done) => bar.set_position(done),
            None => diagnostics.push(line),
        }
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("lost its child process: {e}"))?;
    drop(parent_pipe);
    let stdout = String::from_utf8_lossy(&output.stdout);
    match serde_json::from_str::<StrategyResult>(stdout.trim()) {
        Ok(result) if output.status.success() => Ok(result),
        _ => {
            // The child's own last words say why; keep them short.
            let said: Vec<&str> = diagnostics
                .iter()
                .rev()
                .take(3)
                .rev()
                .map(String::as_str)
                .collect();
            Err(format!("{} ({})", said.join(" / "), output.status)
                .trim()
                .to_owned())
        }
    }
}
