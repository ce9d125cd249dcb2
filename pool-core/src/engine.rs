//! The machinery both pools share: admission, hand-off, waking, tuning, release.
//!
//! Why this shape: a thread wake-up costs microseconds, a crossbeam hand-off
//! tens of nanoseconds. A pool that wakes a parked thread for every task pays
//! the microseconds every time. This engine wakes a sleeper only when no worker
//! is already awake and searching for work, so a busy pool moves tasks at
//! channel speed.
//!
//! The pieces:
//! - **Admission**: `in_flight` counts tasks accepted and not yet finished. A
//!   task is accepted only while `in_flight < cap`, so at most `cap` tasks run
//!   at once. A submitter that finds the pool full spins briefly, then parks
//!   on `slot_freed` until a task finishes (or its deadline passes).
//! - **Hand-off**: accepted tasks go into one [`TaskQueue`], allocated once
//!   with room for `cap` tasks, so a task costs no allocation on its way
//!   (see `queue.rs` for why it is not a crossbeam channel). Workers park on
//!   their own [`Sleeper`](crate::worker::Sleeper), not on the queue.
//! - **Waking** (the protocol, checked in both directions):
//!   a submitter pushes, then reads `spinning`; a worker about to sleep
//!   registers as a sleeper, *then* decrements `spinning`, then looks at the
//!   channel once more. Whichever comes second sees the other, so a task is
//!   never left with every worker asleep.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*, fence};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};
use std::{io, thread};

use crossbeam_utils::CachePadded;

use crate::error::{BuildError, PoolError, ReleaseTimeoutError};
use crate::options::{Options, check_capacity};
use crate::queue::TaskQueue;
use crate::spin::{SPIN_BUDGET, spin_until};
use crate::stats::PoolStats;
use crate::worker::{Sleeper, Threads, WakeReason};

/// Runs one job: the closure itself (`Pool`) or the pool's function (`PoolWithFunc`).
pub(crate) type Runner<J> = Box<dyn Fn(J) + Send + Sync + 'static>;

/// How long a submitter may wait for a free worker.
#[derive(Clone, Copy)]
pub(crate) enum Wait {
    /// Until a worker frees up (unless the pool is `nonblocking`).
    Forever,
    /// Not at all.
    Never,
    /// Until this instant.
    Until(Instant),
}

/// Why a task was not admitted; turned into a [`PoolError`] with the task.
enum Refusal {
    Closed,
    Overload,
    Timeout,
}

impl Refusal {
    fn with<T>(self, task: T) -> PoolError<T> {
        match self {
            Refusal::Closed => PoolError::Closed(task),
            Refusal::Overload => PoolError::Overload(task),
            Refusal::Timeout => PoolError::Timeout(task),
        }
    }
}

pub(crate) struct Engine<J> {
    pub(crate) opts: Options,
    pub(crate) run: Runner<J>,
    pub(crate) queue: TaskQueue<J>,

    pub(crate) cap: AtomicUsize,
    /// Accepted and not yet finished (queued + running).
    pub(crate) in_flight: CachePadded<AtomicUsize>,
    /// Accepted, ever.
    pub(crate) submitted: CachePadded<AtomicU64>,
    pub(crate) panicked: AtomicU64,
    pub(crate) handler_panicked: AtomicU64,

    /// Worker threads alive (ants' `Running()`).
    pub(crate) workers: AtomicUsize,
    /// Workers awake and looking for a task (not running one, not parked).
    pub(crate) spinning: CachePadded<AtomicUsize>,
    /// Parked idle workers, most recently parked last.
    pub(crate) sleepers: Mutex<Vec<Arc<Sleeper>>>,
    pub(crate) sleeping: AtomicUsize,
    pub(crate) spawned: AtomicU64,
    pub(crate) retired: AtomicU64,
    pub(crate) threads: Threads,

    pub(crate) closed: AtomicBool,
    /// The monitor (see `monitor.rs`).
    pub(crate) monitor_idle: AtomicBool,
    pub(crate) monitor_stop: AtomicBool,
    pub(crate) monitor_thread: OnceLock<Thread>,
    pub(crate) monitor_handle: Mutex<Option<JoinHandle<()>>>,

    /// Submitters waiting for a free worker (spinning or parked).
    waiting: AtomicUsize,
    /// Of those, the ones parked on `slot_freed`.
    parked: AtomicUsize,
    /// A wake-up is on its way to a parked submitter: finishing tasks need
    /// not take the lock to send another (one per finished task would
    /// serialise every worker on `gate`).
    wake_pending: AtomicBool,
    gate: Mutex<()>,
    slot_freed: Condvar,
}

enum Step {
    /// Add one while below the capacity.
    Up,
    /// Take one away while above it.
    Down,
}

/// Moves `counter` one step towards `cap` in one atomic update: the
/// admission count and the worker count both grow only below the capacity
/// and shrink only above it, whatever other threads do meanwhile. `false`
/// if it was already on the far side.
fn step_towards_cap(counter: &AtomicUsize, cap: &AtomicUsize, step: Step) -> bool {
    counter
        .fetch_update(SeqCst, SeqCst, |now| {
            let cap = cap.load(SeqCst);
            match step {
                Step::Up => (now < cap).then_some(now + 1),
                Step::Down => (now > cap).then_some(now - 1),
            }
        })
        .is_ok()
}

/// Locks a mutex, ignoring poison: the engine's mutexes guard plain
/// bookkeeping that a panicking task cannot leave half-written.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<J: Send + 'static> Engine<J> {
    pub(crate) fn start(opts: Options, run: Runner<J>) -> Result<Arc<Self>, BuildError> {
        let capacity = opts.capacity;
        let engine = Arc::new(Engine {
            cap: AtomicUsize::new(opts.capacity),
            opts,
            run,
            queue: TaskQueue::with_capacity(capacity),
            in_flight: CachePadded::new(AtomicUsize::new(0)),
            submitted: CachePadded::new(AtomicU64::new(0)),
            panicked: AtomicU64::new(0),
            handler_panicked: AtomicU64::new(0),
            workers: AtomicUsize::new(0),
            spinning: CachePadded::new(AtomicUsize::new(0)),
            sleepers: Mutex::new(Vec::new()),
            sleeping: AtomicUsize::new(0),
            spawned: AtomicU64::new(0),
            retired: AtomicU64::new(0),
            threads: Threads::default(),
            closed: AtomicBool::new(false),
            monitor_idle: AtomicBool::new(false),
            monitor_stop: AtomicBool::new(false),
            monitor_thread: OnceLock::new(),
            monitor_handle: Mutex::new(None),
            waiting: AtomicUsize::new(0),
            parked: AtomicUsize::new(0),
            wake_pending: AtomicBool::new(false),
            gate: Mutex::new(()),
            slot_freed: Condvar::new(),
        });
        engine
            .start_monitor()
            .map_err(|error| BuildError::Spawn { started: 0, error })?;
        if engine.opts.pre_alloc {
            if let Err(e) = engine.pre_alloc() {
                engine.stop_monitor();
                return Err(e);
            }
        }
        Ok(engine)
    }

    /// Starts workers until `cap` are alive (ants' `WithPreAlloc`).
    fn pre_alloc(self: &Arc<Self>) -> Result<(), BuildError> {
        let cap = self.cap.load(SeqCst);
        let mut started = 0;
        while self.reserve_worker() {
            self.spinning.fetch_add(1, SeqCst);
            if let Err((_, error)) = self.spawn_worker(None) {
                self.workers.fetch_sub(1, SeqCst);
                self.spinning.fetch_sub(1, SeqCst);
                self.release();
                self.join_all(None);
                return Err(BuildError::Spawn { started, error });
            }
            started += 1;
        }
        debug_assert!(started <= cap);
        Ok(())
    }

    // ----- submitting ---------------------------------------------------

    /// Accepts `job` if a worker is (or becomes) free in time, and hands it off.
    pub(crate) fn submit(self: &Arc<Self>, job: J, wait: Wait) -> Result<(), PoolError<J>> {
        if let Err(refusal) = self.admit(wait) {
            return Err(refusal.with(job));
        }
        if self.closed.load(SeqCst) {
            self.finish_one();
            return Err(PoolError::Closed(job));
        }
        self.submitted.fetch_add(1, Relaxed);
        self.dispatch(job)
    }

    fn try_acquire(&self) -> bool {
        step_towards_cap(&self.in_flight, &self.cap, Step::Up)
    }

    fn admit(&self, wait: Wait) -> Result<(), Refusal> {
        if self.closed.load(SeqCst) {
            return Err(Refusal::Closed);
        }
        if self.try_acquire() {
            return Ok(());
        }
        if self.opts.nonblocking || matches!(wait, Wait::Never) {
            return Err(Refusal::Overload);
        }
        let now_waiting = self.waiting.fetch_add(1, SeqCst) + 1;
        let max = self.opts.max_blocking_tasks;
        let result = if max > 0 && now_waiting > max {
            Err(Refusal::Overload)
        } else {
            self.wait_for_slot(wait)
        };
        self.waiting.fetch_sub(1, SeqCst);
        result
    }

    fn wait_for_slot(&self, wait: Wait) -> Result<(), Refusal> {
        let deadline = match wait {
            Wait::Until(d) => Some(d),
            _ => None,
        };
        // Short tasks free a slot within microseconds: spin before parking,
        // because a park/unpark pair costs more than that.
        let spun = spin_until(SPIN_BUDGET, || {
            if self.closed.load(SeqCst) {
                Some(Err(Refusal::Closed))
            } else if self.try_acquire() {
                Some(Ok(()))
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                Some(Err(Refusal::Timeout))
            } else {
                None
            }
        });
        if let Some(result) = spun {
            return result;
        }
        let mut guard = lock(&self.gate);
        self.parked.fetch_add(1, SeqCst);
        let result = loop {
            // Whatever woke us, the next freed slot may send a new wake-up.
            self.wake_pending.store(false, SeqCst);
            if self.closed.load(SeqCst) {
                break Err(Refusal::Closed);
            }
            if self.try_acquire() {
                break Ok(());
            }
            guard = match deadline {
                None => self
                    .slot_freed
                    .wait(guard)
                    .unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        break Err(Refusal::Timeout);
                    }
                    self.slot_freed
                        .wait_timeout(guard, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        };
        self.parked.fetch_sub(1, SeqCst);
        // Only one wake-up is in flight at a time (`wake_pending`), so slots
        // freed while it was on its way sent none. Whoever it woke passes it
        // on while a slot is free and someone still waits. (loom found the
        // lost wake-up without this: tests/loom.rs.)
        if self.parked.load(SeqCst) > 0 && self.in_flight.load(SeqCst) < self.cap.load(SeqCst) {
            self.wake_pending.store(true, SeqCst);
            self.slot_freed.notify_one();
        }
        drop(guard);
        result
    }

    /// A task finished (or was handed back): free its slot, wake a submitter.
    pub(crate) fn finish_one(&self) {
        self.in_flight.fetch_sub(1, SeqCst);
        if self.parked.load(SeqCst) > 0 && !self.wake_pending.swap(true, SeqCst) {
            let _guard = lock(&self.gate);
            self.slot_freed.notify_one();
        }
    }

    fn dispatch(self: &Arc<Self>, job: J) -> Result<(), PoolError<J>> {
        let mut job = job;
        // No worker is searching or parked: start one and hand it this task
        // directly, as ants does when it has no idle worker to reuse. If the
        // OS refuses the thread, the task comes back unchanged.
        if self.spinning.load(SeqCst) == 0
            && self.sleeping.load(SeqCst) == 0
            && self.reserve_worker()
        {
            match self.spawn_worker(Some(job)) {
                Ok(()) => return Ok(()),
                Err((back, error)) => {
                    let back =
                        back.expect("a thread that never started cannot have taken its task");
                    self.workers.fetch_sub(1, SeqCst);
                    if self.workers.load(SeqCst) == 0 {
                        // Nobody could ever run it: give it back.
                        self.submitted.fetch_sub(1, Relaxed);
                        self.finish_one();
                        return Err(PoolError::ThreadSpawn(back, error));
                    }
                    // Live workers will reach it when their task ends.
                    job = back;
                }
            }
        }
        self.queue.push(job);
        fence(SeqCst);
        // Nobody is searching: wake a parked worker, or start one. (Busy
        // workers come back to the queue by themselves when their task ends.)
        if self.spinning.load(SeqCst) == 0 {
            self.ensure_searcher();
        }
        Ok(())
    }

    /// Wakes or starts a worker for queued tasks. If no thread can be
    /// started and none is alive, the caller runs the queued tasks itself:
    /// an accepted task is never stranded.
    pub(crate) fn ensure_searcher(self: &Arc<Self>) {
        if self.wake_one().is_err() && self.workers.load(SeqCst) == 0 {
            while let Some(job) = self.queue.pop() {
                self.execute(job);
            }
        }
    }

    /// Makes one more worker search the channel: wakes the most recently
    /// parked one, or starts a new one if the pool is below capacity.
    /// `Ok(false)` if neither was possible (every worker is busy).
    pub(crate) fn wake_one(self: &Arc<Self>) -> io::Result<bool> {
        if self.sleeping.load(SeqCst) > 0 {
            let mut sleepers = lock(&self.sleepers);
            if let Some(sleeper) = sleepers.pop() {
                self.sleeping.fetch_sub(1, SeqCst);
                // Counted as searching from now on, so other submitters
                // don't wake a second worker for the same task.
                self.spinning.fetch_add(1, SeqCst);
                drop(sleepers);
                sleeper.wake(WakeReason::Work);
                return Ok(true);
            }
        }
        if self.reserve_worker() {
            self.spinning.fetch_add(1, SeqCst);
            if let Err((_, e)) = self.spawn_worker(None) {
                self.workers.fetch_sub(1, SeqCst);
                self.spinning.fetch_sub(1, SeqCst);
                return Err(e);
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Counts one more worker if the pool is below capacity.
    fn reserve_worker(&self) -> bool {
        step_towards_cap(&self.workers, &self.cap, Step::Up)
    }

    /// Counts one worker fewer if the pool is above capacity (after a shrink).
    pub(crate) fn retire_if_surplus(&self) -> bool {
        step_towards_cap(&self.workers, &self.cap, Step::Down)
    }

    // ----- tuning and closing ------------------------------------------

    pub(crate) fn tune(&self, capacity: usize) -> Result<(), BuildError> {
        check_capacity(capacity)?;
        let old = self.cap.swap(capacity, SeqCst);
        if capacity > old {
            // Blocked submitters can go now.
            let _guard = lock(&self.gate);
            self.slot_freed.notify_all();
        } else if capacity < old {
            // Retire surplus idle workers now (ants waits for its purge
            // cycle); busy ones retire as soon as their task ends.
            let mut sleepers = lock(&self.sleepers);
            while let Some(sleeper) = sleepers.last().cloned() {
                if !self.retire_if_surplus() {
                    break;
                }
                sleepers.pop();
                self.sleeping.fetch_sub(1, SeqCst);
                sleeper.wake(WakeReason::Retire);
            }
        }
        Ok(())
    }

    pub(crate) fn release(&self) {
        self.closed.store(true, SeqCst);
        {
            let _guard = lock(&self.gate);
            self.slot_freed.notify_all();
        }
        // Parked workers wake up, run whatever is still queued, and exit.
        let mut sleepers = lock(&self.sleepers);
        for sleeper in sleepers.drain(..) {
            self.sleeping.fetch_sub(1, SeqCst);
            self.spinning.fetch_add(1, SeqCst);
            sleeper.wake(WakeReason::Work);
        }
    }

    pub(crate) fn reboot(self: &Arc<Self>) -> Result<(), BuildError> {
        self.closed.store(false, SeqCst);
        if self.opts.pre_alloc {
            self.pre_alloc()
        } else {
            Ok(())
        }
    }

    pub(crate) fn release_timeout(&self, timeout: Duration) -> Result<(), ReleaseTimeoutError> {
        self.release();
        match self.join_all(Some(Instant::now() + timeout)) {
            0 => Ok(()),
            threads_left => Err(ReleaseTimeoutError { threads_left }),
        }
    }

    /// Joins every worker thread except the calling one; returns how many
    /// were still alive at the deadline.
    pub(crate) fn join_all(&self, deadline: Option<Instant>) -> usize {
        self.threads.join_all(thread::current().id(), deadline)
    }

    // ----- reading -------------------------------------------------------

    pub(crate) fn cap(&self) -> usize {
        self.cap.load(SeqCst)
    }

    pub(crate) fn running(&self) -> usize {
        self.workers.load(SeqCst)
    }

    pub(crate) fn idle(&self) -> usize {
        (self.sleeping.load(SeqCst) + self.spinning.load(SeqCst)).min(self.running())
    }

    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(SeqCst)
    }

    pub(crate) fn stats(&self) -> PoolStats {
        // Read `submitted` first: a task accepted in between then counts as
        // in flight, never as completed before it ran.
        let submitted = self.submitted.load(SeqCst);
        let in_flight = self.in_flight.load(SeqCst);
        PoolStats {
            capacity: self.cap(),
            running: self.running(),
            idle: self.idle(),
            waiting: self.waiting(),
            in_flight,
            submitted,
            completed: submitted.saturating_sub(in_flight as u64),
            panicked: self.panicked.load(SeqCst),
            handler_panicked: self.handler_panicked.load(SeqCst),
            threads_spawned: self.spawned.load(SeqCst),
            threads_retired: self.retired.load(SeqCst),
            closed: self.closed.load(SeqCst),
        }
    }
}

/// The pool's handles share one `Owner`; when the last handle goes, the
/// owner's `Drop` releases the pool and joins every worker (the Rust Book's
/// ch. 21 `Drop`: close the channel, then join each thread).
///
/// Workers hold the `Engine`, never the `Owner`, so they cannot keep the pool
/// alive by themselves.
pub(crate) struct Owner<J: Send + 'static> {
    pub(crate) engine: Arc<Engine<J>>,
}

impl<J: Send + 'static> Drop for Owner<J> {
    fn drop(&mut self) {
        self.engine.release();
        self.engine.stop_monitor();
        // Accepted tasks still run; then every thread is joined. A pool
        // dropped from inside one of its own tasks skips joining itself.
        self.engine.join_all(None);
    }
}
