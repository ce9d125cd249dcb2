//! pool-core from async code: a `TaskHandle` is a future, and
//! `spawn_async`/`submit_async`/`invoke_async` wait for a slot without
//! blocking the runtime's thread, in the same line as parked submitters.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::{Gate, LONG, fill, wait_until};
use futures::FutureExt as _;
use pool_core::{JoinError, Pool, PoolError, PoolWithFunc};

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn a_task_is_awaited_from_async_code_on_any_executor() {
    let pool = Pool::new(2).unwrap();
    let on_tokio = current_thread_runtime().block_on(async {
        let handle = pool.spawn_async(|| 6 * 7).await.unwrap();
        handle.await.unwrap()
    });
    assert_eq!(on_tokio, 42);
    let on_futures = futures::executor::block_on(async {
        // A handle from the blocking `spawn` is a future too.
        pool.spawn(|| "hello".len()).unwrap().await.unwrap()
    });
    assert_eq!(on_futures, 5);
}

#[test]
fn a_panic_comes_back_from_await_as_a_join_error() {
    let pool = Pool::new(1).unwrap();
    let err = futures::executor::block_on(async {
        let handle = pool
            .spawn_async(|| -> u8 { panic!("async boom") })
            .await
            .unwrap();
        handle.await.unwrap_err()
    });
    assert_eq!(err.panic_message(), Some("async boom"));
    assert!(matches!(err, JoinError::Panicked(_)));
}

/// 10,000 tasks through a pool of 4, every one of which can only finish
/// once another task on the same one-thread runtime lets it go: had any
/// `spawn_async` blocked that thread, the feeder could never run, and the
/// run would hang (the test would time out instead of passing).
#[test]
fn ten_thousand_spawn_async_calls_never_block_the_runtimes_only_thread() {
    const TASKS: usize = 10_000;
    let pool = Pool::new(4).unwrap();
    let (release, released) = mpsc::channel::<()>();
    let released = Arc::new(Mutex::new(released));
    let ran = Arc::new(AtomicUsize::new(0));
    let (done_tx, done_rx) = mpsc::channel();
    let (pool2, ran2) = (pool.clone(), Arc::clone(&ran));
    std::thread::spawn(move || {
        let total = current_thread_runtime().block_on(async move {
            let feeder = tokio::spawn(async move {
                for _ in 0..TASKS {
                    release.send(()).unwrap();
                    tokio::task::yield_now().await;
                }
            });
            let mut handles = Vec::with_capacity(TASKS);
            for i in 0..TASKS {
                let (released, ran) = (Arc::clone(&released), Arc::clone(&ran2));
                let handle = pool2
                    .spawn_async(move || {
                        released
                            .lock()
                            .unwrap()
                            .recv_timeout(LONG)
                            .expect("the feeder let this task go");
                        ran.fetch_add(1, SeqCst);
                        i
                    })
                    .await
                    .unwrap();
                handles.push(handle);
            }
            let mut total = 0;
            for handle in handles {
                total += handle.await.unwrap();
            }
            feeder.await.unwrap();
            total
        });
        done_tx.send(total).unwrap();
    });
    let total = done_rx
        .recv_timeout(LONG * 2)
        .expect("the runtime's thread was never blocked");
    assert_eq!(total, (0..TASKS).sum::<usize>());
    assert_eq!(ran.load(SeqCst), TASKS);
}

#[test]
fn async_refusals_match_submits() {
    // nonblocking: refused at once, with the task back.
    let pool = Pool::builder()
        .capacity(1)
        .nonblocking(true)
        .build()
        .unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let refused = futures::executor::block_on(pool.spawn_async(|| 1)).unwrap_err();
    assert!(refused.is_overload());
    assert_eq!(refused.into_inner()(), 1);
    gate.open();

    // max_blocking_tasks(1): one waiter in line, the second refused.
    let pool = Pool::builder()
        .capacity(1)
        .max_blocking_tasks(1)
        .build()
        .unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let mut first = Box::pin(pool.submit_async(|| ()));
    assert!((&mut first).now_or_never().is_none(), "waits in line");
    assert_eq!(pool.waiting(), 1);
    let second = futures::executor::block_on(pool.submit_async(|| ())).unwrap_err();
    assert!(second.is_overload(), "{second}");
    gate.open();
    futures::executor::block_on(first).unwrap();

    // Released while waiting: Closed, with the argument back.
    let func = PoolWithFunc::new(1, |gate: Gate| gate.wait()).unwrap();
    let gate = Gate::new();
    func.invoke(gate.clone()).unwrap();
    let mut waiting = Box::pin(func.invoke_async(Gate::new()));
    assert!((&mut waiting).now_or_never().is_none());
    let releaser = {
        let func = func.clone();
        std::thread::spawn(move || func.release())
    };
    let closed = futures::executor::block_on(waiting).unwrap_err();
    assert!(matches!(closed, PoolError::Closed(_)), "{closed}");
    gate.open();
    releaser.join().unwrap();
}

/// A parked thread and a future wait in one line, served in the order
/// they came.
#[test]
fn thread_and_future_waiters_are_served_in_arrival_order() {
    let pool = Pool::new(1).unwrap();
    let gate = Gate::new();
    fill(&pool, &gate);
    let order = Arc::new(Mutex::new(Vec::new()));
    let (p, o) = (pool.clone(), Arc::clone(&order));
    let thread = std::thread::spawn(move || {
        p.submit(move || o.lock().unwrap().push("thread")).unwrap();
    });
    wait_until("the thread waits in line", || pool.waiting() == 1);
    let o = Arc::clone(&order);
    let mut future = Box::pin(pool.submit_async(move || o.lock().unwrap().push("future")));
    assert!((&mut future).now_or_never().is_none());
    assert_eq!(pool.waiting(), 2);
    gate.open();
    futures::executor::block_on(future).unwrap();
    thread.join().unwrap();
    wait_until("both ran", || order.lock().unwrap().len() == 2);
    assert_eq!(*order.lock().unwrap(), ["thread", "future"]);
}

/// Polls `future` up to `polls` times, yielding to the runtime between
/// polls, then drops it: `Some` if it was ready before.
async fn poll_then_drop<F: std::future::Future + Unpin>(
    mut future: F,
    polls: usize,
) -> Option<F::Output> {
    for _ in 0..polls {
        if let Some(output) = (&mut future).now_or_never() {
            return Some(output);
        }
        tokio::task::yield_now().await;
    }
    None
}

/// 10,000 admission futures against a full pool, dropped at varied points
/// (never polled, after one to four polls, or by a tokio timeout) while the
/// pool drains. A task whose future was admitted runs exactly once; one
/// dropped in line never runs; one whose future was dropped after a worker
/// had already taken it (admitted, unseen) runs once. No task runs twice,
/// and the pool still takes exactly its capacity afterwards.
#[test]
fn dropped_admission_futures_lose_no_slot_and_run_no_task_twice() {
    const FUTURES: usize = 10_000;
    const CAP: usize = 4;
    let pool = Pool::new(CAP).unwrap();
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..FUTURES).map(|_| AtomicUsize::new(0)).collect());
    let gate = Gate::new();
    fill(&pool, &gate);
    let accepted_before = pool.stats().submitted;
    let admitted = current_thread_runtime().block_on(async {
        let mut admitted = Vec::new();
        for i in 0..FUTURES {
            if i == FUTURES / 2 {
                gate.open();
            }
            let runs = Arc::clone(&runs);
            let submit = Box::pin(pool.submit_async(move || {
                runs[i].fetch_add(1, SeqCst);
            }));
            let outcome = if i % 100 == 0 {
                tokio::time::timeout(Duration::from_micros(50), submit)
                    .await
                    .ok()
            } else {
                poll_then_drop(submit, i % 5).await
            };
            if let Some(result) = outcome {
                result.unwrap();
                admitted.push(i);
            }
        }
        admitted
    });
    gate.open();
    wait_until("every accepted task ran", || {
        let stats = pool.stats();
        stats.in_flight == 0 && stats.waiting == 0
    });
    let accepted = (pool.stats().submitted - accepted_before) as usize;
    let ran: Vec<usize> = runs.iter().map(|r| r.load(SeqCst)).collect();
    assert!(ran.iter().all(|&n| n <= 1), "no task ran twice");
    assert!(
        admitted.iter().all(|&i| ran[i] == 1),
        "every admitted task ran"
    );
    assert_eq!(
        ran.iter().sum::<usize>(),
        accepted,
        "every accepted task ran, no other"
    );
    assert!(!admitted.is_empty(), "some futures were admitted");
    assert!(
        accepted < FUTURES,
        "some were dropped in line, their tasks unrun"
    );
    // Exactly `CAP` tasks run at once now: no slot was lost or leaked.
    let gate = Gate::new();
    fill(&pool, &gate);
    assert!(pool.try_submit(|| ()).unwrap_err().is_overload());
    gate.open();
}
