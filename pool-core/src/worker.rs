//! One worker thread: take a task, run it, look for the next, sleep when there is none.
//!
//! A worker is in one of three states, and the engine counts each:
//!
//! | state | counted in | leaves it when |
//! |---|---|---|
//! | running a task | — | the task returns (or panics) |
//! | searching (awake, idle) | `spinning` | it finds a task, or gives up and parks |
//! | parked | `sleepers` | a submitter wakes it, or `expiry` passes and it exits |
//!
//! A worker that finished a task looks for the next one at once, without
//! parking, so a steady stream of tasks never pays for a wake-up. Only an idle
//! worker that has searched for a while parks, and it parks on its own
//! [`Sleeper`] rather than on the channel, so the engine decides whom to wake.
//!
//! Panics are caught around every task: the worker survives, the pool keeps
//! its capacity, the payload goes to the panic handler.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::*};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle, Thread, ThreadId};
use std::time::Instant;
use std::{io, mem};

use crossbeam_utils::Backoff;

use crate::engine::{Engine, lock};
use crate::limits::thread_ceiling;
use crate::spin::{SPIN_BUDGET, spin_until};

/// At most this many idle workers spin at once before parking.
const MAX_SPINNING: usize = 1;

/// Pool worker threads alive in this process, across every pool.
static POOL_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Why a parked worker was woken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum WakeReason {
    /// A task is waiting (or the pool closed and the queue must be drained).
    Work,
    /// The pool shrank: exit.
    Retire,
}

const SLEEPING: u8 = 0;
const WOKEN_FOR_WORK: u8 = 1;
const WOKEN_TO_RETIRE: u8 = 2;

/// A parked worker's doorbell.
pub(crate) struct Sleeper {
    state: AtomicU8,
    thread: Thread,
}

impl Sleeper {
    fn new() -> Self {
        Sleeper {
            state: AtomicU8::new(SLEEPING),
            thread: thread::current(),
        }
    }

    /// Sets why the worker wakes, then unparks it.
    pub(crate) fn wake(&self, reason: WakeReason) {
        let state = match reason {
            WakeReason::Work => WOKEN_FOR_WORK,
            WakeReason::Retire => WOKEN_TO_RETIRE,
        };
        self.state.store(state, SeqCst);
        self.thread.unpark();
    }

    fn reason(&self) -> Option<WakeReason> {
        match self.state.load(SeqCst) {
            WOKEN_FOR_WORK => Some(WakeReason::Work),
            WOKEN_TO_RETIRE => Some(WakeReason::Retire),
            _ => None,
        }
    }

    /// Parks until woken, or until `until` passes (then `None`).
    fn park(&self, until: Option<Instant>) -> Option<WakeReason> {
        loop {
            if let Some(reason) = self.reason() {
                return Some(reason);
            }
            match until {
                None => thread::park(),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return None;
                    }
                    thread::park_timeout(deadline - now);
                }
            }
        }
    }

    /// Waits for a waker that already took this sleeper off the list to set
    /// its reason (it does so right after, without blocking).
    fn wait_reason(&self) -> WakeReason {
        let backoff = Backoff::new();
        loop {
            if let Some(reason) = self.reason() {
                return reason;
            }
            backoff.snooze();
        }
    }
}

/// The join handles of a pool's threads, so release and drop can join them.
#[derive(Default)]
pub(crate) struct Threads {
    inner: Mutex<ThreadsInner>,
    exited: Condvar,
}

#[derive(Default)]
struct ThreadsInner {
    handles: HashMap<usize, JoinHandle<()>>,
    /// Workers that have left their loop; their handles are joined lazily.
    finished: Vec<usize>,
    next_id: usize,
}

impl Threads {
    fn reap(inner: &mut ThreadsInner) {
        for id in mem::take(&mut inner.finished) {
            if let Some(handle) = inner.handles.remove(&id) {
                // The thread has returned from its loop: this join is short.
                let _ = handle.join();
            }
        }
    }

    /// Joins the threads that have left their loop (they are exiting or gone).
    ///
    /// An exited thread keeps its stack and its memory maps until it is
    /// joined; the monitor calls this every tick so expired workers do not
    /// pile up (10,000 of them would hold 40,000 maps).
    pub(crate) fn reap_finished(&self) {
        let mut inner = lock(&self.inner);
        if !inner.finished.is_empty() {
            Self::reap(&mut inner);
        }
    }

    fn mark_finished(&self, id: usize) {
        lock(&self.inner).finished.push(id);
        self.exited.notify_all();
    }

    /// Joins every thread but `me`; returns how many are left at `deadline`.
    pub(crate) fn join_all(&self, me: ThreadId, deadline: Option<Instant>) -> usize {
        let mut inner = lock(&self.inner);
        loop {
            Self::reap(&mut inner);
            let left = inner
                .handles
                .values()
                .filter(|h| h.thread().id() != me)
                .count();
            if left == 0 {
                return 0;
            }
            inner = match deadline {
                None => self.exited.wait(inner).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return left;
                    }
                    self.exited
                        .wait_timeout(inner, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }
}

impl<J: Send + 'static> Engine<J> {
    /// Starts a worker thread. The caller has already counted it in
    /// `workers`; with no `first` task, in `spinning` too (it begins by
    /// searching). On failure the first task comes back.
    pub(crate) fn spawn_worker(
        self: &Arc<Self>,
        first: Option<J>,
    ) -> Result<(), (Option<J>, io::Error)> {
        let ceiling = thread_ceiling();
        if POOL_THREADS.fetch_add(1, SeqCst) >= ceiling.max_threads {
            POOL_THREADS.fetch_sub(1, SeqCst);
            let error = io::Error::other(format!(
                "the process already has {} pool worker threads, its ceiling ({})",
                ceiling.max_threads, ceiling.source
            ));
            return Err((first, error));
        }
        // The closure is dropped if the OS refuses the thread; the task must
        // survive that, so it travels in a slot we keep a key to.
        let searching = first.is_none();
        let slot = Arc::new(Mutex::new(first));
        let their_slot = Arc::clone(&slot);
        let mut inner = lock(&self.threads.inner);
        Threads::reap(&mut inner);
        let id = inner.next_id;
        inner.next_id += 1;
        let mut builder = thread::Builder::new().name(format!("{}-{id}", self.opts.thread_name));
        if let Some(bytes) = self.opts.stack_size {
            builder = builder.stack_size(bytes);
        }
        let engine = Arc::clone(self);
        match builder.spawn(move || {
            let first = lock(&their_slot).take();
            drop(their_slot);
            engine.work(first, searching);
            engine.retired.fetch_add(1, SeqCst);
            POOL_THREADS.fetch_sub(1, SeqCst);
            engine.threads.mark_finished(id);
        }) {
            Ok(handle) => {
                inner.handles.insert(id, handle);
                self.spawned.fetch_add(1, SeqCst);
                Ok(())
            }
            Err(e) => {
                POOL_THREADS.fetch_sub(1, SeqCst);
                Err((lock(&slot).take(), e))
            }
        }
    }

    /// Runs one task, catching its panic so the worker survives it.
    pub(crate) fn execute(&self, job: J) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (self.run)(job))) {
            self.panicked.fetch_add(1, SeqCst);
            // The handler (or the payload's own drop) may panic too: that is
            // counted, and the worker still survives.
            let handled = catch_unwind(AssertUnwindSafe(|| match &self.opts.panic_handler {
                Some(handler) => handler(payload),
                None => drop(payload),
            }));
            if handled.is_err() {
                self.handler_panicked.fetch_add(1, SeqCst);
            }
        }
        self.finish_one();
    }

    /// A searching worker found a task. If it was the last one searching and
    /// more tasks wait, the monitor is told to watch them (it wakes parked
    /// workers for tasks that stay queued a whole tick; see `monitor.rs`).
    fn stop_searching(&self) {
        if self.spinning.fetch_sub(1, SeqCst) == 1 && !self.queue.is_empty() {
            self.nudge_monitor();
        }
    }

    /// The worker loop. Returns when the worker exits; `workers` has then
    /// already been decremented for it.
    fn work(self: &Arc<Self>, first: Option<J>, searching: bool) {
        let me = Arc::new(Sleeper::new());
        let mut searching = searching;
        if let Some(job) = first {
            if self.run_one(job) {
                return self.leave();
            }
        }
        loop {
            if let Some(job) = self.queue.pop() {
                if searching {
                    searching = false;
                    self.stop_searching();
                }
                if self.run_one(job) {
                    return self.leave();
                }
                continue;
            }
            // From here on this worker is searching, and counted so.
            if !searching {
                self.spinning.fetch_add(1, SeqCst);
            }
            if self.closed.load(SeqCst) {
                // Nothing queued and no more coming: exit.
                self.workers.fetch_sub(1, SeqCst);
                self.spinning.fetch_sub(1, SeqCst);
                return self.leave();
            }
            // Search a little before parking: in a busy pool the next task
            // arrives within microseconds. A few searchers are enough; the
            // others park at once and leave the cores to those doing work.
            let found = if self.spinning.load(SeqCst) <= MAX_SPINNING {
                spin_until(SPIN_BUDGET, || self.queue.pop())
            } else {
                None
            };
            if let Some(job) = found {
                searching = false;
                self.stop_searching();
                if self.run_one(job) {
                    return self.leave();
                }
                continue;
            }
            // A pool that shrank while we searched does not need us.
            if self.retire_if_surplus() {
                self.spinning.fetch_sub(1, SeqCst);
                return self.leave();
            }
            // Park. Register first, stop searching second, look again third:
            // a submitter that pushed meanwhile either sees us parked or we
            // see its task.
            me.state.store(SLEEPING, SeqCst);
            lock(&self.sleepers).push(Arc::clone(&me));
            self.sleeping.fetch_add(1, SeqCst);
            self.spinning.fetch_sub(1, SeqCst);
            searching = false;
            let early = self.queue.pop();
            let reason = if early.is_some() || self.closed.load(SeqCst) {
                if self.unregister(&me) {
                    // Neither parked nor searching: ours to run.
                    if let Some(job) = early {
                        if self.run_one(job) {
                            return self.leave();
                        }
                    }
                    continue;
                }
                // A waker took us off the list first; its reason stands.
                let reason = me.wait_reason();
                if let Some(job) = early {
                    if reason == WakeReason::Work {
                        // The waker counted us as searching; we found work.
                        self.stop_searching();
                    }
                    if reason == WakeReason::Retire {
                        // Already out of `workers`: run the job it holds, then go.
                        self.execute(job);
                        return self.leave();
                    }
                    if self.run_one(job) {
                        return self.leave();
                    }
                    continue;
                }
                reason
            } else {
                let until = self.opts.expiry.map(|e| Instant::now() + e);
                match me.park(until) {
                    Some(reason) => reason,
                    None if self.unregister(&me) => {
                        // Idle for `expiry`: exit, like ants' purge.
                        self.workers.fetch_sub(1, SeqCst);
                        return self.leave();
                    }
                    // Someone took us off the list as time ran out.
                    None => me.wait_reason(),
                }
            };
            match reason {
                // The waker counted us as searching.
                WakeReason::Work => searching = true,
                // The waker already took us out of `workers`.
                WakeReason::Retire => return self.leave(),
            }
        }
    }

    /// Runs a job; `true` if the pool has since shrunk and this worker must retire.
    fn run_one(&self, job: J) -> bool {
        self.execute(job);
        self.retire_if_surplus()
    }

    /// Takes this worker off the sleepers list; `false` if a waker already did.
    fn unregister(&self, me: &Arc<Sleeper>) -> bool {
        let mut sleepers = lock(&self.sleepers);
        match sleepers.iter().rposition(|s| Arc::ptr_eq(s, me)) {
            Some(pos) => {
                sleepers.remove(pos);
                self.sleeping.fetch_sub(1, SeqCst);
                true
            }
            None => false,
        }
    }

    /// Last duties of an exiting worker, already out of `workers`: a task
    /// pushed while it was leaving must still find a worker.
    fn leave(self: &Arc<Self>) {
        std::sync::atomic::fence(SeqCst);
        if !self.queue.is_empty() && self.spinning.load(SeqCst) == 0 {
            self.ensure_searcher();
        }
    }
}
