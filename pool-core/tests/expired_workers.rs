//! A worker that expires, or that a shrink retires, frees its thread
//! entirely: an idle pool whose workers are gone holds no thread, not even
//! an exited one waiting to be joined (whose stack would stay mapped and
//! count against the process's thread ceiling).
//!
//! Alone in its own test binary: it counts the process's memory maps, which
//! any other test running beside it would move.

mod common;

use std::time::Duration;

use common::wait_until;
use pool_core::Pool;

const POOLS: usize = 300;

fn memory_maps() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .map(|maps| maps.lines().count())
        .unwrap_or(0)
}

#[test]
fn idle_pools_whose_workers_expired_or_retired_hold_no_thread_mapped() {
    // Warm up the allocator's arenas and the thread-stack cache first, so
    // the baseline already holds what any thread start leaves behind.
    drop(Pool::new(4).unwrap());
    let before = memory_maps();

    let expiring: Vec<Pool> = (0..POOLS)
        .map(|_| {
            let pool = Pool::builder()
                .capacity(2)
                .expiry(Duration::from_millis(5))
                .build()
                .unwrap();
            pool.spawn(|| ()).unwrap().join().unwrap();
            pool
        })
        .collect();
    wait_until("every worker of every pool expired", || {
        expiring.iter().all(|pool| pool.running() == 0)
    });

    // A shrink retires workers the same way.
    let shrunk = Pool::builder()
        .capacity(64)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    shrunk.tune(1).unwrap();
    wait_until("the shrunk pool kept one worker", || shrunk.running() == 1);

    // Each thread left unjoined keeps its stack and guard page: two maps,
    // so 600 or more here. glibc keeps a few freed stacks cached (40 MiB).
    let mut grown = 0;
    wait_until("the exited threads' stacks are unmapped", || {
        grown = memory_maps().saturating_sub(before);
        grown < 100
    });
    assert!(grown < 100, "{grown} more memory maps than before");
}
