//! The child process: runs one strategy, measures it, prints one JSON line.
//!
//! # No orphans
//!
//! The parent holds the write end of each child's stdin and never writes. A
//! child started with `--parent-pipe` reads its stdin on a thread of its
//! own: end of file means the parent is gone (exited, killed, crashed: the
//! kernel closes its pipes in every case), and the child exits at once.

use std::io::Read;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use harness::{AllocCounter, checks};
use slow_api::ApiClient;

use crate::cli::Args;
use crate::job::{Job, Workload, calibrate_cpu};
use crate::report::StrategyResult;
use crate::strategy::{Strategy, run};
use crate::timeline::Sampler;

/// The exit code of a child whose parent went away.
pub const ORPHAN_EXIT_CODE: i32 = 3;

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
    let in_flight = strategy.in_flight(capacity, jobs);
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
            // Is the API still there? A child that finds it gone does not
            // run its jobs: its row says why instead.
            let probed = client.probe("two").map_err(anyhow::Error::msg)?.delay;
            // The ideal uses the API's real delay, as the parent learnt it
            // (one figure for every child, even where it had to be timed).
            let delay = args.api_delay_ms.map_or(probed, Duration::from_millis);
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
