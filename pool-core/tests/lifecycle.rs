//! Workers start lazily and are reused, `pre_alloc`
//! starts them all, idle workers expire (unless purge is disabled); release
//! refuses new work but runs what it accepted, release_timeout joins, reboot
//! reopens; a timed-out release lets the last handle drop at once; every
//! `_timeout` takes `Duration::MAX` as "no deadline".

mod common;

use common::{Gate, LONG, fill, wait_until};
use pool_core::{LoadBalancing, MultiPool, Pool, PoolError, PoolWithFunc, WaitGroup};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn workers_start_on_demand_and_are_reused() {
    let pool = Pool::new(8).unwrap();
    assert_eq!(pool.running(), 0, "no worker before the first task");
    for _ in 0..50 {
        let wg = WaitGroup::new();
        wg.add(1);
        let w = wg.clone();
        pool.submit(move || w.done()).unwrap();
        assert!(wg.wait_timeout(LONG));
        // Wait until the worker is back to idle, then the next task reuses it.
        wait_until("the worker is idle again", || {
            pool.running() == 1 && pool.idle() == 1
        });
    }
    assert_eq!(
        pool.stats().threads_spawned,
        1,
        "one worker served 50 sequential tasks"
    );
}

#[test]
fn pre_alloc_starts_every_worker_in_build() {
    let pool = Pool::builder().capacity(6).pre_alloc(true).build().unwrap();
    assert_eq!(pool.running(), 6);
    assert_eq!(pool.stats().threads_spawned, 6);
}

#[test]
fn idle_workers_expire_unless_purge_is_disabled() {
    let purged = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .expiry(Duration::from_millis(20))
        .build()
        .unwrap();
    let kept = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .expiry(Duration::from_millis(20))
        .disable_purge(true)
        .build()
        .unwrap();
    // Measure against the purged pool rather than a sleep: by the time all
    // its workers have expired, the other pool's had the same idle time.
    wait_until("every idle worker expired and exited", || {
        purged.running() == 0 && purged.stats().threads_retired == 4
    });
    assert_eq!(kept.running(), 4, "disable_purge keeps idle workers");
    // An expired pool still works: a new worker starts on demand.
    let (tx, rx) = mpsc::channel();
    purged.submit(move || tx.send(()).unwrap()).unwrap();
    rx.recv_timeout(LONG).unwrap();
}

#[test]
fn release_refuses_new_tasks_and_gives_them_back() {
    let pool = Pool::new(2).unwrap();
    pool.release();
    assert!(pool.is_closed());
    let (tx, rx) = mpsc::channel();
    let err = pool.submit(move || tx.send(1).unwrap()).unwrap_err();
    assert!(matches!(err, PoolError::Closed(_)));
    (err.into_inner())();
    assert_eq!(rx.recv().unwrap(), 1);
}

#[test]
fn release_wakes_blocked_submitters_with_closed_and_runs_accepted_tasks() {
    let pool = Pool::new(2).unwrap();
    let gate = Gate::new();
    let started = WaitGroup::new();
    let finished = WaitGroup::new();
    for _ in 0..2 {
        started.add(1);
        finished.add(1);
        let (g, s, f) = (gate.clone(), started.clone(), finished.clone());
        pool.submit(move || {
            s.done();
            g.wait();
            f.done();
        })
        .unwrap();
    }
    assert!(started.wait_timeout(LONG));

    // A submitter blocked on the full pool...
    let p = pool.clone();
    let blocked = thread::spawn(move || p.submit(|| ()).map_err(|e| e.is_closed()));
    wait_until("the submitter blocks", || pool.waiting() == 1);
    // ...is woken by release with Closed.
    pool.release();
    assert_eq!(blocked.join().unwrap(), Err(true), "refused as Closed");

    // The two accepted tasks still run to the end.
    gate.open();
    assert!(
        finished.wait_timeout(LONG),
        "accepted tasks must still run after release"
    );
    assert!(pool.release_timeout(LONG).is_ok());
    assert_eq!(pool.running(), 0);
}

#[test]
fn release_timeout_reports_threads_still_running() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let err = pool.release_timeout(Duration::from_millis(20)).unwrap_err();
    assert_eq!(err.threads_left, 1);
    gate.open();
    assert!(pool.release_timeout(LONG).is_ok());
}

#[test]
fn reboot_opens_a_released_pool_again() {
    let pool = Pool::new(2).unwrap();
    pool.release_timeout(LONG).unwrap();
    pool.reboot().unwrap();
    assert!(!pool.is_closed());
    let handle = pool.spawn(|| "after reboot").unwrap();
    assert_eq!(handle.join().unwrap(), "after reboot");
}

#[test]
fn dropping_after_a_reboot_does_not_wait_on_a_worker_already_given_up_on() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    // The stuck worker holds its task past the deadline: given up on.
    assert!(pool.release_timeout(Duration::from_millis(10)).is_err());
    pool.reboot().unwrap();
    let (dropped_tx, dropped_rx) = mpsc::channel();
    let dropper = thread::spawn(move || {
        drop(pool);
        dropped_tx.send(()).unwrap();
    });
    // The drop returns while the stuck task is still held.
    let returned = dropped_rx.recv_timeout(LONG);
    gate.open();
    dropper.join().unwrap();
    assert!(
        returned.is_ok(),
        "the drop waited for the worker it had given up on"
    );
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
