//! `stats()`: the counters add up once the pool is quiet; read while the
//! pool is busy, the lifetime counters never go backwards between two
//! snapshots, `completed` is never below `timed`, and the parked submitters
//! (`waiting - queued`) never exceed `max_blocking_tasks`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use common::{LONG, wait_until};
use pool_core::{Pool, PoolStats, WaitGroup};

const MAX_BLOCKING: usize = 3;

/// Every way one snapshot may contradict the one before it, or itself.
fn contradictions(before: &PoolStats, now: &PoolStats) -> Vec<String> {
    let mut found = Vec::new();
    for (name, was, is) in [
        ("submitted", before.submitted, now.submitted),
        ("completed", before.completed, now.completed),
        ("panicked", before.panicked, now.panicked),
        (
            "threads_spawned",
            before.threads_spawned,
            now.threads_spawned,
        ),
        (
            "threads_retired",
            before.threads_retired,
            now.threads_retired,
        ),
        ("timed", before.timed, now.timed),
    ] {
        if is < was {
            found.push(format!("{name} went from {was} to {is}"));
        }
    }
    if now.timed > now.completed {
        found.push(format!("timed {} > completed {}", now.timed, now.completed));
    }
    if now.completed > now.submitted {
        found.push(format!(
            "completed {} > submitted {}",
            now.completed, now.submitted
        ));
    }
    if now.waiting < now.queued || now.waiting - now.queued > MAX_BLOCKING {
        found.push(format!(
            "waiting {} with {} queued: more than {MAX_BLOCKING} parked submitters",
            now.waiting, now.queued
        ));
    }
    found
}

#[test]
fn lifetime_counters_never_go_backwards_under_load() {
    let pool = Pool::builder()
        .capacity(4)
        .queue_size(16)
        .max_blocking_tasks(MAX_BLOCKING)
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let submitters: Vec<_> = (0..4)
        .map(|i| {
            let (pool, stop) = (pool.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(SeqCst) {
                    // Refusals (max_blocking_tasks reached) are expected.
                    let _ = pool.submit(move || {
                        std::hint::black_box(n.wrapping_mul(i));
                    });
                    n += 1;
                }
            })
        })
        .collect();
    let tuner = {
        let (pool, stop) = (pool.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut size = 1;
            while !stop.load(SeqCst) {
                pool.tune(size).unwrap();
                size = size % 6 + 1;
                std::thread::yield_now();
            }
        })
    };

    let deadline = Instant::now() + Duration::from_secs(2);
    let mut before = pool.stats();
    let (mut snapshots, mut found) = (0u64, Vec::new());
    while Instant::now() < deadline && found.len() < 10 {
        let now = pool.stats();
        found.extend(contradictions(&before, &now));
        before = now;
        snapshots += 1;
    }
    stop.store(true, SeqCst);
    for thread in submitters {
        thread.join().unwrap();
    }
    tuner.join().unwrap();
    assert!(
        found.is_empty(),
        "{} contradictions in {snapshots} snapshots, e.g. {found:?}",
        found.len()
    );
    assert!(before.submitted > 0, "the load ran: {before:?}");
}

#[test]
fn an_idle_pool_reports_every_task_completed_and_timed() {
    let pool = Pool::new(4).unwrap();
    let handles: Vec<_> = (0..100).map(|_| pool.spawn(|| ()).unwrap()).collect();
    for handle in handles {
        handle.join().unwrap();
    }
    // A handle's value is in before its worker gives the slot back; once
    // the workers are joined, the figures are exact.
    pool.release_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    let stats = pool.stats();
    assert_eq!(stats.submitted, 100);
    assert_eq!(stats.completed, 100, "{stats:?}");
    assert_eq!(stats.timed, 100, "{stats:?}");
}

#[test]
fn stats_add_up_once_the_pool_is_quiet() {
    let pool = Pool::new(3).unwrap();
    let wg = WaitGroup::new();
    for _ in 0..30 {
        wg.add(1);
        let wg = wg.clone();
        pool.submit(move || wg.done()).unwrap();
    }
    assert!(wg.wait_timeout(LONG));
    wait_until("the pool is quiet", || pool.stats().in_flight == 0);
    let s = pool.stats();
    assert_eq!((s.submitted, s.completed, s.panicked), (30, 30, 0));
    assert!(s.threads_spawned <= 3);
    assert_eq!(s.free(), 3 - s.running);
}
