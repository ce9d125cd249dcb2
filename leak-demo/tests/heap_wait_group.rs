//! The wait-group variant frees every thread's buffer before `wait()`
//! returns, though the threads themselves may still be exiting: what is
//! left live at the end is less than one thread's buffer.
#![forbid(unsafe_code)]

mod heap;

use heap::{BUFFER, THREADS, live_bytes};
use leak_demo::Variant;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let live = live_bytes(Variant::WaitGroup);
    dhat::assert!(
        live.running - live.start >= THREADS * BUFFER,
        "the buffers were never live"
    );
    let left = live.end.saturating_sub(live.start);
    dhat::assert!(
        left < BUFFER,
        "{left} bytes still live after wait(): a buffer was not freed"
    );
    println!("wait-group: {left} bytes live after wait() (threads may still be exiting)");
    println!("test result: ok. 1 passed; 0 failed");
}
