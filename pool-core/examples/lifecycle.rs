//! Lesson 5 on screen: tune, pre-alloc, release and reboot, each step
//! printed, including the refusals you would otherwise only read about.
//!
//! `cargo run -p pool-core --example lifecycle`
#![forbid(unsafe_code)]

use pool_core::{Pool, PoolError};

fn main() {
    // Build a pool of 4 with every worker started up front (ants.WithPreAlloc(true)).
    let pool = Pool::builder().capacity(4).pre_alloc(true).build().unwrap();
    println!(
        "built:    capacity {}, {} workers running",
        pool.cap(),
        pool.running()
    );

    // Grow it, and try a size no process here can hold (pool.Tune(100000)).
    pool.tune(8).unwrap();
    println!("tune(8):  capacity {}", pool.cap());
    match pool.tune(100_000) {
        Ok(()) => println!("tune(100000): accepted (this machine holds that many threads)"),
        Err(e) => println!("tune(100000): refused: {e}"),
    }

    // Shrink it: idle workers retire as soon as they stop searching for
    // work (microseconds), not at ants' next purge (a second).
    pool.tune(2).unwrap();
    let shrinking = std::time::Instant::now();
    while pool.running() > 2 && shrinking.elapsed() < std::time::Duration::from_secs(5) {
        std::thread::yield_now();
    }
    println!(
        "tune(2):  capacity {}, {} workers running {:?} later",
        pool.cap(),
        pool.running(),
        shrinking.elapsed()
    );

    // Release it: a new task is refused, and comes back inside the error.
    pool.release();
    let task = || println!("this task ran");
    match pool.submit(task) {
        Err(PoolError::Closed(task)) => {
            println!("after release(): submit refused with Closed, and the task came back;");
            println!("                 running it here instead:");
            task();
        }
        Err(other) => println!("after release(): refused: {other}"),
        Ok(()) => println!("after release(): accepted (unexpected)"),
    }

    // Reboot it: open again, and the same pool takes work.
    pool.reboot().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    pool.submit(move || tx.send("ran on the rebooted pool").unwrap())
        .unwrap();
    println!("reboot(): {}", rx.recv().unwrap());

    // The task has sent its message, but its worker may still be counting
    // it. Release once more and wait for the workers to exit: once they are
    // joined, every figure in the stats is final.
    pool.release_timeout(std::time::Duration::from_secs(10))
        .expect("an idle pool's workers exit at once");
    let stats = pool.stats();
    // The one task of the rebooted pool, counted: this holds on every run
    // (the README's command check runs this example).
    assert_eq!((stats.in_flight, stats.completed), (0, 1), "{stats}");
    println!("stats:    {stats}");
}
