//! Fault cases, each followed by a thread-leak check: after every case the
//! process's thread count is back to where it started. `harness = false`, so
//! the count is this program's alone.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

mod common;

use common::wait_for_threads_at_most;
use pool_core::{BuildError, Pool, PoolError, WaitGroup, live_threads, thread_ceiling};

const LONG: Duration = Duration::from_secs(30);

/// Set in the child process of `a_panicking_task_on_the_smallest_stack_does_not_abort`.
const SMALL_STACK_CHILD: &str = "POOL_CORE_SMALL_STACK_CHILD";

fn main() {
    if std::env::var_os(SMALL_STACK_CHILD).is_some() {
        // The default panic hook, backtrace and all, on the smallest stack.
        return small_stack_child();
    }
    // Planned panics are counted by the pools; keep their messages out of the log.
    // Only the main thread's panics (failed checks) are printed.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            default_hook(info);
        }
    }));
    let cases: &[(&str, fn())] = &[
        (
            "panics_of_every_kind_are_caught",
            panics_of_every_kind_are_caught,
        ),
        (
            "a_panic_while_holding_a_wait_group_does_not_hang_it",
            a_panic_while_holding_a_wait_group_does_not_hang_it,
        ),
        (
            "a_panicking_panic_handler_is_caught_too",
            a_panicking_panic_handler_is_caught_too,
        ),
        (
            "zero_and_absurd_capacities_are_refused",
            zero_and_absurd_capacities_are_refused,
        ),
        ("release_from_inside_a_task", release_from_inside_a_task),
        (
            "a_panicking_task_on_the_smallest_stack_does_not_abort",
            a_panicking_task_on_the_smallest_stack_does_not_abort,
        ),
        (
            "a_worker_survives_a_reraising_handler_and_a_payload_whose_drop_panics",
            a_worker_survives_a_reraising_handler_and_a_payload_whose_drop_panics,
        ),
        (
            "submit_from_inside_a_task_into_a_full_pool",
            submit_from_inside_a_task_into_a_full_pool,
        ),
        (
            "a_refused_thread_is_an_error_not_an_abort",
            a_refused_thread_is_an_error_not_an_abort,
        ),
    ];
    let baseline = live_threads();
    for (name, case) in cases {
        case();
        let left = wait_for_threads_at_most(baseline, LONG);
        assert_eq!(left, baseline, "{name}: threads left behind");
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed; 0 failed", cases.len());
}

/// A payload that is neither `&str` nor `String`.
#[derive(Debug, PartialEq)]
struct Custom(u32);

fn panics_of_every_kind_are_caught() {
    let kinds = Arc::new(Mutex::new(Vec::new()));
    let k = kinds.clone();
    let pool = Pool::builder()
        .capacity(2)
        .panic_handler(move |payload| {
            let kind = if payload.is::<&str>() {
                "str"
            } else if payload.is::<String>() {
                "string"
            } else if payload.downcast_ref::<Custom>() == Some(&Custom(7)) {
                "custom"
            } else {
                "other"
            };
            k.lock().unwrap().push(kind);
        })
        .build()
        .unwrap();
    pool.submit(|| panic!("a str")).unwrap();
    pool.submit(|| std::panic::panic_any(String::from("a String")))
        .unwrap();
    pool.submit(|| std::panic::panic_any(Custom(7))).unwrap();
    let h = pool
        .spawn(|| -> () { std::panic::panic_any(Custom(7)) })
        .unwrap();
    let payload = h.join().unwrap_err().into_panic().unwrap();
    assert_eq!(payload.downcast_ref::<Custom>(), Some(&Custom(7)));
    pool.release_timeout(LONG).unwrap();
    let mut seen = kinds.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, ["custom", "str", "string"]);
    assert_eq!(pool.stats().panicked, 4);
}

fn a_panic_while_holding_a_wait_group_does_not_hang_it() {
    /// Calls `done()` when dropped, so a panic still counts the task done.
    struct DoneOnDrop(WaitGroup);
    impl Drop for DoneOnDrop {
        fn drop(&mut self) {
            self.0.done();
        }
    }
    let pool = Pool::new(3).unwrap();
    let wg = WaitGroup::new();
    for i in 0..30 {
        wg.add(1);
        let guard = DoneOnDrop(wg.clone());
        pool.submit(move || {
            let _guard = guard;
            if i % 3 == 0 {
                panic!("task {i}");
            }
        })
        .unwrap();
    }
    assert!(
        wg.wait_timeout(LONG),
        "a panicking task left the WaitGroup waiting"
    );
    pool.release_timeout(LONG).unwrap();
    assert_eq!(pool.stats().panicked, 10);
}

fn a_panicking_panic_handler_is_caught_too() {
    let pool = Pool::builder()
        .capacity(1)
        .panic_handler(|_| panic!("the handler panics"))
        .build()
        .unwrap();
    pool.submit(|| panic!("first")).unwrap();
    let h = pool.spawn(|| "still alive").unwrap();
    assert_eq!(h.join().unwrap(), "still alive");
    pool.release_timeout(LONG).unwrap();
    let stats = pool.stats();
    assert_eq!((stats.panicked, stats.handler_panicked), (1, 1));
}

fn zero_and_absurd_capacities_are_refused() {
    assert!(matches!(Pool::new(0), Err(BuildError::ZeroCapacity)));
    for absurd in [thread_ceiling().max_threads + 1, usize::MAX] {
        match Pool::new(absurd) {
            Err(BuildError::CapacityAboveThreadCeiling {
                requested, ceiling, ..
            }) => {
                assert_eq!(requested, absurd);
                assert_eq!(ceiling, thread_ceiling().max_threads);
            }
            other => panic!("capacity {absurd}: {other:?}"),
        }
    }
    let pool = Pool::new(2).unwrap();
    assert!(matches!(pool.tune(0), Err(BuildError::ZeroCapacity)));
    assert!(pool.tune(usize::MAX).is_err());
    assert_eq!(pool.cap(), 2);
}

fn release_from_inside_a_task() {
    let pool = Pool::new(2).unwrap();
    let (tx, rx) = mpsc::channel();
    let inner = pool.clone();
    pool.submit(move || {
        inner.release();
        // The pool refuses new work even from its own task, with the task back.
        let refused = inner.submit(|| ()).unwrap_err();
        tx.send(refused.is_closed()).unwrap();
    })
    .unwrap();
    assert!(rx.recv_timeout(LONG).unwrap(), "refused as Closed");
    assert!(pool.release_timeout(LONG).is_ok());
}

/// A task that submits into its own full pool with a deadline keeps the
/// deadline's rule: `submit_timeout` (or `try_submit`) hands the inner task
/// back. (A plain `submit` runs it inline: `tests/own_pool.rs`.)
fn submit_from_inside_a_task_into_a_full_pool() {
    let pool = Pool::new(1).unwrap();
    let (tx, rx) = mpsc::channel();
    let inner = pool.clone();
    let ran_inner = Arc::new(AtomicUsize::new(0));
    let r = ran_inner.clone();
    pool.submit(move || {
        let r2 = r.clone();
        let outcome = inner.submit_timeout(
            move || {
                r2.fetch_add(1, SeqCst);
            },
            Duration::from_millis(50),
        );
        match outcome {
            Err(PoolError::Timeout(task)) => {
                // Run it here instead: nothing is lost.
                task();
                tx.send("timed out, ran inline").unwrap();
            }
            other => tx
                .send(if other.is_ok() {
                    "accepted"
                } else {
                    "other error"
                })
                .unwrap(),
        }
    })
    .unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), "timed out, ran inline");
    assert_eq!(ran_inner.load(SeqCst), 1);
    pool.release_timeout(LONG).unwrap();
}

/// The OS refuses a stack larger than the address space: the submitter gets
/// its task back in `ThreadSpawn`, the process goes on.
fn a_refused_thread_is_an_error_not_an_abort() {
    let pool = Pool::builder()
        .capacity(4)
        .stack_size(1 << 47)
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    match pool.submit(move || tx.send(1).unwrap()) {
        Err(PoolError::ThreadSpawn(task, error)) => {
            assert!(!error.to_string().is_empty());
            task();
        }
        other => panic!("expected ThreadSpawn, got {other:?}"),
    }
    assert_eq!(rx.recv().unwrap(), 1);
    assert_eq!(pool.running(), 0);
}

/// A task that panics on a worker with the smallest stack allowed, while
/// `RUST_BACKTRACE=full` makes the panic hook symbolise a backtrace on that
/// stack. 16 KiB (the old minimum) aborted the whole process here.
fn a_panicking_task_on_the_smallest_stack_does_not_abort() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env(SMALL_STACK_CHILD, "1")
        .env("RUST_BACKTRACE", "full")
        .output()
        .expect("the child starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the child died ({}) on a {} KiB stack: {}",
        out.status,
        pool_core::MIN_STACK_SIZE / 1024,
        stderr.lines().last().unwrap_or("")
    );
    assert!(stderr.contains("boom on the smallest stack"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("survived"));
}

fn small_stack_child() {
    let pool = Pool::builder()
        .capacity(1)
        .stack_size(pool_core::MIN_STACK_SIZE)
        .build()
        .unwrap();
    let handle = pool
        .spawn(|| -> u32 { panic!("boom on the smallest stack") })
        .unwrap();
    assert!(handle.join().is_err());
    // The same worker thread goes on.
    assert_eq!(pool.spawn(|| 5).unwrap().join().unwrap(), 5);
    println!("survived");
}

/// A panic payload whose own `drop` panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload's drop panics");
    }
}

/// The panic handler re-raises the payload, and dropping the payload panics
/// again: the worker survives, the counts stay true, the pool keeps working
/// and dropping it does not hang.
fn a_worker_survives_a_reraising_handler_and_a_payload_whose_drop_panics() {
    let pool = Pool::builder()
        .capacity(1)
        .panic_handler(|payload| std::panic::resume_unwind(payload))
        .build()
        .unwrap();
    pool.submit(|| std::panic::panic_any(Bomb)).unwrap();
    // The next task runs on the same single worker, so the first is over.
    let (tx, rx) = mpsc::channel();
    pool.submit_timeout(move || tx.send(()).unwrap(), LONG)
        .expect("the pool still accepts work");
    rx.recv_timeout(LONG).expect("the worker survived");
    let stats = pool.stats();
    assert_eq!((stats.panicked, stats.handler_panicked), (1, 1), "{stats}");
    assert_eq!(stats.running, 1, "one worker, alive: {stats}");
    assert_eq!(
        stats.threads_spawned, 1,
        "no replacement was needed: {stats}"
    );
    pool.release_timeout(LONG)
        .expect("dropping the pool does not hang");
}
