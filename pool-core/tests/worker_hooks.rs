//! Thread start and stop hooks run on each worker as it starts and exits,
//! across expiry, `tune`, release and reboot; `current_worker` names the
//! worker and its pool.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Gate, LONG, fill, wait_until};
use pool_core::{Pool, current_worker};

#[derive(Default)]
struct Seen {
    started: Mutex<Vec<usize>>,
    stopped: Mutex<Vec<usize>>,
}

#[test]
fn hooks_run_once_per_worker_start_and_exit_through_expiry_tune_release_and_reboot() {
    let seen = Arc::new(Seen::default());
    let (on_start, on_stop) = (Arc::clone(&seen), Arc::clone(&seen));
    let pool = Pool::builder()
        .capacity(4)
        .expiry(Duration::from_millis(10))
        .on_thread_start(move |w| {
            assert_eq!(
                current_worker().as_ref(),
                Some(w),
                "the hook runs on the worker"
            );
            on_start.started.lock().unwrap().push(w.index());
        })
        .on_thread_stop(move |w| on_stop.stopped.lock().unwrap().push(w.index()))
        .build()
        .unwrap();
    let exited = |n: u64| {
        let pool = pool.clone();
        move || pool.stats().threads_retired == n
    };

    // Four start on demand, then expire.
    let gate = Gate::new();
    fill(&pool, &gate);
    gate.open();
    wait_until("the four expired", exited(4));
    // Grow: eight start; shrink: six retire.
    pool.tune(8).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    pool.tune(2).unwrap();
    gate.open();
    wait_until("six retired", || pool.stats().threads_retired >= 10);
    // Release joins the rest; reboot starts anew.
    pool.release_timeout(LONG).unwrap();
    pool.reboot().unwrap();
    pool.spawn(|| ()).unwrap().join().unwrap();
    pool.release_timeout(LONG).unwrap();

    let stats = pool.stats();
    let started = seen.started.lock().unwrap().clone();
    let stopped = seen.stopped.lock().unwrap().clone();
    assert_eq!(started.len() as u64, stats.threads_spawned, "{stats:?}");
    assert_eq!(stopped.len() as u64, stats.threads_retired, "{stats:?}");
    assert_eq!(
        stats.threads_spawned, stats.threads_retired,
        "every worker exited"
    );
    assert_eq!(stats.threads_spawned, 13);
    let unique: HashSet<usize> = started.iter().copied().collect();
    assert_eq!(unique.len(), started.len(), "each worker started once");
    let mut a = started.clone();
    let mut b = stopped.clone();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "every worker that started stopped once");
}

#[test]
fn a_panicking_hook_is_counted_and_the_pool_still_serves() {
    let pool = Pool::builder()
        .capacity(2)
        .on_thread_start(|_| panic!("no connection"))
        .on_thread_stop(|_| panic!("cannot close"))
        .build()
        .unwrap();
    let values: Vec<u32> = (0..10)
        .map(|n| pool.spawn(move || n * 2).unwrap())
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(values, (0..10).map(|n| n * 2).collect::<Vec<_>>());
    pool.release_timeout(LONG).unwrap();
    let stats = pool.stats();
    assert_eq!(stats.hook_panicked, 2 * stats.threads_spawned, "{stats:?}");
    assert_eq!(stats.panicked, 0, "a hook's panic is not a task's");
    assert_eq!(stats.completed, 10);
}

#[test]
fn current_worker_names_the_pool_it_runs_in() {
    assert_eq!(current_worker(), None, "not a worker");
    let a = Pool::builder().thread_name("alpha").build().unwrap();
    let b = Pool::builder().thread_name("beta").build().unwrap();
    let in_a = a.spawn(current_worker).unwrap().join().unwrap().unwrap();
    let in_b = b.spawn(current_worker).unwrap().join().unwrap().unwrap();
    assert_eq!(in_a.pool(), a.id());
    assert_eq!(in_b.pool(), b.id());
    assert_ne!(a.id(), b.id());
    assert!(in_a.name().starts_with("alpha-"), "{in_a:?}");
    assert!(in_b.name().starts_with("beta-"), "{in_b:?}");
    assert_eq!(in_a.name(), format!("alpha-{}", in_a.index()));
    let counted = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&counted);
    a.spawn(move || {
        if current_worker().is_some() {
            c.fetch_add(1, SeqCst);
        }
    })
    .unwrap()
    .join()
    .unwrap();
    assert_eq!(counted.load(SeqCst), 1);
}
