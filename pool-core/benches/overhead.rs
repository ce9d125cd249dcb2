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

mod common;

use common::{cpu_work, flood};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use pool_core::{Pool, PoolWithFunc, WaitGroup};
use std::time::{Duration, Instant};

const TASKS: u64 = 1_000_000;
const RAYON_TASKS: u64 = 100_000;
const THREADS: usize = 1000;

/// A group of floods of `tasks` tasks per sample.
fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
    tasks: u64,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(tasks));
    group
}

/// Times `tasks × iters` tasks through `pool`, each running `work`.
fn time_flood<S: common::Spawner, W: Fn(u64) + Copy + Send + 'static>(
    pool: &S,
    tasks: u64,
    iters: u64,
    work: W,
) -> Duration {
    let start = Instant::now();
    flood(pool, iters * tasks, work);
    start.elapsed()
}

fn no_work(_: u64) {}

fn overhead(c: &mut Criterion) {
    let mut g = group(c, "empty_task", TASKS);

    // pool-core: Pool::new(1000) + submit + WaitGroup, as the tutorial.
    let pool = Pool::new(THREADS).unwrap();
    g.bench_function("pool_core_submit", |b| {
        b.iter_custom(|iters| time_flood(&pool, TASKS, iters, no_work))
    });
    drop(pool);

    // pool-core: one fixed function, jobs are plain arguments.
    let wg = WaitGroup::new();
    let done = wg.clone();
    let func_pool = PoolWithFunc::new(THREADS, move |_: u64| done.done()).unwrap();
    g.bench_function("pool_core_invoke", |b| {
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
    g.bench_function("threadpool_execute", |b| {
        b.iter_custom(|iters| time_flood(&tp, TASKS, iters, no_work))
    });
    tp.join();
    drop(tp);

    // A bare hand-off to one thread: a channel, a box, a WaitGroup. No pool.
    g.bench_function("crossbeam_floor", |b| {
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
    g.finish();

    let mut g = group(c, "empty_task_rayon", RAYON_TASKS);
    let rayon_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        // Without a handler, a panic in spawn aborts the process.
        .panic_handler(|_| eprintln!("a rayon task panicked"))
        .build()
        .unwrap();
    g.bench_function("rayon_spawn", |b| {
        b.iter_custom(|iters| time_flood(&rayon_pool, RAYON_TASKS, iters, no_work))
    });
    g.finish();
}

/// CPU-bound floods: 200,000 tasks of ~2 µs through 1,000 workers and
/// through 2 (the core count here), `submit` against threadpool.
fn cpu_task(c: &mut Criterion) {
    const CPU_TASKS: u64 = 200_000;
    for threads in [THREADS, 2] {
        let mut g = group(c, &format!("cpu_task_{threads}_workers"), CPU_TASKS);
        let pool = Pool::new(threads).unwrap();
        g.bench_function("pool_core_submit", |b| {
            b.iter_custom(|iters| time_flood(&pool, CPU_TASKS, iters, cpu_work))
        });
        drop(pool);
        let tp = threadpool::ThreadPool::new(threads);
        g.bench_function("threadpool_execute", |b| {
            b.iter_custom(|iters| time_flood(&tp, CPU_TASKS, iters, cpu_work))
        });
        g.finish();
    }
}

criterion_group!(benches, overhead, cpu_task);
criterion_main!(benches);
