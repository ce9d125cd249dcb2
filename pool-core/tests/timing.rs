//! Timing metrics: queue wait and run time in `stats()`, exact
//! once the workers are joined. Every bound is a lower bound that sleeps
//! guarantee (a sleep lasts at least as asked), so a slow machine cannot
//! fail them; the upper bounds are generous.

use std::time::Duration;

use pool_core::{Pool, PoolWithFunc, WaitGroup};

const MS: Duration = Duration::from_millis(1);

#[test]
fn run_time_adds_up_every_task() {
    let pool = Pool::new(4).unwrap();
    for _ in 0..8 {
        pool.submit(|| std::thread::sleep(10 * MS)).unwrap();
    }
    pool.release_timeout(Duration::from_secs(30)).unwrap();
    let stats = pool.stats();
    assert_eq!(stats.timed, 8);
    assert_eq!(stats.timed, stats.completed);
    assert!(stats.run_total >= 80 * MS, "{:?}", stats.run_total);
    assert!(
        stats.run_total < Duration::from_secs(30),
        "{:?}",
        stats.run_total
    );
    assert!(stats.mean_run_time() >= 10 * MS);
}

#[test]
fn queued_tasks_wait_for_the_busy_workers() {
    // Two workers, ten tasks of 10 ms queued behind them: the last two
    // start only after four rounds, so they waited at least 40 ms less the
    // time it took to submit them.
    let pool = Pool::builder().capacity(2).queue_size(8).build().unwrap();
    for _ in 0..10 {
        pool.submit(|| std::thread::sleep(10 * MS)).unwrap();
    }
    pool.release_timeout(Duration::from_secs(30)).unwrap();
    let stats = pool.stats();
    assert_eq!(stats.timed, 10);
    assert!(
        stats.queue_wait_max >= 39 * MS,
        "{:?}",
        stats.queue_wait_max
    );
    // Waits of about 0, 0, 10, 10, 20, 20, 30, 30, 40, 40 ms: 200 in all.
    assert!(
        stats.queue_wait_total >= 190 * MS,
        "{:?}",
        stats.queue_wait_total
    );
    assert!(stats.queue_wait_max <= stats.queue_wait_total);
}

#[test]
fn a_pool_with_room_to_spare_has_tasks_that_barely_wait() {
    // More workers than tasks, each task started by a fresh thread or an
    // idle one: nothing queues behind a busy worker.
    let pool = Pool::builder().capacity(8).pre_alloc(true).build().unwrap();
    let wg = WaitGroup::new();
    for _ in 0..4 {
        wg.add(1);
        let wg = wg.clone();
        pool.submit(move || wg.done()).unwrap();
    }
    assert!(wg.wait_timeout(Duration::from_secs(30)));
    pool.release_timeout(Duration::from_secs(30)).unwrap();
    let stats = pool.stats();
    assert_eq!(stats.timed, 4);
    // A wake-up takes microseconds; a task that queued behind a busy
    // worker would show a run's worth. Generous for a loaded machine.
    assert!(
        stats.queue_wait_max < Duration::from_secs(1),
        "{:?}",
        stats.queue_wait_max
    );
}

#[test]
fn blocked_submitters_are_not_counted_as_queue_wait() {
    // Capacity 1, no queue: each submit blocks until the task before ends,
    // and its task is handed over as the worker takes it. Time blocked in
    // submit is not time accepted-and-waiting.
    let pool = Pool::new(1).unwrap();
    for _ in 0..5 {
        pool.submit(|| std::thread::sleep(10 * MS)).unwrap();
    }
    pool.release_timeout(Duration::from_secs(30)).unwrap();
    let stats = pool.stats();
    assert_eq!(stats.timed, 5);
    assert!(stats.run_total >= 50 * MS);
    // The submitter was blocked ~40 ms in all; none of it is queue wait.
    assert!(
        stats.queue_wait_total < 10 * MS,
        "{:?}",
        stats.queue_wait_total
    );
}

#[test]
fn function_pools_and_panicking_tasks_are_timed_too() {
    let pool = PoolWithFunc::new(2, |ms: u64| {
        std::thread::sleep(MS * ms as u32);
        assert!(ms != 3, "three is refused");
    })
    .unwrap();
    for ms in [1, 2, 3, 4] {
        pool.invoke(ms).unwrap();
    }
    pool.release_timeout(Duration::from_secs(30)).unwrap();
    let stats = pool.stats();
    assert_eq!(stats.timed, 4);
    assert_eq!(stats.panicked, 1);
    assert!(stats.run_total >= 10 * MS, "{:?}", stats.run_total);
}
