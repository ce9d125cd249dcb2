//! Regression tests for the edges a new user reached with odd inputs (the
//! hardening issue): each one hung, wedged, aborted or misled before.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use common::{Gate, LONG, fill, wait_until};
use pool_core::{
    BuildError, LoadBalancing, MultiPool, MultiPoolWithFunc, Pool, PoolWithFunc, WaitGroup,
    thread_ceiling,
};

#[test]
fn a_multi_pool_above_the_thread_ceiling_is_refused_at_build() {
    let ceiling = thread_ceiling().max_threads;
    // Each pool alone fits; all of them together do not.
    let each = ceiling / 4 + 1;
    let err = MultiPool::new(4, each, LoadBalancing::RoundRobin).unwrap_err();
    match &err {
        BuildError::CapacityAboveThreadCeiling { requested, .. } => {
            assert_eq!(*requested, 4 * each)
        }
        other => panic!("expected CapacityAboveThreadCeiling, got {other:?}"),
    }
    assert!(err.to_string().contains("4 pools of"), "{err}");
    // Overflowing usize is refused too, not wrapped.
    assert!(MultiPool::new(4, usize::MAX / 2, LoadBalancing::RoundRobin).is_err());
    // And tune cannot take it there afterwards.
    let pools = MultiPool::new(4, 1, LoadBalancing::RoundRobin).unwrap();
    assert!(pools.tune(each).is_err());
    assert_eq!(pools.cap(), 4);
}

#[test]
fn a_multi_pool_total_past_usize_is_reported_as_an_overflow_not_a_capacity() {
    let pools = MultiPool::new(2, 1, LoadBalancing::RoundRobin).unwrap();
    let err = pools.tune(usize::MAX).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::TotalCapacityOverflow {
                count: 2,
                capacity_each: usize::MAX
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("more threads than a usize can count"),
        "{message}"
    );
    assert!(
        message.starts_with("2 pools of 18446744073709551615 threads each"),
        "{message}"
    );
    assert_eq!(pools.cap(), 2, "a refused tune changes nothing");
    let err = MultiPoolWithFunc::new(3, usize::MAX / 2, LoadBalancing::LeastTasks, |_: u8| ())
        .unwrap_err();
    assert!(
        matches!(err, BuildError::TotalCapacityOverflow { count: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn an_empty_thread_name_is_a_build_error() {
    let err = Pool::builder().thread_name("").build().unwrap_err();
    assert!(
        matches!(err, BuildError::InvalidThreadName { ref name } if name.is_empty()),
        "{err:?}"
    );
    assert!(err.to_string().contains("must not be empty"), "{err}");
}

#[test]
fn zero_pools_is_its_own_error() {
    let err = MultiPool::new(0, 10, LoadBalancing::RoundRobin).unwrap_err();
    assert!(matches!(err, BuildError::ZeroPools));
    assert!(err.to_string().contains("at least 1 pool"), "{err}");
    let err = MultiPoolWithFunc::new(0, 10, LoadBalancing::LeastTasks, |_: u8| ()).unwrap_err();
    assert!(matches!(err, BuildError::ZeroPools));
}

#[test]
fn a_thread_name_with_a_nul_is_a_build_error() {
    let err = Pool::builder()
        .thread_name("bad\0name")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::InvalidThreadName { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("NUL"), "{err}");
}

#[test]
fn after_a_timed_out_release_dropping_the_last_handle_returns_promptly() {
    let pool = Pool::new(2).unwrap();
    let gate = Gate::new();
    let started = WaitGroup::new();
    started.add(1);
    let (g, s) = (gate.clone(), started.clone());
    pool.submit(move || {
        s.done();
        g.wait(); // "never" ends, until the test opens the gate
    })
    .unwrap();
    assert!(started.wait_timeout(LONG));
    let err = pool.release_timeout(Duration::from_millis(50)).unwrap_err();
    assert_eq!(err.threads_left, 1);
    assert_eq!(pool.stats().threads_detached, 1, "counted before the drop");

    // Dropping the last handle does not wait for the stuck task.
    let start = Instant::now();
    drop(pool);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "drop waited {:?} for a task that never ends",
        start.elapsed()
    );
    // The detached thread is still running its task; once it ends, it goes.
    gate.open();
}

#[test]
fn duration_max_means_no_deadline() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    let g = gate.clone();
    pool.submit(move || g.wait()).unwrap();
    // A submitter with no deadline waits for the slot, without panicking.
    let p = pool.clone();
    let waiter = std::thread::spawn(move || p.submit_timeout(|| (), Duration::MAX).is_ok());
    wait_until("the submitter parks", || pool.waiting() == 1);
    gate.open();
    assert!(waiter.join().unwrap());

    let func = PoolWithFunc::new(1, |_: u8| ()).unwrap();
    assert!(func.invoke_timeout(1, Duration::MAX).is_ok());
    let wg = WaitGroup::new();
    assert!(wg.wait_timeout(Duration::MAX));
    let pools = MultiPool::new(2, 1, LoadBalancing::RoundRobin).unwrap();
    assert!(pools.submit_timeout(|| (), Duration::MAX).is_ok());
    assert!(pools.release_timeout(Duration::MAX).is_ok());
    assert!(func.release_timeout(Duration::MAX).is_ok());
    assert!(pool.release_timeout(Duration::MAX).is_ok());
    // Released: the pool says so, it did not panic half-way.
    assert!(pool.is_closed());
}

#[test]
#[should_panic(expected = "would overflow")]
fn wait_group_add_past_usize_max_panics() {
    let wg = WaitGroup::new();
    wg.add(usize::MAX);
    wg.add(2);
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
