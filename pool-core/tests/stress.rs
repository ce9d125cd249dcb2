//! The no-loss stress suite: several submitter threads, seeded at random, mix
//! every way in and out of the pool, thousands of operations per seed:
//! `submit`, `try_submit`, `submit_timeout`, `invoke`, `tune` up and down,
//! `release`, `reboot`, panicking tasks and slow tasks.
//!
//! After each seed it checks that every accepted task ran exactly once, every
//! refused one came back in its error, no more tasks ran at once than the
//! largest capacity set so far, and the process's thread count is back where
//! it started. A watchdog fails the run with the pools' stats instead of
//! hanging CI when a submitter is stuck.
//!
//! `harness = false`: this program counts the process's threads, so no test
//! harness threads may come and go. Seeds: `POOL_STRESS_SEEDS` (default 8)
//! seeds of `POOL_STRESS_OPS` (default 5,000) operations per submitter thread,
//! e.g. `POOL_STRESS_SEEDS=200 cargo test --release -p pool-core --test stress`
//! for a long soak.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::wait_for_threads_at_most;
use pool_core::{Pool, PoolError, PoolWithFunc, live_threads};

/// SplitMix64: a small, good, seedable generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SUBMITTERS: usize = 4;

/// What every task shares: per-id counters and the concurrency gauge.
struct Ledger {
    ran: Vec<AtomicU8>,
    returned: Vec<AtomicU8>,
    running: AtomicUsize,
    most_running: AtomicUsize,
}

impl Ledger {
    fn new(ids: usize) -> Self {
        Ledger {
            ran: (0..ids).map(|_| AtomicU8::new(0)).collect(),
            returned: (0..ids).map(|_| AtomicU8::new(0)).collect(),
            running: AtomicUsize::new(0),
            most_running: AtomicUsize::new(0),
        }
    }

    /// The body of every task: count the run, hold the slot briefly or for
    /// a while, sometimes panic.
    fn task(&self, id: usize, kind: u64) {
        let now = self.running.fetch_add(1, SeqCst) + 1;
        self.most_running.fetch_max(now, SeqCst);
        self.ran[id].fetch_add(1, SeqCst);
        let slow = kind % 10 == 0;
        if slow {
            thread::sleep(Duration::from_micros(200));
        }
        self.running.fetch_sub(1, SeqCst);
        if kind % 17 == 0 {
            panic!("planned panic in task {id}");
        }
    }
}

fn main() {
    let seeds: u64 = env_number("POOL_STRESS_SEEDS", 8);
    let ops: usize = env_number("POOL_STRESS_OPS", 5000) as usize;
    // Planned panics are counted by the pools; keep their messages out of the log.
    // Only the main thread's panics (failed checks) are printed.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            default_hook(info);
        }
    }));
    let baseline = live_threads();
    let started = Instant::now();
    for seed in 1..=seeds {
        run_seed(seed, ops);
        let left = wait_for_threads_at_most(baseline, Duration::from_secs(30));
        assert_eq!(left, baseline, "seed {seed}: threads left behind");
        println!("test seed {seed} ({} ops) ... ok", ops * SUBMITTERS);
    }
    println!(
        "stress: {seeds} seeds x {} operations in {:.1} s",
        ops * SUBMITTERS,
        started.elapsed().as_secs_f64()
    );
    println!("test result: ok. {seeds} passed; 0 failed");
}

/// The kind of refusal, for the ledger.
fn refusal<T>(e: &PoolError<T>) -> &'static str {
    if e.is_closed() {
        "closed"
    } else if e.is_overload() {
        "overload"
    } else if e.is_timeout() {
        "timeout"
    } else {
        "thread spawn"
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run_seed(seed: u64, ops: usize) {
    let ids = SUBMITTERS * ops;
    let ledger = Arc::new(Ledger::new(ids));
    let largest_cap = Arc::new(AtomicUsize::new(4));
    let pool = Pool::builder()
        .capacity(4)
        .expiry(Duration::from_millis(5))
        .max_blocking_tasks(3)
        .panic_handler(|_| {})
        .build()
        .unwrap();
    let l = ledger.clone();
    // The function pool has a bounded queue, so the suite covers queue_size.
    let func_pool: PoolWithFunc<(usize, u64)> = Pool::builder()
        .capacity(3)
        .queue_size(2)
        .build_with_func(move |(id, kind): (usize, u64)| l.task(id, kind))
        .unwrap();
    let tune_lock = Arc::new(Mutex::new(()));

    // The watchdog: a stuck submitter fails the run with the pools' state.
    let finished = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (finished, pool, func_pool) = (finished.clone(), pool.clone(), func_pool.clone());
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !finished.load(SeqCst) {
                if Instant::now() > deadline {
                    eprintln!("seed {seed}: stuck after 120 s");
                    eprintln!("  pool:      {}", pool.stats());
                    eprintln!("  func pool: {}", func_pool.stats());
                    std::process::exit(101);
                }
                thread::sleep(Duration::from_millis(10));
            }
        })
    };

    let submitters: Vec<_> = (0..SUBMITTERS)
        .map(|t| {
            let (ledger, pool, func_pool) = (ledger.clone(), pool.clone(), func_pool.clone());
            let (largest_cap, tune_lock) = (largest_cap.clone(), tune_lock.clone());
            thread::spawn(move || {
                let mut rng = Rng(seed * 1000 + t as u64);
                for i in 0..ops {
                    let id = t * ops + i;
                    let kind = rng.next();
                    let l = ledger.clone();
                    let task = move || l.task(id, kind);
                    let outcome = match rng.below(100) {
                        0..=34 => pool.submit(task).map_err(|e| refusal(&e)),
                        35..=54 => pool.try_submit(task).map_err(|e| refusal(&e)),
                        55..=69 => pool
                            .submit_timeout(task, Duration::from_micros(rng.below(500)))
                            .map_err(|e| refusal(&e)),
                        84..=86 => {
                            // A one-task group on the pool: waited on at once.
                            let mut group = pool.group();
                            match group.submit(task) {
                                Ok(()) => {
                                    assert_eq!(group.wait().len(), 1);
                                    Ok(())
                                }
                                Err(e) => Err(refusal(&e)),
                            }
                        }
                        87..=89 => {
                            // The same through the function pool's group.
                            let mut group = func_pool.group();
                            match group.invoke((id, kind)) {
                                Ok(()) => {
                                    assert_eq!(group.wait().len(), 1);
                                    Ok(())
                                }
                                Err(e) => {
                                    assert_eq!(e.into_inner().0, id);
                                    Err("refused")
                                }
                            }
                        }
                        70..=83 => match func_pool.invoke((id, kind)) {
                            Ok(()) => Ok(()),
                            Err(e) => {
                                // The argument comes back unchanged.
                                let back = e.into_inner();
                                assert_eq!(back.0, id);
                                Err("refused")
                            }
                        },
                        90..=95 => {
                            // Tune up or down; the largest capacity bounds concurrency.
                            let _one_at_a_time = tune_lock.lock().unwrap();
                            let cap = 1 + rng.below(8) as usize;
                            largest_cap.fetch_max(cap, SeqCst);
                            pool.tune(cap).unwrap();
                            pool.submit(task).map_err(|e| refusal(&e))
                        }
                        96..=97 => {
                            pool.release();
                            let refused = pool.submit(task).map_err(|e| refusal(&e));
                            pool.reboot().unwrap();
                            refused
                        }
                        _ => {
                            func_pool.release();
                            let refused = func_pool.invoke((id, kind)).map_err(|_| "closed");
                            func_pool.reboot().unwrap();
                            refused
                        }
                    };
                    if outcome.is_err() {
                        ledger.returned[id].fetch_add(1, SeqCst);
                    }
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    // Accepted tasks still run after release: release and join both pools.
    pool.release_timeout(Duration::from_secs(60)).unwrap();
    func_pool.release_timeout(Duration::from_secs(60)).unwrap();
    finished.store(true, SeqCst);
    watchdog.join().unwrap();

    for id in 0..ids {
        let (ran, back) = (
            ledger.ran[id].load(SeqCst),
            ledger.returned[id].load(SeqCst),
        );
        assert_eq!(
            ran + back,
            1,
            "seed {seed}, task {id}: ran {ran} times, came back {back} times"
        );
    }
    let most = ledger.most_running.load(SeqCst);
    let bound = largest_cap.load(SeqCst) + 3;
    assert!(
        most <= bound,
        "seed {seed}: {most} tasks ran at once, capacities allow {bound}"
    );
    let (a, b) = (pool.stats(), func_pool.stats());
    assert_eq!(a.submitted, a.completed, "seed {seed}: {a}");
    assert_eq!(b.submitted, b.completed, "seed {seed}: {b}");
    assert_eq!(
        a.submitted + b.submitted,
        ledger
            .ran
            .iter()
            .map(|r| u64::from(r.load(SeqCst)))
            .sum::<u64>()
    );
}
