//! The joined variant ends with none of the threads' bytes live: the heap is
//! back to exactly where it started.
#![forbid(unsafe_code)]

mod heap;

use heap::{BUFFER, THREADS, live_bytes};
use leak_demo::{Config, Variant};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // A first run initialises whatever std sets up once per process.
    leak_demo::run(
        Variant::Joined,
        Config::new(1, BUFFER).unwrap(),
        &mut |_| {},
    );
    let live = live_bytes(Variant::Joined);
    dhat::assert!(
        live.running - live.start >= THREADS * BUFFER,
        "the buffers were never live"
    );
    dhat::assert_eq!(
        live.end,
        live.start,
        "bytes still live after every thread was joined"
    );
    println!(
        "joined: heap back to {} bytes after {THREADS} threads",
        live.start
    );
    println!("test result: ok. 1 passed; 0 failed");
}
