//! At most `cap()` tasks run at once; a full pool blocks, counts
//! its waiting submitters, and refuses at once when told not to wait.

mod common;

use common::{Concurrency, Gate, LONG, fill, wait_until};
use pool_core::{Pool, PoolError, PoolWithFunc, WaitGroup};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[test]
fn never_more_than_cap_tasks_run_at_once() {
    let pool = Pool::new(4).unwrap();
    let seen = Concurrency::default();
    let wg = WaitGroup::new();
    // Three submitter threads, 300 tasks, each task holding its slot briefly.
    let submitters: Vec<_> = (0..3)
        .map(|_| {
            let (pool, seen, wg) = (pool.clone(), seen.clone(), wg.clone());
            thread::spawn(move || {
                for _ in 0..100 {
                    wg.add(1);
                    let (seen, wg) = (seen.clone(), wg.clone());
                    pool.submit(move || {
                        seen.enter();
                        for _ in 0..1000 {
                            std::hint::spin_loop();
                        }
                        seen.leave();
                        wg.done();
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    assert!(wg.wait_timeout(LONG));
    assert!(
        seen.max() <= 4,
        "{} tasks ran at once in a pool of 4",
        seen.max()
    );
    assert!(pool.running() <= 4);
}

#[test]
fn submit_blocks_while_every_worker_is_busy_and_waiting_counts_it() {
    let pool = Pool::new(2).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);

    // A third submit must block: run it on another thread.
    let (ran_tx, ran_rx) = mpsc::channel();
    let (returned_tx, returned_rx) = mpsc::channel();
    let p = pool.clone();
    let blocked = thread::spawn(move || {
        p.submit(move || ran_tx.send(()).unwrap()).unwrap();
        returned_tx.send(()).unwrap();
    });
    wait_until("the third submitter is counted as waiting", || {
        pool.waiting() == 1
    });
    assert!(
        returned_rx.try_recv().is_err(),
        "submit returned while the pool was full"
    );

    // Free the workers: the blocked submit goes through and its task runs.
    gate.open();
    returned_rx.recv_timeout(LONG).unwrap();
    ran_rx.recv_timeout(LONG).unwrap();
    blocked.join().unwrap();
    assert_eq!(pool.waiting(), 0);
}

#[test]
fn past_max_blocking_tasks_a_submitter_gets_overload_at_once() {
    let pool = Pool::builder()
        .capacity(1)
        .max_blocking_tasks(1)
        .build()
        .unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);

    // One submitter may wait...
    let p = pool.clone();
    let waiter = thread::spawn(move || p.submit(|| ()).is_ok());
    wait_until("one submitter waits", || pool.waiting() == 1);

    // ...the next is refused at once, with its task.
    let (tx, rx) = mpsc::channel();
    let err = pool
        .submit(move || tx.send("returned").unwrap())
        .unwrap_err();
    assert!(matches!(err, PoolError::Overload(_)), "{err:?}");
    (err.into_inner())();
    assert_eq!(rx.recv().unwrap(), "returned");

    gate.open();
    assert!(waiter.join().unwrap());
}

#[test]
fn nonblocking_pool_refuses_with_overload_when_full() {
    let pool = Pool::builder()
        .capacity(2)
        .nonblocking(true)
        .build()
        .unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let err = pool.submit(|| ()).unwrap_err();
    assert!(matches!(err, PoolError::Overload(_)));
    assert_eq!(pool.waiting(), 0, "a nonblocking submit never waits");
    gate.open();
}

#[test]
fn try_submit_and_submit_timeout_give_the_task_back() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    assert!(matches!(
        pool.try_submit(|| ()),
        Err(PoolError::Overload(_))
    ));
    let (tx, rx) = mpsc::channel();
    let err = pool
        .submit_timeout(move || tx.send(7).unwrap(), Duration::from_millis(20))
        .unwrap_err();
    assert!(matches!(err, PoolError::Timeout(_)));
    // The closure that comes back is the one we gave.
    (err.into_inner())();
    assert_eq!(rx.recv().unwrap(), 7);
    gate.open();
    // Once a worker frees up, submit_timeout succeeds.
    assert!(pool.submit_timeout(|| (), LONG).is_ok());
}

#[test]
fn invoke_variants_give_the_argument_back() {
    let gate = Gate::new();
    let started = WaitGroup::new();
    let (g, s) = (gate.clone(), started.clone());
    let pool = PoolWithFunc::new(1, move |n: u32| {
        if n == 0 {
            s.done();
            g.wait();
        }
    })
    .unwrap();
    started.add(1);
    pool.invoke(0).unwrap();
    assert!(started.wait_timeout(LONG));
    assert_eq!(pool.try_invoke(41).unwrap_err().into_inner(), 41);
    let err = pool
        .invoke_timeout(42, Duration::from_millis(20))
        .unwrap_err();
    assert!(matches!(err, PoolError::Timeout(42)));
    gate.open();
    pool.invoke_timeout(43, LONG).unwrap();
}
