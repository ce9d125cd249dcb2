//! exemplo6: the function pool against the slow API (ants `NewPoolWithFunc` + `Invoke`).
//!
//! `cargo run --release -p exemplo6 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use harness::RunArgs;

harness::count_allocations!();

/// The tutorial's exemplo6: N calls to the slow API through a PoolWithFunc.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
}

fn main() -> ExitCode {
    harness::main("exemplo6", || {
        let cli = Cli::parse();
        let RunArgs {
            route,
            jobs,
            pool_size,
            ..
        } = &cli.run;
        // Find the API, run the jobs through the function pool, print the figures.
        cli.run
            .run_and_report("exemplo6 (PoolWithFunc + invoke)", |target| {
                exemplo6::run(&target.client, route, *jobs, *pool_size)
            })
    })
}
