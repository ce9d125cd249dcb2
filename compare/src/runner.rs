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
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use harness::{AllocCounter, checks};
use indicatif::{ProgressBar, ProgressStyle};
use slow_api::{ApiClient, Server, ServerConfig};

use crate::interrupt::Interrupt;
use crate::job::{Job, Workload, calibrate_cpu};
use crate::report::{StrategyResult, table, write_csv};
use crate::strategy::{Strategy, run};
use crate::timeline::{Sampler, Timeline};

/// The exit code of a child whose parent went away.
pub const ORPHAN_EXIT_CODE: i32 = 3;

/// The command line (the parent's flags; the child gets the same plus `--child`).
#[derive(Debug, Clone, clap::Parser)]
#[command(version, about = "The tutorial's Goroutine X Ants table, in Rust")]
pub struct Args {
    /// `sweep`: one strategy over a list of pool sizes. Without it, every
    /// strategy once (the table).
    #[command(subcommand)]
    pub mode: Option<Mode>,
    /// Jobs per strategy (default: 10,000 for http and sleep, 100,000 for
    /// cpu and noop, 1,600 for burst, so the default run ends within a
    /// minute on 2 cores; `--jobs 100000` is the tutorial's table). A sweep
    /// defaults to 4,000 for http and sleep and 500,000 for cpu.
    #[arg(long, global = true)]
    pub jobs: Option<u64>,
    /// What each job does.
    #[arg(long, value_enum, default_value = "http", global = true)]
    pub workload: Workload,
    /// Run only these strategies.
    #[arg(long, value_enum, num_args = 1..)]
    pub only: Vec<Strategy>,
    /// Where the JSON, CSV and SVG go (created, and checked for writing,
    /// before anything runs).
    #[arg(long, default_value = "compare-results", global = true)]
    pub out_dir: PathBuf,
    /// The sleep of the `sleep` workload, in milliseconds.
    #[arg(long, default_value_t = 10, global = true)]
    pub sleep_ms: u64,
    /// The work of one `cpu` job, in microseconds (calibrated once, in the
    /// parent, into rounds of xorshift every strategy runs alike).
    #[arg(long, default_value_t = 2, global = true)]
    pub work_us: u64,
    /// Most jobs in flight for the strategies with no pool (a thread per
    /// job, tokio tasks): each holds a thread or a socket.
    #[arg(long, default_value_t = 10_000, global = true)]
    pub max_in_flight: usize,
    /// Base address of a running slow API (default: start one in-process).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// The longest one HTTP call may take, in seconds, before it counts as failed.
    #[arg(long, default_value_t = 30, global = true)]
    pub call_timeout_s: u64,
    /// Internal: run one strategy in this process and print its result.
    #[arg(long, hide = true)]
    pub child: Option<Strategy>,
    /// Internal: the pool size of a sweep's child.
    #[arg(long, hide = true)]
    pub capacity: Option<usize>,
    /// Internal: the `cpu` job's rounds, calibrated by the parent.
    #[arg(long, hide = true)]
    pub cpu_rounds: Option<u64>,
    /// Internal: exit when stdin closes (the parent is gone).
    #[arg(long, hide = true)]
    pub parent_pipe: bool,
}

/// `compare`'s subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Mode {
    /// One strategy over a list of pool sizes: elapsed and peak memory
    /// against the size, to find the knee.
    Sweep {
        /// The strategy to size (a pool: not thread-per-job, tokio-tasks or
        /// default-pool).
        #[arg(long, value_enum, default_value = "pool1000")]
        strategy: Strategy,
        /// The pool sizes (default: 1, 2, 4, ... 1,024 for cpu and noop;
        /// 8, 16, ... 4,096 for http, sleep and burst).
        #[arg(long, num_args = 1..)]
        sizes: Vec<usize>,
    },
}

impl Args {
    /// The jobs per strategy, the workload's default when not given.
    pub fn jobs(&self) -> u64 {
        self.jobs.unwrap_or(match (self.workload, &self.mode) {
            // A sweep's smallest sizes take many rounds: fewer jobs.
            (Workload::Http | Workload::Sleep, Some(Mode::Sweep { .. })) => 4_000,
            (Workload::Http | Workload::Sleep, None) => 10_000,
            (Workload::Cpu, Some(Mode::Sweep { .. })) => 500_000,
            (Workload::Cpu | Workload::Noop, _) => 100_000,
            (Workload::Burst, _) => 1_600,
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
        self.workload.name()
    }

    /// Everything that can be refused is refused here, before anything starts.
    fn check(&self) -> anyhow::Result<()> {
        checks::jobs("--jobs", self.jobs())?;
        checks::distinct("--only", self.only.iter().map(|s| s.name()))?;
        checks::duration("--call-timeout-s", self.call_timeout_s, "s")?;
        checks::duration("--sleep-ms", self.sleep_ms, "ms")?;
        if self.work_us == 0 || self.work_us > 1_000_000 {
            bail!("--work-us must be from 1 to 1000000 (a second)");
        }
        if self.strategies().contains(&Strategy::ThreadPerJob) {
            checks::threads("--max-in-flight", self.max_in_flight)?;
        } else if self.max_in_flight == 0 {
            bail!("--max-in-flight must be at least 1");
        }
        Ok(())
    }
}

/// What a child prints: its figures, and its timeline.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ChildOutput {
    /// The figures.
    pub result: StrategyResult,
    /// Every 10 ms of the run.
    pub timeline: Vec<crate::timeline::Sample>,
}

/// The child: runs `strategy` once, measures it, prints one JSON line on
/// stdout; progress lines (`progress N`) go to stderr for the parent.
pub fn run_child(args: &Args, strategy: Strategy) -> anyhow::Result<ChildOutput> {
    if args.parent_pipe {
        exit_when_the_parent_is_gone();
    }
    let jobs = args.jobs();
    let capacity = match args.capacity {
        Some(size) if strategy.sizable() => size,
        Some(_) => bail!("{} has no pool size to set", strategy.name()),
        None => strategy.capacity(args.max_in_flight),
    };
    // The strategies with no pool hold at most one job in flight per job.
    let in_flight = match strategy {
        Strategy::ThreadPerJob | Strategy::TokioTasks => capacity.min(jobs as usize),
        _ => capacity,
    };
    let sleep = Duration::from_millis(args.sleep_ms);
    let call_timeout = Duration::from_secs(args.call_timeout_s);
    let work = Duration::from_micros(args.work_us);
    let cpu_rounds = match (args.workload, args.cpu_rounds) {
        (Workload::Cpu, None) => calibrate_cpu(work),
        (_, rounds) => rounds.unwrap_or(0),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (client, ideal) = match args.workload {
        Workload::Http => {
            let url = args
                .url
                .as_deref()
                .context("the http workload needs --url")?;
            // One socket per job in flight, and some to spare.
            checks::fd_limit(
                in_flight as u64 + 256,
                "a smaller --max-in-flight, or fewer strategies with --only",
            )?;
            let client = ApiClient::with_call_timeout(url, in_flight, call_timeout)
                .map_err(|e| anyhow!("--url: {e}"))?;
            // The ideal uses the delay the API itself reports.
            let delay = client.probe().map_err(anyhow::Error::msg)?.two_delay;
            (
                Some(client),
                Some(harness::ideal_time(jobs, in_flight, delay)),
            )
        }
        Workload::Sleep => (None, Some(harness::ideal_time(jobs, in_flight, sleep))),
        // CPU work runs on at most as many cores as the machine has.
        Workload::Cpu => {
            let lanes = in_flight.min(cores).max(1) as f64;
            (None, Some(work.mul_f64(jobs as f64 / lanes)))
        }
        Workload::Burst | Workload::Noop => (None, None),
    };
    let job = Job::new(args.workload, sleep, cpu_rounds, client, call_timeout);

    // Run the jobs, sampling the process as they run.
    let counter = AllocCounter::start();
    let start = Instant::now();
    let sampler = Sampler::start(job.clone(), start);
    let outcome = run(
        strategy,
        &job,
        jobs,
        capacity,
        args.max_in_flight,
        args.url.as_deref(),
    );
    let elapsed = start.elapsed();
    let allocated = counter.allocated();
    let (timeline, peak_threads) = sampler.stop()?;
    let pool_stats = outcome?;

    let ideal_s = ideal.map(|d| d.as_secs_f64());
    let elapsed_s = elapsed.as_secs_f64();
    let failed = job.failures().count();
    let latency = job.latency();
    let us = |q: f64| latency.percentile(q).map(|d| d.as_secs_f64() * 1e6);
    let result = StrategyResult {
        strategy: strategy.name(),
        workload: args.workload_name(),
        jobs,
        capacity: in_flight,
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
        start_p50_us: us(0.50),
        start_p99_us: us(0.99),
        start_samples: latency.count(),
    };
    Ok(ChildOutput { result, timeline })
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

/// What the parent sets up once for all its children: the API (started
/// here when there is no `--url`, so no child pays for it), the `cpu` job's
/// calibration, and the progress bar.
pub(crate) struct Session {
    url: Option<String>,
    _server: Option<Server>,
    exe: PathBuf,
    cpu_rounds: Option<u64>,
    pub(crate) bar: ProgressBar,
}

impl Session {
    /// Checks the flags and the output folder, then sets up; `largest` is
    /// the most jobs any child will have in flight. From here on, Ctrl-C
    /// and SIGTERM stop the run but keep its results (`interrupt.rs`).
    pub(crate) fn start(args: &Args, largest: usize) -> anyhow::Result<Session> {
        args.check()?;
        checks::out_dir(&args.out_dir)?;
        Interrupt::get();
        let mut server = None;
        let mut url = args.url.clone();
        if args.workload == Workload::Http && url.is_none() {
            checks::fd_limit(
                largest as u64 + 256,
                "a smaller --max-in-flight, or fewer strategies with --only",
            )?;
            let s =
                Server::start(ServerConfig::ephemeral()).context("cannot start the slow API")?;
            url = Some(s.url().to_owned());
            server = Some(s);
        }
        if let Some(url) = &url {
            ApiClient::new(url, 1)
                .map_err(|e| anyhow!("--url: {e}"))?
                .probe()
                .map_err(anyhow::Error::msg)?;
        }
        // Every child runs the same rounds, calibrated once, here.
        let cpu_rounds = (args.workload == Workload::Cpu)
            .then(|| calibrate_cpu(Duration::from_micros(args.work_us)));
        let exe = std::env::current_exe().context("cannot find this program's own path")?;
        let bar = ProgressBar::new(args.jobs());
        bar.set_style(
            ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} jobs ({elapsed})")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Ok(Session {
            url,
            _server: server,
            exe,
            cpu_rounds,
            bar,
        })
    }

    /// Runs one strategy (at `capacity`, for a sweep) in a child process:
    /// its output, or its row saying why it has none.
    pub(crate) fn run(
        &self,
        args: &Args,
        strategy: Strategy,
        capacity: Option<usize>,
    ) -> (StrategyResult, Option<Vec<crate::timeline::Sample>>) {
        self.bar.reset();
        self.bar.set_message(match capacity {
            Some(size) => format!("{} size {size}", strategy.name()),
            None => strategy.name(),
        });
        match self.child(args, strategy, capacity) {
            Ok(output) => (output.result, Some(output.timeline)),
            Err(reason) => {
                let row = StrategyResult::did_not_finish(
                    strategy.name(),
                    args.workload_name(),
                    args.jobs(),
                    capacity.unwrap_or_else(|| strategy.capacity(args.max_in_flight)),
                    reason,
                );
                (row, None)
            }
        }
    }

    fn child(
        &self,
        args: &Args,
        strategy: Strategy,
        capacity: Option<usize>,
    ) -> Result<ChildOutput, String> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("--child")
            .arg(strategy.name())
            .arg("--parent-pipe")
            .args(["--workload", &args.workload_name()])
            .args(["--jobs", &args.jobs().to_string()])
            .args(["--sleep-ms", &args.sleep_ms.to_string()])
            .args(["--work-us", &args.work_us.to_string()])
            .args(["--max-in-flight", &args.max_in_flight.to_string()])
            .args(["--call-timeout-s", &args.call_timeout_s.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &self.url {
            cmd.args(["--url", url]);
        }
        if let Some(size) = capacity {
            cmd.args(["--capacity", &size.to_string()]);
        }
        if let Some(rounds) = self.cpu_rounds {
            cmd.args(["--cpu-rounds", &rounds.to_string()]);
        }
        let interrupt = Interrupt::get();
        if let Some(reason) = interrupt.reason() {
            return Err(reason);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start its child process: {e}"))?;
        interrupt.watch_child(child.id());
        // Held, never written, until the child is done: if this process
        // dies, the pipe closes and the child exits.
        let parent_pipe = child.stdin.take();
        // The result (with its timeline, tens of KiB) is read on a thread
        // of its own while stderr is read here: read one after the other,
        // a full pipe would leave the child and us waiting on each other.
        let mut stdout_pipe = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            stdout_pipe.read_to_string(&mut text).map(|_| text)
        });
        let stderr = child.stderr.take().expect("piped");
        let mut diagnostics = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            match line.strip_prefix("progress ").and_then(|n| n.parse().ok()) {
                Some(done) => self.bar.set_position(done),
                None => diagnostics.push(line),
            }
        }
        // Its stderr is closed: it is exiting, and stays ours to wait for
        // (its pid cannot be reused) until the wait below.
        interrupt.forget_child();
        let status = child
            .wait()
            .map_err(|e| format!("lost its child process: {e}"))?;
        drop(parent_pipe);
        let stdout = reader
            .join()
            .map_err(|_| "the reader of its output panicked".to_owned())?
            .map_err(|e| format!("cannot read its output: {e}"))?;
        match serde_json::from_str::<ChildOutput>(stdout.trim()) {
            Ok(output) if status.success() => Ok(output),
            _ if interrupt.signal().is_some() => {
                Err(interrupt.reason().expect("a signal was received"))
            }
            _ => {
                // The child's own last words say why; keep them short.
                let kept: Vec<&str> = diagnostics
                    .iter()
                    .filter(|l| !l.starts_with("note: run with"))
                    .map(String::as_str)
                    .collect();
                let said = &kept[kept.len().saturating_sub(3)..];
                Err(format!("{} ({status})", said.join(" / ")).trim().to_owned())
            }
        }
    }
}

/// The parent: checks the flags and the output folder, starts the API if
/// needed, runs each strategy in a child process with a progress bar,
/// prints the table and writes JSON, CSV, the bar chart and the timeline
/// into `--out-dir`, for every strategy, finished or not. Returns the results.
pub fn run_parent(args: &Args) -> anyhow::Result<Vec<StrategyResult>> {
    if let Some(Mode::Sweep { strategy, sizes }) = &args.mode {
        return crate::sweep::run_sweep(args, *strategy, sizes);
    }
    let strategies = args.strategies();
    let largest = strategies
        .iter()
        .map(|s| s.capacity(args.max_in_flight))
        .max()
        .unwrap_or(1);
    let session = Session::start(args, largest)?;
    let (jobs, workload) = (args.jobs(), args.workload_name());

    let mut results = Vec::new();
    let mut timelines = Vec::new();
    for &strategy in &strategies {
        if Interrupt::get().signal().is_some() {
            break;
        }
        let (result, timeline) = session.run(args, strategy, None);
        if let Some(samples) = timeline {
            timelines.push(Timeline {
                strategy: result.strategy.clone(),
                samples,
            });
        }
        results.push(result);
    }
    session.bar.finish_and_clear();
    drop(session);

    // Print and write the results: every strategy, finished or not.
    println!("{jobs} jobs, workload {workload}, each strategy in its own process:\n");
    report_interruption(results.len(), strategies.len());
    print!("{}", table(&results));
    let base = args.out_dir.join(format!("results-{workload}"));
    let (json_path, csv_path) = (base.with_extension("json"), base.with_extension("csv"));
    write_json(&results, &json_path)?;
    write_csv(&results, &csv_path)?;
    let svg = args.out_dir.join(format!("chart-{workload}.svg"));
    let title = format!("{jobs} {workload} jobs per strategy");
    crate::chart::draw_chart(&results, &title, &svg)?;
    let timeline_json = args.out_dir.join(format!("timeline-{workload}.json"));
    write_json(&timelines, &timeline_json)?;
    let timeline_svg = args.out_dir.join(format!("timeline-{workload}.svg"));
    let title = format!("{jobs} {workload} jobs per strategy, over time (sampled every 10 ms)");
    crate::timeline::draw_timeline(&timelines, &title, &timeline_svg)?;
    println!(
        "\nwritten: {}, {}, {}, {}, {}",
        json_path.display(),
        csv_path.display(),
        svg.display(),
        timeline_json.display(),
        timeline_svg.display()
    );
    Ok(results)
}

/// Says, when a signal cut the run short, how much of it the files hold.
pub(crate) fn report_interruption(ran: usize, planned: usize) {
    if let Some(reason) = Interrupt::get().reason() {
        println!(
            "{reason}: {ran} of {planned} runs started, the last one cut short; \
             the finished ones are kept below and in the files\n"
        );
    }
}

/// Writes `value` as pretty JSON to `path`; an error names the path.
pub(crate) fn write_json<T: serde::Serialize + ?Sized>(
    value: &T,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value).context("cannot serialise the results")?;
    std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
}
