//! How a multi-pool picks a member (round robin, least tasks, past a full or
//! released member), what it refuses, and what it reports; the function
//! multi-pool runs its one function in every member.

mod common;

use common::{Gate, LONG, fill};
use pool_core::{
    BuildError, LoadBalancing, MultiPool, MultiPoolWithFunc, Pool, PoolError, WaitGroup,
};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, mpsc};

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
fn blocking_round_robin_moves_past_a_full_pool() {
    let pools = MultiPool::new(2, 1, LoadBalancing::RoundRobin).unwrap();
    let gate = Gate::new();
    fill(&pools.pools()[0], &gate);
    // Whichever pool round robin starts at, the task lands in the idle one
    // at once instead of waiting behind the busy one.
    for _ in 0..4 {
        let (tx, rx) = std::sync::mpsc::channel();
        pools.submit(move || tx.send(()).unwrap()).unwrap();
        rx.recv_timeout(LONG).expect("ran in the idle pool");
    }
    assert_eq!(pools.pools()[1].stats().submitted, 4);
    gate.open();
}

#[test]
fn a_pool_released_on_its_own_is_skipped_and_the_rest_go_on() {
    let pools = MultiPool::new(3, 1, LoadBalancing::RoundRobin).unwrap();
    pools.pools()[1].release();
    assert!(!pools.is_closed(), "closed only when every pool is");
    let ran = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    for _ in 0..30 {
        wg.add(1);
        let (ran, wg) = (ran.clone(), wg.clone());
        pools
            .submit(move || {
                ran.fetch_add(1, SeqCst);
                wg.done();
            })
            .expect("an open pool takes it");
    }
    assert!(wg.wait_timeout(LONG));
    assert_eq!(ran.load(SeqCst), 30);
    assert_eq!(pools.pools()[1].stats().submitted, 0);
    assert!(!pools.stats().closed);
    // Every pool released: closed, and the task comes back.
    pools.release();
    assert!(pools.is_closed());
    assert!(pools.submit(|| ()).unwrap_err().is_closed());
}

#[test]
fn try_submit_on_a_multi_pool_refuses_only_when_every_pool_is_full() {
    let pools = MultiPool::new(2, 1, LoadBalancing::LeastTasks).unwrap();
    let gate = Gate::new();
    fill(&pools.pools()[0], &gate);
    let g = gate.clone();
    pools
        .try_submit(move || g.wait())
        .expect("the second pool has room");
    assert!(pools.try_submit(|| ()).unwrap_err().is_overload());
    gate.open();
}

#[test]
fn multi_pool_with_func_runs_the_one_function_everywhere() {
    let seen = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    let (s, w) = (seen.clone(), wg.clone());
    let pools = MultiPoolWithFunc::new(3, 2, LoadBalancing::RoundRobin, move |n: usize| {
        s.fetch_add(n, SeqCst);
        w.done();
    })
    .unwrap();
    assert_eq!((pools.len(), pools.cap()), (3, 6));
    for n in 1..=30 {
        wg.add(1);
        pools.invoke(n).unwrap();
    }
    assert!(wg.wait_timeout(LONG));
    assert_eq!(seen.load(SeqCst), 465);
    assert_eq!(pools.stats().submitted, 30);
    assert!(pools.pools().iter().all(|p| p.stats().submitted > 0));
    // The argument comes back when every pool is released.
    pools.release();
    assert_eq!(pools.invoke(7).unwrap_err().into_inner(), 7);
    assert!(pools.release_timeout(LONG).is_ok());
}
