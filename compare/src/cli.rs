//! The command line: `compare`'s flags, its `sweep` subcommand, and the
//! checks that refuse bad values before anything runs.

use std::path::PathBuf;

use anyhow::bail;
use harness::checks;

use crate::job::Workload;
use crate::strategy::Strategy;

/// The command line (the parent's flags; the child gets the same plus `--child`).
#[derive(Debug, Clone, clap::Parser)]
#[command(version, about = "The tutorial's Goroutine X Ants table, in Rust")]
pub struct Args {
    /// `sweep`: one strategy over a list of pool sizes. Without it, every
    /// strategy once (the table).
    #[command(subcommand)]
    pub mode: Option<Mode>,
    /// Jobs per strategy (default: 10,000 for http and sleep, 100,000 for
    /// cpu and noop, 1,600 for burst, so the default run ends within a
    /// minute on 2 cores; `--jobs 100000` is the tutorial's table). A sweep
    /// defaults to 4,000 for http and sleep and 500,000 for cpu.
    #[arg(long, global = true)]
    pub jobs: Option<u64>,
    /// What each job does.
    #[arg(long, value_enum, default_value = "http", global = true)]
    pub workload: Workload,
    /// Run only these strategies.
    #[arg(long, value_enum, num_args = 1..)]
    pub only: Vec<Strategy>,
    /// Where the JSON, CSV and SVG go (created, and checked for writing,
    /// before anything runs).
    #[arg(long, default_value = "compare-results", global = true)]
    pub out_dir: PathBuf,
    /// The sleep of the `sleep` workload, in milliseconds.
    #[arg(long, default_value_t = 10, global = true)]
    pub sleep_ms: u64,
    /// The work of one `cpu` job, in microseconds (calibrated once, in the
    /// parent, into rounds of xorshift every strategy runs alike).
    #[arg(long, default_value_t = 2, global = true)]
    pub work_us: u64,
    /// Most jobs in flight for the strategies with no pool (a thread per
    /// job, tokio tasks): each holds a thread or a socket.
    #[arg(long, default_value_t = 10_000, global = true)]
    pub max_in_flight: usize,
    /// Base address of a running slow API (default: start one in-process).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// The longest one HTTP call may take, in seconds, before it counts as failed.
    #[arg(long, default_value_t = 30, global = true)]
    pub call_timeout_s: u64,
    /// Internal: run one strategy in this process and print its result.
    #[arg(long, hide = true)]
    pub child: Option<Strategy>,
    /// Internal: the pool size of a sweep's child.
    #[arg(long, hide = true)]
    pub capacity: Option<usize>,
    /// Internal: the API's delay in milliseconds, as the parent learnt it.
    #[arg(long, hide = true)]
    pub api_delay_ms: Option<u64>,
    /// Internal: the `cpu` job's rounds, calibrated by the parent.
    #[arg(long, hide = true)]
    pub cpu_rounds: Option<u64>,
    /// Internal: exit when stdin closes (the parent is gone).
    #[arg(long, hide = true)]
    pub parent_pipe: bool,
}

/// `compare`'s subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Mode {
    /// One strategy over a list of pool sizes: elapsed and peak memory
    /// against the size, to find the knee.
    Sweep {
        /// The strategy to size (a pool: not thread-per-job, tokio-tasks or
        /// default-pool).
        #[arg(long, value_enum, default_value = "pool1000")]
        strategy: Strategy,
        /// The pool sizes (default: 1, 2, 4, ... 1,024 for cpu and noop;
        /// 8, 16, ... 4,096 for http, sleep and burst).
        #[arg(long, num_args = 1..)]
        sizes: Vec<usize>,
    },
}

impl Args {
    /// The jobs per strategy, the workload's default when not given.
    pub fn jobs(&self) -> u64 {
        self.jobs.unwrap_or(match (self.workload, &self.mode) {
            // A sweep's smallest sizes take many rounds: fewer jobs.
            (Workload::Http | Workload::Sleep, Some(Mode::Sweep { .. })) => 4_000,
            (Workload::Http | Workload::Sleep, None) => 10_000,
            (Workload::Cpu, Some(Mode::Sweep { .. })) => 500_000,
            (Workload::Cpu | Workload::Noop, _) => 100_000,
            (Workload::Burst, _) => 1_600,
        })
    }

    pub(crate) fn strategies(&self) -> Vec<Strategy> {
        if self.only.is_empty() {
            Strategy::all().to_vec()
        } else {
            self.only.clone()
        }
    }

    pub(crate) fn workload_name(&self) -> String {
        self.workload.name()
    }

    /// Everything that can be refused is refused here, before anything starts.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        checks::jobs("--jobs", self.jobs())?;
        checks::distinct("--only", self.only.iter().map(|s| s.name()))?;
        checks::duration("--call-timeout-s", self.call_timeout_s, "s")?;
        checks::duration("--sleep-ms", self.sleep_ms, "ms")?;
        if self.work_us == 0 || self.work_us > 1_000_000 {
            bail!("--work-us must be from 1 to 1000000 (a second)");
        }
        if self.strategies().contains(&Strategy::ThreadPerJob) {
            checks::threads("--max-in-flight", self.max_in_flight)?;
        } else if self.max_in_flight == 0 {
            bail!("--max-in-flight must be at least 1");
        }
        Ok(())
    }
}
