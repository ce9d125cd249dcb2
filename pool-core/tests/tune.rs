//! `tune` is thread-safe; growing wakes blocked submitters at
//! once; shrinking retires surplus idle workers promptly and never lets more
//! than the new capacity run once it returns.

mod common;

use common::{Concurrency, Gate, LONG, fill, wait_until};
use pool_core::{BuildError, Pool, WaitGroup};
use std::sync::mpsc;
use std::thread;

#[test]
fn growing_lets_a_blocked_submitter_through_at_once() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);

    let (ran_tx, ran_rx) = mpsc::channel();
    let p = pool.clone();
    let blocked = thread::spawn(move || p.submit(move || ran_tx.send(()).unwrap()).is_ok());
    wait_until("the submitter blocks", || pool.waiting() == 1);

    // The first task still holds its worker: only the new capacity can run this one.
    pool.tune(2).unwrap();
    ran_rx
        .recv_timeout(LONG)
        .expect("the blocked task ran after tune(2)");
    assert!(blocked.join().unwrap());
    gate.open();
}

#[test]
fn shrinking_retires_surplus_idle_workers_promptly() {
    let pool = Pool::builder()
        .capacity(8)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    assert_eq!(pool.running(), 8);
    pool.tune(3).unwrap();
    // With purge disabled, only tune can have retired them. (`running()`
    // drops at once; `threads_retired` counts threads as they exit.)
    wait_until("surplus idle workers retire", || {
        pool.running() == 3 && pool.stats().threads_retired == 5
    });
    assert_eq!(pool.stats().threads_spawned, 8);
}

#[test]
fn after_shrinking_no_more_than_the_new_capacity_run() {
    let pool = Pool::new(8).unwrap();
    let gate = Gate::new();
    let seen = Concurrency::default();
    let started = WaitGroup::new();
    let done = WaitGroup::new();
    // Eight tasks running under the old capacity.
    for _ in 0..8 {
        started.add(1);
        done.add(1);
        let (g, s, d, c) = (gate.clone(), started.clone(), done.clone(), seen.clone());
        pool.submit(move || {
            c.enter();
            s.done();
            g.wait();
            c.leave();
            d.done();
        })
        .unwrap();
    }
    assert!(started.wait_timeout(LONG));
    pool.tune(3).unwrap();

    // Every task started from now on must find at most 3 running, itself included.
    let worst = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let submitter = {
        let (pool, seen, done, worst) = (pool.clone(), seen.clone(), done.clone(), worst.clone());
        thread::spawn(move || {
            for _ in 0..200 {
                done.add(1);
                let (seen, done, worst) = (seen.clone(), done.clone(), worst.clone());
                pool.submit(move || {
                    let now = seen.enter();
                    worst.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                    seen.leave();
                    done.done();
                })
                .unwrap();
            }
        })
    };
    gate.open();
    submitter.join().unwrap();
    assert!(done.wait_timeout(LONG));
    let worst = worst.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        worst <= 3,
        "a task started with {worst} running after tune(3)"
    );
    wait_until("workers settle at the new capacity", || pool.running() <= 3);
}

#[test]
fn tune_is_safe_from_many_threads_and_refuses_zero() {
    let pool = Pool::new(4).unwrap();
    assert!(matches!(pool.tune(0), Err(BuildError::ZeroCapacity)));
    assert_eq!(pool.cap(), 4, "a refused tune changes nothing");
    let wg = WaitGroup::new();
    let tuners: Vec<_> = (0..4)
        .map(|t| {
            let (pool, wg) = (pool.clone(), wg.clone());
            thread::spawn(move || {
                for i in 0..200 {
                    pool.tune(1 + (i + t) % 6).unwrap();
                    wg.add(1);
                    let wg = wg.clone();
                    pool.submit(move || wg.done()).unwrap();
                }
            })
        })
        .collect();
    for t in tuners {
        t.join().unwrap();
    }
    assert!(
        wg.wait_timeout(LONG),
        "every task ran despite concurrent tuning"
    );
    pool.tune(2).unwrap();
    wait_until("workers settle at 2", || pool.running() <= 2);
}

#[test]
fn growing_starts_workers_for_tasks_already_queued_in_order() {
    // One worker, held; 40 tasks queued behind it.
    let pool = Pool::builder().capacity(1).queue_size(100).build().unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let started = Concurrency::default();
    let hold = Gate::new();
    let wg = WaitGroup::new();
    for i in 0..40 {
        wg.add(1);
        let (order, started, hold, wg) = (order.clone(), started.clone(), hold.clone(), wg.clone());
        pool.submit(move || {
            order.lock().unwrap().push(i);
            started.enter();
            hold.wait();
            started.leave();
            wg.done();
        })
        .unwrap();
    }
    assert_eq!(pool.stats().queued, 40);
    pool.tune(21).unwrap();
    // The 20 new places go to the queued tasks at once, while the first
    // worker is still held: nothing else could start them.
    wait_until("20 queued tasks run after tune(21)", || started.max() >= 20);
    // A task submitted now waits behind the 20 still queued.
    wg.add(1);
    let (o, w) = (order.clone(), wg.clone());
    pool.submit(move || {
        o.lock().unwrap().push(99);
        w.done();
    })
    .unwrap();
    hold.open();
    gate.open();
    assert!(wg.wait_timeout(LONG));
    let order = order.lock().unwrap().clone();
    let mut sorted = order[..40].to_vec();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..40).collect::<Vec<_>>(),
        "every queued task ran once"
    );
    assert_eq!(
        order[40], 99,
        "the late task ran after every queued one: {order:?}"
    );
    let mut first = order[..20].to_vec();
    first.sort_unstable();
    assert_eq!(
        first,
        (0..20).collect::<Vec<_>>(),
        "queued tasks start first in, first out: {order:?}"
    );
}
