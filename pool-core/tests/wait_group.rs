//! `WaitGroup`: `wait` returns once every `add` has its `done`; misuse
//! (more `done` than `add`, a count past `usize`) panics with a message
//! instead of wrapping or hanging.

mod common;

use common::{Gate, LONG};
use pool_core::WaitGroup;
use std::thread;
use std::time::Duration;

#[test]
fn wait_group_waits_for_every_done() {
    let wg = WaitGroup::new();
    let gate = Gate::new();
    for _ in 0..8 {
        wg.add(1);
        let (wg, gate) = (wg.clone(), gate.clone());
        thread::spawn(move || {
            gate.wait();
            wg.done();
        });
    }
    assert!(
        !wg.wait_timeout(Duration::from_millis(10)),
        "nobody called done yet"
    );
    assert_eq!(wg.count(), 8);
    gate.open();
    assert!(wg.wait_timeout(LONG));
    wg.wait();
}

#[test]
#[should_panic(expected = "called more times than add()")]
fn wait_group_more_done_than_add_panics_with_a_message() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    wg.done();
}

#[test]
#[should_panic(expected = "would overflow")]
fn wait_group_add_past_usize_max_panics() {
    let wg = WaitGroup::new();
    wg.add(usize::MAX);
    wg.add(2);
}
