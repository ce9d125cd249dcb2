// Exercise 3: the Go worker's `id++`, with plain threads. It must not
// compile. Build it and read the two errors:
//
//     rustc --edition 2024 docs/exercises/race.rs
//
// E0373: the closure may outlive `main`, which owns `id`.
// E0499: ten closures would each hold the one mutable borrow of `id`.
// The fix that compiles is an `AtomicU64` (see exemplo7/src/lib.rs).

fn main() {
    let mut id = 0u64;
    let mut handles = Vec::new();
    for _ in 0..10 {
        handles.push(std::thread::spawn(|| {
            id += 1;
            println!("calling /two/{id}");
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}
