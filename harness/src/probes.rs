//! What the examples measure about their own process, read from `/proc`:
//! resident memory, its peak, reserved virtual memory, the memory the
//! machine has left, and a bounded wait for threads to be gone.
//!
//! A pool library needs only the thread ceiling and the live thread count
//! (`pool_core::thread_ceiling`, `pool_core::live_threads`); these are the
//! harness's, shared by every example, leak-demo and `compare`.
//!
//! ```
//! // Every figure is `None` where `/proc` does not have it.
//! let rss = harness::probes::resident_bytes().unwrap_or(1);
//! assert!(rss > 0);
//! ```

use std::fs;
use std::time::{Duration, Instant};

fn status_kib(name: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// Resident memory of this process in bytes (`VmRSS`).
///
/// ```
/// assert!(harness::probes::resident_bytes().unwrap_or(1) > 0);
/// ```
pub fn resident_bytes() -> Option<u64> {
    status_kib("VmRSS:").map(|k| k * 1024)
}

/// The peak resident memory of this process in bytes (`VmHWM`, the "high
/// water mark").
///
/// ```
/// let peak = harness::probes::peak_resident_bytes().unwrap_or(1);
/// assert!(peak >= harness::probes::resident_bytes().unwrap_or(0) / 2);
/// ```
pub fn peak_resident_bytes() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}

/// Virtual memory reserved by this process in bytes (`VmSize`): it counts
/// every thread's reserved stack, touched or not.
///
/// ```
/// assert!(harness::probes::virtual_bytes().unwrap_or(1) > 0);
/// ```
pub fn virtual_bytes() -> Option<u64> {
    status_kib("VmSize:").map(|k| k * 1024)
}

/// Memory the machine can still give without swapping (`MemAvailable` in
/// `/proc/meminfo`), in bytes.
///
/// ```
/// assert!(harness::probes::mem_available().unwrap_or(1) > 0);
/// ```
pub fn mem_available() -> Option<u64> {
    let meminfo = fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Threads in this process now (`pool_core::live_threads`, from `/proc`).
///
/// ```
/// assert!(harness::probes::live_threads() >= 1);
/// ```
pub use pool_core::live_threads;

/// Waits until [`live_threads`] is at most `target`, polling
/// every millisecond, for at most `timeout`. Returns the last count seen.
///
/// Tests use it to prove that threads are gone: a joined thread leaves
/// `/proc/self/task` a few microseconds after it wakes its joiner.
///
/// ```
/// use std::time::Duration;
/// let now = harness::probes::live_threads();
/// assert!(harness::probes::wait_for_threads_at_most(now, Duration::from_secs(1)) <= now);
/// ```
pub fn wait_for_threads_at_most(target: usize, timeout: Duration) -> usize {
    let deadline = Instant::now() + timeout;
    loop {
        let n = live_threads();
        if n <= target || Instant::now() >= deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
