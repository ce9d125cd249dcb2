//! The leaky variant ends with at least threads x buffer bytes live on the
//! heap, as dhat counts it.
#![forbid(unsafe_code)]

mod heap;

use heap::{BUFFER, THREADS, live_bytes};
use leak_demo::Variant;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let live = live_bytes(Variant::Leaky);
    let left = live.end - live.start;
    dhat::assert!(
        left >= THREADS * BUFFER,
        "only {left} bytes left live by {THREADS} leaked threads"
    );
    println!("leaky: {left} bytes still live after the run");
    println!("test result: ok. 1 passed; 0 failed");
}
