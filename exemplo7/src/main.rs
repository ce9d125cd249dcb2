//! exemplo7: the submit pool against the slow API (ants `NewPool` + `Submit`).
//!
//! `cargo run --release -p exemplo7 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
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
        let program = if cli.pre_alloc {
            "exemplo7 (Pool + submit, pre-allocated)"
        } else {
            "exemplo7 (Pool + submit)"
        };
        // Find the API, run the jobs through the submit pool, print the figures.
        cli.run.run_and_report(program, |target| {
            let run = &cli.run;
            exemplo7::run(
                &target.client,
                &run.route,
                run.jobs,
                run.pool_size,
                cli.pre_alloc,
            )
        })
    })
}
