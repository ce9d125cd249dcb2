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
mod interrupt;
mod job;
mod latency;
mod report;
mod runner;
mod strategy;
mod sweep;
mod timeline;
mod tokio_tasks;

pub use chart::draw_chart;
pub use interrupt::interrupted_exit_code;
pub use job::{
    BURST_GAP, BURST_JOB, BURST_SIZE, Job, SAMPLE_EVERY, Ticket, Workload, calibrate_cpu, cpu_work,
};
pub use latency::Latency;
pub use report::{StrategyResult, table, to_csv, write_csv};
pub use runner::{Args, ChildOutput, Mode, ORPHAN_EXIT_CODE, run_child, run_parent};
pub use strategy::{Family, Strategy, run};
pub use sweep::{KNEE_TOLERANCE, draw_sweep, knee};
pub use timeline::{SAMPLE_PERIOD, Sample, Sampler, Timeline, draw_timeline};
