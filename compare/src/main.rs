//! The comparison table: every strategy, each in its own process.
//!
//! `cargo run --release -p compare -- --jobs 100000`
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use compare::Args;

harness::count_allocations!();

fn main() -> ExitCode {
    let args = Args::parse();

    // A child runs one strategy and prints its result as JSON.
    if let Some(strategy) = args.child {
        let program = format!("compare ({})", strategy.name());
        return harness::main(&program, || {
            let result = compare::run_child(&args, strategy)?;
            println!("{}", serde_json::to_string(&result)?);
            Ok(ExitCode::SUCCESS)
        });
    }

    // The parent runs every strategy and reports, even when some failed.
    harness::main("compare", || {
        let results = compare::run_parent(&args)?;
        if let Some(code) = compare::interrupted_exit_code() {
            return Ok(ExitCode::from(code));
        }
        let bad: Vec<_> = results
            .iter()
            .filter(|r| r.failed_or_unfinished())
            .map(|r| r.strategy.as_str())
            .collect();
        if bad.is_empty() {
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!(
                "compare: {} did not run cleanly (see the table above)",
                bad.join(", ")
            );
            Ok(ExitCode::FAILURE)
        }
    })
}
