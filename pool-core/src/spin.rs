//! Busy-waiting for a short, bounded time before parking.
//!
//! Parking a thread and waking it again costs a few microseconds of system
//! calls and a context switch; on a virtual machine, more. A hand-off between
//! two running threads costs tens of nanoseconds. So a thread that expects
//! its condition soon checks it in a tight loop for a few microseconds first.
//! After a few rounds it yields instead of spinning: with hundreds of threads
//! on two cores, the thread it waits for may be the one it is keeping off
//! the CPU.

use std::hint::spin_loop;
use std::time::{Duration, Instant};

/// Rounds of pure spinning before each further round yields the CPU.
const SPIN_ROUNDS: u32 = 6;

/// How long an idle worker or a blocked submitter spins before it parks.
pub(crate) const SPIN_BUDGET: Duration = Duration::from_micros(20);

/// Calls `check` until it returns `Some`, for at most `budget`.
pub(crate) fn spin_until<T>(budget: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    let mut round: u32 = 0;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if round < SPIN_ROUNDS {
            for _ in 0..(1u32 << round.min(4)) {
                spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
        round = round.wrapping_add(1);
        // Reading the clock costs a little: only every eighth round.
        if round % 8 == 0 && start.elapsed() >= budget {
            return None;
        }
    }
}
