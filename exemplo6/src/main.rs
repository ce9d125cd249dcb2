//! exemplo6: the function pool against the slow API (ants `NewPoolWithFunc` + `Invoke`).
//!
//! `cargo run --release -p exemplo6 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use harness::{AllocCounter, Measured, RunArgs, RunReport};

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

        // Start (or find) the slow API, before any job starts.
        let target = cli.run.prepare()?;

        // Run the jobs through the function pool, counting allocations.
        let counter = AllocCounter::start();
        let outcome = exemplo6::run(
            &target.client,
            &cli.run.route,
            cli.run.jobs,
            cli.run.pool_size,
        )?;

        // Print what the tutorial printed, and what it should have.
        let measured = Measured {
            elapsed: outcome.elapsed,
            workers_running: outcome.workers_running,
            allocated: counter.allocated(),
        };
        let report = RunReport::new(
            "exemplo6 (PoolWithFunc + invoke)",
            &cli.run,
            &target,
            measured,
            &outcome.failures,
        );
        report.print(cli.run.json);
        Ok(report.exit_code())
    })
}
