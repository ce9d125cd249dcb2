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
use std::sync::Arc;
use std::time::Instant;

use crate::engine::Engine;
use crate::error::panic_message;
use crate::idle::{Idle, SEARCH_ROUNDS, Sleeper, WakeReason};
use crate::options::ThreadHook;
use crate::spin::yield_rounds;
use crate::task::PanicDelivered;
use crate::timing::{self, LocalTimes, Stamped};
use crate::worker_info::{WorkerInfo, set_current};

thread_local! {
    /// The engine this thread is a worker of (its address), or 0.
    static WORKS_FOR: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The machine's cores, read once.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// How many times a panicking `drop` of a panic payload is caught before
/// the payload is leaked instead (each catch hands back a new payload).
const PAYLOAD_DROP_TRIES: usize = 8;

impl<J: Send + 'static> Engine<J> {
    /// Whether the calling thread is one of this engine's workers (running
    /// one of its tasks right now, since a worker calls out only to tasks).
    pub(crate) fn is_own_worker(&self) -> bool {
        WORKS_FOR.with(|works_for| works_for.get()) == std::ptr::from_ref(self) as usize
    }

    /// Starts a worker thread. The caller has already counted it in
    /// `workers`; with no `first` task, as searching too. If the thread
    /// cannot start, the first task comes back with the error.
    pub(crate) fn spawn_worker(
        self: &Arc<Self>,
        first: Option<Stamped<J>>,
    ) -> Result<(), (Option<Stamped<J>>, std::io::Error)> {
        // The closure is dropped if the OS refuses the thread; the task must
        // survive that, so it travels in a parcel we keep a key to.
        let searching = first.is_none();
        let parcel = Arc::new(std::sync::Mutex::new(first));
        let their_parcel = Arc::clone(&parcel);
        let engine = Arc::clone(self);
        let spawned = self
            .threads
            .spawn(&self.opts.thread_name, self.opts.stack_size, move |id| {
                let first = their_parcel
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                drop(their_parcel);
                WORKS_FOR.with(|works_for| works_for.set(Arc::as_ptr(&engine) as usize));
                let info = WorkerInfo::new(engine.id, id, current_name());
                set_current(Some(info.clone()));
                log::debug!(target: "pool_core", "worker {} started", current_name());
                engine.run_hook(engine.opts.on_thread_start.as_ref(), &info, "start");
                let why = engine.work(first, searching);
                engine.run_hook(engine.opts.on_thread_stop.as_ref(), &info, "stop");
                set_current(None);
                engine.counters.thread_exited();
                match why {
                    Exit::Closed => engine.threads.mark_finished(id),
                    Exit::Surplus => engine.threads.let_go(id),
                }
            });
        match spawned {
            Ok(()) => {
                self.counters.thread_started();
                Ok(())
            }
            Err(e) => {
                log::warn!(target: "pool_core", "a worker thread was refused: {e}");
                Err((parcel.lock().unwrap_or_else(|e| e.into_inner()).take(), e))
            }
        }
    }

    /// Runs a thread start or stop hook, catching its panic: counted and
    /// logged, and the worker carries on.
    fn run_hook(&self, hook: Option<&ThreadHook>, info: &WorkerInfo, which: &str) {
        let Some(hook) = hook else { return };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| hook(info))) {
            self.counters.hook_panicked();
            let message = panic_message(payload.as_ref()).unwrap_or("a non-string payload");
            log::warn!(target: "pool_core", "the thread {which} hook panicked on {}: {message}", info.name());
            // A payload whose drop panics is leaked rather than let loose.
            if catch_unwind(AssertUnwindSafe(move || drop(payload))).is_err() {
                self.counters.hook_panicked();
            }
        }
    }

    /// Runs one task, catching its panic so the worker survives it.
    pub(crate) fn execute(&self, job: J) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (self.run)(job))) {
            self.counters.task_panicked();
            if let Some(delivered) = payload.downcast_ref::<PanicDelivered>() {
                let message = delivered
                    .message
                    .as_deref()
                    .unwrap_or("a non-string payload");
                log::warn!(target: "pool_core", "a task panicked: {message} (its payload went to its handle or group)");
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
                self.counters.handler_panicked();
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
        self: &Arc<Self>,
        mut job: Stamped<J>,
        started: Option<u64>,
        times: &mut LocalTimes,
    ) -> (bool, u64) {
        let mut started = started.unwrap_or_else(timing::now);
        loop {
            let (ended, next) = self.run_and_finish(job, started, times);
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

    /// A searching worker took a task: wake the next one if `Idle::after_take` says so.
    fn found_work(self: &Arc<Self>) {
        if self.idle.after_take(|| !self.queue.is_empty()) {
            self.wake_one();
        }
    }

    /// The worker loop. Returns when the worker exits; `workers` has then
    /// already been decremented for it.
    fn work(self: &Arc<Self>, first: Option<Stamped<J>>, searching: bool) -> Exit {
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
                    times.flush(self.counters.times());
                    return self.leave(Exit::Surplus);
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
            times.flush(self.counters.times());
            if !searching {
                self.idle.start_searching();
            }
            if self.admission.is_closed() {
                // Nothing queued and no more coming: exit.
                self.threads.worker_left();
                self.idle.stop_searching();
                return self.leave(Exit::Closed);
            }
            if self.idle.may_search(self.threads.workers(), cores()) {
                if let Some(job) = yield_rounds(SEARCH_ROUNDS, || self.queue.pop()) {
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
                return self.leave(Exit::Surplus);
            }
            // Park: register, stop searching, look once more (idle.rs).
            self.idle.prepare_park(&me, || self.admission.in_flight());
            let reason = if !self.queue.is_empty() || self.admission.is_closed() {
                self.idle.cancel_park(&me)
            } else {
                let until = self.opts.expiry.and_then(|e| Instant::now().checked_add(e));
                match Idle::park(&me, until) {
                    Some(reason) => reason,
                    None => {
                        let expired = self.idle.unregister(&me, || self.threads.worker_left());
                        if expired {
                            // Idle for `expiry`: exit, like ants' purge.
                            log::debug!(target: "pool_core", "worker {} expired", current_name());
                            return self.leave(Exit::Surplus);
                        }
                        // A waker took us off the list as time ran out.
                        Idle::reason(&me)
                    }
                }
            };
            match reason {
                // Counted as searching again (by us or by the waker).
                WakeReason::Work => searching = true,
                // The waker already took us out of `workers`.
                WakeReason::Retire => {
                    log_retired();
                    return self.leave(Exit::Surplus);
                }
            }
        }
    }

    /// Last duties of an exiting worker, already out of `workers`: a task
    /// queued while it was leaving must still find a worker.
    fn leave(self: &Arc<Self>, why: Exit) -> Exit {
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        if !self.queue.is_empty() && self.idle.searching() == 0 {
            self.ensure_searcher();
        }
        why
    }
}

/// Why a worker left its loop, which decides who frees its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// The pool closed: whoever closes it joins the worker.
    Closed,
    /// Expired or retired by a shrink while the pool stays open: nobody
    /// may come to join it (an idle pool can sit for hours), so it lets
    /// itself go ([`Threads::let_go`](crate::threads::Threads::let_go)).
    Surplus,
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
