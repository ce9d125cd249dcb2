//! Idle workers and waking: who is looking for work, who is parked, and whom to wake.
//!
//! An idle worker is either *searching* (awake, looking at the queue) or
//! *parked* on its own [`Doorbell`]. Waking a parked thread costs
//! microseconds of CPU on each side; a task taken by a worker that is
//! already awake costs tens of nanoseconds. So the pool wakes a sleeper only
//! when one is needed. The rules are coded here, each in one function that
//! the engine calls and carries out, and that the loom models below call too:
//!
//! 1. **At submit**, when nobody is searching ([`Idle::after_push`] says
//!    [`Wake::Required`]). Without it a task could sit in the queue with
//!    every worker asleep.
//! 2. **When the last searcher takes a task** and more are queued, it wakes
//!    the next worker before running its own ([`Idle::after_take`]; tokio's
//!    "the last searcher wakes the next"). In a flood, someone is nearly
//!    always searching, so this costs nothing; a burst fans out as a chain.
//! 3. **At the start of a burst**, for [`BURST_WINDOW`] after the first task
//!    that finds the pool idle, a submitter wakes one more sleeper for every
//!    task queued beyond the searching workers, up to [`FAN_OUT`] searching
//!    ([`Idle::after_push`] says [`Wake::Extra`]). A chain of wake-ups costs
//!    a few microseconds a link; waking in parallel starts 16 tasks in about
//!    15 µs instead of 80 (both measured on a Xeon). Only bursts pay for
//!    these wake-ups: a flood never lets the pool go idle, and waking extra
//!    workers in a flood made empty tasks 1.5 times slower (measured).
//! 4. **Who searches before parking** ([`Idle::may_search`]): an idle
//!    worker yields the core a few times ([`SEARCH_ROUNDS`]) before it
//!    parks, because in a busy pool the next task comes within microseconds
//!    and a yield costs less than the wake-up it saves. Only one worker
//!    searches at a time, unless the pool is no bigger than the machine:
//!    more searchers than that take cores from the workers with tasks.
//!    Searching yields rather than spins: with more runnable threads than
//!    cores (2 workers and a submitter on 2 cores), a spinning worker keeps
//!    the submitter it waits for off the core (measured: 1.5 times the CPU
//!    per task).
//!
//! # The handshake that loses no task
//!
//! A worker about to park registers as a sleeper, *then* stops counting as a
//! searcher, then looks at the queue once more. A submitter pushes its task,
//! *then* reads the searcher count. With `SeqCst` on both sides, whichever
//! comes second sees the other: either the submitter sees no searcher and
//! wakes the registered sleeper, or the worker sees the task and stays up.
//!
//! Sleepers are woken most-recently-parked first: its cache is warm, and the
//! ones parked longest are left to expire.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::doorbell::{Doorbell, SILENT};
use crate::sync::{AtomicBool, AtomicUsize, Mutex, fence, lock};
// std's `Arc` even under loom: a worker's doorbell is shared with the
// engine's threads, whose `self: &Arc<Engine>` must be std's.
use std::sync::Arc;

/// Extra wake-ups stop once this many workers search.
pub(crate) const FAN_OUT: usize = 16;

/// How long after the pool went idle a submitter still wakes extra sleepers.
pub(crate) const BURST_WINDOW: Duration = Duration::from_micros(200);

/// How many times an idle worker yields and looks again before it parks.
pub(crate) const SEARCH_ROUNDS: u32 = 8;

/// At most this many idle workers search at once in a pool larger than the
/// machine.
const MAX_SEARCHING: usize = 1;

/// Why a parked worker was woken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum WakeReason {
    /// Tasks are waiting (or the pool closed and the queue must be drained).
    /// The waker has counted the worker as searching.
    Work,
    /// The pool shrank: the waker has taken the worker out of the count of
    /// workers, and it must exit.
    Retire,
}

const WOKEN_FOR_WORK: u8 = 1;
const WOKEN_TO_RETIRE: u8 = 2;

impl WakeReason {
    fn note(self) -> u8 {
        match self {
            WakeReason::Work => WOKEN_FOR_WORK,
            WakeReason::Retire => WOKEN_TO_RETIRE,
        }
    }

    fn from_note(note: u8) -> Option<WakeReason> {
        match note {
            WOKEN_FOR_WORK => Some(WakeReason::Work),
            WOKEN_TO_RETIRE => Some(WakeReason::Retire),
            _ => None,
        }
    }
}

/// What a submitter must do after queueing a task ([`Idle::after_push`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Wake {
    /// A searching worker will find the task.
    Nobody,
    /// Nobody is searching: wake a parked worker, or start one (rule 1).
    Required,
    /// A burst is starting: wake one more parked worker if there is one (rule 3).
    Extra,
}

/// A parked worker's doorbell, as `Idle` keeps it.
pub(crate) type Sleeper = Doorbell;

/// The pool's idle workers.
pub(crate) struct Idle {
    /// Workers awake and looking for a task (not running one, not parked),
    /// including the ones woken and on their way.
    searching: CachePadded<AtomicUsize>,
    /// Parked workers, most recently parked last.
    sleepers: Mutex<Vec<Arc<Sleeper>>>,
    /// `sleepers.len()`, readable without the lock.
    sleeping: AtomicUsize,
    /// Set by the last worker to park with nothing in flight.
    quiet: AtomicBool,
    /// When the first task after quiet arrived, in nanoseconds since
    /// `epoch`; 0 for never.
    burst_start: AtomicU64,
    epoch: Instant,
}

impl Idle {
    pub(crate) fn new() -> Self {
        Idle {
            searching: CachePadded::new(AtomicUsize::new(0)),
            sleepers: Mutex::new(Vec::new()),
            sleeping: AtomicUsize::new(0),
            quiet: AtomicBool::new(false),
            burst_start: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    // ----- the rules ----------------------------------------------------

    /// Rules 1 and 3: a task has just been pushed (the queue's length is
    /// `queued()`); whom to wake. The submitter's side of the handshake in
    /// the module docs: push, *then* read the searchers.
    pub(crate) fn after_push(&self, queued: impl FnOnce() -> usize) -> Wake {
        fence(SeqCst);
        let searching = self.searching();
        if searching == 0 {
            self.note_burst_start();
            Wake::Required
        } else if searching < FAN_OUT && queued() > searching && self.in_burst(BURST_WINDOW) {
            Wake::Extra
        } else {
            Wake::Nobody
        }
    }

    /// Rule 2: a searching worker has taken a task and stops searching.
    /// `true` if it was the last searcher and `more_queued()`: it must wake
    /// the next worker before running its own task.
    pub(crate) fn after_take(&self, more_queued: impl FnOnce() -> bool) -> bool {
        self.searching.fetch_sub(1, SeqCst) == 1 && more_queued()
    }

    /// Rule 4: whether an idle worker of a pool with `workers` threads, on
    /// a machine with `cores`, searches before it parks.
    pub(crate) fn may_search(&self, workers: usize, cores: usize) -> bool {
        self.searching() <= MAX_SEARCHING || workers <= cores
    }

    /// Called with the first task queued while no worker searches: if the
    /// pool was quiet, a burst starts now.
    fn note_burst_start(&self) {
        if self.quiet.load(Relaxed) && self.quiet.swap(false, Relaxed) {
            let now = (self.epoch.elapsed().as_nanos() as u64).max(1);
            self.burst_start.store(now, Relaxed);
        }
    }

    /// Whether a burst started at most `window` ago: then waking several
    /// parked workers at once is worth its cost. A flood never goes quiet,
    /// so it never pays for those wake-ups.
    fn in_burst(&self, window: Duration) -> bool {
        let start = self.burst_start.load(Relaxed);
        // loom has no clock, and an answer that depends on how fast a model
        // runs would make its runs differ: there the window never closes.
        start != 0
            && (cfg!(loom)
                || (self.epoch.elapsed().as_nanos() as u64).saturating_sub(start)
                    <= window.as_nanos() as u64)
    }

    // ----- the counts ---------------------------------------------------

    pub(crate) fn searching(&self) -> usize {
        self.searching.load(SeqCst)
    }

    pub(crate) fn sleeping(&self) -> usize {
        self.sleeping.load(SeqCst)
    }

    /// A worker starts looking for work (a new one, or one whose task ended).
    pub(crate) fn start_searching(&self) {
        self.searching.fetch_add(1, SeqCst);
    }

    /// A searching worker leaves without a task (it exits, or was never started).
    pub(crate) fn stop_searching(&self) {
        self.searching.fetch_sub(1, SeqCst);
    }

    // ----- waking -------------------------------------------------------

    /// Wakes the most recently parked worker, counted as searching from now
    /// on (so other submitters don't wake a second one for the same task).
    /// `false` if none was parked.
    pub(crate) fn wake_parked(&self) -> bool {
        if self.sleeping() == 0 {
            return false;
        }
        let mut sleepers = lock(&self.sleepers);
        let Some(sleeper) = sleepers.pop() else {
            return false;
        };
        self.sleeping.fetch_sub(1, SeqCst);
        self.searching.fetch_add(1, SeqCst);
        drop(sleepers);
        sleeper.write_and_ring(WakeReason::Work.note());
        true
    }

    /// Wakes every parked worker to look for work (the pool is closing: they
    /// drain the queue and exit).
    pub(crate) fn wake_all(&self) {
        let mut sleepers = lock(&self.sleepers);
        for sleeper in sleepers.drain(..) {
            self.sleeping.fetch_sub(1, SeqCst);
            self.searching.fetch_add(1, SeqCst);
            sleeper.write_and_ring(WakeReason::Work.note());
        }
    }

    /// Retires parked workers, most recent first, while `retire` agrees
    /// (it takes each one out of the count of workers).
    pub(crate) fn retire_parked(&self, mut retire: impl FnMut() -> bool) {
        let mut sleepers = lock(&self.sleepers);
        while !sleepers.is_empty() && retire() {
            let sleeper = sleepers.pop().expect("checked non-empty");
            self.sleeping.fetch_sub(1, SeqCst);
            sleeper.write_and_ring(WakeReason::Retire.note());
        }
    }

    // ----- parking ------------------------------------------------------

    /// The first half of parking: register `me` as a sleeper, then stop
    /// searching; the last worker to do so with nothing in flight
    /// (`in_flight()` is 0) marks the pool quiet, so the next task starts a
    /// burst. The caller then looks at the queue once more (see the module
    /// docs) before it parks.
    pub(crate) fn prepare_park(&self, me: &Arc<Sleeper>, in_flight: impl FnOnce() -> usize) {
        me.arm();
        {
            let mut sleepers = lock(&self.sleepers);
            sleepers.push(Arc::clone(me));
            // Counted under the lock: whoever takes `me` off the list and
            // counts it out (`wake_all`, `retire_parked`) finds it counted,
            // so `sleeping` never wraps below zero.
            self.sleeping.fetch_add(1, SeqCst);
        }
        self.searching.fetch_sub(1, SeqCst);
        fence(SeqCst);
        if in_flight() == 0 && self.searching() == 0 {
            self.quiet.store(true, Relaxed);
        }
    }

    /// Parks `me` until woken (`Some`) or until `until` passes (`None`).
    pub(crate) fn park(me: &Sleeper, until: Option<Instant>) -> Option<WakeReason> {
        WakeReason::from_note(me.wait(until))
    }

    /// Takes `me` off the list if no waker did, running `and_then` under the
    /// same lock. `false` if a waker took it first: its reason stands.
    pub(crate) fn unregister(&self, me: &Arc<Sleeper>, and_then: impl FnOnce()) -> bool {
        let mut sleepers = lock(&self.sleepers);
        match sleepers.iter().rposition(|s| Arc::ptr_eq(s, me)) {
            Some(at) => {
                sleepers.remove(at);
                // `and_then` first: whoever finds `sleeping` lower must also
                // see its effect (an expiring worker leaves `workers` here,
                // so a submitter that finds no sleeper can start a thread).
                and_then();
                self.sleeping.fetch_sub(1, SeqCst);
                true
            }
            None => false,
        }
    }

    /// The reason a waker that has taken `me` off the list left (it rings
    /// right after, without blocking).
    pub(crate) fn reason(me: &Sleeper) -> WakeReason {
        loop {
            if let Some(reason) = WakeReason::from_note(me.wait(None)) {
                return reason;
            }
            debug_assert_eq!(me.note(), SILENT);
        }
    }

    /// Gives up parking: `me` was registered by [`prepare_park`](Idle::prepare_park)
    /// and work turned up. Afterwards the worker is searching again, whether
    /// it took itself off the list or a waker did (and counted it).
    /// `Retire` if a waker retired it instead.
    pub(crate) fn cancel_park(&self, me: &Arc<Sleeper>) -> WakeReason {
        if self.unregister(me, || {
            self.searching.fetch_add(1, SeqCst);
        }) {
            WakeReason::Work
        } else {
            Idle::reason(me)
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! The wake-up protocols, with the real `Idle`, `TaskQueue` and worker
    //! count, composed in the order `Engine::work` and `Engine::dispatch`
    //! use them. Every decision is the engine's own: `after_push`,
    //! `after_take`, `prepare_park`, `cancel_park`, `unregister`; the model
    //! only stands in for threads starting and tasks running.
    use super::*;
    use crate::queue::TaskQueue;
    use crate::sync::thread;

    struct Pool {
        idle: Idle,
        queue: TaskQueue<u32>,
        workers: AtomicUsize,
        submitted: AtomicUsize,
        ran: AtomicUsize,
        spawned: AtomicUsize,
    }

    impl Pool {
        fn new(parked: usize) -> Arc<Pool> {
            Arc::new(Pool {
                idle: Idle::new(),
                queue: TaskQueue::with_capacity(4),
                workers: AtomicUsize::new(parked),
                submitted: AtomicUsize::new(0),
                ran: AtomicUsize::new(0),
                spawned: AtomicUsize::new(0),
            })
        }

        /// `Engine::dispatch` + `notify_work`: push, then wake as `after_push`
        /// says. Starting a thread is modelled by counting it (it would run
        /// the task).
        fn submit(&self, job: u32, cap: usize) {
            self.submitted.fetch_add(1, SeqCst);
            self.queue.push(job);
            match self.idle.after_push(|| self.queue.len()) {
                Wake::Nobody => {}
                Wake::Required => {
                    if !self.idle.wake_parked() && self.reserve(cap) {
                        self.spawned.fetch_add(1, SeqCst);
                    }
                }
                Wake::Extra => {
                    self.idle.wake_parked();
                }
            }
        }

        fn reserve(&self, cap: usize) -> bool {
            self.workers
                .fetch_update(SeqCst, SeqCst, |n| (n < cap).then_some(n + 1))
                .is_ok()
        }

        /// Every task of the model has been run, or given a new thread.
        fn done(&self, total: usize) -> bool {
            self.ran.load(SeqCst) + self.spawned.load(SeqCst) >= total
        }

        /// `release` once the model's tasks are done: wakes every sleeper.
        fn finish(&self, total: usize) {
            while !self.done(total) {
                thread::yield_now();
            }
            self.idle.wake_all();
        }

        /// `Engine::work` from parked: search, take tasks, park again, until
        /// it expires (`expire`: loom fires the timer at once) or the
        /// model's tasks are done.
        fn work(&self, me: Arc<Sleeper>, total: usize, expire: bool) {
            let mut searching = true;
            loop {
                if let Some(_job) = self.queue.pop() {
                    if searching {
                        searching = false;
                        if self.idle.after_take(|| !self.queue.is_empty()) {
                            self.idle.wake_parked();
                        }
                    }
                    self.ran.fetch_add(1, SeqCst);
                    continue;
                }
                if !searching {
                    searching = true;
                    self.idle.start_searching();
                }
                if self.done(total) {
                    self.idle.stop_searching();
                    return;
                }
                self.idle
                    .prepare_park(&me, || self.submitted.load(SeqCst) - self.ran.load(SeqCst));
                if !self.queue.is_empty() || self.done(total) {
                    assert_eq!(self.idle.cancel_park(&me), WakeReason::Work);
                    continue;
                }
                let until = expire.then(Instant::now);
                match Idle::park(&me, until) {
                    Some(reason) => assert_eq!(reason, WakeReason::Work),
                    None => {
                        if self.idle.unregister(&me, || {
                            self.workers.fetch_sub(1, SeqCst);
                        }) {
                            return; // expired
                        }
                        assert_eq!(Idle::reason(&me), WakeReason::Work);
                    }
                }
            }
        }
    }

    fn park_worker(pool: &Arc<Pool>, total: usize, expire: bool) -> thread::JoinHandle<()> {
        let p = pool.clone();
        // A new worker begins by searching.
        p.idle.start_searching();
        thread::spawn(move || p.work(Arc::new(Sleeper::new()), total, expire))
    }

    fn model(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(preemptions);
        builder.check(f);
    }

    #[test]
    fn a_task_pushed_while_the_worker_parks_is_never_stranded() {
        model(3, || {
            let pool = Pool::new(1);
            let worker = park_worker(&pool, 2, false);
            pool.submit(1, 1);
            pool.submit(2, 1);
            pool.finish(2);
            worker.join().unwrap();
            assert_eq!(pool.ran.load(SeqCst), 2);
        });
    }

    #[test]
    fn a_burst_fans_out_to_every_parked_worker_it_needs() {
        model(2, || {
            let pool = Pool::new(2);
            let a = park_worker(&pool, 2, false);
            let b = park_worker(&pool, 2, false);
            pool.submit(1, 2);
            pool.submit(2, 2);
            pool.finish(2);
            a.join().unwrap();
            b.join().unwrap();
            assert_eq!(pool.ran.load(SeqCst), 2);
        });
    }

    #[test]
    fn expiry_racing_a_submit_leaves_a_worker_for_the_task() {
        model(3, || {
            let pool = Pool::new(1);
            let worker = park_worker(&pool, 1, true);
            pool.submit(1, 1);
            pool.finish(1);
            worker.join().unwrap();
            // Either the worker ran it, or it expired first and the
            // submitter, finding no sleeper, started a thread for it.
            let ran = pool.ran.load(SeqCst);
            let spawned = pool.spawned.load(SeqCst);
            assert_eq!(ran + spawned, 1, "the task was stranded");
            if spawned == 1 {
                assert_eq!(pool.queue.len(), 1); // the new thread would take it
            }
        });
    }
}
