//! Allocations per job, counted by dhat over 100,000 jobs in steady state:
//! `invoke` allocates nothing, `submit` allocates the boxed closure and
//! nothing else. Workers are pre-allocated with purge disabled, so no thread
//! starts inside the measured window; completion is awaited by spinning on an
//! atomic, so waiting allocates nothing either.
#![forbid(unsafe_code)]

use pool_core::{Pool, PoolWithFunc};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const JOBS: usize = 100_000;

fn wait_for(counter: &AtomicUsize, target: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while counter.load(SeqCst) < target {
        assert!(Instant::now() < deadline, "jobs did not finish");
        std::thread::yield_now();
    }
}

fn blocks_during(work: impl FnOnce()) -> u64 {
    let before = dhat::HeapStats::get().total_blocks;
    work();
    dhat::HeapStats::get().total_blocks - before
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();

    // invoke: the argument travels as plain data.
    let done = Arc::new(AtomicUsize::new(0));
    let d = done.clone();
    let pool = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .disable_purge(true)
        .build_with_func(move |_: u64| {
            d.fetch_add(1, SeqCst);
        })
        .unwrap();
    warm_up(&pool, &done);
    let base = done.load(SeqCst);
    let invoke_blocks = blocks_during(|| {
        for i in 0..JOBS {
            pool.invoke(i as u64).unwrap();
        }
        wait_for(&done, base + JOBS);
    });

    // submit: one box per closure.
    let pool2 = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    let done2 = Arc::new(AtomicUsize::new(0));
    for _ in 0..10_000 {
        let d = done2.clone();
        pool2
            .submit(move || {
                d.fetch_add(1, SeqCst);
            })
            .unwrap();
    }
    wait_for(&done2, 10_000);
    let submit_blocks = blocks_during(|| {
        for _ in 0..JOBS {
            let d = done2.clone();
            pool2
                .submit(move || {
                    d.fetch_add(1, SeqCst);
                })
                .unwrap();
        }
        wait_for(&done2, 10_000 + JOBS);
    });

    println!("invoke: {invoke_blocks} allocations over {JOBS} jobs");
    println!("submit: {submit_blocks} allocations over {JOBS} jobs");
    dhat::assert_eq!(invoke_blocks, 0);
    dhat::assert_eq!(submit_blocks, JOBS as u64);
    println!("test result: ok. 2 passed; 0 failed");
}

fn warm_up(pool: &PoolWithFunc<u64>, done: &AtomicUsize) {
    for i in 0..10_000 {
        pool.invoke(i).unwrap();
    }
    wait_for(done, 10_000);
}
