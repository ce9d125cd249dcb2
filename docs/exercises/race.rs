// Exercise 3: the Go worker's `id++`, with plain threads.
//
// 1. Build it and read what the compiler says (the binary, if one is ever
//    made, goes under target/, not into the repository):
//
//        rustc --edition 2024 docs/exercises/race.rs --out-dir target/exercises
//
// 2. Change it until it compiles and the ten threads print ten different
//    numbers, with no `unsafe` and no lock. Your check:
//
//        cargo test -p exemplo7 --test exercises -- --ignored

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
