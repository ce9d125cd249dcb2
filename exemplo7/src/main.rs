//! exemplo7: the submit pool against the slow API (ants `NewPool` + `Submit`).
//!
//! `cargo run --release -p exemplo7 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use exemplo7::Workers;
use harness::RunArgs;

harness::count_allocations!();

/// The tutorial's exemplo7: N calls to the slow API through Pool + submit.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
    /// Start every worker before the first job (ants' WithPreAlloc), as the
    /// tutorial's TestPoolWaitToGetWorkerPreMalloc.
    #[arg(long)]
    pre_alloc: bool,
}

fn main() -> ExitCode {
    harness::main("exemplo7", || {
        let cli = Cli::parse();
        let workers = if cli.pre_alloc {
            Workers::PreAllocated
        } else {
            Workers::OnDemand
        };
        // Find the API, run the jobs through the submit pool, print the figures.
        cli.run.run_and_report(workers.label(), |target| {
            let run = &cli.run;
            exemplo7::run(&target.client, &run.route, run.jobs, run.pool_size, workers)
        })
    })
}
