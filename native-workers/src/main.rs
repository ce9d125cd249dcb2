//! Runs one stage of the hand-rolled workers.
//!
//! `cargo run --release -p native-workers -- http-workers --workers 20 --jobs 200`
#![forbid(unsafe_code)]

use std::alloc::System;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use slow_api::{Measured, RunArgs, RunReport};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

// Counts every allocation, so the report can show Go's TotalAlloc figure.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

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
    slow_api::init_logging();
    let cli = Cli::parse();
    match cli.stage {
        Stage::Basic => basic(&cli),
        Stage::BookPool => book_pool(&cli),
        Stage::HttpWorkers => http_workers(&cli),
    }
}

fn basic(cli: &Cli) -> ExitCode {
    let (workers, jobs) = (cli.workers.unwrap_or(3), cli.jobs.unwrap_or(5));
    if workers == 0 {
        eprintln!("native-workers: --workers must be at least 1");
        return ExitCode::from(2);
    }
    let results = native_workers::basic::run(workers, jobs);
    println!(
        "stage 1 (basic): {workers} workers, {jobs} jobs, results in the order they finished: {results:?}"
    );
    ExitCode::SUCCESS
}

fn book_pool(cli: &Cli) -> ExitCode {
    let (workers, jobs) = (cli.workers.unwrap_or(4), cli.jobs.unwrap_or(8));
    if workers == 0 {
        eprintln!("native-workers: --workers must be at least 1");
        return ExitCode::from(2);
    }
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
    ExitCode::SUCCESS
}

fn http_workers(cli: &Cli) -> ExitCode {
    let args = RunArgs {
        jobs: cli.jobs.unwrap_or(200),
        pool_size: cli.workers.unwrap_or(20),
        route: cli.route.clone(),
        url: cli.url.clone(),
        json: cli.json,
    };

    // Start (or find) the slow API, before any job starts.
    let target = match args.prepare_or_explain("native-workers") {
        Ok(target) => target,
        Err(code) => return code,
    };

    // Run the hand-rolled workers, counting allocations.
    let region = Region::new(GLOBAL);
    let summary =
        native_workers::http_workers::run(&target.client, &args.route, args.pool_size, args.jobs);
    let alloc = region.change();

    // Print the same figures as exemplo6.
    let measured = Measured {
        elapsed: summary.elapsed,
        // Every worker thread has been joined by now.
        workers_running: 0,
        allocated: Some((alloc.bytes_allocated as u64, alloc.allocations as u64)),
    };
    let report = RunReport::new(
        "native-workers stage 3 (hand-rolled, exemplo4)",
        &args,
        &target,
        measured,
        &summary.failures,
    );
    report.print(args.json);
    report.exit_code()
}
