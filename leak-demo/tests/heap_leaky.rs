//! The leaky variant ends with at least threads x buffer bytes live on the
//! heap, as dhat counts it. `harness = false`: dhat must see this program's
//! allocations only, not a test harness's.
#![forbid(unsafe_code)]

use leak_demo::{Config, Variant};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const THREADS: usize = 16;
const BUFFER: usize = 64 * 1024;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut live = Vec::with_capacity(3);
    // Each phase is read right after a barrier every thread has passed.
    leak_demo::run(
        Variant::Leaky,
        Config::new(THREADS, BUFFER).unwrap(),
        &mut |_| {
            live.push(dhat::HeapStats::get().curr_bytes);
        },
    );
    let (start, end) = (live[0], live[2]);
    dhat::assert!(
        end - start >= THREADS * BUFFER,
        "only {} bytes left live by {THREADS} leaked threads",
        end - start
    );
    println!("leaky: {} bytes still live after the run", end - start);
    println!("test result: ok. 1 passed; 0 failed");
}
