//! The parent (runs each strategy in a child process, collects, reports)
//! and the child (runs one strategy and measures it).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use slow_api::{ApiClient, Server, ServerConfig, ensure_fd_limit};

use crate::report::{StrategyResult, csv, table};
use crate::strategy::{Job, Strategy, Workload, run};

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
    /// Where the JSON, CSV and SVG go.
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
    /// Internal: run one strategy in this process and print its result.
    #[arg(long, hide = true)]
    pub child: Option<Strategy>,
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

    /// Everything that can be refused is refused here, before anything starts.
    fn check(&self) -> Result<(), String> {
        if self.jobs() == 0 {
            return Err("--jobs must be at least 1".into());
        }
        if self.max_in_flight == 0 {
            return Err("--max-in-flight must be at least 1".into());
        }
        let ceiling = pool_core::thread_ceiling();
        if self.strategies().contains(&Strategy::ThreadPerJob)
            && self.max_in_flight > ceiling.max_threads
        {
            return Err(format!(
                "--max-in-flight {} would start more threads than this process may hold \
                 for thread-per-job: at most {} here ({}). Pass a smaller --max-in-flight.",
                self.max_in_flight, ceiling.max_threads, ceiling.limit
            ));
        }
        Ok(())
    }
}

/// Bytes allocated and allocations made so far, from the binary's counting allocator.
pub type AllocSnapshot = fn() -> (u64, u64);

/// The child: runs `strategy` once, measures it, prints one JSON line on
/// stdout; progress lines (`progress N`) go to stderr for the parent.
pub fn run_child(
    args: &Args,
    strategy: Strategy,
    alloc: AllocSnapshot,
) -> Result<StrategyResult, String> {
    let jobs = args.jobs();
    let capacity = strategy.capacity(args.max_in_flight).min(match strategy {
        Strategy::ThreadPerJob | Strategy::TokioTasks => jobs as usize,
        _ => usize::MAX,
    });
    let client = match args.workload {
        Workload::Http => {
            let url = args.url.as_deref().ok_or("the http workload needs --url")?;
            // One socket per job in flight, and some to spare.
            ensure_fd_limit(capacity as u64 + 256)?;
            let client = ApiClient::new(url, capacity)?;
            client.check_reachable()?;
            Some(client)
        }
        _ => None,
    };
    let sleep = Duration::from_millis(args.sleep_ms);
    let job = Job::new(args.workload, sleep, client);

    // Sample the thread count and report progress while the jobs run.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (stop, job) = (stop.clone(), job.clone());
        std::thread::spawn(move || {
            let mut peak = 0;
            let mut last_report = Instant::now();
            while !stop.load(SeqCst) {
                peak = peak.max(pool_core::live_threads());
                if last_report.elapsed() >= Duration::from_millis(100) {
                    eprintln!("progress {}", job.done());
                    last_report = Instant::now();
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            peak.max(pool_core::live_threads())
        })
    };

    // Run the jobs.
    let (bytes0, count0) = alloc();
    let start = Instant::now();
    run(
        strategy,
        &job,
        jobs,
        args.max_in_flight,
        args.url.as_deref(),
    )?;
    let elapsed = start.elapsed();
    let (bytes1, count1) = alloc();
    stop.store(true, SeqCst);
    let peak_threads = sampler.join().map_err(|_| "the sampler panicked")?;
    eprintln!("progress {}", job.done());

    let job_time = match args.workload {
        Workload::Http => Some(ServerConfig::default().two_delay),
        Workload::Sleep => Some(sleep),
        Workload::Noop => None,
    };
    let ideal_s = job_time.map(|t| slow_api::ideal_time(jobs, capacity, t).as_secs_f64());
    let elapsed_s = elapsed.as_secs_f64();
    Ok(StrategyResult {
        strategy: strategy.name(),
        workload: format!("{:?}", args.workload).to_lowercase(),
        jobs,
        capacity,
        elapsed_s,
        ideal_s,
        ideal_ratio: ideal_s.map(|i| elapsed_s / i),
        ns_per_job: elapsed.as_nanos() as f64 / jobs as f64,
        peak_threads,
        peak_rss_bytes: slow_api::probes::peak_resident_bytes().unwrap_or(0),
        allocated_bytes: bytes1.saturating_sub(bytes0),
        allocations: count1.saturating_sub(count0),
        failed: job.failures().count(),
        first_error: job.failures().first(),
    })
}

/// The parent: checks the flags, starts the API if needed, runs each
/// strategy in a child process with a progress bar, prints the table and
/// writes JSON, CSV and SVG into `--out-dir`. Returns the results.
pub fn run_parent(args: &Args) -> Result<Vec<StrategyResult>, String> {
    args.check()?;
    let jobs = args.jobs();
    let strategies = args.strategies();

    // The API runs here, in the parent, so no child pays for it.
    let mut server = None;
    let mut url = args.url.clone();
    if args.workload == Workload::Http && url.is_none() {
        let largest = strategies
            .iter()
            .map(|s| s.capacity(args.max_in_flight))
            .max()
            .unwrap_or(1);
        ensure_fd_limit(largest as u64 + 256)?;
        let s = Server::start(ServerConfig::ephemeral())
            .map_err(|e| format!("cannot start the slow API: {e}"))?;
        url = Some(s.url().to_owned());
        server = Some(s);
    }
    if let Some(url) = &url {
        ApiClient::new(url, 1)?.check_reachable()?;
    }

    std::fs::create_dir_all(&args.out_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.out_dir.display()))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bar = ProgressBar::new(jobs);
    bar.set_style(
        ProgressStyle::with_template("{msg:>20} [{bar:40}] {pos}/{len} jobs ({elapsed})")
            .expect("a valid template")
            .progress_chars("=> "),
    );

    let mut results = Vec::new();
    for strategy in &strategies {
        bar.reset();
        bar.set_message(strategy.name());
        let mut cmd = Command::new(&exe);
        cmd.arg("--child")
            .arg(strategy.name())
            .args(["--workload", &format!("{:?}", args.workload).to_lowercase()])
            .args(["--jobs", &jobs.to_string()])
            .args(["--sleep-ms", &args.sleep_ms.to_string()])
            .args(["--max-in-flight", &args.max_in_flight.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &url {
            cmd.args(["--url", url]);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start the child for {}: {e}", strategy.name()))?;
        let stderr = child.stderr.take().expect("piped");
        let mut diagnostics = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            match line.strip_prefix("progress ").and_then(|n| n.parse().ok()) {
                Some(done) => bar.set_position(done),
                None => diagnostics.push(line),
            }
        }
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        match serde_json::from_str::<StrategyResult>(stdout.trim()) {
            Ok(result) if output.status.success() => results.push(result),
            _ => {
                bar.finish_and_clear();
                return Err(format!(
                    "{} did not finish ({}):\n{}",
                    strategy.name(),
                    output.status,
                    diagnostics.join("\n")
                ));
            }
        }
    }
    bar.finish_and_clear();
    drop(server);

    // Print and write the results.
    let workload = format!("{:?}", args.workload).to_lowercase();
    println!("{jobs} jobs, workload {workload}, each strategy in its own process:\n");
    print!("{}", table(&results));
    let base = args.out_dir.join(format!("results-{workload}"));
    let json = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    std::fs::write(base.with_extension("json"), json).map_err(|e| e.to_string())?;
    std::fs::write(base.with_extension("csv"), csv(&results)).map_err(|e| e.to_string())?;
    let svg = args.out_dir.join(format!("chart-{workload}.svg"));
    let title = format!("{jobs} {workload} jobs per strategy");
    crate::chart::draw_chart(&results, &title, &svg)?;
    println!(
        "\nwritten: {}, {}, {}",
        base.with_extension("json").display(),
        base.with_extension("csv").display(),
        svg.display()
    );
    Ok(results)
}
