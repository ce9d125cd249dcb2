//! exemplo7: the submit pool against the slow API (ants `NewPool` + `Submit`).
//!
//! `cargo run --release -p exemplo7 -- --jobs 10000 --pool-size 1000`
#![forbid(unsafe_code)]

use std::alloc::System;
use std::process::ExitCode;

use clap::Parser;
use exemplo7::Submits;
use slow_api::{Measured, RunArgs, RunReport};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

// Counts every allocation, so the report can show Go's TotalAlloc figure.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The tutorial's exemplo7: N calls to the slow API through Pool + submit.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
    /// Two jobs per loop turn (an exemplo7 and an exemplo6 call), as the
    /// tutorial's TestPoolWaitToGetWorkerWith2Submits.
    #[arg(long)]
    two_submits: bool,
    /// Start every worker before the first job (ants' WithPreAlloc).
    #[arg(long)]
    pre_alloc: bool,
}

fn main() -> ExitCode {
    slow_api::init_logging();
    let cli = Cli::parse();

    // Start (or find) the slow API, before any job starts.
    let target = match cli.run.prepare_or_explain("exemplo7") {
        Ok(target) => target,
        Err(code) => return code,
    };

    // Run the jobs through the submit pool, counting allocations.
    let submits = if cli.two_submits {
        Submits::Two
    } else {
        Submits::One
    };
    let region = Region::new(GLOBAL);
    let outcome = match exemplo7::run(
        &target.client,
        &cli.run.route,
        cli.run.jobs,
        cli.run.pool_size,
        submits,
        cli.pre_alloc,
    ) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("exemplo7: {e}");
            return ExitCode::from(2);
        }
    };
    let alloc = region.change();

    // Print the figures.
    let measured = Measured {
        elapsed: outcome.elapsed,
        workers_running: outcome.workers_running,
        allocated: Some((alloc.bytes_allocated as u64, alloc.allocations as u64)),
    };
    let program = match (cli.two_submits, cli.pre_alloc) {
        (false, false) => "exemplo7 (Pool + submit)",
        (true, false) => "exemplo7 (Pool + two submits per turn)",
        (false, true) => "exemplo7 (Pool + submit, pre-allocated)",
        (true, true) => "exemplo7 (Pool + two submits per turn, pre-allocated)",
    };
    let report = RunReport::new(program, &cli.run, &target, measured, &outcome.failures);
    report.print(cli.run.json);
    report.exit_code()
}
