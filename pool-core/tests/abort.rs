//! Aborting a task that has not started: it never runs, its slot comes
//! back at once, and its handle reports `Cancelled`; a running task is left
//! to finish.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use common::{Gate, LONG, fill, wait_until};
use pool_core::{JoinError, Pool};

#[test]
fn aborted_queued_tasks_never_run_and_the_others_run_once() {
    let pool = Pool::builder()
        .capacity(1)
        .queue_size(1_000)
        .build()
        .unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..1_000).map(|_| AtomicUsize::new(0)).collect());
    let handles: Vec<_> = (0..1_000)
        .map(|i| {
            let runs = Arc::clone(&runs);
            pool.spawn(move || {
                runs[i].fetch_add(1, SeqCst);
                i
            })
            .unwrap()
        })
        .collect();
    for handle in handles.iter().step_by(2) {
        assert!(handle.abort(), "not started yet");
    }
    assert_eq!(pool.stats().aborted, 500);
    gate.open();
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.join() {
            Ok(value) => {
                assert_eq!(i % 2, 1);
                assert_eq!(value, i);
            }
            Err(JoinError::Cancelled) => assert_eq!(i % 2, 0),
            Err(other) => panic!("task {i}: {other}"),
        }
    }
    pool.wait_idle();
    for (i, runs) in runs.iter().enumerate() {
        assert_eq!(runs.load(SeqCst), i % 2, "task {i}");
    }
}

#[test]
fn an_aborted_tasks_slot_comes_back_at_once() {
    let pool = Pool::builder().capacity(1).queue_size(1).build().unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let queued = pool.spawn(|| ()).unwrap();
    assert!(pool.try_submit(|| ()).unwrap_err().is_overload(), "full");
    assert!(queued.abort());
    // The queued place is free now, before any worker reaches it.
    let g = gate.clone();
    pool.try_submit(move || g.wait()).unwrap();
    gate.open();
    pool.wait_idle();
    assert!(matches!(queued.join(), Err(JoinError::Cancelled)));
}

#[test]
fn a_running_task_is_not_aborted() {
    let pool = Pool::new(1).unwrap();
    let (started, gate) = (Gate::new(), Gate::new());
    let (s, g) = (started.clone(), gate.clone());
    let handle = pool
        .spawn(move || {
            s.open();
            g.wait();
            7
        })
        .unwrap();
    started.wait();
    assert!(!handle.abort(), "already running");
    gate.open();
    assert_eq!(handle.join().unwrap(), 7);
    let done = pool.spawn(|| 1).unwrap();
    wait_until("it finished", || done.is_finished());
    assert!(!done.abort(), "already finished");
    assert_eq!(done.join().unwrap(), 1);
}

#[test]
fn an_aborted_task_awaited_gives_cancelled() {
    let pool = Pool::builder().capacity(1).queue_size(1).build().unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let queued = pool.spawn(|| 3).unwrap();
    assert!(queued.abort());
    let outcome = futures::executor::block_on(queued);
    assert!(matches!(outcome, Err(JoinError::Cancelled)));
    gate.open();
    assert!(pool.wait_idle_timeout(LONG));
}

#[test]
fn cancel_pending_cancels_a_groups_unstarted_tasks_only() {
    let pool = Pool::builder().capacity(1).queue_size(16).build().unwrap();
    let (started, gate) = (Gate::new(), Gate::new());
    let ran = Arc::new(AtomicUsize::new(0));
    let mut group = pool.group();
    let (s, g) = (started.clone(), gate.clone());
    group
        .submit(move || {
            s.open();
            g.wait();
            0
        })
        .unwrap();
    started.wait();
    for n in 1..=5 {
        let ran = Arc::clone(&ran);
        group
            .submit(move || {
                ran.fetch_add(1, SeqCst);
                n
            })
            .unwrap();
    }
    assert_eq!(group.cancel_pending(), 5);
    gate.open();
    let results = group.wait_timeout(LONG).unwrap();
    assert_eq!(*results[0].as_ref().unwrap(), 0);
    assert!(
        results[1..]
            .iter()
            .all(|r| matches!(r, Err(JoinError::Cancelled)))
    );
    pool.wait_idle();
    assert_eq!(ran.load(SeqCst), 0, "no cancelled task ran");
    // The cancelled jobs the worker passed over after `wait` returned gave
    // no slot back twice: the pool still closes and joins cleanly.
    pool.release_timeout(LONG).unwrap();
    let stats = pool.stats();
    assert_eq!((stats.in_flight, stats.aborted), (0, 5), "{stats:?}");
}

#[test]
fn cancel_pending_gives_the_slots_back_at_once() {
    let pool = Pool::builder().capacity(1).queue_size(2).build().unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let mut group = pool.group();
    for n in 0..2 {
        group.submit(move || n).unwrap();
    }
    assert!(pool.try_submit(|| ()).unwrap_err().is_overload(), "full");
    assert_eq!(group.cancel_pending(), 2);
    for _ in 0..2 {
        let g = gate.clone();
        pool.try_submit(move || g.wait()).unwrap();
    }
    gate.open();
    let results = group.wait_timeout(LONG).unwrap();
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Err(JoinError::Cancelled)))
    );
    assert!(pool.wait_idle_timeout(LONG));
    let stats = pool.stats();
    assert_eq!((stats.in_flight, stats.aborted), (0, 2));
}
