//! What every example shares, written once: the run flags, the checks
//! before a run, the report, failure counting, allocation counting and the
//! process probes.
//!
//! exemplo6, exemplo7, native-workers' HTTP stage and `compare` run the same
//! experiment (N calls to the slow API through some pool) and differ only in
//! the pool. Everything around the pool lives here, so each example's code is
//! the lesson and nothing else.
//!
//! | piece | what it does |
//! |---|---|
//! | [`RunArgs`] | `--jobs`, `--pool-size`, `--route`, `--url`, `--call-timeout-s`, `--json`; [`RunArgs::prepare`] checks them and finds (or starts) the API |
//! | [`RunArgs::run_and_report`] | a whole example after its flags: prepare, run the jobs counting allocations, print the report, give the exit code |
//! | [`Outcome`] | what a lesson's `run` gives back, the same for every pool |
//! | [`RunReport`] | the final figures: text through `Display`, JSON through serde |
//! | [`Failures`] | failed calls: how many, and the first |
//! | [`count_allocations!`], [`AllocCounter`] | Go's `TotalAlloc`: every byte allocated during the run |
//! | [`checks`] | thread counts, job counts, file descriptors, output folders: refused before anything starts |
//! | [`probes`] | resident memory, its peak, virtual memory, memory available, live threads |
//! | [`main`] | runs a program's body; an error becomes `"{program}: {error}"` and exit code 2 |
//!
//! ```no_run,standalone_crate
//! use clap::Parser;
//!
//! // In a binary: count every allocation (one line, at the top).
//! harness::count_allocations!();
//!
//! #[derive(Parser)]
//! struct Cli { #[command(flatten)] run: harness::RunArgs }
//!
//! fn main() -> std::process::ExitCode {
//!     harness::main("demo", || {
//!         let cli = Cli::parse();
//!         // Check the flags, find the API, run, report.
//!         cli.run.run_and_report("demo (one call at a time)", |target| {
//!             let start = std::time::Instant::now();
//!             let failures = std::sync::Arc::new(harness::Failures::default());
//!             for id in 0..cli.run.jobs {
//!                 if let Err(e) = target.client.call(&cli.run.route, id) {
//!                     failures.record(e);
//!                 }
//!             }
//!             Ok::<_, std::convert::Infallible>(harness::Outcome::finished(start, 1, failures))
//!         })
//!     })
//! }
//! ```
#![forbid(unsafe_code)]

mod alloc;
mod args;
pub mod checks;
mod failures;
pub mod probes;
mod report;
pub mod testing;

pub use alloc::AllocCounter;
pub use args::{RunArgs, Target};
pub use checks::MAX_JOBS;
pub use failures::Failures;
pub use report::{Measured, Outcome, RunReport, ideal_time};
pub use slow_api::init_logging;

#[doc(hidden)]
pub use stats_alloc;

use std::process::ExitCode;

/// Runs a program's body after starting the logger. An error is printed as
/// `"{program}: {error}"` (with its causes) and ends the program with exit
/// code 2, the code for "you asked for something that cannot be done".
///
/// ```
/// let code = harness::main("demo", || anyhow::bail!("--jobs must be at least 1"));
/// assert_eq!(code, std::process::ExitCode::from(2));
/// let code = harness::main("demo", || Ok(std::process::ExitCode::SUCCESS));
/// assert_eq!(code, std::process::ExitCode::SUCCESS);
/// ```
pub fn main(program: &str, body: impl FnOnce() -> anyhow::Result<ExitCode>) -> ExitCode {
    init_logging();
    match body() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{program}: {e:#}");
            ExitCode::from(2)
        }
    }
}
