//! The tutorial's "Goroutine X Ants" table, in Rust: every strategy, one run,
//! each in its own process, time and memory measured properly.
//!
//! The Go tutorial timed 100,000 HTTP jobs with no pool, ants' default pool,
//! a pool of 10,000 and a pool of 1,000, and printed `TotalAlloc` as "memory
//! used" (cumulative allocation, carried over from test to test). Here:
//!
//! - each [`Strategy`] runs in a **child process** of its own, so its peak
//!   memory (`VmHWM`) and its thread count belong to it alone;
//! - the figures are elapsed time, the **ideal** time for its capacity, peak
//!   live threads, peak resident memory, bytes and allocations made during the
//!   run (a counting allocator), and failed jobs;
//! - the results go to the terminal, to JSON and CSV, and to an SVG chart,
//!   for every strategy: one that failed or crashed keeps a row that says so;
//! - a child exits when its parent goes away, so no run leaves orphans;
//! - Ctrl-C or SIGTERM stops the running child and keeps what finished:
//!   the table and files are written, and the exit code is 130 or 143.
//!
//! `cargo run --release -p compare` runs the default table; `--jobs 100000`
//! is the tutorial's.
#![forbid(unsafe_code)]

mod chart;
mod child;
mod cli;
mod interrupt;
mod job;
mod latency;
mod report;
mod session;
mod strategy;
mod style;
mod sweep;
mod table_mode;
mod timeline;
mod tokio_tasks;

pub use chart::draw_chart;
pub use child::{ChildOutput, ORPHAN_EXIT_CODE, run_child};
pub use cli::{Args, Mode};
pub use interrupt::interrupted_exit_code;
pub use job::{
    BURST_GAP, BURST_JOB, BURST_SIZE, Job, SAMPLE_EVERY, Ticket, Workload, calibrate_cpu, cpu_work,
};
pub use latency::Latency;
pub use report::{StrategyResult, table, to_csv, write_csv};
pub use strategy::{Size, Spec, Strategy, run};
pub use sweep::{KNEE_TOLERANCE, draw_sweep, knee};
pub use timeline::{SAMPLE_PERIOD, Sample, Sampler, Timeline, draw_timeline};

/// The parent: checks the flags and the output folder, starts the API if
/// needed, runs each strategy (or, for `sweep`, each size) in a child
/// process with a progress bar, prints the table and writes its files into
/// `--out-dir`, for every run, finished or not. Returns the results.
pub fn run_parent(args: &Args) -> anyhow::Result<Vec<StrategyResult>> {
    match &args.mode {
        Some(Mode::Sweep { strategy, sizes }) => sweep::run_sweep(args, *strategy, sizes),
        None => table_mode::run_table(args),
    }
}
