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

/// The most threads kept free for everything that is not a pool worker
/// (the main thread, the test harness, an HTTP runtime, the allocator's
/// helpers): an eighth of the limit, at most this many.
pub const THREAD_HEADROOM: usize = 512;

/// Threads kept free below a thread limit of `raw`: an eighth of it, at
/// most [`THREAD_HEADROOM`] (a fixed 512 would leave nothing of a limit of
/// 513).
///
/// ```
/// use pool_core::limits::headroom;
/// assert_eq!(headroom(65_530 / 4), 512);
/// assert_eq!(headroom(513), 64);
/// assert_eq!(headroom(256), 32);
/// ```
pub fn headroom(raw: usize) -> usize {
    (raw / 8).min(THREAD_HEADROOM)
}

/// The largest number of threads this process may hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadCeiling {
    /// The smallest of the limits below, less its [`headroom`].
    pub max_threads: usize,
    /// Which limit set it, with its raw value, e.g.
    /// `"vm.max_map_count = 65530 (/proc/sys/vm/max_map_count), 4 maps per thread"`.
    pub limit: String,
}

/// The process's thread ceiling, read from `/proc` once and cached.
///
/// It is the smallest of `vm.max_map_count / 4`, `kernel.threads-max`,
/// `kernel.pid_max` and (for non-root users) the `Max processes` limit,
/// less its [`headroom`]. Where `/proc` cannot be read, a conservative
/// 4,096. An address-space limit is not a count of threads; it is checked
/// each time a pool starts a thread (see [`address_space_room`]).
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
        if let Some(n) = limit_value("Max processes") {
            limits.push((n, format!("ulimit -u (Max processes) = {n}")));
        }
    }
    let (raw, source) = limits
        .into_iter()
        .min_by_key(|(n, _)| *n)
        .unwrap_or((4096 + 512, "no /proc: a conservative default".to_owned()));
    let kept = headroom(raw);
    ThreadCeiling {
        max_threads: raw.saturating_sub(kept).max(1),
        limit: format!("{source}, less {kept} threads of headroom"),
    }
}

/// Under an address-space limit (`ulimit -v`, `RLIMIT_AS`): the bytes of
/// address space this process may still map, less a reserve for the heap
/// (a quarter of the limit, at least 32 MiB); `None` when there is no such
/// limit. A pool starts a thread only if its stack fits in this room.
///
/// Why a reserve: glibc gives each thread that allocates a malloc arena of
/// its own (64 MiB of address space each), and a process whose address
/// space is full aborts on its next allocation, "memory allocation failed",
/// with no error to return. Room read from `VmSize` counts the arenas
/// already made; the reserve leaves room for the allocations still to come.
///
/// ```
/// // No `ulimit -v` where these docs are tested: no limit to leave room under.
/// # if std::fs::read_to_string("/proc/self/limits").unwrap_or_default()
/// #     .lines().any(|l| l.starts_with("Max address space") && l.contains("unlimited")) {
/// assert_eq!(pool_core::limits::address_space_room(), None);
/// # }
/// ```
pub fn address_space_room() -> Option<usize> {
    static LIMIT: OnceLock<Option<usize>> = OnceLock::new();
    let limit = (*LIMIT.get_or_init(|| limit_value("Max address space")))?;
    let used = status_field("VmSize:")
        .and_then(|v| v.split_whitespace().next()?.parse::<usize>().ok())
        .map_or(limit, |kib| kib * 1024);
    let reserve = (limit / 4).max(32 << 20);
    Some(limit.saturating_sub(used).saturating_sub(reserve))
}

fn read_number(path: &str) -> Option<usize> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn is_root() -> bool {
    status_field("Uid:")
        .and_then(|line| line.split_whitespace().nth(1).map(str::to_owned))
        .is_some_and(|euid| euid == "0")
}

/// The soft value of one of `/proc/self/limits`' rows, named by its
/// first words; `None` for "unlimited".
fn limit_value(name: &str) -> Option<usize> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with(name))?;
    // Columns: the name, soft, hard, units. "unlimited" means no cap.
    line[name.len()..].split_whitespace().next()?.parse().ok()
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
