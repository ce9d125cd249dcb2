//! Every accepted task runs exactly once, every refused
//! one comes back; and when the OS refuses a thread, the submitter gets an
//! error with its task, never a panic or an abort.

mod common;

use common::{LONG, wait_until};
use pool_core::{Pool, PoolError, PoolWithFunc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

#[test]
fn every_task_runs_once_or_comes_back() {
    const PER_THREAD: usize = 2000;
    const THREADS: usize = 4;
    let ran: Arc<Vec<AtomicU8>> = Arc::new(
        (0..PER_THREAD * THREADS)
            .map(|_| AtomicU8::new(0))
            .collect(),
    );
    let returned: Arc<Vec<AtomicU8>> = Arc::new(
        (0..PER_THREAD * THREADS)
            .map(|_| AtomicU8::new(0))
            .collect(),
    );
    let pool = Pool::builder()
        .capacity(3)
        .max_blocking_tasks(2)
        .build()
        .unwrap();
    let submitters: Vec<_> = (0..THREADS)
        .map(|t| {
            let (pool, ran, returned) = (pool.clone(), ran.clone(), returned.clone());
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let id = t * PER_THREAD + i;
                    let r = ran.clone();
                    let task = move || {
                        r[id].fetch_add(1, SeqCst);
                    };
                    // Mix the three ways to submit; refusals are expected.
                    let outcome = match i % 3 {
                        0 => pool.submit(task),
                        1 => pool.try_submit(task),
                        _ => pool.submit_timeout(task, Duration::from_micros(50)),
                    };
                    if let Err(e) = outcome {
                        assert!(matches!(e, PoolError::Overload(_) | PoolError::Timeout(_)));
                        // Do not run it: only mark that it came back.
                        drop(e.into_inner());
                        returned[id].fetch_add(1, SeqCst);
                    }
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    pool.release_timeout(LONG).unwrap();
    for id in 0..PER_THREAD * THREADS {
        let (r, b) = (ran[id].load(SeqCst), returned[id].load(SeqCst));
        assert_eq!(r + b, 1, "task {id}: ran {r} times, came back {b} times");
    }
    let stats = pool.stats();
    let ran_total: u64 = ran.iter().map(|c| c.load(SeqCst) as u64).sum();
    assert_eq!(stats.submitted, ran_total);
    assert_eq!(stats.completed, ran_total);
}

/// Far more stack than the address space holds: the OS must refuse the thread.
const IMPOSSIBLE_STACK: usize = 1 << 47;

#[test]
fn a_refused_thread_gives_the_task_back() {
    let pool = Pool::builder()
        .stack_size(IMPOSSIBLE_STACK)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let err = pool
        .submit(move || tx.send("ran by the caller").unwrap())
        .unwrap_err();
    let PoolError::ThreadSpawn(task, io) = err else {
        panic!("expected ThreadSpawn, got {err:?}");
    };
    assert!(!io.to_string().is_empty());
    task();
    assert_eq!(rx.recv().unwrap(), "ran by the caller");
    assert_eq!(pool.running(), 0);
    assert_eq!(
        pool.stats().submitted,
        0,
        "a returned task was not accepted"
    );
    // The pool is still usable for the next attempt (and refuses it the same way).
    assert!(matches!(
        pool.submit(|| ()),
        Err(PoolError::ThreadSpawn(..))
    ));
}

#[test]
fn a_refused_thread_gives_the_argument_back() {
    let pool = Pool::builder()
        .stack_size(IMPOSSIBLE_STACK)
        .build_with_func(|_: String| ())
        .unwrap();
    let err = pool.invoke("my argument".to_owned()).unwrap_err();
    assert!(matches!(err, PoolError::ThreadSpawn(..)));
    assert_eq!(err.into_inner(), "my argument");
    let pre = Pool::builder()
        .stack_size(IMPOSSIBLE_STACK)
        .pre_alloc(true)
        .capacity(2)
        .build();
    let msg = pre.unwrap_err().to_string();
    assert!(
        msg.contains("refused a thread after 0 had started"),
        "{msg}"
    );
}

#[test]
fn invoke_from_many_threads_loses_nothing() {
    let seen: Arc<Vec<AtomicU8>> = Arc::new((0..20_000).map(|_| AtomicU8::new(0)).collect());
    let s = seen.clone();
    let pool = PoolWithFunc::new(8, move |id: usize| {
        s[id].fetch_add(1, SeqCst);
    })
    .unwrap();
    let submitters: Vec<_> = (0..4)
        .map(|t| {
            let pool = pool.clone();
            thread::spawn(move || {
                for i in 0..5000 {
                    pool.invoke(t * 5000 + i).unwrap();
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    wait_until("all 20,000 ran", || pool.stats().completed == 20_000);
    assert!(seen.iter().all(|c| c.load(SeqCst) == 1));
}
