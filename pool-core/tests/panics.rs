//! A panicking task never takes the pool or the process down.

mod common;

use common::{LONG, wait_until};
use pool_core::{Pool, PoolWithFunc};
use std::sync::{Arc, Mutex};

#[test]
fn panics_are_counted_handled_and_the_pool_keeps_its_capacity() {
    let payloads = Arc::new(Mutex::new(Vec::<String>::new()));
    let p = payloads.clone();
    let pool = Pool::builder()
        .capacity(2)
        .panic_handler(move |payload| {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "<not a string>".into());
            p.lock().unwrap().push(msg);
        })
        .build()
        .unwrap();
    for i in 0..10 {
        pool.submit(move || panic!("boom {i}")).unwrap();
        pool.submit(|| ()).unwrap();
    }
    wait_until("all 20 tasks finished", || pool.stats().completed == 20);
    let stats = pool.stats();
    assert_eq!(stats.panicked, 10);
    assert_eq!(pool.cap(), 2);
    let mut seen = payloads.lock().unwrap().clone();
    seen.sort();
    let mut expected: Vec<_> = (0..10).map(|i| format!("boom {i}")).collect();
    expected.sort();
    assert_eq!(seen, expected, "the handler got every payload");
    // Still working at full capacity.
    let h = pool.spawn(|| 1 + 1).unwrap();
    assert_eq!(h.join().unwrap(), 2);
}

#[test]
fn a_task_handle_returns_the_panic_payload() {
    let pool = Pool::new(1).unwrap();
    let h = pool.spawn(|| -> u8 { panic!("from a handle") }).unwrap();
    let err = h.join().unwrap_err();
    assert_eq!(err.panic_message(), Some("from a handle"));
    wait_until("the panic is counted", || pool.stats().panicked == 1);
}

#[test]
fn a_function_pool_survives_panics_too() {
    let pool = PoolWithFunc::new(2, |n: u32| {
        if n % 2 == 0 {
            panic!("even {n}");
        }
    })
    .unwrap();
    for n in 0..100 {
        pool.invoke(n).unwrap();
    }
    wait_until("all 100 ran", || pool.stats().completed == 100);
    assert_eq!(pool.stats().panicked, 50);
    assert!(pool.running() <= 2);
    let _ = LONG;
}
