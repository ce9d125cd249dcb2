//! What the benches share: the ~2 µs CPU task, and one way to flood any
//! pool with tasks, so every pool runs the very same loop.
//!
//! `compare` has a CPU job of its own (`compare/src/job.rs`), calibrated
//! to a duration on the machine at hand; pool-core's benches cannot depend
//! on compare (compare depends on pool-core), and keep the fixed count.

use pool_core::{Pool, WaitGroup};

/// 1,000 rounds of xorshift: about 2 µs, and nothing the compiler can fold.
pub(crate) fn cpu_work(seed: u64) {
    let mut x = std::hint::black_box(seed) | 1;
    for _ in 0..1000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x);
}

/// A pool that takes closures: each one's own way of taking a task.
pub(crate) trait Spawner {
    /// Hands `task` to the pool.
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F);
}

impl Spawner for Pool {
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F) {
        self.submit(task)
            .expect("the bench's pool accepts every task");
    }
}

impl Spawner for threadpool::ThreadPool {
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F) {
        self.execute(task);
    }
}

impl Spawner for rayon::ThreadPool {
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F) {
        self.spawn(task);
    }
}

/// Hands `tasks` tasks to `pool`, task `i` running `work(i)`, and returns
/// once every one is done (a `WaitGroup`, as the tutorial counts them).
pub(crate) fn flood<S: Spawner, W: Fn(u64) + Copy + Send + 'static>(pool: &S, tasks: u64, work: W) {
    let wg = WaitGroup::new();
    for i in 0..tasks {
        wg.add(1);
        let wg = wg.clone();
        pool.spawn_task(move || {
            work(i);
            wg.done();
        });
    }
    wg.wait();
}
