//! Helpers shared by the integration tests: gates and bounded waits, never sleeps.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Generous: a busy 2-core CI machine can stall a thread for a long time.
pub const LONG: Duration = Duration::from_secs(30);

/// A gate tasks wait on until the test opens it.
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Gate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Blocks until the gate opens (or `LONG` passes, so a bug cannot hang CI).
    pub fn wait(&self) {
        let (lock, cv) = &*self.inner;
        let guard = lock.lock().unwrap();
        let (guard, _) = cv.wait_timeout_while(guard, LONG, |open| !*open).unwrap();
        assert!(*guard, "gate never opened");
    }

    pub fn open(&self) {
        let (lock, cv) = &*self.inner;
        *lock.lock().unwrap() = true;
        cv.notify_all();
    }
}

/// Polls `cond` until it holds; panics with `what` after `LONG`.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + LONG;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Counts tasks running at once and remembers the most seen.
#[derive(Clone, Default)]
pub struct Concurrency {
    inner: Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )>,
}

impl Concurrency {
    pub fn enter(&self) -> usize {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.inner.0.fetch_add(1, SeqCst) + 1;
        self.inner.1.fetch_max(now, SeqCst);
        now
    }
    pub fn leave(&self) {
        self.inner
            .0
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn max(&self) -> usize {
        self.inner.1.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Fills every worker of `pool` with a task that waits on `gate`; returns
/// once all of them have started.
pub fn fill(pool: &pool_core::Pool, gate: &Gate) {
    let started = pool_core::WaitGroup::new();
    for _ in 0..pool.cap() {
        started.add(1);
        let (gate, started) = (gate.clone(), started.clone());
        pool.submit(move || {
            started.done();
            gate.wait();
        })
        .unwrap();
    }
    assert!(
        started.wait_timeout(LONG),
        "the pool did not start cap() tasks"
    );
}

/// Waits until the process has at most `target` threads, polling every
/// millisecond, for at most `timeout`; returns the last count seen. A joined
/// thread leaves `/proc/self/task` a few microseconds after it wakes its joiner.
pub fn wait_for_threads_at_most(target: usize, timeout: Duration) -> usize {
    let deadline = Instant::now() + timeout;
    loop {
        let n = pool_core::live_threads();
        if n <= target || Instant::now() >= deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
