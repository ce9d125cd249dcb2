//! How a multi-pool picks a member, and what it reports.

mod common;

use common::{Gate, LONG, fill};
use pool_core::{BuildError, LoadBalancing, MultiPool, Pool, PoolError};
use std::sync::mpsc;

#[test]
fn a_member_that_cannot_start_a_thread_passes_the_task_on() {
    // The first member's threads need a stack no OS gives; the second has
    // a live idle worker.
    let broken = Pool::builder()
        .capacity(4)
        .stack_size(1 << 47)
        .build()
        .unwrap();
    let working = Pool::builder().capacity(4).pre_alloc(true).build().unwrap();
    let pools = MultiPool::from_pools(vec![broken, working], LoadBalancing::RoundRobin).unwrap();
    for _ in 0..4 {
        let (tx, rx) = mpsc::channel();
        pools
            .submit(move || tx.send(()).unwrap())
            .expect("the working member takes the task");
        rx.recv_timeout(LONG).unwrap();
    }
    assert_eq!(pools.pools()[0].stats().submitted, 0);
    assert_eq!(pools.pools()[1].stats().submitted, 4);
}

#[test]
fn thread_spawn_comes_back_only_when_no_member_could_take_the_task() {
    let a = Pool::builder()
        .capacity(2)
        .stack_size(1 << 47)
        .build()
        .unwrap();
    let b = Pool::builder()
        .capacity(2)
        .stack_size(1 << 47)
        .build()
        .unwrap();
    let pools = MultiPool::from_pools(vec![a, b], LoadBalancing::LeastTasks).unwrap();
    let (tx, rx) = mpsc::channel();
    match pools.submit(move || tx.send(7).unwrap()) {
        Err(PoolError::ThreadSpawn(task, _)) => task(),
        other => panic!("expected ThreadSpawn, got {other:?}"),
    }
    assert_eq!(rx.recv().unwrap(), 7, "the task came back whole");
}

#[test]
fn cap_and_free_count_only_the_open_members() {
    let pools = MultiPool::new(2, 4, LoadBalancing::RoundRobin).unwrap();
    assert_eq!((pools.cap(), pools.free()), (8, 8));
    pools.pools()[0].release();
    assert_eq!((pools.cap(), pools.free()), (4, 4));
    // stats() still adds up every member.
    assert_eq!(pools.stats().capacity, 8);
    let gate = Gate::new();
    fill(&pools.pools()[1], &gate);
    assert_eq!(pools.free(), 0);
    gate.open();
}

#[test]
fn from_pools_refuses_an_empty_list() {
    assert!(matches!(
        MultiPool::from_pools(Vec::new(), LoadBalancing::RoundRobin),
        Err(BuildError::ZeroPools)
    ));
}
