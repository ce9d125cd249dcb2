//! Per-task overhead of every pool in the comparison, with criterion:
//! empty tasks (`noop`) and a small CPU task (1,000 rounds of xorshift), for
//! pool-core `submit` and `invoke`, the `threadpool` crate, rayon's `spawn`,
//! native-workers' hand-rolled pool, and a bare crossbeam hand-off to one
//! thread as the floor. Every pool has 1,000 threads, as in the table.
//!
//! `cargo bench -p compare --bench per_task`
//!
//! A sample is a batch of 100,000 tasks timed as a whole; criterion's
//! throughput line is tasks per second.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pool_core::{Pool, PoolWithFunc, WaitGroup};

const TASKS: u64 = 100_000;
const THREADS: usize = 1000;

/// The two task bodies: nothing, or 1,000 rounds of xorshift (about a
/// microsecond; a plain sum would be folded into a formula by the compiler).
fn work(kind: &str, seed: u64) {
    if kind == "cpu" {
        let mut x = black_box(seed) | 1;
        for _ in 0..1000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        black_box(x);
    }
}

fn per_task(c: &mut Criterion) {
    for kind in ["noop", "cpu"] {
        let mut group = c.benchmark_group(format!("per_task_{kind}"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(3));
        group.throughput(Throughput::Elements(TASKS));

        let pool = Pool::new(THREADS).unwrap();
        group.bench_function(BenchmarkId::new("pool_core_submit", kind), |b| {
            b.iter_custom(|iters| {
                let wg = WaitGroup::new();
                let start = Instant::now();
                for i in 0..iters * TASKS {
                    wg.add(1);
                    let wg = wg.clone();
                    pool.submit(move || {
                        work(kind, i);
                        wg.done();
                    })
                    .unwrap();
                }
                wg.wait();
                start.elapsed()
            })
        });
        drop(pool);

        let wg = WaitGroup::new();
        let done = wg.clone();
        let func_pool = PoolWithFunc::new(THREADS, move |i: u64| {
            work(kind, i);
            done.done();
        })
        .unwrap();
        group.bench_function(BenchmarkId::new("pool_core_invoke", kind), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for i in 0..iters * TASKS {
                    wg.add(1);
                    func_pool.invoke(i).unwrap();
                }
                wg.wait();
                start.elapsed()
            })
        });
        drop(func_pool);

        let tp = threadpool::ThreadPool::new(THREADS);
        group.bench_function(BenchmarkId::new("threadpool", kind), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for i in 0..iters * TASKS {
                    tp.execute(move || work(kind, i));
                }
                tp.join();
                start.elapsed()
            })
        });
        drop(tp);

        let rp = rayon::ThreadPoolBuilder::new()
            .num_threads(THREADS)
            .panic_handler(|_| eprintln!("a rayon task panicked"))
            .build()
            .unwrap();
        group.bench_function(BenchmarkId::new("rayon_spawn", kind), |b| {
            b.iter_custom(|iters| {
                let wg = WaitGroup::new();
                let start = Instant::now();
                for i in 0..iters * TASKS {
                    wg.add(1);
                    let wg = wg.clone();
                    rp.spawn(move || {
                        work(kind, i);
                        wg.done();
                    });
                }
                wg.wait();
                start.elapsed()
            })
        });
        drop(rp);

        group.bench_function(BenchmarkId::new("hand_rolled", kind), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                // Includes starting and joining its 1,000 threads: that is its shape of run.
                native_workers::http_workers::run_jobs(THREADS, iters * TASKS, move |i| {
                    work(kind, i);
                    Ok(())
                });
                start.elapsed()
            })
        });

        group.bench_function(BenchmarkId::new("crossbeam_floor", kind), |b| {
            let (tx, rx) = crossbeam_channel::unbounded::<u64>();
            let (done_tx, done_rx) = crossbeam_channel::unbounded::<()>();
            let consumer = std::thread::spawn(move || {
                for i in rx {
                    work(kind, i);
                    if i == u64::MAX {
                        let _ = done_tx.send(());
                    }
                }
            });
            b.iter_custom(|iters| {
                let start = Instant::now();
                for i in 0..iters * TASKS {
                    tx.send(i).unwrap();
                }
                // A marker after the batch: when it arrives, the batch is done.
                tx.send(u64::MAX).unwrap();
                done_rx.recv().unwrap();
                start.elapsed()
            });
            drop(tx);
            consumer.join().unwrap();
        });
        group.finish();
    }
}

criterion_group!(benches, per_task);
criterion_main!(benches);
