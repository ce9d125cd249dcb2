//! A task that uses its own pool: a blocking submit into the full pool, or
//! a group waited on from inside it. Each would wait forever for a slot
//! that only the waiting task holds (ants #197); here the task runs the
//! work itself, on its own slot, so nothing hangs and the pool never runs
//! more tasks at once than its capacity.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use common::{Concurrency, Gate, LONG, fill};
use pool_core::{Pool, PoolError, PoolWithFunc};

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("").to_owned()
}

/// ants #197: a goroutine blocking in `Submit` on its own full pool.
#[test]
fn a_blocking_submit_into_its_own_full_pool_runs_the_task_inline() {
    let pool = Pool::builder()
        .capacity(1)
        .thread_name("own")
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let inner = pool.clone();
    pool.submit(move || {
        let tx2 = tx.clone();
        inner
            .submit(move || tx2.send(("submit", thread_name())).unwrap())
            .unwrap();
        let value = inner.spawn(|| 6 * 7).unwrap().join().unwrap();
        tx.send(("spawn", value.to_string())).unwrap();
    })
    .unwrap();
    let (how, thread) = rx.recv_timeout(LONG).expect("the inner submit returned");
    assert_eq!(how, "submit");
    assert!(
        thread.starts_with("own-"),
        "ran on the pool's worker: {thread}"
    );
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("spawn", "42".to_owned()));
    let stats = pool.stats();
    assert_eq!(stats.threads_spawned, 1, "no thread beyond the capacity");
    pool.release_timeout(LONG).unwrap();
    assert_eq!(pool.stats().completed, 3);
}

#[test]
fn an_invoke_from_the_pools_own_function_into_the_full_pool_runs_inline() {
    let me: Arc<OnceLock<PoolWithFunc<u32, ()>>> = Arc::new(OnceLock::new());
    let ran = Arc::new(Mutex::new(Vec::new()));
    let (m, r) = (Arc::clone(&me), Arc::clone(&ran));
    let pool = PoolWithFunc::new(1, move |n: u32| {
        r.lock().unwrap().push(n);
        if n < 3 {
            m.get().unwrap().invoke(n + 1).unwrap();
        }
    })
    .unwrap();
    assert!(me.set(pool.clone()).is_ok());
    pool.invoke(0).unwrap();
    common::wait_until("the chain of invokes ran", || {
        ran.lock().unwrap().len() == 4
    });
    assert_eq!(*ran.lock().unwrap(), [0, 1, 2, 3]);
    drop(me);
}

/// A deadline or `try_` keeps its own rule: refused, with the task back.
#[test]
fn try_submit_and_submit_timeout_from_inside_still_refuse() {
    let pool = Pool::new(1).unwrap();
    let (tx, rx) = mpsc::channel();
    let inner = pool.clone();
    pool.submit(move || {
        let tried = inner.try_submit(|| ()).map_err(|e| e.is_overload());
        let timed = inner
            .submit_timeout(|| (), Duration::from_millis(1))
            .map_err(|e| matches!(e, PoolError::Timeout(_)));
        tx.send((tried, timed)).unwrap();
    })
    .unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), (Err(true), Err(true)));
}

/// From another pool's task, a full pool is waited for as from anywhere.
#[test]
fn a_task_of_another_pool_still_waits_for_a_full_pool() {
    let full = Pool::builder()
        .capacity(1)
        .thread_name("full")
        .build()
        .unwrap();
    let other = Pool::new(1).unwrap();
    let gate = Gate::new();
    fill(&full, &gate);
    let (tx, rx) = mpsc::channel();
    let target = full.clone();
    other
        .submit(move || {
            let tx2 = tx.clone();
            target
                .submit(move || tx2.send(thread_name()).unwrap())
                .unwrap();
            tx.send("submitted".to_owned()).unwrap();
        })
        .unwrap();
    assert!(
        rx.recv_timeout(Duration::from_millis(100)).is_err(),
        "the submit waits while the pool is full"
    );
    gate.open();
    let mut seen: Vec<String> = (0..2).map(|_| rx.recv_timeout(LONG).unwrap()).collect();
    seen.sort();
    assert!(seen[0].starts_with("full-"), "{seen:?}");
    assert_eq!(seen[1], "submitted");
}

/// Every worker waits on a group of its own pool, whose tasks can only
/// queue behind them: each waiter runs its group's tasks itself.
#[test]
fn group_waits_from_every_worker_of_the_pool_finish_within_its_capacity() {
    const OUTER: usize = 4;
    let pool = Pool::builder()
        .capacity(OUTER)
        .queue_size(1_000)
        .thread_name("nest")
        .build()
        .unwrap();
    let holding = Concurrency::default();
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let mut outer = pool.group();
    for o in 0..OUTER as u64 {
        let (pool, holding, threads) = (pool.clone(), holding.clone(), Arc::clone(&threads));
        outer
            .submit(move || {
                holding.enter();
                let mut group = pool.group();
                for i in 0..50u64 {
                    let threads = Arc::clone(&threads);
                    group
                        .submit(move || {
                            threads.lock().unwrap().insert(thread_name());
                            o * 1_000 + i
                        })
                        .unwrap();
                }
                let sum: u64 = group.wait().into_iter().map(Result::unwrap).sum();
                holding.leave();
                sum
            })
            .unwrap();
    }
    let sums: Vec<u64> = outer
        .wait_timeout(LONG)
        .expect("every group finished")
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for (o, sum) in sums.iter().enumerate() {
        assert_eq!(*sum, o as u64 * 50_000 + (0..50).sum::<u64>());
    }
    assert!(holding.max() <= OUTER);
    let threads = threads.lock().unwrap();
    assert!(
        threads.iter().all(|name| name.starts_with("nest-")),
        "every task ran on one of the pool's own threads: {threads:?}"
    );
    assert!(pool.stats().threads_spawned <= OUTER as u64);
}

#[test]
fn a_func_group_waited_on_inside_its_own_pool_runs_its_arguments() {
    let me: Arc<OnceLock<PoolWithFunc<u64, u64>>> = Arc::new(OnceLock::new());
    let m = Arc::clone(&me);
    let pool = Pool::builder()
        .capacity(1)
        .queue_size(16)
        .build_with_func(move |n: u64| {
            if n >= 100 {
                return n;
            }
            let mut group = m.get().unwrap().group();
            for k in 1..=5 {
                group.invoke(100 * k + n).unwrap();
            }
            group.wait().into_iter().map(Result::unwrap).sum()
        })
        .unwrap();
    assert!(me.set(pool.clone()).is_ok());
    let mut group = pool.group();
    group.invoke(7).unwrap();
    let results = group.wait_timeout(LONG).expect("no hang");
    assert_eq!(*results[0].as_ref().unwrap(), 1_500 + 35);
    drop(me);
}

#[test]
fn a_group_refusal_gives_the_task_back_and_leaves_it_out() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    let mut group = pool.group();
    let g = gate.clone();
    group
        .submit(move || {
            g.wait();
            1
        })
        .unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    let refused = group
        .try_submit(move || {
            r.fetch_add(1, SeqCst);
            2
        })
        .unwrap_err();
    assert!(refused.is_overload());
    let r = Arc::clone(&ran);
    let timed_out = group
        .submit_timeout(
            move || {
                r.fetch_add(1, SeqCst);
                3
            },
            Duration::from_millis(5),
        )
        .unwrap_err();
    assert!(matches!(timed_out, PoolError::Timeout(_)));
    assert_eq!(group.len(), 1, "refused tasks are not in the group");
    assert_eq!(timed_out.into_inner()(), 3, "the task comes back whole");
    gate.open();
    let results = group.wait_timeout(LONG).unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(*results[0].as_ref().unwrap(), 1);
    assert_eq!(
        ran.load(SeqCst),
        1,
        "only the one handed back and called ran"
    );

    let func = PoolWithFunc::new(1, |gate: Gate| gate.wait()).unwrap();
    let mut group = func.group();
    let gate = Gate::new();
    group.invoke(gate.clone()).unwrap();
    assert!(group.try_invoke(Gate::new()).unwrap_err().is_overload());
    let back = group
        .invoke_timeout(Gate::new(), Duration::from_millis(5))
        .unwrap_err();
    assert!(matches!(back, PoolError::Timeout(_)));
    assert_eq!(group.len(), 1);
    gate.open();
    assert_eq!(group.wait_timeout(LONG).unwrap().len(), 1);
}
