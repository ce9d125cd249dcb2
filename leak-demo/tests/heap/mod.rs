//! What the three heap tests share. Each is a program of its own
//! (`harness = false`): dhat allows one profiler per process, and must see
//! that program's allocations only.
#![allow(dead_code, unreachable_pub)]

use leak_demo::{Config, Variant};

/// Threads per run.
pub const THREADS: usize = 16;
/// Bytes each thread allocates.
pub const BUFFER: usize = 64 * 1024;

/// dhat's live heap bytes at a run's three phases.
pub struct LiveBytes {
    pub start: usize,
    pub running: usize,
    pub end: usize,
}

/// Runs `variant` with [`THREADS`] threads of [`BUFFER`] bytes under the
/// profiler the caller started, reading dhat's live bytes right after each
/// phase's barrier.
pub fn live_bytes(variant: Variant) -> LiveBytes {
    let mut live = Vec::with_capacity(3);
    leak_demo::run(variant, Config::new(THREADS, BUFFER).unwrap(), &mut |_| {
        live.push(dhat::HeapStats::get().curr_bytes)
    });
    LiveBytes {
        start: live[0],
        running: live[1],
        end: live[2],
    }
}
