//! Runs one stage of the hand-rolled workers.
//!
//! `cargo run --release -p native-workers -- http-workers --workers 20 --jobs 200`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use harness::{RunArgs, checks};

harness::count_allocations!();

/// Stages 1 and 2 keep every result in memory and print them all.
const MAX_SMALL_STAGE_JOBS: u64 = 100_000;

/// The tutorial's hand-rolled workers, one stage at a time.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    stage: Stage,
}

#[derive(Subcommand)]
enum Stage {
    /// Stage 1 (exemplo1): three workers, jobs and results channels.
    #[command(
        mut_arg("workers", |a| a.default_value("3").required(false)),
        mut_arg("jobs", |a| a.default_value("5").required(false))
    )]
    Basic(SmallStage),
    /// Stage 2: the Rust Book's ThreadPool.
    #[command(
        mut_arg("workers", |a| a.default_value("4").required(false)),
        mut_arg("jobs", |a| a.default_value("8").required(false))
    )]
    BookPool(SmallStage),
    /// Stage 3 (exemplo4): workers calling the slow API, with every
    /// example's flags (the pool size is `--workers` here).
    #[command(
        mut_arg("pool_size", |a| a.long("workers").value_name("WORKERS").default_value("20")),
        mut_arg("jobs", |a| a.default_value("200").required(false))
    )]
    HttpWorkers(RunArgs),
}

/// The flags of stages 1 and 2, which keep and print every result.
#[derive(clap::Args)]
struct SmallStage {
    /// Worker threads.
    #[arg(long, value_parser = checks::thread_count)]
    workers: usize,
    /// Jobs (at most 100,000: each result is kept and printed).
    #[arg(long, value_parser = small_stage_jobs)]
    jobs: u64,
}

/// A job count stages 1 and 2 can keep and print.
fn small_stage_jobs(text: &str) -> Result<u64, String> {
    let jobs = checks::job_count(text)?;
    if jobs > MAX_SMALL_STAGE_JOBS {
        return Err(format!(
            "{jobs} is too many for this stage, which keeps and prints every result: \
             at most {MAX_SMALL_STAGE_JOBS} (http-workers takes more)"
        ));
    }
    Ok(jobs)
}

fn main() -> ExitCode {
    harness::main("native-workers", || match Cli::parse().stage {
        Stage::Basic(flags) => basic(&flags),
        Stage::BookPool(flags) => book_pool(&flags),
        Stage::HttpWorkers(args) => http_workers(&args),
    })
}

fn basic(flags: &SmallStage) -> anyhow::Result<ExitCode> {
    let (workers, jobs) = (flags.workers, flags.jobs);
    let results = native_workers::basic::run(workers, jobs);
    println!(
        "stage 1 (basic): {workers} workers, {jobs} jobs, results in the order they finished: {results:?}"
    );
    Ok(ExitCode::SUCCESS)
}

fn book_pool(flags: &SmallStage) -> anyhow::Result<ExitCode> {
    let (workers, jobs) = (flags.workers, flags.jobs);
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

fn http_workers(args: &RunArgs) -> anyhow::Result<ExitCode> {
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
