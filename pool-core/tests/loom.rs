//! Model checks with loom of the public `WaitGroup`.
//!
//! `RUSTFLAGS="--cfg loom" cargo test -p pool-core --lib --test loom --release`
//! (`.ci/run` runs it with its own target directory).
//!
//! Under `--cfg loom` the crate's atomics, mutexes, condvars and parkers are
//! loom's (`src/sync.rs`), so this checks the real `WaitGroup`. The engine's
//! protocols are checked the same way, on the real code, by the
//! `#[cfg(loom)]` tests beside them (`--lib`): the hand-off to a parked
//! submitter, release and timeouts racing it, growing the capacity
//! (`src/admission.rs`); the park handshake, burst fan-out, and expiry racing
//! a submit (`src/idle.rs`, through the very functions that hold each
//! wake-up rule: `Idle::after_push`, `after_take`, `prepare_park`). A lost wake-up in any of them leaves a thread
//! parked forever, which loom reports as a deadlock.
#![cfg(loom)]
#![forbid(unsafe_code)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;
use pool_core::WaitGroup;

/// Explores every interleaving with at most `preemptions` forced switches
/// (loom's usual bound: most concurrency bugs need two or three).
fn model_with(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemptions);
    builder.check(f);
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    model_with(3, f);
}

#[test]
fn wait_group_wait_returns_only_after_every_done() {
    model(|| {
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        wg.add(2);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (wg, finished) = (wg.clone(), finished.clone());
                thread::spawn(move || {
                    finished.fetch_add(1, SeqCst);
                    wg.done();
                })
            })
            .collect();
        wg.wait();
        assert_eq!(
            finished.load(SeqCst),
            2,
            "wait() returned before every done()"
        );
        assert_eq!(wg.count(), 0);
        for w in workers {
            w.join().unwrap();
        }
    });
}

#[test]
fn wait_group_add_that_would_overflow_panics_and_leaves_the_count() {
    model(|| {
        let wg = WaitGroup::new();
        wg.add(usize::MAX);
        let wg2 = wg.clone();
        let overflow = std::panic::catch_unwind(move || wg2.add(2));
        assert!(overflow.is_err(), "add past usize::MAX must panic");
        assert_eq!(wg.count(), usize::MAX, "a refused add changes nothing");
    });
}
