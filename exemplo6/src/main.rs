//! exemplo6: the function pool against the slow API (ants `NewPoolWithFunc` + `Invoke`).
//!
//! `cargo run --release -p exemplo6 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::alloc::System;
use std::process::ExitCode;

use clap::Parser;
use slow_api::{Measured, RunArgs, RunReport};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

// Counts every allocation, so the report can show Go's TotalAlloc figure.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The tutorial's exemplo6: N calls to the slow API through a PoolWithFunc.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
}

fn main() -> ExitCode {
    slow_api::init_logging();
    let cli = Cli::parse();

    // Start (or find) the slow API, before any job starts.
    let target = match cli.run.prepare_or_explain("exemplo6") {
        Ok(target) => target,
        Err(code) => return code,
    };

    // Run the jobs through the function pool, counting allocations.
    let region = Region::new(GLOBAL);
    let outcome = match exemplo6::run(
        &target.client,
        &cli.run.route,
        cli.run.jobs,
        cli.run.pool_size,
    ) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("exemplo6: {e}");
            return ExitCode::from(2);
        }
    };
    let alloc = region.change();

    // Print what the tutorial printed, and what it should have.
    let measured = Measured {
        elapsed: outcome.elapsed,
        workers_running: outcome.workers_running,
        allocated: Some((alloc.bytes_allocated as u64, alloc.allocations as u64)),
    };
    let report = RunReport::new(
        "exemplo6 (PoolWithFunc + invoke)",
        &cli.run,
        &target,
        measured,
        &outcome.failures,
    );
    report.print(cli.run.json);
    report.exit_code()
}
