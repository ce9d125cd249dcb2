//! How many threads this process may hold, read from `/proc`, and how many it holds now:
//! what a pool library needs to know about its process, and nothing more.
//!
//! OS threads are not goroutines. Each one reserves a stack (2 MiB by default in
//! Rust) and a handful of memory maps, and Linux caps both. Past the cap, thread
//! creation does not always fail politely: when `vm.max_map_count` runs out,
//! glibc can abort the whole process instead of returning an error. So every
//! thread count in this workspace is checked against [`thread_ceiling`]
//! *before* anything starts, and refused with a message that names the limit.
//!
//! # Examples
//!
//! ```
//! let ceiling = pool_core::thread_ceiling();
//! // Always a positive number, with the limit it came from.
//! assert!(ceiling.max_threads > 0);
//! println!("at most {} threads here ({})", ceiling.max_threads, ceiling.limit);
//! ```

use std::fs;
use std::sync::OnceLock;

/// Memory maps one thread costs (its stack, its guard page and glibc's
/// per-thread bookkeeping), as measured on the project's machines.
pub const MAPS_PER_THREAD: usize = 4;

/// Threads kept free for everything that is not a pool worker (the main
/// thread, the test harness, an HTTP runtime, the allocator's helpers).
pub const THREAD_HEADROOM: usize = 512;

/// The largest number of threads this process may hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadCeiling {
    /// The smallest of the limits below, less [`THREAD_HEADROOM`].
    pub max_threads: usize,
    /// Which limit set it, with its raw value, e.g.
    /// `"vm.max_map_count = 65530 (/proc/sys/vm/max_map_count), 4 maps per thread"`.
    pub limit: String,
}

/// The process's thread ceiling, read from `/proc` once and cached.
///
/// It is the smallest of `vm.max_map_count / 4`, `kernel.threads-max`,
/// `kernel.pid_max` and (for non-root users) the `Max processes` limit, minus
/// [`THREAD_HEADROOM`]. Where `/proc` cannot be read, a conservative 4,096.
///
/// ```
/// let c = pool_core::thread_ceiling();
/// assert!(c.max_threads >= 1);
/// assert!(!c.limit.is_empty());
/// ```
pub fn thread_ceiling() -> &'static ThreadCeiling {
    static CEILING: OnceLock<ThreadCeiling> = OnceLock::new();
    CEILING.get_or_init(read_ceiling)
}

fn read_ceiling() -> ThreadCeiling {
    let mut limits: Vec<(usize, String)> = Vec::new();
    if let Some(maps) = read_number("/proc/sys/vm/max_map_count") {
        limits.push((
            maps / MAPS_PER_THREAD,
            format!(
                "vm.max_map_count = {maps} (/proc/sys/vm/max_map_count), {MAPS_PER_THREAD} maps per thread"
            ),
        ));
    }
    if let Some(n) = read_number("/proc/sys/kernel/threads-max") {
        limits.push((n, format!("kernel.threads-max = {n}")));
    }
    if let Some(n) = read_number("/proc/sys/kernel/pid_max") {
        limits.push((n, format!("kernel.pid_max = {n}")));
    }
    if !is_root() {
        if let Some(n) = max_processes_limit() {
            limits.push((n, format!("ulimit -u (Max processes) = {n}")));
        }
    }
    let (raw, source) = limits.into_iter().min_by_key(|(n, _)| *n).unwrap_or((
        4096 + THREAD_HEADROOM,
        "no /proc: a conservative default".to_owned(),
    ));
    ThreadCeiling {
        max_threads: raw.saturating_sub(THREAD_HEADROOM).max(1),
        limit: format!("{source}, less {THREAD_HEADROOM} threads of headroom"),
    }
}

fn read_number(path: &str) -> Option<usize> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn is_root() -> bool {
    status_field("Uid:")
        .and_then(|line| line.split_whitespace().nth(1).map(str::to_owned))
        .is_some_and(|euid| euid == "0")
}

fn max_processes_limit() -> Option<usize> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max processes"))?;
    // Columns: name (two words), soft, hard, units. "unlimited" means no cap.
    line.split_whitespace().nth(2)?.parse().ok()
}

fn status_field(name: &str) -> Option<String> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(name))
        .map(|l| l[name.len()..].trim().to_owned())
}

/// The number of threads this process has right now (`Threads:` in
/// `/proc/self/status`, the same count as the entries of `/proc/self/task`).
///
/// ```
/// // At least this thread.
/// assert!(pool_core::live_threads() >= 1);
/// ```
pub fn live_threads() -> usize {
    status_field("Threads:")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            fs::read_dir("/proc/self/task")
                .map(|d| d.count())
                .unwrap_or(1)
        })
}
