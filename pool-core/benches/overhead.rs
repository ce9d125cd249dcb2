//! The engine's costs, with criterion: per-task overhead on 1,000,000 empty
//! tasks through `Pool::new(1000)` + `submit` + a `WaitGroup` (against the
//! `threadpool` crate's `execute`, rayon's `ThreadPool::spawn` with the same
//! 1,000 threads, `PoolWithFunc::invoke`, and a bare crossbeam hand-off to one
//! thread as the floor); and CPU-bound floods through 1,000 and 2 workers.
//! The question it answers: what does one task cost? (How long a burst
//! waits to start is `benches/start_latency.rs`.)
//!
//! For ratios measured side by side with rounds interleaved, see
//! `benches/side_by_side.rs`; criterion runs one benchmark after another.
//!
//! `cargo bench -p pool-core --bench overhead`
//!
//! Each sample times a whole batch (`iter_custom`); criterion's throughput
//! line gives the time per task. rayon runs 100,000 tasks per batch, not
//! 1,000,000: with 1,000 threads it takes tens of microseconds per task, and
//! a million would make one sample last half a minute.
#![forbid(unsafe_code)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pool_core::{Pool, PoolWithFunc, WaitGroup};
use std::time::{Duration, Instant};

const TASKS: u64 = 1_000_000;
const RAYON_TASKS: u64 = 100_000;
const THREADS: usize = 1000;

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("empty_task");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(TASKS));

    // pool-core: Pool::new(1000) + submit + WaitGroup, as the tutorial.
    let pool = Pool::new(THREADS).unwrap();
    group.bench_function("pool_core_submit", |b| {
        b.iter_custom(|iters| {
            let wg = WaitGroup::new();
            let start = Instant::now();
            for _ in 0..iters * TASKS {
                wg.add(1);
                let wg = wg.clone();
                pool.submit(move || wg.done()).unwrap();
            }
            wg.wait();
            start.elapsed()
        })
    });
    drop(pool);

    // pool-core: one fixed function, jobs are plain arguments.
    let wg = WaitGroup::new();
    let done = wg.clone();
    let func_pool = PoolWithFunc::new(THREADS, move |_: u64| done.done()).unwrap();
    group.bench_function("pool_core_invoke", |b| {
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
    group.bench_function("threadpool_execute", |b| {
        b.iter_custom(|iters| {
            let wg = WaitGroup::new();
            let start = Instant::now();
            for _ in 0..iters * TASKS {
                wg.add(1);
                let wg = wg.clone();
                tp.execute(move || wg.done());
            }
            wg.wait();
            start.elapsed()
        })
    });
    tp.join();
    drop(tp);

    // A bare hand-off to one thread: a channel, a box, a WaitGroup. No pool.
    group.bench_function("crossbeam_floor", |b| {
        let (tx, rx) = crossbeam_channel::unbounded::<Box<dyn FnOnce() + Send>>();
        let consumer = std::thread::spawn(move || {
            for job in rx {
                job();
            }
        });
        b.iter_custom(|iters| {
            let wg = WaitGroup::new();
            let start = Instant::now();
            for _ in 0..iters * TASKS {
                wg.add(1);
                let wg = wg.clone();
                tx.send(Box::new(move || wg.done())).unwrap();
            }
            wg.wait();
            start.elapsed()
        });
        drop(tx);
        consumer.join().unwrap();
    });
    group.finish();

    let mut group = c.benchmark_group("empty_task_rayon");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(RAYON_TASKS));
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        // Without a handler, a panic in spawn aborts the process.
        .panic_handler(|_| eprintln!("a rayon task panicked"))
        .build()
        .unwrap();
    group.bench_function("rayon_spawn", |b| {
        b.iter_custom(|iters| {
            let wg = WaitGroup::new();
            let start = Instant::now();
            for _ in 0..iters * RAYON_TASKS {
                wg.add(1);
                let wg = wg.clone();
                rayon_pool.spawn(move || wg.done());
            }
            wg.wait();
            start.elapsed()
        })
    });
    group.finish();
}

/// 1,000 rounds of xorshift: about 2 µs, and nothing the compiler can fold.
fn cpu_work(seed: u64) {
    let mut x = std::hint::black_box(seed) | 1;
    for _ in 0..1000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x);
}

/// CPU-bound floods: 200,000 tasks of ~2 µs through 1,000 workers and
/// through 2 (the core count here), `submit` against threadpool.
fn cpu_task(c: &mut Criterion) {
    const CPU_TASKS: u64 = 200_000;
    for threads in [THREADS, 2] {
        let mut group = c.benchmark_group(format!("cpu_task_{threads}_workers"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Elements(CPU_TASKS));
        let pool = Pool::new(threads).unwrap();
        group.bench_function("pool_core_submit", |b| {
            b.iter_custom(|iters| {
                let wg = WaitGroup::new();
                let start = Instant::now();
                for i in 0..iters * CPU_TASKS {
                    wg.add(1);
                    let wg = wg.clone();
                    pool.submit(move || {
                        cpu_work(i);
                        wg.done();
                    })
                    .unwrap();
                }
                wg.wait();
                start.elapsed()
            })
        });
        drop(pool);
        let tp = threadpool::ThreadPool::new(threads);
        group.bench_function("threadpool_execute", |b| {
            b.iter_custom(|iters| {
                let wg = WaitGroup::new();
                let start = Instant::now();
                for i in 0..iters * CPU_TASKS {
                    wg.add(1);
                    let wg = wg.clone();
                    tp.execute(move || {
                        cpu_work(i);
                        wg.done();
                    });
                }
                wg.wait();
                start.elapsed()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, overhead, cpu_task);
criterion_main!(benches);
