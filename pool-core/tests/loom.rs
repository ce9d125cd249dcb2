//! Model checks with loom of the pool's own synchronisation.
//!
//! `RUSTFLAGS="--cfg loom" cargo test -p pool-core --test loom --release`
//! (`.ci/run` runs it with its own target directory).
//!
//! - The `WaitGroup` is checked as it is: under `--cfg loom` its atomics,
//!   mutex and condvar are loom's (`src/sync.rs`).
//! - The engine's protocols are checked as models that copy its orderings
//!   step for step: the wake-up protocol between a submitter and a worker
//!   about to park (`Engine::dispatch` and the park path of `Engine::work`),
//!   admission with parked submitters and the single pending wake-up
//!   (`wait_for_slot` and `finish_one`), `release` waking blocked
//!   submitters, and `tune` growing the pool. A lost wake-up in any of them
//!   leaves a thread parked forever, which loom reports as a deadlock.
//!
//! loom treats `SeqCst` loads, stores and read-modify-writes as `AcqRel`
//! (its README lists this), which would turn every store-then-load handshake
//! into a false alarm; it does model `fence(SeqCst)`. So the models put a
//! `fence(SeqCst)` between each side's store and its load, which is the
//! ordering the engine's `SeqCst` accesses give it in the C11 model.
#![cfg(loom)]
#![forbid(unsafe_code)]

use std::collections::VecDeque;

use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::SeqCst, fence};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;
use pool_core::WaitGroup;

/// Explores every interleaving with at most `preemptions` forced switches
/// (loom's usual bound: most concurrency bugs need two or three).
fn model_with(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemptions);
    builder.check(f);
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    model_with(3, f);
}

#[test]
fn wait_group_wait_returns_only_after_every_done() {
    model(|| {
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        wg.add(2);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (wg, finished) = (wg.clone(), finished.clone());
                thread::spawn(move || {
                    finished.fetch_add(1, SeqCst);
                    wg.done();
                })
            })
            .collect();
        wg.wait();
        assert_eq!(
            finished.load(SeqCst),
            2,
            "wait() returned before every done()"
        );
        assert_eq!(wg.count(), 0);
        for w in workers {
            w.join().unwrap();
        }
    });
}

// ---------------------------------------------------------------------------
// The wake-up protocol (engine.rs `dispatch`, worker.rs park path).

const SLEEPING: u8 = 0;
const WOKEN: u8 = 1;

struct Shared {
    queue: Mutex<VecDeque<u32>>,
    queued: AtomicUsize,
    spinning: AtomicUsize,
    sleepers: Mutex<Vec<Arc<Doorbell>>>,
    sleeping: AtomicUsize,
    taken: AtomicUsize,
}

struct Doorbell {
    state: AtomicU8,
    thread: thread::Thread,
}

impl Shared {
    fn pop(&self) -> Option<u32> {
        if self.queued.load(SeqCst) == 0 {
            return None;
        }
        let mut q = self.queue.lock().unwrap();
        let job = q.pop_front();
        self.queued.store(q.len(), SeqCst);
        job
    }

    /// `Engine::dispatch` after admission: push, fence, then wake a parked
    /// worker only if nobody is searching.
    fn submit(&self, job: u32) {
        {
            let mut q = self.queue.lock().unwrap();
            q.push_back(job);
            self.queued.store(q.len(), SeqCst);
        }
        fence(SeqCst);
        if self.spinning.load(SeqCst) == 0 && self.sleeping.load(SeqCst) > 0 {
            let popped = self.sleepers.lock().unwrap().pop();
            if let Some(bell) = popped {
                self.sleeping.fetch_sub(1, SeqCst);
                self.spinning.fetch_add(1, SeqCst);
                bell.state.store(WOKEN, SeqCst);
                bell.thread.unpark();
            }
        }
    }

    /// `Engine::work`: search; register as a sleeper, stop searching, look
    /// again, park. Returns after it has run `want` jobs.
    fn work(&self, want: usize) {
        let me = Arc::new(Doorbell {
            state: AtomicU8::new(SLEEPING),
            thread: thread::current(),
        });
        let mut searching = true; // counted in `spinning` by whoever started us
        let mut ran = 0;
        while ran < want {
            if let Some(_job) = self.pop() {
                if searching {
                    searching = false;
                    self.spinning.fetch_sub(1, SeqCst);
                }
                self.taken.fetch_add(1, SeqCst);
                ran += 1;
                continue;
            }
            if !searching {
                self.spinning.fetch_add(1, SeqCst);
            }
            me.state.store(SLEEPING, SeqCst);
            self.sleepers.lock().unwrap().push(me.clone());
            self.sleeping.fetch_add(1, SeqCst);
            self.spinning.fetch_sub(1, SeqCst);
            fence(SeqCst);
            searching = false;
            if let Some(_job) = self.pop() {
                let mut sleepers = self.sleepers.lock().unwrap();
                let mine = sleepers.iter().position(|s| Arc::ptr_eq(s, &me));
                if let Some(pos) = mine {
                    sleepers.remove(pos);
                    self.sleeping.fetch_sub(1, SeqCst);
                    drop(sleepers);
                } else {
                    drop(sleepers);
                    // A waker took us off the list and counted us searching.
                    while me.state.load(SeqCst) == SLEEPING {
                        thread::yield_now();
                    }
                    self.spinning.fetch_sub(1, SeqCst);
                }
                self.taken.fetch_add(1, SeqCst);
                ran += 1;
                continue;
            }
            while me.state.load(SeqCst) == SLEEPING {
                thread::park();
            }
            searching = true;
        }
    }
}

#[test]
fn a_task_pushed_while_the_worker_goes_to_sleep_is_never_stranded() {
    model(|| {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            queued: AtomicUsize::new(0),
            spinning: AtomicUsize::new(1),
            sleepers: Mutex::new(Vec::new()),
            sleeping: AtomicUsize::new(0),
            taken: AtomicUsize::new(0),
        });
        let s = shared.clone();
        let worker = thread::spawn(move || s.work(2));
        shared.submit(1);
        shared.submit(2);
        worker.join().unwrap();
        assert_eq!(shared.taken.load(SeqCst), 2);
    });
}

// ---------------------------------------------------------------------------
// Admission (engine.rs `wait_for_slot`, `finish_one`, `release`, `tune`).

struct Admission {
    cap: AtomicUsize,
    in_flight: AtomicUsize,
    parked: AtomicUsize,
    wake_pending: AtomicBool,
    closed: AtomicBool,
    gate: Mutex<()>,
    slot_freed: Condvar,
}

impl Admission {
    fn new(cap: usize, in_flight: usize) -> Self {
        Admission {
            cap: AtomicUsize::new(cap),
            in_flight: AtomicUsize::new(in_flight),
            parked: AtomicUsize::new(0),
            wake_pending: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            gate: Mutex::new(()),
            slot_freed: Condvar::new(),
        }
    }

    fn try_acquire(&self) -> bool {
        let mut cur = self.in_flight.load(SeqCst);
        loop {
            if cur >= self.cap.load(SeqCst) {
                return false;
            }
            match self
                .in_flight
                .compare_exchange(cur, cur + 1, SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(now) => cur = now,
            }
        }
    }

    /// `admit` + `wait_for_slot` without the spin phase: `Ok` or closed.
    fn acquire(&self) -> Result<(), &'static str> {
        if self.try_acquire() {
            return Ok(());
        }
        let mut guard = self.gate.lock().unwrap();
        self.parked.fetch_add(1, SeqCst);
        let result = loop {
            self.wake_pending.store(false, SeqCst);
            fence(SeqCst);
            if self.closed.load(SeqCst) {
                break Err("closed");
            }
            if self.try_acquire() {
                break Ok(());
            }
            guard = self.slot_freed.wait(guard).unwrap();
        };
        self.parked.fetch_sub(1, SeqCst);
        fence(SeqCst);
        if self.parked.load(SeqCst) > 0 && self.in_flight.load(SeqCst) < self.cap.load(SeqCst) {
            self.wake_pending.store(true, SeqCst);
            self.slot_freed.notify_one();
        }
        drop(guard);
        result
    }

    fn finish_one(&self) {
        self.in_flight.fetch_sub(1, SeqCst);
        fence(SeqCst);
        if self.parked.load(SeqCst) > 0 && !self.wake_pending.swap(true, SeqCst) {
            let _guard = self.gate.lock().unwrap();
            self.slot_freed.notify_one();
        }
    }

    fn release(&self) {
        self.closed.store(true, SeqCst);
        let _guard = self.gate.lock().unwrap();
        self.slot_freed.notify_all();
    }

    fn grow(&self, cap: usize) {
        self.cap.store(cap, SeqCst);
        let _guard = self.gate.lock().unwrap();
        self.slot_freed.notify_all();
    }
}

#[test]
fn every_freed_slot_reaches_a_blocked_submitter() {
    // Five threads: two preemptions keep it to about a minute in CI (the lost
    // wake-up this test found needed none).
    model_with(2, || {
        // Two tasks run in a pool of 2; two submitters wait; both tasks end.
        let a = Arc::new(Admission::new(2, 2));
        let submitters: Vec<_> = (0..2)
            .map(|_| {
                let a = a.clone();
                thread::spawn(move || a.acquire())
            })
            .collect();
        let finishers: Vec<_> = (0..2)
            .map(|_| {
                let a = a.clone();
                thread::spawn(move || a.finish_one())
            })
            .collect();
        for f in finishers {
            f.join().unwrap();
        }
        for s in submitters {
            assert_eq!(s.join().unwrap(), Ok(()));
        }
        assert_eq!(a.in_flight.load(SeqCst), 2);
    });
}

#[test]
fn release_wakes_a_blocked_submitter_with_closed() {
    model(|| {
        let a = Arc::new(Admission::new(1, 1));
        let a2 = a.clone();
        let submitter = thread::spawn(move || a2.acquire());
        a.release();
        assert_eq!(submitter.join().unwrap(), Err("closed"));
    });
}

#[test]
fn tune_growing_lets_a_blocked_submitter_in() {
    model(|| {
        let a = Arc::new(Admission::new(1, 1));
        let a2 = a.clone();
        let submitter = thread::spawn(move || a2.acquire());
        a.grow(2);
        assert_eq!(submitter.join().unwrap(), Ok(()));
        assert_eq!(a.in_flight.load(SeqCst), 2);
    });
}
