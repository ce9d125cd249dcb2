//! The smaller pieces: WaitGroup, MultiPool, the default pool, build errors.

mod common;

use common::{Gate, LONG, wait_until};
use pool_core::{BuildError, LoadBalancing, MultiPool, Pool, WaitGroup, thread_ceiling};
use std::thread;
use std::time::Duration;

#[test]
fn wait_group_waits_for_every_done() {
    let wg = WaitGroup::new();
    let gate = Gate::new();
    for _ in 0..8 {
        wg.add(1);
        let (wg, gate) = (wg.clone(), gate.clone());
        thread::spawn(move || {
            gate.wait();
            wg.done();
        });
    }
    assert!(
        !wg.wait_timeout(Duration::from_millis(10)),
        "nobody called done yet"
    );
    assert_eq!(wg.count(), 8);
    gate.open();
    assert!(wg.wait_timeout(LONG));
    wg.wait();
}

#[test]
#[should_panic(expected = "called more times than add()")]
fn wait_group_more_done_than_add_panics_with_a_message() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    wg.done();
}

/// With room in every pool, round robin gives each pool its turn in order.
/// (A full pool is passed over instead: see `tests/hardening.rs`.)
#[test]
fn multi_pool_round_robin_spreads_the_work() {
    let pools = MultiPool::new(4, 40, LoadBalancing::RoundRobin).unwrap();
    let wg = WaitGroup::new();
    for _ in 0..40 {
        wg.add(1);
        let wg = wg.clone();
        pools.submit(move || wg.done()).unwrap();
    }
    assert!(wg.wait_timeout(LONG));
    for p in pools.pools() {
        assert_eq!(
            p.stats().submitted,
            10,
            "round robin gives each pool a turn"
        );
    }
}

#[test]
fn multi_pool_least_tasks_avoids_the_busy_pool() {
    let pools = MultiPool::new(2, 1, LoadBalancing::LeastTasks).unwrap();
    let gate = Gate::new();
    let started = WaitGroup::new();
    started.add(1);
    let (g, s) = (gate.clone(), started.clone());
    pools
        .submit(move || {
            s.done();
            g.wait();
        })
        .unwrap();
    assert!(started.wait_timeout(LONG));
    let busy = pools
        .pools()
        .iter()
        .position(|p| p.stats().in_flight == 1)
        .unwrap();
    // The next task goes to the other pool and runs while the first is held.
    let (tx, rx) = std::sync::mpsc::channel();
    pools.submit(move || tx.send(()).unwrap()).unwrap();
    rx.recv_timeout(LONG).unwrap();
    assert_eq!(pools.pools()[1 - busy].stats().submitted, 1);
    gate.open();
    pools.release_timeout(LONG).unwrap();
}

#[test]
fn default_pool_runs_tasks_within_its_documented_bound() {
    let (tx, rx) = std::sync::mpsc::channel();
    pool_core::submit(move || tx.send(()).unwrap()).unwrap();
    rx.recv_timeout(LONG).unwrap();
    let cap = pool_core::default_pool().cap();
    assert_eq!(
        cap,
        pool_core::DEFAULT_POOL_CAPACITY.min(thread_ceiling().max_threads)
    );
}

#[test]
fn build_errors_say_what_is_allowed() {
    let zero = Pool::new(0).unwrap_err();
    assert!(zero.to_string().contains("at least 1"));
    let too_many = thread_ceiling().max_threads + 1;
    let err = Pool::new(too_many).unwrap_err();
    assert!(matches!(err, BuildError::CapacityAboveThreadCeiling { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains(&too_many.to_string()) && msg.contains("at most"),
        "{msg}"
    );
    let err = Pool::builder().expiry(Duration::ZERO).build().unwrap_err();
    assert!(err.to_string().contains("disable_purge"));
    let err = Pool::builder().stack_size(1024).build().unwrap_err();
    assert!(err.to_string().contains("at least 65536 bytes"), "{err}");
    assert!(Pool::new(usize::MAX).is_err());
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

#[test]
fn every_pool_handle_is_clone_send_and_sync() {
    fn assert_handle<T: Clone + Send + Sync + 'static>() {}
    assert_handle::<Pool>();
    assert_handle::<pool_core::PoolWithFunc<String>>();
    assert_handle::<MultiPool>();
    assert_handle::<WaitGroup>();
}
