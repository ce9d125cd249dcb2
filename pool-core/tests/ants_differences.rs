//! Where pool-core behaves differently from ants on purpose, ported from
//! ants' `ants_test.go` (each test names the Go test it comes from). Every
//! difference is listed, with its reason, in the crate docs ("Where the Rust
//! version differs"); these tests pin the behaviour chosen.

mod common;

use std::time::Duration;

use common::{Gate, LONG, wait_until};
use pool_core::{BuildError, Pool, PoolWithFunc, WaitGroup};

/// From `TestMultiPool` (`ReleaseTimeout` after `ReleaseTimeout` is
/// `ErrPoolClosed` in ants). Here `release()` then `release_timeout()` is the
/// way to close now and join later: it waits for the workers and says `Ok`,
/// however often it is called.
#[test]
fn release_timeout_after_release_joins_and_returns_ok() {
    let pool = Pool::new(4).unwrap();
    pool.submit(|| ()).unwrap();
    pool.release();
    assert!(pool.release_timeout(LONG).is_ok());
    assert!(pool.release_timeout(LONG).is_ok());
    assert_eq!(pool.running(), 0);
    // New work is still refused, with the task back (ants: ErrPoolClosed).
    assert!(pool.submit(|| ()).unwrap_err().is_closed());
}

/// From `TestPanicHandler` (ants: `Running()` is 0 once the handler ran, the
/// worker is gone). Here the worker survives its task's panic and runs the
/// next task.
#[test]
fn a_panicking_task_does_not_end_its_worker() {
    let handled = WaitGroup::new();
    handled.add(1);
    let h = handled.clone();
    let pool = Pool::builder()
        .capacity(1)
        .panic_handler(move |_| h.done())
        .build()
        .unwrap();
    // resume_unwind panics without the panic hook: nothing in the test log.
    pool.submit(|| std::panic::resume_unwind(Box::new("Oops!")))
        .unwrap();
    assert!(handled.wait_timeout(LONG));
    let (tx, rx) = std::sync::mpsc::channel();
    pool.submit(move || tx.send(()).unwrap()).unwrap();
    rx.recv_timeout(LONG).unwrap();
    assert_eq!(pool.running(), 1, "the same worker is still there");
    assert_eq!(pool.stats().threads_spawned, 1);
}

/// From `TestAntsPoolWaitToGetWorkerPreMalloc` (ants' `WithPreAlloc` sizes
/// the worker queue; goroutines still start on demand). Here `pre_alloc`
/// starts every worker thread in `build()`.
#[test]
fn pre_alloc_starts_every_thread_at_build() {
    let pool = Pool::builder().capacity(8).pre_alloc(true).build().unwrap();
    assert_eq!(pool.running(), 8);
}

/// From `TestRestCodeCoverage` (ants ignores `Tune` on a pre-allocated
/// pool). Here `tune` changes its capacity like any other pool's.
#[test]
fn tune_changes_a_pre_allocated_pool() {
    let pool = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    pool.tune(2).unwrap();
    assert_eq!(pool.cap(), 2);
    wait_until("surplus idle workers retire", || pool.running() == 2);
    pool.tune(6).unwrap();
    assert_eq!(pool.cap(), 6);
}

/// From `TestDefaultPoolReleaseTimeout` (ants' `Reboot` on an open pool does
/// nothing). Here `reboot` on an open pool keeps it open, and with
/// `pre_alloc` starts the workers that expired meanwhile.
#[test]
fn reboot_on_an_open_pre_allocated_pool_restarts_expired_workers() {
    let pool = Pool::builder()
        .capacity(3)
        .pre_alloc(true)
        .expiry(Duration::from_millis(10))
        .build()
        .unwrap();
    wait_until("every idle worker expired", || pool.running() == 0);
    pool.reboot().unwrap();
    assert!(!pool.is_closed());
    assert_eq!(pool.running(), 3);
}

/// From `TestRestCodeCoverage` (ants: `WithExpiryDuration(0)` means the
/// default of 1 s). Here a zero expiry is refused: a worker that expires at
/// once is never what was meant, and the default is what you get by not
/// setting it.
#[test]
fn a_zero_expiry_is_refused_not_replaced() {
    let err = Pool::builder().expiry(Duration::ZERO).build().unwrap_err();
    assert!(matches!(err, BuildError::ZeroExpiry));
    assert!(Pool::builder().build().is_ok(), "the default expiry is 1 s");
}

/// From `TestNonblockingSubmit` (in Go, a task that signals "done" lets the
/// caller submit again at once: Go's scheduler runs the finishing worker
/// first). A task's slot is freed only after its last line, so on OS threads
/// the caller may see `Overload` right after the signal. The safe pattern
/// retries the task the error gives back; it never loses one.
#[test]
fn nonblocking_after_a_done_signal_retries_the_returned_task() {
    let pool = Pool::builder()
        .capacity(1)
        .nonblocking(true)
        .build()
        .unwrap();
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut overloads = 0;
    for _ in 0..2000 {
        let gate = Gate::new();
        let g = gate.clone();
        overloads += submit_retrying(&pool, move || g.open());
        gate.wait(); // "done": the task's last line ran, its slot may not be free yet
        let r = ran.clone();
        overloads += submit_retrying(&pool, move || {
            r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
    }
    pool.release_timeout(LONG).unwrap();
    assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 2000);
    println!("Overload right after a done signal: {overloads} times in 2,000");
}

/// The same differences hold for `PoolWithFunc` (ants' `NewPoolWithFunc`).
#[test]
fn pool_with_func_shares_the_differences() {
    let pool = PoolWithFunc::new(2, |_: u8| ()).unwrap();
    pool.release();
    assert!(pool.release_timeout(LONG).is_ok());
    assert_eq!(pool.invoke(3).unwrap_err().into_inner(), 3);
}

/// Submits `task` to a nonblocking pool, retrying the task each `Overload`
/// gives back; returns how many times it was refused.
fn submit_retrying<F: FnOnce() + Send + 'static>(pool: &Pool, task: F) -> usize {
    let mut task = task;
    let mut refused = 0;
    loop {
        match pool.submit(task) {
            Ok(()) => return refused,
            Err(e) if e.is_overload() => {
                refused += 1;
                task = e.into_inner();
                std::thread::yield_now();
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
}
