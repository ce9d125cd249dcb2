//! The bounded queue (`PoolBuilder::queue_size`): a pool accepts up to
//! `capacity + queue_size` tasks, runs at most `capacity` at once, and the
//! default of 0 keeps ants' semantics.

mod common;

use common::{Concurrency, Gate, LONG, wait_until};
use pool_core::{BuildError, MAX_QUEUE_SIZE, Pool, WaitGroup};

#[test]
fn a_queue_of_n_accepts_exactly_cap_plus_n_before_refusing() {
    let pool = Pool::builder()
        .capacity(2)
        .queue_size(3)
        .nonblocking(true)
        .build()
        .unwrap();
    let gate = Gate::new();
    let started = WaitGroup::new();
    for _ in 0..5 {
        started.add(1);
        let (g, s) = (gate.clone(), started.clone());
        pool.submit(move || {
            s.done();
            g.wait();
        })
        .expect("within capacity + queue_size");
    }
    // Two run, three wait in the queue; the sixth is refused with its task.
    wait_until("two tasks run", || started.count() == 3);
    let stats = pool.stats();
    assert_eq!(
        (stats.running, stats.queued, stats.in_flight),
        (2, 3, 5),
        "{stats}"
    );
    assert_eq!(pool.waiting(), 3, "queued tasks are waiting tasks");
    assert!(pool.submit(|| ()).unwrap_err().is_overload());
    gate.open();
    assert!(started.wait_timeout(LONG));
    pool.release_timeout(LONG).unwrap();
    assert_eq!(pool.stats().completed, 5);
}

#[test]
fn a_blocking_submit_waits_only_when_the_queue_is_full_too() {
    let pool = Pool::builder().capacity(1).queue_size(2).build().unwrap();
    let gate = Gate::new();
    for _ in 0..3 {
        let g = gate.clone();
        pool.submit(move || g.wait()).unwrap();
    }
    let p = pool.clone();
    let blocked = std::thread::spawn(move || p.submit(|| ()).is_ok());
    wait_until("the fourth submitter parks", || pool.stats().waiting == 3);
    gate.open();
    assert!(blocked.join().unwrap());
}

#[test]
fn a_queue_never_runs_more_than_capacity_at_once() {
    let pool = Pool::builder().capacity(3).queue_size(100).build().unwrap();
    let meter = Concurrency::default();
    let wg = WaitGroup::new();
    for _ in 0..500 {
        wg.add(1);
        let (m, wg) = (meter.clone(), wg.clone());
        pool.submit(move || {
            m.enter();
            std::hint::black_box((0..200).sum::<u64>());
            m.leave();
            wg.done();
        })
        .unwrap();
        assert!(pool.running() <= 3);
    }
    assert!(wg.wait_timeout(LONG));
    assert!(meter.max() <= 3, "{} ran at once", meter.max());
    assert!(pool.stats().threads_spawned <= 3);
}

#[test]
fn a_queue_above_the_maximum_is_refused() {
    let err = Pool::builder()
        .queue_size(MAX_QUEUE_SIZE + 1)
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::QueueTooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("queue_size"), "{err}");
}
