//! Idle workers and waking: who is looking for work, who is parked, and whom to wake.
//!
//! An idle worker is either *searching* (awake, looking at the queue) or
//! *parked* on its own [`Sleeper`]. Waking a parked thread costs
//! microseconds; a task taken by a worker that is already awake costs tens of
//! nanoseconds. So the pool wakes a sleeper only when one is needed:
//!
//! 1. **At submit**, when nobody is searching. This one is required: without
//!    it a task could sit in the queue with every worker asleep.
//! 2. **When the last searcher takes a task** and more are queued, it wakes
//!    the next worker before running its own (tokio's "the last searcher
//!    wakes the next"). In a flood, someone is nearly always searching, so
//!    this costs nothing; a burst fans out as a chain.
//! 3. **At the start of a burst**, for [`BURST_WINDOW`] after the first task
//!    that finds the pool idle, a submitter wakes one more sleeper for every
//!    task queued beyond the searching workers (at most [`FAN_OUT`]
//!    searching). A chain of wake-ups costs a few microseconds a link;
//!    waking in parallel starts 16 tasks in about 15 µs instead of 80 (both
//!    measured here). Only bursts pay for these wake-ups: a flood never
//!    lets the pool go idle, and waking extra workers in a flood made empty
//!    tasks 1.5 times slower (measured).
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
use std::time::{Duration, Instant};

use crossbeam_utils::{Backoff, CachePadded};

use crate::sync::{Arc, AtomicBool, AtomicU8, AtomicUsize, Mutex, Parker, lock, thread};

use std::sync::atomic::Ordering::{Relaxed, SeqCst};

/// Extra wake-ups stop once this many workers search.
pub(crate) const FAN_OUT: usize = 16;

/// How long after the pool went idle a submitter still wakes extra sleepers.
pub(crate) const BURST_WINDOW: Duration = Duration::from_micros(200);

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

const SLEEPING: u8 = 0;
const WOKEN_FOR_WORK: u8 = 1;
const WOKEN_TO_RETIRE: u8 = 2;

/// A parked worker's doorbell.
#[derive(Debug)]
pub(crate) struct Sleeper {
    state: AtomicU8,
    parker: Parker,
}

impl Sleeper {
    /// The calling worker's sleeper.
    pub(crate) fn new() -> Self {
        Sleeper {
            state: AtomicU8::new(SLEEPING),
            parker: Parker::current(),
        }
    }

    fn wake(&self, reason: WakeReason) {
        let state = match reason {
            WakeReason::Work => WOKEN_FOR_WORK,
            WakeReason::Retire => WOKEN_TO_RETIRE,
        };
        self.state.store(state, SeqCst);
        self.parker.unpark();
    }

    fn reason(&self) -> Option<WakeReason> {
        match self.state.load(SeqCst) {
            WOKEN_FOR_WORK => Some(WakeReason::Work),
            WOKEN_TO_RETIRE => Some(WakeReason::Retire),
            _ => None,
        }
    }

    /// Parks until woken, or until `until` passes (then `None`).
    pub(crate) fn park(&self, until: Option<Instant>) -> Option<WakeReason> {
        loop {
            if let Some(reason) = self.reason() {
                return Some(reason);
            }
            if !self.parker.park_until(until) {
                return None;
            }
        }
    }

    /// Waits for a waker that has already taken this sleeper off the list to
    /// set its reason (it does so right after, without blocking).
    pub(crate) fn wait_reason(&self) -> WakeReason {
        let backoff = Backoff::new();
        loop {
            if let Some(reason) = self.reason() {
                return reason;
            }
            if cfg!(loom) {
                thread::yield_now();
            } else {
                backoff.snooze();
            }
        }
    }
}

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
    idle: AtomicBool,
    /// When the first task after idle arrived, in nanoseconds since
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
            idle: AtomicBool::new(false),
            burst_start: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Notes that the pool has gone idle: the last worker is parking and no
    /// task is in flight.
    pub(crate) fn went_idle(&self) {
        self.idle.store(true, Relaxed);
    }

    /// Called with the first task queued while no worker searches: if the
    /// pool was idle, a burst starts now.
    pub(crate) fn note_burst_start(&self) {
        if self.idle.load(Relaxed) && self.idle.swap(false, Relaxed) {
            let now = (self.epoch.elapsed().as_nanos() as u64).max(1);
            self.burst_start.store(now, Relaxed);
        }
    }

    /// Whether a burst started at most `window` ago: then waking several
    /// parked workers at once is worth its cost. A flood never goes idle,
    /// so it never pays for those wake-ups.
    pub(crate) fn in_burst(&self, window: Duration) -> bool {
        let start = self.burst_start.load(Relaxed);
        start != 0
            && (self.epoch.elapsed().as_nanos() as u64).saturating_sub(start)
                <= window.as_nanos() as u64
    }

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

    /// A searching worker found a task or leaves. `true` if it was the last
    /// one searching: if tasks are still queued, the caller wakes the next.
    pub(crate) fn stop_searching(&self) -> bool {
        self.searching.fetch_sub(1, SeqCst) == 1
    }

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
        sleeper.wake(WakeReason::Work);
        true
    }

    /// Wakes every parked worker to look for work (the pool is closing: they
    /// drain the queue and exit).
    pub(crate) fn wake_all(&self) {
        let mut sleepers = lock(&self.sleepers);
        for sleeper in sleepers.drain(..) {
            self.sleeping.fetch_sub(1, SeqCst);
            self.searching.fetch_add(1, SeqCst);
            sleeper.wake(WakeReason::Work);
        }
    }

    /// Retires parked workers, most recent first, while `retire` agrees
    /// (it takes each one out of the count of workers).
    pub(crate) fn retire_parked(&self, mut retire: impl FnMut() -> bool) {
        let mut sleepers = lock(&self.sleepers);
        while !sleepers.is_empty() && retire() {
            let sleeper = sleepers.pop().expect("checked non-empty");
            self.sleeping.fetch_sub(1, SeqCst);
            sleeper.wake(WakeReason::Retire);
        }
    }

    /// The first half of parking: register `me` as a sleeper, then stop
    /// searching. The caller then looks at the queue once more (see the
    /// module docs) before it parks.
    pub(crate) fn prepare_park(&self, me: &Arc<Sleeper>) {
        me.state.store(SLEEPING, SeqCst);
        lock(&self.sleepers).push(Arc::clone(me));
        self.sleeping.fetch_add(1, SeqCst);
        self.searching.fetch_sub(1, SeqCst);
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
            me.wait_reason()
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! The wake-up protocols, with the real `Idle`, `TaskQueue` and worker
    //! count, composed in the order `Engine::work` and `Engine::dispatch`
    //! use them.
    use super::*;
    use crate::queue::TaskQueue;
    use crate::sync::fence;

    struct Pool {
        idle: Idle,
        queue: TaskQueue<u32>,
        workers: AtomicUsize,
        ran: AtomicUsize,
        spawned: AtomicUsize,
    }

    impl Pool {
        fn new(parked: usize) -> Arc<Pool> {
            Arc::new(Pool {
                idle: Idle::new(),
                queue: TaskQueue::with_capacity(4),
                workers: AtomicUsize::new(parked),
                ran: AtomicUsize::new(0),
                spawned: AtomicUsize::new(0),
            })
        }

        /// `Engine::dispatch` + `notify_work`: push, then wake if needed.
        /// Starting a thread is modelled by counting it (it would run the task).
        fn submit(&self, job: u32, cap: usize) {
            self.queue.push(job);
            fence(SeqCst);
            let searching = self.idle.searching();
            if searching == 0 {
                if !self.idle.wake_parked() && self.reserve(cap) {
                    self.spawned.fetch_add(1, SeqCst);
                }
            } else if searching < FAN_OUT && self.queue.len() > searching {
                self.idle.wake_parked();
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
                        if self.idle.stop_searching() && !self.queue.is_empty() {
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
                self.idle.prepare_park(&me);
                fence(SeqCst);
                if !self.queue.is_empty() || self.done(total) {
                    assert_eq!(self.idle.cancel_park(&me), WakeReason::Work);
                    continue;
                }
                let until = expire.then(Instant::now);
                match me.park(until) {
                    Some(reason) => assert_eq!(reason, WakeReason::Work),
                    None => {
                        if self.idle.unregister(&me, || {
                            self.workers.fetch_sub(1, SeqCst);
                        }) {
                            return; // expired
                        }
                        assert_eq!(me.wait_reason(), WakeReason::Work);
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
