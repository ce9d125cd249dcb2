//! What each job does, and what every job of a run shares.
//!
//! Every strategy runs the same jobs. A job is handed over as a [`Ticket`]
//! (its id, and for one job in [`SAMPLE_EVERY`] the moment it was handed
//! over), and runs through [`Job::run`], which records the start latency,
//! does the workload and counts the job done.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use clap::ValueEnum;
use harness::Failures;
use serde::Serialize;
use slow_api::ApiClient;

use crate::latency::Latency;

/// One job in this many has its start latency timed (two clock reads cost
/// about 60 ns, a fair share of an empty job); every job of `burst` is.
pub const SAMPLE_EVERY: u64 = 8;

/// Jobs per burst in the `burst` workload.
pub const BURST_SIZE: u64 = 16;

/// What a `burst` job does: sleep this long.
pub const BURST_JOB: Duration = Duration::from_millis(1);

/// The pause after each burst has finished, so that idle workers park.
pub const BURST_GAP: Duration = Duration::from_millis(3);

/// What each job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// GET /two/{id} on the slow API (100 ms).
    Http,
    /// Sleep in the job (default 10 ms), the job ants' own benchmark uses.
    Sleep,
    /// CPU-bound: rounds of xorshift the compiler cannot fold, about
    /// `--work-us` each (default 2 µs).
    Cpu,
    /// Start latency on its own: bursts of 16 jobs of 1 ms into idle
    /// workers, each burst after the last has finished and a 3 ms pause.
    Burst,
    /// Nothing: the strategy's own overhead.
    Noop,
}

impl Workload {
    /// The name on the command line and in file names.
    ///
    /// ```
    /// assert_eq!(compare::Workload::Cpu.name(), "cpu");
    /// ```
    pub fn name(self) -> String {
        self.to_possible_value()
            .expect("every workload has a name")
            .get_name()
            .to_owned()
    }
}

/// A job as handed to a strategy.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    /// The job's id.
    pub id: u64,
    /// When it was handed over, for the jobs whose latency is timed.
    pub handed_over: Option<Instant>,
}

/// Everything a job needs, shared by all jobs of a run (cheap to clone).
#[derive(Clone)]
pub struct Job {
    inner: Arc<Inner>,
}

struct Inner {
    workload: Workload,
    sleep: Duration,
    cpu_rounds: u64,
    client: Option<ApiClient>,
    call_timeout: Duration,
    failures: Failures,
    started: AtomicU64,
    done: AtomicU64,
    latency: Latency,
}

/// The CPU job: `rounds` of xorshift, about a nanosecond each.
pub fn cpu_work(seed: u64, rounds: u64) -> u64 {
    let mut x = black_box(seed) | 1;
    for _ in 0..black_box(rounds) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// How many xorshift rounds take `work` on this machine, measured now.
///
/// ```
/// let rounds = compare::calibrate_cpu(std::time::Duration::from_micros(2));
/// assert!(rounds >= 1);
/// ```
pub fn calibrate_cpu(work: Duration) -> u64 {
    const TRIAL: u64 = 2_000_000;
    // The fastest of a few trials: the least disturbed by other processes.
    let best = (0..5)
        .map(|i| {
            let start = Instant::now();
            cpu_work(i, TRIAL);
            start.elapsed()
        })
        .min()
        .expect("five trials");
    let per_round = best.as_secs_f64() / TRIAL as f64;
    ((work.as_secs_f64() / per_round).round() as u64).max(1)
}

impl Job {
    /// A job of `workload`. `client` is needed for `Http`, `sleep` is the
    /// `Sleep` job, `cpu_rounds` the `Cpu` job, and `call_timeout` bounds
    /// each HTTP call (the tokio strategy's too).
    pub fn new(
        workload: Workload,
        sleep: Duration,
        cpu_rounds: u64,
        client: Option<ApiClient>,
        call_timeout: Duration,
    ) -> Job {
        Job {
            inner: Arc::new(Inner {
                workload,
                sleep,
                cpu_rounds,
                client,
                call_timeout,
                failures: Failures::default(),
                started: AtomicU64::new(0),
                done: AtomicU64::new(0),
                latency: Latency::default(),
            }),
        }
    }

    /// The ticket for job `id`, to hand to the strategy. For `burst`, the
    /// first job of each burst waits here until the last burst is done and
    /// the workers have had time to go idle.
    pub fn ticket(&self, id: u64) -> Ticket {
        let burst = self.inner.workload == Workload::Burst;
        if burst && id > 0 && id % BURST_SIZE == 0 {
            while self.done() < id {
                std::thread::sleep(Duration::from_micros(50));
            }
            std::thread::sleep(BURST_GAP);
        }
        let timed = burst || id % SAMPLE_EVERY == 0;
        Ticket {
            id,
            handed_over: timed.then(Instant::now),
        }
    }

    /// Runs the job (blocking): records its start latency, does the work,
    /// counts it done, and records a failure.
    pub fn run(&self, ticket: Ticket) {
        self.start(ticket);
        let inner = &*self.inner;
        match inner.workload {
            Workload::Noop => {}
            Workload::Sleep => std::thread::sleep(inner.sleep),
            Workload::Burst => std::thread::sleep(BURST_JOB),
            Workload::Cpu => {
                cpu_work(ticket.id, inner.cpu_rounds);
            }
            Workload::Http => {
                let client = inner.client.as_ref().expect("http jobs have a client");
                if let Err(e) = client.call("two", ticket.id) {
                    inner.failures.record(e);
                }
            }
        }
        self.finish();
    }

    /// The job's first line: its start latency, and one more job started.
    /// (The tokio strategy calls it and [`finish`](Job::finish) around its
    /// own async work.)
    pub fn start(&self, ticket: Ticket) {
        if let Some(handed_over) = ticket.handed_over {
            self.inner.latency.record(handed_over.elapsed());
        }
        self.inner.started.fetch_add(1, Relaxed);
    }

    /// The job's last line: one more job done.
    pub fn finish(&self) {
        self.inner.done.fetch_add(1, Relaxed);
    }

    /// The workload.
    pub fn workload(&self) -> Workload {
        self.inner.workload
    }

    /// The sleep of the `Sleep` job.
    pub fn sleep(&self) -> Duration {
        self.inner.sleep
    }

    /// The rounds of the `Cpu` job.
    pub fn cpu_rounds(&self) -> u64 {
        self.inner.cpu_rounds
    }

    /// The limit on each HTTP call.
    pub fn call_timeout(&self) -> Duration {
        self.inner.call_timeout
    }

    /// Jobs started so far.
    pub fn started(&self) -> u64 {
        self.inner.started.load(Relaxed)
    }

    /// Jobs done so far.
    pub fn done(&self) -> u64 {
        self.inner.done.load(Relaxed)
    }

    /// The failures so far.
    pub fn failures(&self) -> &Failures {
        &self.inner.failures
    }

    /// The start latencies recorded so far.
    pub fn latency(&self) -> &Latency {
        &self.inner.latency
    }
}
