//! The joined variant ends with none of the threads' bytes live: the heap is
//! back to exactly where it started. `harness = false`: dhat must see this
//! program's allocations only.
#![forbid(unsafe_code)]

use leak_demo::{Config, Variant};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const THREADS: usize = 16;
const BUFFER: usize = 64 * 1024;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // A first run initialises whatever std sets up once per process.
    leak_demo::run(
        Variant::Joined,
        Config::new(1, BUFFER).unwrap(),
        &mut |_| {},
    );

    let mut live = Vec::with_capacity(3);
    leak_demo::run(
        Variant::Joined,
        Config::new(THREADS, BUFFER).unwrap(),
        &mut |_| {
            live.push(dhat::HeapStats::get().curr_bytes);
        },
    );
    let (start, running, end) = (live[0], live[1], live[2]);
    dhat::assert!(
        running - start >= THREADS * BUFFER,
        "the buffers were never live"
    );
    dhat::assert_eq!(end, start, "bytes still live after every thread was joined");
    println!("joined: heap back to {start} bytes after {THREADS} threads");
    println!("test result: ok. 1 passed; 0 failed");
}
