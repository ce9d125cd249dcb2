//! Runs one stage of the hand-rolled workers.
//!
//! `cargo run --release -p native-workers -- http-workers --workers 20 --jobs 200`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use anyhow::bail;
use clap::{Parser, ValueEnum};
use harness::{RunArgs, checks};

harness::count_allocations!();

/// Stages 1 and 2 keep every result in memory and print them all.
const MAX_SMALL_STAGE_JOBS: u64 = 100_000;

/// The tutorial's hand-rolled workers, one stage at a time.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Which stage to run.
    stage: Stage,
    /// Worker threads (defaults: basic 3, book-pool 4, http-workers 20).
    #[arg(long)]
    workers: Option<usize>,
    /// Jobs (defaults: basic 5, book-pool 8, http-workers 200).
    #[arg(long)]
    jobs: Option<u64>,
    /// http-workers: which route, `one` (2 s) or `two` (100 ms).
    #[arg(long, default_value = "two", value_parser = ["one", "two"])]
    route: String,
    /// http-workers: base address of a running slow API; without it one is
    /// started in-process.
    #[arg(long)]
    url: Option<String>,
    /// http-workers: the longest one call may take, in seconds.
    #[arg(long, default_value_t = 30)]
    call_timeout_s: u64,
    /// http-workers: print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    /// Stage 1 (exemplo1): three workers, jobs and results channels.
    Basic,
    /// Stage 2: the Rust Book's ThreadPool.
    BookPool,
    /// Stage 3 (exemplo4): workers calling the slow API.
    HttpWorkers,
}

fn main() -> ExitCode {
    harness::main("native-workers", || {
        let cli = Cli::parse();
        match cli.stage {
            Stage::Basic => basic(&cli),
            Stage::BookPool => book_pool(&cli),
            Stage::HttpWorkers => http_workers(&cli),
        }
    })
}

/// The workers and jobs of stage 1 or 2, checked before any thread starts.
fn small_stage(cli: &Cli, workers: usize, jobs: u64) -> anyhow::Result<(usize, u64)> {
    let (workers, jobs) = (cli.workers.unwrap_or(workers), cli.jobs.unwrap_or(jobs));
    checks::threads("--workers", workers)?;
    checks::jobs("--jobs", jobs)?;
    if cli.json {
        bail!(
            "--json is for http-workers, whose figures are the other examples' figures; \
             this stage prints its results as text"
        );
    }
    if jobs > MAX_SMALL_STAGE_JOBS {
        bail!(
            "--jobs {jobs} is too many for this stage, which keeps and prints every result: \
             at most {MAX_SMALL_STAGE_JOBS} (http-workers takes more)"
        );
    }
    Ok((workers, jobs))
}

fn basic(cli: &Cli) -> anyhow::Result<ExitCode> {
    let (workers, jobs) = small_stage(cli, 3, 5)?;
    let results = native_workers::basic::run(workers, jobs);
    println!(
        "stage 1 (basic): {workers} workers, {jobs} jobs, results in the order they finished: {results:?}"
    );
    Ok(ExitCode::SUCCESS)
}

fn book_pool(cli: &Cli) -> anyhow::Result<ExitCode> {
    let (workers, jobs) = small_stage(cli, 4, 8)?;
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let pool = native_workers::book_pool::ThreadPool::new(workers);
        for job in 0..jobs {
            let tx = tx.clone();
            pool.execute(move || {
                let who = std::thread::current().id();
                tx.send((job, who)).expect("main reads every result");
            });
        }
        // Dropping the pool closes its channel and joins every worker.
    }
    drop(tx);
    let done: Vec<_> = rx.iter().collect();
    let threads: std::collections::HashSet<_> = done.iter().map(|(_, t)| *t).collect();
    println!(
        "stage 2 (book pool): {} jobs ran on {} of {workers} threads; all joined",
        done.len(),
        threads.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn http_workers(cli: &Cli) -> anyhow::Result<ExitCode> {
    let args = RunArgs {
        jobs: cli.jobs.unwrap_or(200),
        pool_size: cli.workers.unwrap_or(20),
        pool_size_flag: "--workers",
        route: cli.route.clone(),
        url: cli.url.clone(),
        call_timeout_s: cli.call_timeout_s,
        json: cli.json,
    };

    // Find the API, run the hand-rolled workers, print the same figures as exemplo6.
    args.run_and_report("native-workers stage 3 (hand-rolled, exemplo4)", |target| {
        let outcome = native_workers::http_workers::run(
            &target.client,
            &args.route,
            args.pool_size,
            args.jobs,
        );
        Ok::<_, std::convert::Infallible>(outcome)
    })
}
