//! Counting every allocation, for the figure the tutorial called "memória
//! usada": Go's `TotalAlloc`, the bytes allocated during a run, freed or not.
//!
//! The counter is `stats_alloc`'s: a few relaxed atomic adds per allocation,
//! cheap enough not to distort the timing (dhat would, by about 100x). A
//! binary installs it with one line, [`count_allocations!`]; the program then
//! reads it with an [`AllocCounter`].
//!
//! # Counted vs resident
//!
//! Bytes allocated add up every allocation, even those freed a microsecond
//! later; they say how hard the program worked the allocator. Peak resident
//! memory ([`probes::peak_resident_bytes`](crate::probes::peak_resident_bytes))
//! says how much RAM it held at once. A run can allocate 1 GB and never hold
//! more than 20 MB.

use stats_alloc::{INSTRUMENTED_SYSTEM, Stats};

/// Installs the counting allocator as this binary's global allocator.
///
/// Write it once, at the top of a binary's `main.rs`. A library must not:
/// a program has one global allocator, and leak-demo's is dhat's.
///
/// ```ignore
/// harness::count_allocations!();
/// ```
#[macro_export]
macro_rules! count_allocations {
    () => {
        // Counts every allocation, so the report can show Go's TotalAlloc figure.
        #[global_allocator]
        static COUNTING_ALLOCATOR: &$crate::stats_alloc::StatsAlloc<::std::alloc::System> =
            &$crate::stats_alloc::INSTRUMENTED_SYSTEM;
    };
}

/// Bytes and allocations since it started, when the binary counts them.
///
/// ```
/// // Under the test harness nothing installed the counting allocator:
/// // the counter says so instead of reporting zero.
/// let counter = harness::AllocCounter::start();
/// let _v = vec![0u8; 1024];
/// assert_eq!(counter.allocated(), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AllocCounter {
    start: Option<Stats>,
}

impl AllocCounter {
    /// Starts counting from now.
    pub fn start() -> AllocCounter {
        let stats = INSTRUMENTED_SYSTEM.stats();
        // Any program has allocated by the time it counts (its arguments,
        // at least): zero means the counting allocator is not installed.
        let installed = stats.allocations > 0;
        AllocCounter {
            start: installed.then_some(stats),
        }
    }

    /// `(bytes, allocations)` made since [`start`](AllocCounter::start), or
    /// `None` when this binary does not count allocations.
    pub fn allocated(&self) -> Option<(u64, u64)> {
        let start = self.start?;
        let now = INSTRUMENTED_SYSTEM.stats();
        Some((
            now.bytes_allocated.saturating_sub(start.bytes_allocated) as u64,
            now.allocations.saturating_sub(start.allocations) as u64,
        ))
    }
}
