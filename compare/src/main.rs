//! The comparison table: every strategy, each in its own process.
//!
//! `cargo run --release -p compare -- --jobs 100000`
#![forbid(unsafe_code)]

use std::alloc::System;
use std::process::ExitCode;

use clap::Parser;
use compare::Args;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

// Counts every allocation: a few relaxed atomic adds per allocation, cheap
// enough not to distort the timing (dhat would, by about 100x).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> ExitCode {
    slow_api::init_logging();
    let args = Args::parse();

    // A child runs one strategy and prints its result as JSON.
    if let Some(strategy) = args.child {
        return match compare::run_child(&args, strategy, allocated) {
            Ok(result) => {
                println!("{}", serde_json::to_string(&result).expect("serialisable"));
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("compare ({}): {message}", strategy.name());
                ExitCode::from(2)
            }
        };
    }

    // The parent runs every strategy and reports.
    match compare::run_parent(&args) {
        Ok(results) if results.iter().all(|r| r.failed == 0) => ExitCode::SUCCESS,
        Ok(_) => {
            eprintln!("compare: some jobs failed (see the failed column)");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("compare: {message}");
            ExitCode::from(2)
        }
    }
}

/// Bytes and allocations so far, from the counting allocator.
fn allocated() -> (u64, u64) {
    let stats = GLOBAL.stats();
    (stats.bytes_allocated as u64, stats.allocations as u64)
}
