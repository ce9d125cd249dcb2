//! Dropping the last handle releases the pool and joins its
//! threads, so the process's thread count (`/proc/self/task`) is back where
//! it was. Its own test binary without the test harness (`harness = false`),
//! running one case after another on the main thread, so that no other
//! test's threads move the count.

mod common;

use common::{LONG, wait_for_threads_at_most};
use pool_core::{Pool, PoolWithFunc, WaitGroup, live_threads};

fn main() {
    let cases: [(&str, fn()); 5] = [
        (
            "dropping_the_last_handle_joins_every_worker",
            dropping_the_last_handle_joins_every_worker,
        ),
        (
            "dropping_waits_for_accepted_tasks",
            dropping_waits_for_accepted_tasks,
        ),
        (
            "dropping_the_pool_from_inside_its_own_task_does_not_deadlock",
            dropping_the_pool_from_inside_its_own_task_does_not_deadlock,
        ),
        (
            "an_expired_idle_pool_holds_no_thread",
            an_expired_idle_pool_holds_no_thread,
        ),
        (
            "release_timeout_ok_means_every_pool_thread_is_gone",
            release_timeout_ok_means_every_pool_thread_is_gone,
        ),
    ];
    for (name, case) in cases {
        case();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed; 0 failed", cases.len());
}

fn dropping_the_last_handle_joins_every_worker() {
    let baseline = live_threads();
    let pool = Pool::builder()
        .capacity(16)
        .pre_alloc(true)
        .build()
        .unwrap();
    // 16 workers and no other thread: the pool has no helper thread.
    assert_eq!(live_threads(), baseline + 16);
    let wg = WaitGroup::new();
    for _ in 0..100 {
        wg.add(1);
        let wg = wg.clone();
        pool.submit(move || wg.done()).unwrap();
    }
    assert!(wg.wait_timeout(LONG));

    // A clone keeps the pool alive...
    let clone = pool.clone();
    drop(pool);
    assert!(clone.submit(|| ()).is_ok());
    // ...dropping the last handle joins. (The kernel takes a joined thread
    // out of /proc a few microseconds after it wakes the joiner: poll, briefly.)
    drop(clone);
    let now = wait_for_threads_at_most(baseline, LONG);
    assert_eq!(now, baseline, "threads left behind after drop");
}

fn dropping_waits_for_accepted_tasks() {
    let baseline = live_threads();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let d = done.clone();
    let pool = PoolWithFunc::new(4, move |_: u32| {
        d.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    })
    .unwrap();
    for i in 0..1000 {
        pool.invoke(i).unwrap();
    }
    drop(pool);
    assert_eq!(done.load(std::sync::atomic::Ordering::SeqCst), 1000);
    let now = wait_for_threads_at_most(baseline, LONG);
    assert_eq!(now, baseline);
}

fn dropping_the_pool_from_inside_its_own_task_does_not_deadlock() {
    let baseline = live_threads();
    let pool = Pool::new(2).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // The task owns the last handle and drops it on the worker thread.
    let last = pool.clone();
    drop(pool);
    last.clone()
        .submit(move || {
            drop(last);
            tx.send(()).unwrap();
        })
        .unwrap();
    rx.recv_timeout(LONG)
        .expect("the task that dropped its pool finished");
    // The worker that ran the drop cannot join itself; it exits on its own.
    let left = wait_for_threads_at_most(baseline, LONG);
    assert_eq!(left, baseline);
}

/// No helper thread: once its workers expire, a pool that is still alive
/// (and still usable) holds no thread at all.
fn an_expired_idle_pool_holds_no_thread() {
    let baseline = live_threads();
    let pool = Pool::builder()
        .capacity(8)
        .pre_alloc(true)
        .expiry(std::time::Duration::from_millis(20))
        .build()
        .unwrap();
    assert_eq!(live_threads(), baseline + 8);
    common::wait_until("every idle worker expired", || pool.running() == 0);
    let now = wait_for_threads_at_most(baseline, LONG);
    assert_eq!(now, baseline, "an expired idle pool still holds threads");
    // Still a working pool: the next task starts a worker again.
    let (tx, rx) = std::sync::mpsc::channel();
    pool.submit(move || tx.send(()).unwrap()).unwrap();
    rx.recv_timeout(LONG).expect("a task after expiry runs");
}

/// `release_timeout` returning `Ok` is a promise that the pool's threads are
/// joined: the thread count is back to where it was before the pool.
fn release_timeout_ok_means_every_pool_thread_is_gone() {
    let baseline = live_threads();
    let pool = Pool::new(16).unwrap();
    let wg = WaitGroup::new();
    let gate = common::Gate::new();
    // Sixteen tasks at once, so sixteen workers start.
    for _ in 0..16 {
        wg.add(1);
        let (wg, gate) = (wg.clone(), gate.clone());
        pool.submit(move || {
            gate.wait();
            wg.done();
        })
        .unwrap();
    }
    assert_eq!(pool.running(), 16);
    gate.open();
    assert!(wg.wait_timeout(LONG));
    pool.release_timeout(LONG).unwrap();
    assert_eq!(pool.running(), 0);
    // Joined threads leave /proc a few microseconds after waking the joiner.
    let now = wait_for_threads_at_most(baseline, LONG);
    assert_eq!(
        now, baseline,
        "release_timeout returned Ok with threads left"
    );
}
