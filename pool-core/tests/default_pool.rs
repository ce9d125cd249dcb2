//! The process-wide default pool (`pool_core::submit`, ants' `ants.Submit`):
//! it runs tasks, within its documented bound.

mod common;

use common::LONG;
use pool_core::thread_ceiling;

#[test]
fn default_pool_runs_tasks_within_its_documented_bound() {
    let (tx, rx) = std::sync::mpsc::channel();
    pool_core::submit(move || tx.send(()).unwrap()).unwrap();
    rx.recv_timeout(LONG).unwrap();
    let cap = pool_core::default_pool().cap();
    assert_eq!(
        cap,
        pool_core::DEFAULT_POOL_CAPACITY.min(thread_ceiling().max_threads)
    );
}
