//! Quick timing of 1M empty tasks (exploration; the real numbers come from the bench).
use pool_core::{Pool, WaitGroup};
use std::time::Instant;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let cap: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    for _ in 0..3 {
        let pool = Pool::new(cap).unwrap();
        let wg = WaitGroup::new();
        let t = Instant::now();
        wg.add(n);
        for _ in 0..n {
            let wg = wg.clone();
            pool.submit(move || wg.done()).unwrap();
        }
        wg.wait();
        let el = t.elapsed();
        println!(
            "{:.1} ns/task  {}",
            el.as_nanos() as f64 / n as f64,
            pool.stats()
        );
    }
}
