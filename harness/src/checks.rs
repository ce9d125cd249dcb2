//! The checks every binary runs before it starts anything: each refuses with
//! a message that names the flag and the fix, instead of aborting halfway.
//!
//! - **Threads.** A process here can hold about 16,000 threads; past that
//!   glibc aborts the whole process ("failed to initiate panic") instead of
//!   returning an error. [`threads`] refuses a count above the ceiling read
//!   from `/proc`.
//! - **Jobs.** [`jobs`] refuses zero and more than [`MAX_JOBS`].
//! - **File descriptors.** One socket per call in flight: [`fd_limit`]
//!   raises the soft limit to the hard one if that is enough, or says which
//!   limit to raise.
//! - **Output folders.** [`out_dir`] creates the folder and writes a probe
//!   file into it, so an unwritable folder is reported before a long run,
//!   not after it.

use std::path::Path;

use anyhow::{Context as _, bail};

/// Refuses a thread count of zero, or one above this process's ceiling.
/// `flag` is the flag the user typed.
///
/// ```
/// assert!(harness::checks::threads("--workers", 4).is_ok());
/// let message = harness::checks::threads("--workers", 0).unwrap_err().to_string();
/// assert_eq!(message, "--workers must be at least 1");
/// let message = harness::checks::threads("--workers", 20_000_000).unwrap_err().to_string();
/// assert!(message.starts_with("--workers 20000000 is more threads"), "{message}");
/// ```
pub fn threads(flag: &str, n: usize) -> anyhow::Result<()> {
    match thread_problem(n) {
        None => Ok(()),
        Some(problem) if n == 0 => bail!("{flag} {problem}"),
        Some(problem) => bail!("{flag} {problem}. Pass a smaller {flag}."),
    }
}

/// What is wrong with `n` threads, said after the flag's name.
fn thread_problem(n: usize) -> Option<String> {
    let ceiling = pool_core::thread_ceiling();
    if n == 0 {
        Some("must be at least 1".into())
    } else if n > ceiling.max_threads {
        Some(format!(
            "{n} is more threads than this process may hold: at most {} here ({})",
            ceiling.max_threads, ceiling.limit
        ))
    } else {
        None
    }
}

/// A clap value parser for a thread count (see [`threads`]): clap's error
/// names the flag the user typed, whatever its name in this program.
///
/// ```
/// use clap::Parser;
/// #[derive(Debug, Parser)]
/// struct Cli { #[arg(long, value_parser = harness::checks::thread_count)] workers: usize }
/// let message = Cli::try_parse_from(["x", "--workers", "0"]).unwrap_err().to_string();
/// assert!(message.contains("'--workers <WORKERS>': must be at least 1"), "{message}");
/// ```
pub fn thread_count(text: &str) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|e| format!("{e}: a whole number is needed"))?;
    thread_problem(n).map_or(Ok(n), Err)
}

/// A clap value parser for a job count (see [`jobs`]).
///
/// ```
/// use clap::Parser;
/// #[derive(Debug, Parser)]
/// struct Cli { #[arg(long, value_parser = harness::checks::job_count)] jobs: u64 }
/// assert_eq!(Cli::try_parse_from(["x", "--jobs", "7"]).unwrap().jobs, 7);
/// let message = Cli::try_parse_from(["x", "--jobs", "0"]).unwrap_err().to_string();
/// assert!(message.contains("'--jobs <JOBS>': must be at least 1"), "{message}");
/// ```
pub fn job_count(text: &str) -> Result<u64, String> {
    let n: u64 = text
        .parse()
        .map_err(|e| format!("{e}: a whole number is needed"))?;
    job_problem(n).map_or(Ok(n), Err)
}

/// The longest duration any flag accepts: a day. A call timeout or a job
/// that long is already a mistake, and a bound keeps every deadline
/// computed from the flag (`Instant::now() + d`) far from overflowing.
pub const MAX_DURATION_S: u64 = 86_400;

/// Refuses a duration flag of zero, or above a day ([`MAX_DURATION_S`]);
/// `value` is in `unit`s (`"s"`, `"ms"`, `"us"`), as the flag `flag` takes
/// it. Returns the duration.
///
/// ```
/// use std::time::Duration;
/// use harness::checks::duration;
/// assert_eq!(duration("--call-timeout-s", 30, "s").unwrap(), Duration::from_secs(30));
/// let message = duration("--call-timeout-s", 0, "s").unwrap_err().to_string();
/// assert_eq!(message, "--call-timeout-s must be at least 1");
/// let message = duration("--call-timeout-s", u64::MAX, "s").unwrap_err().to_string();
/// assert!(message.contains("at most 86400 (a day)"), "{message}");
/// assert!(duration("--sleep-ms", 86_400_001, "ms").is_err());
/// ```
pub fn duration(flag: &str, value: u64, unit: &str) -> anyhow::Result<std::time::Duration> {
    use std::time::Duration;
    let (d, per_day) = match unit {
        "s" => (Duration::from_secs(value), MAX_DURATION_S),
        "ms" => (Duration::from_millis(value), MAX_DURATION_S * 1_000),
        "us" => (Duration::from_micros(value), MAX_DURATION_S * 1_000_000),
        other => bail!("{flag}: unknown unit {other:?}"),
    };
    if value == 0 {
        bail!("{flag} must be at least 1");
    }
    if value > per_day {
        bail!("{flag} {value} is too long: at most {per_day} (a day)");
    }
    Ok(d)
}

/// Refuses a list flag that names the same value twice: each would run
/// again as its own row, which looks like two results and is one.
///
/// ```
/// use harness::checks::distinct;
/// assert!(distinct("--sizes", [4, 8, 16]).is_ok());
/// let message = distinct("--sizes", [4, 8, 4]).unwrap_err().to_string();
/// assert_eq!(message, "--sizes names 4 twice; name each value once");
/// ```
pub fn distinct<T: PartialEq + std::fmt::Display>(
    flag: &str,
    values: impl IntoIterator<Item = T>,
) -> anyhow::Result<()> {
    let mut seen: Vec<T> = Vec::new();
    for value in values {
        if seen.contains(&value) {
            bail!("{flag} names {value} twice; name each value once");
        }
        seen.push(value);
    }
    Ok(())
}

/// The most jobs a run takes: a billion calls of 100 ms on 1,000 workers is
/// already 28 hours.
pub const MAX_JOBS: u64 = 1_000_000_000;

/// Refuses a job count of zero or above [`MAX_JOBS`].
///
/// ```
/// assert!(harness::checks::jobs("--jobs", 10).is_ok());
/// assert!(harness::checks::jobs("--jobs", 0).is_err());
/// let message = harness::checks::jobs("--jobs", u64::MAX).unwrap_err().to_string();
/// assert!(message.contains("at most 1000000000"), "{message}");
/// ```
pub fn jobs(flag: &str, n: u64) -> anyhow::Result<()> {
    match job_problem(n) {
        None => Ok(()),
        Some(problem) => bail!("{flag} {problem}"),
    }
}

/// What is wrong with a count of `n` jobs, said after the flag's name.
fn job_problem(n: u64) -> Option<String> {
    if n == 0 {
        Some("must be at least 1".into())
    } else if n > MAX_JOBS {
        Some(format!(
            "{n} is too many: at most {MAX_JOBS} (a billion 100 ms calls on 1,000 workers take 28 hours)"
        ))
    } else {
        None
    }
}

/// Makes sure this process may open `needed` file descriptors: raises the
/// soft limit up to the hard one if that is enough, else says which limit is
/// too low and how to change it (`smaller` names the flag to lower, e.g.
/// `"a smaller --pool-size"`). Returns the limit now in force.
///
/// ```
/// // A handful is always available.
/// assert!(harness::checks::fd_limit(16, "a smaller --pool-size").unwrap() >= 16);
/// // An absurd number is refused with a message naming the limit and the flag.
/// let message = harness::checks::fd_limit(u64::MAX / 2, "a smaller --pool-size").unwrap_err().to_string();
/// assert!(message.contains("ulimit -n") && message.contains("--pool-size"), "{message}");
/// ```
pub fn fd_limit(needed: u64, smaller: &str) -> anyhow::Result<u64> {
    let (soft, hard) = rlimit::Resource::NOFILE
        .get()
        .context("cannot read the file-descriptor limit")?;
    if soft >= needed {
        return Ok(soft);
    }
    if hard >= needed {
        rlimit::Resource::NOFILE
            .set(hard, hard)
            .with_context(|| format!("cannot raise the file-descriptor limit to {hard}"))?;
        return Ok(hard);
    }
    bail!(
        "this run needs about {needed} file descriptors (one socket per concurrent call, \
         twice that when the API runs in this process), but the limit is {soft} (soft) / \
         {hard} (hard). Raise it with `ulimit -n {needed}` (as root, or after raising the \
         hard limit), run the API as a separate process with --url, or use {smaller}."
    )
}

/// Creates `dir` (and its parents) and proves it is writable by writing and
/// removing a probe file. Every error names the path.
///
/// ```
/// let dir = std::env::temp_dir().join("harness-out-dir-doctest");
/// harness::checks::out_dir(&dir).unwrap();
/// // /proc cannot hold our files: refused, naming the path.
/// let message = harness::checks::out_dir(std::path::Path::new("/proc/results")).unwrap_err().to_string();
/// assert!(message.contains("/proc/results"), "{message}");
/// ```
pub fn out_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--out-dir {}: cannot create the folder", dir.display()))?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"probe")
        .with_context(|| format!("--out-dir {}: cannot write into the folder", dir.display()))?;
    std::fs::remove_file(&probe)
        .with_context(|| format!("cannot remove the probe file {}", probe.display()))?;
    Ok(())
}
