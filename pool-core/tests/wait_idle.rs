//! `wait_idle`: wait until a pool has nothing to do, keeping it open.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::{Gate, LONG, wait_until};
use pool_core::{LoadBalancing, MultiPool, MultiPoolWithFunc, Pool, PoolWithFunc};

/// How long a negative check waits before concluding "not yet".
const NOT_YET: Duration = Duration::from_millis(50);

#[test]
fn wait_idle_returns_once_the_last_task_ends_and_not_before() {
    let pool = Pool::new(2).unwrap();
    let gate = Gate::new();
    let g = gate.clone();
    pool.submit(move || g.wait()).unwrap();
    let (tx, rx) = mpsc::channel();
    let waiter = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            pool.wait_idle();
            tx.send(()).unwrap();
        })
    };
    assert!(
        rx.recv_timeout(NOT_YET).is_err(),
        "returned while a task ran"
    );
    assert!(!pool.wait_idle_timeout(Duration::from_millis(5)));
    // A task submitted during the wait is waited for too.
    let second = Gate::new();
    let g = second.clone();
    pool.submit(move || g.wait()).unwrap();
    gate.open();
    assert!(
        rx.recv_timeout(NOT_YET).is_err(),
        "returned with one task left"
    );
    second.open();
    rx.recv_timeout(LONG)
        .expect("wait_idle returned after the last task");
    waiter.join().unwrap();
    assert!(!pool.is_closed(), "the pool stays open");
    assert!(pool.wait_idle_timeout(Duration::ZERO));
    pool.submit(|| ()).unwrap();
    pool.wait_idle();
}

#[test]
fn wait_idle_waits_for_parked_submitters_tasks() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    common::fill(&pool, &gate);
    let ran = Arc::new(AtomicUsize::new(0));
    let submitter = {
        let (pool, ran) = (pool.clone(), Arc::clone(&ran));
        std::thread::spawn(move || {
            pool.submit(move || {
                ran.fetch_add(1, SeqCst);
            })
            .unwrap()
        })
    };
    wait_until("the submitter is parked", || pool.waiting() == 1);
    let waiter = {
        let pool = pool.clone();
        std::thread::spawn(move || pool.wait_idle_timeout(LONG))
    };
    gate.open();
    assert!(waiter.join().unwrap());
    assert_eq!(ran.load(SeqCst), 1, "the parked task ran before idle");
    submitter.join().unwrap();
}

#[test]
fn wait_idle_inside_a_task_waits_for_the_others_only() {
    let pool = Pool::new(3).unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        let done = Arc::clone(&done);
        pool.submit(move || {
            done.fetch_add(1, SeqCst);
        })
        .unwrap();
    }
    let (tx, rx) = mpsc::channel();
    let (p, d) = (pool.clone(), Arc::clone(&done));
    pool.submit(move || {
        p.wait_idle();
        tx.send(d.load(SeqCst)).unwrap();
    })
    .unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), 2);
}

#[test]
fn busy_counts_tasks_running_not_threads() {
    let pool = Pool::builder().capacity(2).queue_size(4).build().unwrap();
    let gate = Gate::new();
    common::fill(&pool, &gate);
    let g = gate.clone();
    pool.submit(move || g.wait()).unwrap();
    assert_eq!(pool.busy(), 2, "the queued one is not running");
    assert_eq!(pool.running(), 2);
    gate.open();
    pool.wait_idle();
    assert_eq!(pool.busy(), 0);
    assert_eq!(pool.running(), 2, "idle threads are still alive");
}

#[test]
fn function_pools_and_multi_pools_wait_for_idle_too() {
    let func = PoolWithFunc::new(2, |gate: Gate| gate.wait()).unwrap();
    let gate = Gate::new();
    func.invoke(gate.clone()).unwrap();
    assert!(!func.wait_idle_timeout(Duration::from_millis(5)));
    gate.open();
    assert!(func.wait_idle_timeout(LONG));

    let pools = MultiPool::new(3, 1, LoadBalancing::RoundRobin).unwrap();
    let gate = Gate::new();
    for _ in 0..3 {
        let g = gate.clone();
        pools.submit(move || g.wait()).unwrap();
    }
    assert!(!pools.wait_idle_timeout(Duration::from_millis(5)));
    gate.open();
    assert!(pools.wait_idle_timeout(LONG));

    let pools =
        MultiPoolWithFunc::new(2, 1, LoadBalancing::LeastTasks, |gate: Gate| gate.wait()).unwrap();
    let gate = Gate::new();
    pools.invoke(gate.clone()).unwrap();
    assert!(!pools.wait_idle_timeout(Duration::from_millis(5)));
    gate.open();
    pools.wait_idle();
    assert_eq!(pools.stats().in_flight, 0);
}
