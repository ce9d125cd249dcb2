//! The wait-group variant frees every thread's buffer before `wait()`
//! returns, though the threads themselves may still be exiting: what is
//! left live at the end is less than one thread's buffer. `harness = false`:
//! dhat must see this program's allocations only.
#![forbid(unsafe_code)]

use leak_demo::{Config, Variant};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const THREADS: usize = 16;
const BUFFER: usize = 64 * 1024;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut live = Vec::with_capacity(3);
    leak_demo::run(
        Variant::WaitGroup,
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
    dhat::assert!(
        end.saturating_sub(start) < BUFFER,
        "{} bytes still live after wait(): a buffer was not freed",
        end.saturating_sub(start)
    );
    println!(
        "wait-group: {} bytes live after wait() (threads may still be exiting)",
        end.saturating_sub(start)
    );
    println!("test result: ok. 1 passed; 0 failed");
}
