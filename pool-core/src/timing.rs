//! Where a task's time went: waiting in the pool, or running.
//!
//! The pool knows when it accepted each task, when a worker started it and
//! when it ended. [`PoolStats`](crate::PoolStats) reports, since the pool
//! was built, the total and the longest **queue wait** (accepted → started)
//! and the total **run time** (started → ended), over the tasks counted in
//! `timed`.
//!
//! # Cheap enough to leave on
//!
//! `Instant::now()` costs about 30 ns here; three per task would add 15–20%
//! to an empty task. So:
//! - the clock is the CPU's time-stamp counter, read through `quanta`
//!   (about 10 ns), and converted to time only when `stats()` is asked;
//! - a task is stamped when it is accepted into the queue (or handed to a new
//!   thread); a task handed straight from a parked submitter to a finishing
//!   worker waited for nothing, and takes no stamp;
//! - a worker reads the clock once per task, when it ends; that moment is
//!   also the start of its next task when it goes straight on to one;
//! - each worker adds up its own figures and adds them to the pool's every
//!   [`FLUSH_EVERY`] tasks and whenever it goes idle or exits.
//!
//! So the figures are exact once the pool is idle (or released and joined),
//! and lag by at most [`FLUSH_EVERY`] tasks per busy worker while it works.
//!
//! Building the first pool in a process calibrates the clock once (about
//! 0.6 ms here).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// A busy worker adds its figures to the pool's every this many tasks.
pub(crate) const FLUSH_EVERY: u64 = 64;

fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

/// Now, in clock ticks.
pub(crate) fn now() -> u64 {
    clock().raw()
}

/// Calibrates the clock, if no pool has yet (done at build, not on a task).
pub(crate) fn warm_up() {
    let _ = clock();
}

/// Clock ticks as time.
pub(crate) fn ticks_to_duration(ticks: u64) -> Duration {
    clock().delta(0, ticks)
}

/// A job with the moment it was accepted.
pub(crate) struct Stamped<J> {
    pub(crate) accepted: u64,
    pub(crate) job: J,
}

impl<J> Stamped<J> {
    /// `job`, accepted now.
    pub(crate) fn now(job: J) -> Self {
        Stamped {
            accepted: now(),
            job,
        }
    }

    /// `job`, accepted at `ticks` (a hand-off accepted as the worker took it).
    pub(crate) fn at(ticks: u64, job: J) -> Self {
        Stamped {
            accepted: ticks,
            job,
        }
    }
}

/// The pool's figures, added to by each worker's [`LocalTimes`].
#[derive(Default)]
pub(crate) struct TaskTimes {
    timed: AtomicU64,
    wait_total: AtomicU64,
    wait_max: AtomicU64,
    run_total: AtomicU64,
}

/// What [`TaskTimes`] holds, as time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimesSnapshot {
    pub(crate) timed: u64,
    pub(crate) wait_total: Duration,
    pub(crate) wait_max: Duration,
    pub(crate) run_total: Duration,
}

impl TaskTimes {
    pub(crate) fn snapshot(&self) -> TimesSnapshot {
        TimesSnapshot {
            timed: self.timed.load(Relaxed),
            wait_total: ticks_to_duration(self.wait_total.load(Relaxed)),
            wait_max: ticks_to_duration(self.wait_max.load(Relaxed)),
            run_total: ticks_to_duration(self.run_total.load(Relaxed)),
        }
    }
}

/// One worker's figures since its last flush.
#[derive(Default)]
pub(crate) struct LocalTimes {
    timed: u64,
    wait_total: u64,
    wait_max: u64,
    run_total: u64,
}

impl LocalTimes {
    /// Counts a task accepted at `accepted`, started at `started`, ended at
    /// `ended` (all in ticks); flushes every [`FLUSH_EVERY`] tasks.
    pub(crate) fn add(&mut self, accepted: u64, started: u64, ended: u64, to: &TaskTimes) {
        let wait = started.saturating_sub(accepted);
        self.timed += 1;
        self.wait_total += wait;
        self.wait_max = self.wait_max.max(wait);
        self.run_total += ended.saturating_sub(started);
        if self.timed >= FLUSH_EVERY {
            self.flush(to);
        }
    }

    /// Adds this worker's figures to the pool's.
    pub(crate) fn flush(&mut self, to: &TaskTimes) {
        if self.timed == 0 {
            return;
        }
        to.timed.fetch_add(self.timed, Relaxed);
        to.wait_total.fetch_add(self.wait_total, Relaxed);
        to.wait_max.fetch_max(self.wait_max, Relaxed);
        to.run_total.fetch_add(self.run_total, Relaxed);
        *self = LocalTimes::default();
    }
}
