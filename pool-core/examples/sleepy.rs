//! The sleep workload: 100,000 tasks of 10 ms on a pool of 1,000 (ideal 1.0 s).
//!
//! `cargo run --release -p pool-core --example sleepy`
use pool_core::{Pool, WaitGroup};
use std::time::{Duration, Instant};

fn main() {
    let jobs = 100_000;
    let pool = Pool::new(1000).unwrap();
    let wg = WaitGroup::new();
    let start = Instant::now();
    // Submit the jobs.
    for _ in 0..jobs {
        wg.add(1);
        let wg = wg.clone();
        pool.submit(move || {
            std::thread::sleep(Duration::from_millis(10));
            wg.done();
        })
        .unwrap();
    }
    // Wait until every job is done.
    wg.wait();
    let elapsed = start.elapsed();
    println!(
        "{jobs} x 10 ms on 1000 workers: {:.3} s (ideal 1.000 s, {:.2}x); {}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        pool.stats()
    );
}
