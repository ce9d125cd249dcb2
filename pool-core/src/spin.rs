//! Waiting a little before parking: by spinning, or by yielding the core.
//!
//! Parking a thread and waking it again costs a context switch on each side
//! and a system call; on a virtual machine, an interrupt between cores too.
//! Measured on an AMD EPYC KVM guest: a park/unpark round between two cores
//! costs 8.4 µs of CPU, `sched_yield` 0.8 µs even with nothing else to run,
//! one `pause` instruction 28 ns. So a thread that expects its condition
//! soon looks again a bounded number of times first, in one of two ways:
//!
//! - [`spin`]: `pause` in a loop. Cheapest per look, and it keeps the core:
//!   right for a thread whose condition is set by a thread running on
//!   another core.
//! - [`yield_rounds`]: `sched_yield` between looks. Each costs a system
//!   call, but lets a thread with work run on this core: right when there
//!   may be more runnable threads than cores.
//!
//! Both budgets are counts, not times: a count of looks costs the same CPU
//! on every machine relative to what a look costs there, where a time
//! budget spent on a slow `pause` or a slow `sched_yield` buys a different
//! number of looks on each CPU and hypervisor.

use std::hint::spin_loop;

/// Looks at `check` up to `rounds + 1` times, with 1, 2, 4 ... `pause`
/// instructions between looks (at most 1,024 at a time). Returns the first
/// `Some`.
pub(crate) fn spin<T>(rounds: u32, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    for round in 0..rounds {
        if let Some(value) = check() {
            return Some(value);
        }
        for _ in 0..1u32 << round.min(10) {
            spin_loop();
        }
    }
    check()
}

/// Looks at `check` up to `rounds + 1` times, yielding the core between
/// looks. Returns the first `Some`.
pub(crate) fn yield_rounds<T>(rounds: u32, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    for _ in 0..rounds {
        if let Some(value) = check() {
            return Some(value);
        }
        std::thread::yield_now();
    }
    check()
}
