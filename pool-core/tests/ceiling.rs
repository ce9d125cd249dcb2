//! Every pool thread in the process counts against the thread ceiling: with
//! 20,000 pools each holding one blocked task, the pools past the ceiling
//! refuse with `ThreadSpawn(task)`, and the process never aborts (glibc
//! aborts it when the memory maps run out, so an uncounted thread is fatal).
//!
//! The pools are built in a child process, so a failure is an exit status
//! the parent can report, not the end of the test run. `harness = false`.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use common::Gate;
use pool_core::{Pool, PoolError, thread_ceiling};

const POOLS: usize = 20_000;
const CHILD: &str = "POOL_CORE_CEILING_CHILD";

fn main() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, "1")
        .output()
        .expect("the child starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the child died ({}): {stdout}\n{stderr}",
        out.status
    );
    // "accepted A refused R ran A"
    let numbers: Vec<usize> = stdout
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let [accepted, refused, ran] = numbers[..] else {
        panic!("unexpected child output: {stdout}");
    };
    let ceiling = thread_ceiling().max_threads;
    assert_eq!(accepted + refused, POOLS);
    assert!(
        accepted <= ceiling,
        "{accepted} threads above the ceiling {ceiling}"
    );
    assert!(
        refused > 0,
        "20,000 pools should reach a ceiling of {ceiling}"
    );
    assert_eq!(ran, accepted, "every accepted task ran once");
    println!("test twenty_thousand_pools_stop_at_the_ceiling_without_an_abort ... ok");
    println!("test result: ok. 1 passed; 0 failed");
}

fn child() {
    let gate = Gate::new();
    let ran = Arc::new(AtomicUsize::new(0));
    let mut pools = Vec::with_capacity(POOLS);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..POOLS {
        // Small stacks: this is about the count of threads, not memory.
        let pool = Pool::builder()
            .capacity(1)
            .stack_size(64 * 1024)
            .build()
            .unwrap();
        let (gate, ran) = (gate.clone(), ran.clone());
        match pool.submit(move || {
            gate.wait();
            ran.fetch_add(1, SeqCst);
        }) {
            Ok(()) => accepted += 1,
            Err(PoolError::ThreadSpawn(task, _)) => {
                drop(task);
                refused += 1;
            }
            Err(other) => panic!("expected ThreadSpawn past the ceiling, got {other:?}"),
        }
        pools.push(pool);
    }
    gate.open();
    drop(pools); // joins every worker
    println!(
        "accepted {accepted} refused {refused} ran {}",
        ran.load(SeqCst)
    );
}
