//! The Go worker's `id++` from every goroutine, written in Rust: it does not
//! compile, and that is the point. Lesson 4 shows the error:
//!
//! `cargo build -p exemplo7 --example race --features race-demo`
//!
//! (Without `--features race-demo` this example is not built at all, so the
//! workspace still builds and tests.)
#![forbid(unsafe_code)]

fn main() {
    let pool = pool_core::Pool::new(4).unwrap();
    let mut id = 0u64;
    for _ in 0..10 {
        // Go: go func() { id++; callAPI(id) }()
        pool.submit(|| {
            id += 1;
            println!("calling /two/{id}");
        })
        .unwrap();
    }
}
