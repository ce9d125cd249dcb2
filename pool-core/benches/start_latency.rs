//! How long does a burst of tasks wait to start? 16 tasks submitted at once
//! into 64 parked workers, `Pool::submit` against the `threadpool` crate's
//! `execute`, with criterion.
//!
//! `cargo bench -p pool-core --bench start_latency`
//!
//! For p50 and p99 measured side by side with rounds interleaved, see the
//! `burst` workload of `benches/side_by_side.rs`.
#![forbid(unsafe_code)]

use criterion::{Criterion, criterion_group, criterion_main};
use pool_core::{Pool, WaitGroup};
use std::time::{Duration, Instant};

/// Start latency of a burst: 16 tasks into 64 parked workers. The measured
/// time of one iteration is the *mean* time from `submit` to the task's
/// first line over the burst (criterion reports its distribution; the
/// side-by-side bench reports p50 and p99).
fn burst_start(c: &mut Criterion) {
    const PER_BURST: u32 = 16;
    let mut group = c.benchmark_group("burst_start_latency");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    let pool = Pool::builder()
        .capacity(64)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    let tp = threadpool::ThreadPool::new(64);
    type Submit<'a> = &'a dyn Fn(Box<dyn FnOnce() + Send>);
    let burst = |submit: Submit<'_>| {
        // Let every worker finish searching and park.
        std::thread::sleep(Duration::from_millis(2));
        let waited = std::sync::Arc::new(std::sync::Mutex::new(Duration::ZERO));
        let wg = WaitGroup::new();
        for _ in 0..PER_BURST {
            wg.add(1);
            let (wg, waited) = (wg.clone(), waited.clone());
            let submitted = Instant::now();
            submit(Box::new(move || {
                *waited.lock().unwrap() += submitted.elapsed();
                std::thread::sleep(Duration::from_millis(1));
                wg.done();
            }));
        }
        wg.wait();
        let total = *waited.lock().unwrap();
        total / PER_BURST
    };
    group.bench_function("pool_core_submit", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| burst(&|f| pool.submit(f).unwrap()))
                .sum()
        })
    });
    group.bench_function("threadpool_execute", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| burst(&|f| tp.execute(f))).sum())
    });
    group.finish();
}

criterion_group!(benches, burst_start);
criterion_main!(benches);
