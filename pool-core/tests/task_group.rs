//! Task groups (`Pool::group`): results in submission order, panics in their
//! slot, refusals handed back, timeouts that keep progress, drops that
//! neither leak nor hang.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use common::{Gate, LONG};
use pool_core::{Pool, TaskGroup};

#[test]
fn results_come_back_in_submission_order() {
    let pool = Pool::new(8).unwrap();
    let mut group = pool.group();
    for i in 0..200u64 {
        // Later tasks finish first: order must not follow finishing.
        group
            .submit(move || {
                std::hint::black_box((0..(200 - i) * 50).sum::<u64>());
                i
            })
            .unwrap();
    }
    let got: Vec<u64> = group.wait().into_iter().map(Result::unwrap).collect();
    assert_eq!(got, (0..200).collect::<Vec<_>>());
}

#[test]
fn a_panic_comes_back_in_its_slot_and_the_rest_complete() {
    let pool = Pool::new(2).unwrap();
    let mut group = pool.group();
    for i in 0..10 {
        group
            .submit(move || {
                if i == 4 {
                    // resume_unwind panics without the panic hook: a quiet log.
                    std::panic::resume_unwind(Box::new("task four"));
                }
                i * 10
            })
            .unwrap();
    }
    let results = group.wait();
    for (i, r) in results.iter().enumerate() {
        match (i, r) {
            (4, Err(e)) => assert_eq!(e.panic_message(), Some("task four")),
            (i, Ok(v)) => assert_eq!(*v, i * 10),
            (i, other) => panic!("slot {i}: {other:?}"),
        }
    }
    assert_eq!(pool.stats().panicked, 1);
}

#[test]
fn a_group_over_a_nonblocking_pool_hands_refused_tasks_back() {
    let pool = Pool::builder()
        .capacity(1)
        .nonblocking(true)
        .build()
        .unwrap();
    let gate = Gate::new();
    let mut group = pool.group();
    let g = gate.clone();
    group
        .submit(move || {
            g.wait();
            "held"
        })
        .unwrap();
    let refused = group.submit(|| "refused").unwrap_err();
    assert!(refused.is_overload());
    assert_eq!((refused.into_inner())(), "refused", "the task came back");
    assert_eq!(group.len(), 1, "a refused task is not part of the group");
    gate.open();
    assert_eq!(group.wait()[0].as_ref().unwrap(), &"held");
}

#[test]
fn wait_timeout_gives_the_group_back_with_its_progress() {
    let pool = Pool::new(2).unwrap();
    let gate = Gate::new();
    let mut group = pool.group();
    group.submit(|| 1).unwrap();
    let g = gate.clone();
    group
        .submit(move || {
            g.wait();
            2
        })
        .unwrap();
    let group: TaskGroup<i32> = group
        .wait_timeout(Duration::from_millis(20))
        .expect_err("the second task is held");
    gate.open();
    let results = group.wait_timeout(LONG).expect("both done");
    let values: Vec<i32> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(values, [1, 2]);
}

#[test]
fn dropping_a_group_unwaited_neither_leaks_nor_hangs() {
    // Two run and eight wait in the queue, so all ten are accepted while held.
    let pool = Pool::builder().capacity(2).queue_size(8).build().unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let gate = Gate::new();
    {
        let mut group = pool.group();
        for _ in 0..10 {
            let (r, g) = (ran.clone(), gate.clone());
            group
                .submit(move || {
                    g.wait();
                    r.fetch_add(1, SeqCst);
                    vec![0u8; 1024]
                })
                .unwrap();
        }
        // Dropped here, tasks still queued and held.
    }
    gate.open();
    pool.release_timeout(LONG).unwrap();
    assert_eq!(ran.load(SeqCst), 10, "detached tasks still ran");
    assert_eq!(pool.stats().in_flight, 0);
}

#[test]
fn an_empty_group_waits_for_nothing() {
    let pool = Pool::new(1).unwrap();
    let group = pool.group::<u8>();
    assert!(group.wait().is_empty());
}
