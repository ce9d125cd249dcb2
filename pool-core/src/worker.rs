//! One worker thread: run a task, take the next, search, park, expire.
//!
//! | state | counted in | leaves it when |
//! |---|---|---|
//! | running a task | `workers` | the task returns (or panics) |
//! | searching (awake, idle) | `Idle::searching` | it finds a task, or gives up and parks |
//! | parked | `Idle::sleepers` | woken for work or to retire, or `expiry` passes and it exits |
//!
//! When a task ends, the worker first asks admission for the task of a parked
//! submitter (the hand-off, `admission.rs`) and runs it straight away; then it
//! looks at the queue; only an idle worker that has searched a while parks.
//! A steady stream of tasks never pays for a wake-up.
//!
//! Panics are caught around every task: the worker survives, the pool keeps
//! its capacity, the payload goes to the panic handler. A handler that
//! panics, and a payload whose `drop` panics, are caught and counted too.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::Instant;

use crate::engine::Engine;
use crate::error::panic_message;
use crate::idle::{Sleeper, WakeReason};
use crate::spin::{SPIN_BUDGET, spin_until};
use crate::sync::{Arc, fence};
use crate::task::PanicDelivered;
use crate::timing::{self, LocalTimes, Stamped};

/// At most this many idle workers spin at once before parking.
const MAX_SPINNING: usize = 1;

/// The machine's cores, read once.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// How many times a panicking `drop` of a panic payload is caught before
/// the payload is leaked instead (each catch hands back a new payload).
const PAYLOAD_DROP_TRIES: usize = 8;

impl<J: Send + 'static> Engine<J> {
    /// Starts a worker thread. The caller has already counted it in
    /// `workers`; with no `first` task, as searching too. If the thread
    /// cannot start, the first task comes back with the error.
    pub(crate) fn spawn_worker(
        self: &std::sync::Arc<Self>,
        first: Option<Stamped<J>>,
    ) -> Result<(), (Option<Stamped<J>>, std::io::Error)> {
        // The closure is dropped if the OS refuses the thread; the task must
        // survive that, so it travels in a slot we keep a key to.
        let searching = first.is_none();
        let slot = std::sync::Arc::new(std::sync::Mutex::new(first));
        let their_slot = std::sync::Arc::clone(&slot);
        let engine = std::sync::Arc::clone(self);
        let spawned = self
            .threads
            .spawn(&self.opts.thread_name, self.opts.stack_size, move |id| {
                let first = their_slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                drop(their_slot);
                log::debug!(target: "pool_core", "worker {} started", current_name());
                engine.work(first, searching);
                engine.counters.retired.fetch_add(1, Relaxed);
                engine.threads.mark_finished(id);
            });
        match spawned {
            Ok(()) => {
                self.counters.spawned.fetch_add(1, Relaxed);
                Ok(())
            }
            Err(e) => {
                log::warn!(target: "pool_core", "a worker thread was refused: {e}");
                Err((slot.lock().unwrap_or_else(|e| e.into_inner()).take(), e))
            }
        }
    }

    /// Runs one task, catching its panic so the worker survives it.
    pub(crate) fn execute(&self, job: J) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (self.run)(job))) {
            self.counters.panicked.fetch_add(1, Relaxed);
            if payload.is::<PanicDelivered>() {
                // A group task: its payload already went to its group.
                log::warn!(target: "pool_core", "a task panicked (its payload went to its group)");
                return;
            }
            match panic_message(payload.as_ref()) {
                Some(message) => log::warn!(target: "pool_core", "a task panicked: {message}"),
                None => log::warn!(target: "pool_core", "a task panicked (a non-string payload)"),
            }
            self.handle_panic(payload);
        }
    }

    /// Gives the payload to the panic handler. The handler may panic (even
    /// re-raise the payload), and the payload's own `drop` may panic: each is
    /// caught, and the worker survives.
    fn handle_panic(&self, payload: Box<dyn Any + Send + 'static>) {
        let handled = catch_unwind(AssertUnwindSafe(|| match &self.opts.panic_handler {
            Some(handler) => handler(payload),
            None => drop(payload),
        }));
        let mut left = match handled {
            Ok(()) => return,
            Err(again) => {
                self.counters.handler_panicked.fetch_add(1, Relaxed);
                again
            }
        };
        for _ in 0..PAYLOAD_DROP_TRIES {
            match catch_unwind(AssertUnwindSafe(move || drop(left))) {
                Ok(()) => return,
                Err(again) => left = again,
            }
        }
        // A payload that panics every time it is dropped: keep it rather
        // than let it take the worker down.
        std::mem::forget(left);
    }

    /// Runs `job` (started at `started`, or now), then every task handed
    /// over from a parked submitter as each one ends. Returns whether the
    /// pool has since shrunk and this worker was retired, and when the last
    /// task ended (in clock ticks).
    fn run_chain(
        self: &std::sync::Arc<Self>,
        mut job: Stamped<J>,
        started: Option<u64>,
        times: &mut LocalTimes,
    ) -> (bool, u64) {
        let mut started = started.unwrap_or_else(timing::now);
        loop {
            let accepted = job.accepted;
            self.execute(job.job);
            // One clock read per task: its end, and the next one's start.
            let ended = timing::now();
            times.add(accepted, started, ended, &self.counters.times);
            let next = self.admission.finish(self.queue.len());
            if self.threads.retire_if_surplus(self.admission.cap()) {
                log_retired();
                if let Some(handed) = next {
                    // Accepted within capacity: another worker runs it.
                    self.queue.push(Stamped::at(ended, handed));
                    self.notify_work();
                }
                return (true, ended);
            }
            match next {
                // Accepted as we took it: it waited for nothing.
                Some(handed) => {
                    job = Stamped::at(ended, handed);
                    started = ended;
                }
                None => return (false, ended),
            }
        }
    }

    /// A searching worker took a task. If it was the last one searching and
    /// more are queued, it wakes the next worker before running its own
    /// (tokio's rule: a burst fans out as a chain, and a flood wakes nobody
    /// while someone is still searching).
    fn found_work(self: &std::sync::Arc<Self>) {
        if self.idle.stop_searching() && !self.queue.is_empty() {
            self.wake_one();
        }
    }

    /// The worker loop. Returns when the worker exits; `workers` has then
    /// already been decremented for it.
    fn work(self: &std::sync::Arc<Self>, first: Option<Stamped<J>>, searching: bool) {
        let me = Arc::new(Sleeper::new());
        let mut searching = searching;
        let mut next = first;
        let mut times = LocalTimes::default();
        // When the last task ended, while going straight on to the next one.
        let mut last_ended = None;
        loop {
            if let Some(job) = next.take() {
                let (retired, ended) = self.run_chain(job, last_ended.take(), &mut times);
                if retired {
                    times.flush(&self.counters.times);
                    return self.leave();
                }
                last_ended = Some(ended);
            }
            if let Some(job) = self.queue.pop() {
                if searching {
                    searching = false;
                    self.found_work();
                }
                next = Some(job);
                continue;
            }
            // From here on this worker is searching, and counted so; every
            // path below either leaves or sets `searching` again. Going idle,
            // it adds its task times to the pool's.
            last_ended = None;
            times.flush(&self.counters.times);
            if !searching {
                self.idle.start_searching();
            }
            if self.admission.is_closed() {
                // Nothing queued and no more coming: exit.
                self.threads.worker_left();
                self.idle.stop_searching();
                return self.leave();
            }
            // Search a little before parking: in a busy pool the next task
            // arrives within microseconds. One searcher is enough; the
            // others park at once and leave the cores to those doing work.
            // A pool no bigger than the machine lets every worker search: it
            // cannot oversubscribe the cores, and a parked worker would cost
            // the submitter a wake-up for every task.
            if self.idle.searching() <= MAX_SPINNING || self.threads.workers() <= cores() {
                if let Some(job) = spin_until(SPIN_BUDGET, || self.queue.pop()) {
                    searching = false;
                    self.found_work();
                    next = Some(job);
                    continue;
                }
            }
            // A pool that shrank while we searched does not need us.
            if self.threads.retire_if_surplus(self.admission.cap()) {
                log_retired();
                self.idle.stop_searching();
                return self.leave();
            }
            // Park: register, stop searching, look once more (idle.rs).
            self.idle.prepare_park(&me);
            fence(SeqCst);
            if self.admission.in_flight() == 0 && self.idle.searching() == 0 {
                self.idle.went_idle();
            }
            let reason = if !self.queue.is_empty() || self.admission.is_closed() {
                self.idle.cancel_park(&me)
            } else {
                let until = self.opts.expiry.and_then(|e| Instant::now().checked_add(e));
                match me.park(until) {
                    Some(reason) => reason,
                    None => {
                        let expired = self.idle.unregister(&me, || self.threads.worker_left());
                        if expired {
                            // Idle for `expiry`: exit, like ants' purge, and
                            // join the workers that went before.
                            log::debug!(target: "pool_core", "worker {} expired", current_name());
                            self.threads.reap();
                            return self.leave();
                        }
                        // A waker took us off the list as time ran out.
                        me.wait_reason()
                    }
                }
            };
            match reason {
                // Counted as searching again (by us or by the waker).
                WakeReason::Work => searching = true,
                // The waker already took us out of `workers`.
                WakeReason::Retire => {
                    log_retired();
                    return self.leave();
                }
            }
        }
    }

    /// Last duties of an exiting worker, already out of `workers`: a task
    /// queued while it was leaving must still find a worker.
    fn leave(self: &std::sync::Arc<Self>) {
        fence(SeqCst);
        if !self.queue.is_empty() && self.idle.searching() == 0 {
            self.ensure_searcher();
        }
    }
}

/// The calling worker's thread name, for log lines.
fn current_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("pool-worker")
        .to_owned()
}

fn log_retired() {
    log::debug!(target: "pool_core", "worker {} retired: the pool shrank", current_name());
}
