//! Exercise 1 of `docs/exercises.md`: make the Book's pool survive a
//! panicking job.
//!
//! Your check, once you have changed `native-workers/src/book_pool.rs`:
//!
//! ```text
//! cargo test -p native-workers --test exercises -- --ignored
//! ```
//!
//! The other tests here check the check: it fails on the pool as the Book
//! wrote it, saying why, and passes on the solution in
//! `docs/exercises/solutions/book_pool.rs`.

use std::sync::mpsc;
use std::time::Duration;

#[path = "../../docs/exercises/solutions/book_pool.rs"]
#[allow(dead_code, unreachable_pub)]
mod solution;

/// What exercise 1 asks of a pool of 2: after a job panics, both workers
/// are still alive, and jobs sent afterwards still run. `Err` says what
/// went wrong, in words a student can act on.
fn survives_a_panicking_job<P>(
    new: fn(usize) -> P,
    execute: fn(&P, Box<dyn FnOnce() + Send>),
    live_workers: fn(&P) -> usize,
) -> Result<(), String> {
    let pool = new(2);
    // The panic is planned: keep its message off the screen, but only the
    // workers' (a failed check on this thread still prints).
    let quiet = std::panic::take_hook();
    let main = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == main {
            eprintln!("{info}");
        }
    }));
    let (ran, panicked) = mpsc::channel();
    execute(
        &pool,
        Box::new(move || {
            let _ = ran.send(());
            panic!("a job that panics");
        }),
    );
    let outcome = (|| {
        panicked
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| "the panicking job never ran".to_owned())?;
        // Four jobs after the panic: on a pool of 2, both workers get some.
        let (tx, rx) = mpsc::channel();
        for i in 0..4 {
            let tx = tx.clone();
            execute(&pool, Box::new(move || tx.send(i).unwrap()));
        }
        for _ in 0..4 {
            rx.recv_timeout(Duration::from_secs(5))
                .map_err(|_| "the jobs sent after the panic did not all run".to_owned())?;
        }
        // A worker that dies is still unwinding for a moment: give it time.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while live_workers(&pool) == 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        match live_workers(&pool) {
            2 => Ok(()),
            live => Err(format!(
                "the worker that ran the panicking job died: {live} of 2 workers are alive. \
                 Catch the panic around `job()` in the worker loop \
                 (std::panic::catch_unwind), so the worker goes on to the next job"
            )),
        }
    })();
    std::panic::set_hook(quiet);
    outcome
}

fn check_book_pool() -> Result<(), String> {
    use native_workers::book_pool::ThreadPool;
    survives_a_panicking_job(
        ThreadPool::new,
        |p, f| p.execute(f),
        ThreadPool::live_workers,
    )
}

/// Exercise 1, your check: run it with `--ignored` once you have changed
/// `native-workers/src/book_pool.rs`.
#[test]
#[ignore = "exercise 1: run with --ignored once book_pool.rs catches panics"]
fn exercise_1_the_book_pool_survives_a_panicking_job() {
    if let Err(why) = check_book_pool() {
        panic!("exercise 1 not solved yet: {why}");
    }
}

#[test]
fn exercise_1_check_passes_on_the_solution() {
    use solution::ThreadPool;
    survives_a_panicking_job(
        ThreadPool::new,
        |p, f| p.execute(f),
        ThreadPool::live_workers,
    )
    .unwrap();
}

#[test]
fn exercise_1_check_fails_on_the_books_pool_saying_why() {
    match check_book_pool() {
        Err(why) => assert!(why.contains("catch_unwind"), "{why}"),
        Ok(()) => panic!(
            "native-workers/src/book_pool.rs now survives a panic: exercise 1 is solved there. \
             This test keeps the lesson's pool as the Book wrote it, for the next class: \
             `git restore native-workers/src/book_pool.rs` puts it back."
        ),
    }
}
