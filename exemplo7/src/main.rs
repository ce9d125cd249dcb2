//! exemplo7: the submit pool against the slow API (ants `NewPool` + `Submit`).
//!
//! `cargo run --release -p exemplo7 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use harness::{AllocCounter, Measured, RunArgs, RunReport};

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

        // Start (or find) the slow API, before any job starts.
        let target = cli.run.prepare()?;

        // Run the jobs through the submit pool, counting allocations.
        let counter = AllocCounter::start();
        let outcome = exemplo7::run(
            &target.client,
            &cli.run.route,
            cli.run.jobs,
            cli.run.pool_size,
            cli.pre_alloc,
        )?;

        // Print the figures.
        let measured = Measured {
            elapsed: outcome.elapsed,
            workers_running: outcome.workers_running,
            allocated: counter.allocated(),
        };
        let program = if cli.pre_alloc {
            "exemplo7 (Pool + submit, pre-allocated)"
        } else {
            "exemplo7 (Pool + submit)"
        };
        let report = RunReport::new(program, &cli.run, &target, measured, &outcome.failures);
        report.print(cli.run.json);
        Ok(report.exit_code())
    })
}
