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
    // The slot is filled before the worker counts the panic: join the
    // workers first, then the count is final.
    pool.release_timeout(LONG).unwrap();
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

#[test]
fn a_func_group_collects_the_functions_values_in_order() {
    let pool = pool_core::PoolWithFunc::new(4, |n: u64| n * 3).unwrap();
    let mut group = pool.group();
    for n in 0..100 {
        group.invoke(n).unwrap();
    }
    let got: Vec<u64> = group.wait().into_iter().map(Result::unwrap).collect();
    assert_eq!(got, (0..100).map(|n| n * 3).collect::<Vec<_>>());
    // invoke still works beside groups; its value is dropped.
    pool.invoke(1).unwrap();
}

#[test]
fn a_func_group_panic_goes_to_its_slot_not_to_the_panic_handler() {
    let handled = Arc::new(AtomicUsize::new(0));
    let h = handled.clone();
    let pool = Pool::builder()
        .capacity(2)
        .panic_handler(move |_| {
            h.fetch_add(1, SeqCst);
        })
        .build_with_func(|n: u32| {
            if n == 1 {
                std::panic::resume_unwind(Box::new("one"));
            }
            n
        })
        .unwrap();
    let mut group = pool.group();
    for n in 0..3 {
        group.invoke(n).unwrap();
    }
    let results = group.wait();
    assert_eq!(
        results[1].as_ref().unwrap_err().panic_message(),
        Some("one")
    );
    assert_eq!(*results[2].as_ref().unwrap(), 2);
    assert_eq!(handled.load(SeqCst), 0, "the payload went to the group");
    // The same panic through invoke goes to the handler, as before.
    pool.invoke(1).unwrap();
    // Joined, every count is final (a group's slot is filled before its
    // worker counts the panic).
    pool.release_timeout(LONG).unwrap();
    assert_eq!(handled.load(SeqCst), 1);
    assert_eq!(
        pool.stats().panicked,
        2,
        "the pool counts the group's panic too"
    );
}

#[test]
fn a_func_group_over_a_nonblocking_pool_hands_refused_arguments_back() {
    let gate = Gate::new();
    let g = gate.clone();
    let pool = Pool::builder()
        .capacity(1)
        .nonblocking(true)
        .build_with_func(move |n: u32| {
            if n == 0 {
                g.wait();
            }
            n
        })
        .unwrap();
    let mut group = pool.group();
    group.invoke(0).unwrap();
    assert_eq!(group.invoke(9).unwrap_err().into_inner(), 9);
    assert_eq!(group.len(), 1);
    gate.open();
    assert_eq!(*group.wait()[0].as_ref().unwrap(), 0);
}
