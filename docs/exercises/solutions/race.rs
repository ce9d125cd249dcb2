// Exercise 3, solved: one atomic read-modify-write per call, no lock, and
// every call gets its own number (exemplo7 does the same).
//
//     rustc --edition 2024 docs/exercises/solutions/race.rs --out-dir target/exercises
//     target/exercises/race

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn main() {
    let handles: Vec<_> = (0..10)
        .map(|_| {
            std::thread::spawn(|| {
                let id = NEXT_ID.fetch_add(1, Relaxed) + 1;
                println!("calling /two/{id}");
                id
            })
        })
        .collect();
    let mut ids: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    println!("10 calls, 10 distinct numbers");
}
