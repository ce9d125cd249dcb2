//! The tutorial's memory-leak lesson, in Rust: a thread that never ends keeps
//! its memory for the life of the program.
//!
//! "Never start a goroutine without knowing how it will stop." The same holds
//! for threads. Three variants of one program, each starting N threads that
//! each allocate a buffer:
//!
//! | variant | the threads | what is left at the end |
//! |---|---|---|
//! | [`Variant::Leaky`] | wait forever on a channel nobody sends on; nobody joins them | every buffer, every thread, every stack |
//! | [`Variant::WaitGroup`] | are told to stop, free their buffer, call `done()`; main `wait()`s | the buffers are gone; threads may still be exiting when `wait()` returns |
//! | [`Variant::Joined`] | are told to stop and are joined | nothing of theirs |
//!
//! # WaitGroup vs join
//!
//! `WaitGroup::wait()` returns when every thread has called `done()`. A thread
//! that called `done()` is not gone: it still has its stack and its place in
//! `/proc/self/task` until it returns and the OS reaps it. Only
//! `JoinHandle::join` (or `std::thread::scope`) proves a thread has exited.
//!
//! # What each figure measures
//!
//! - **dhat's live bytes and blocks**: the heap (what `Box`, `Vec`, `String`
//!   allocate). It does not see thread stacks.
//! - **VmSize**: virtual memory reserved, including every thread's stack
//!   (2 MiB each by default), touched or not.
//! - **VmRSS**: memory actually resident. After joining, it does not drop back
//!   to the start: freed heap often stays in the allocator's free lists and
//!   arenas for reuse, and the allocator returns it to the OS only
//!   sometimes.
//!
//! ```
//! use leak_demo::{Config, Variant};
//!
//! // Four threads, 16 KiB each, stopped and joined: nothing of theirs is left.
//! let mut phases = Vec::new();
//! leak_demo::run(Variant::Joined, Config::new(4, 16 * 1024).unwrap(), &mut |phase| {
//!     phases.push(leak_demo::snapshot(phase, None))
//! });
//! assert_eq!(phases.len(), 3);
//! assert_eq!(Variant::WaitGroup.name(), "wait-group");
//! ```
#![forbid(unsafe_code)]

use std::sync::{Arc, Barrier};
use std::thread;

use clap::ValueEnum;
use pool_core::WaitGroup;
use serde::{Deserialize, Serialize};

/// Which program to run. One spelling everywhere: the command line, the
/// output and the profile's file name say `leaky`, `wait-group`, `joined`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Threads that never end, never joined.
    Leaky,
    /// Threads told to stop, counted with a WaitGroup.
    WaitGroup,
    /// Threads told to stop and joined.
    Joined,
}

impl Variant {
    /// Every variant, in the order `compare` runs them.
    pub const ALL: [Variant; 3] = [Variant::Leaky, Variant::WaitGroup, Variant::Joined];

    /// The variant's one spelling: `leaky`, `wait-group` or `joined`.
    ///
    /// ```
    /// assert_eq!(leak_demo::Variant::Leaky.name(), "leaky");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Variant::Leaky => "leaky",
            Variant::WaitGroup => "wait-group",
            Variant::Joined => "joined",
        }
    }
}

/// The moments a run is measured at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhaseName {
    /// Before any thread starts.
    #[serde(rename = "start")]
    Start,
    /// Every thread holds its buffer.
    #[serde(rename = "threads running")]
    ThreadsRunning,
    /// After the variant's way of ending (none, `wait()`, `join`).
    #[serde(rename = "end")]
    End,
}

impl PhaseName {
    /// How the phase is printed.
    ///
    /// ```
    /// assert_eq!(leak_demo::PhaseName::ThreadsRunning.label(), "threads running");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            PhaseName::Start => "start",
            PhaseName::ThreadsRunning => "threads running",
            PhaseName::End => "end",
        }
    }
}

/// How many threads, and how big a buffer each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    threads: usize,
    buffer_bytes: usize,
}

impl Config {
    /// Checks the values before anything starts.
    ///
    /// ```
    /// use leak_demo::Config;
    /// assert!(Config::new(100, 64 * 1024).is_ok());
    /// assert!(Config::new(0, 1024).unwrap_err().contains("at least 1"));
    /// assert!(Config::new(usize::MAX, 1024).unwrap_err().contains("at most"));
    /// assert!(Config::new(4, usize::MAX).unwrap_err().contains("more bytes than"));
    /// ```
    pub fn new(threads: usize, buffer_bytes: usize) -> Result<Config, String> {
        harness::checks::threads("--threads", threads).map_err(|e| e.to_string())?;
        if buffer_bytes == 0 {
            return Err("--buffer-kib must be at least 1".into());
        }
        let total = threads.checked_mul(buffer_bytes).ok_or_else(|| {
            format!(
                "{threads} threads x {buffer_bytes} bytes is more bytes than this machine can \
                     address: use fewer threads or a smaller buffer"
            )
        })? as u64;
        if let Some(available) = harness::probes::mem_available() {
            if total > available / 2 {
                return Err(format!(
                    "{threads} threads x {buffer_bytes} bytes = {total} bytes is more than half the \
                     memory available ({available} bytes): use fewer threads or a smaller buffer"
                ));
            }
        }
        Ok(Config {
            threads,
            buffer_bytes,
        })
    }

    /// The number of threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Bytes each thread allocates.
    pub fn buffer_bytes(&self) -> usize {
        self.buffer_bytes
    }
}

/// The figures at one moment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Phase {
    /// Which moment.
    pub name: PhaseName,
    /// Threads in this process (`/proc/self/status`).
    pub threads: usize,
    /// Resident memory, bytes.
    pub vm_rss: u64,
    /// Virtual memory reserved (stacks included), bytes.
    pub vm_size: u64,
    /// dhat's live heap bytes, when dhat is the allocator.
    pub heap_bytes: Option<u64>,
    /// dhat's live heap blocks, when dhat is the allocator.
    pub heap_blocks: Option<u64>,
}

/// Reads the figures now; `heap` is dhat's `(curr_bytes, curr_blocks)` if profiling.
///
/// ```
/// let p = leak_demo::snapshot(leak_demo::PhaseName::Start, None);
/// assert!(p.threads >= 1 && p.vm_size > 0);
/// ```
pub fn snapshot(name: PhaseName, heap: Option<(u64, u64)>) -> Phase {
    Phase {
        name,
        threads: harness::probes::live_threads(),
        vm_rss: harness::probes::resident_bytes().unwrap_or(0),
        vm_size: harness::probes::virtual_bytes().unwrap_or(0),
        heap_bytes: heap.map(|h| h.0),
        heap_blocks: heap.map(|h| h.1),
    }
}

/// Fills a buffer, touching every page so it is really resident.
fn buffer(bytes: usize) -> Vec<u8> {
    vec![1u8; bytes]
}

/// Runs `variant`, calling `observe` at `start`, `threads running` (every
/// thread holds its buffer) and `end`. Nothing allocates between a phase's
/// barrier and its `observe` call but `observe` itself.
///
/// Every variant starts its threads the same way: each allocates its
/// buffer, then waits on its own clone of one crossbeam `Receiver` until the
/// channel closes (no lock is held while it waits). The variants differ in
/// one place only, the `match` that ends (or does not end) the threads.
pub fn run(variant: Variant, config: Config, observe: &mut dyn FnMut(PhaseName)) {
    observe(PhaseName::Start);
    let all_allocated = Arc::new(Barrier::new(config.threads + 1));
    // Nothing is ever sent: dropping `stop` closes the channel, and that is
    // the signal to stop.
    let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
    let wg = WaitGroup::new();
    let handles: Vec<thread::JoinHandle<()>> = (0..config.threads)
        .map(|_| {
            wg.add(1);
            let (all_allocated, stopped, wg) = (all_allocated.clone(), stopped.clone(), wg.clone());
            thread::spawn(move || {
                let buffer = buffer(config.buffer_bytes);
                all_allocated.wait();
                // Returns only once the channel is closed.
                let _ = stopped.recv();
                drop(buffer);
                wg.done();
                // The thread is not gone yet: it still has to return.
            })
        })
        .collect();
    drop(stopped);
    all_allocated.wait();
    observe(PhaseName::ThreadsRunning);

    match variant {
        Variant::Leaky => {
            // The channel is never closed and nobody joins: every thread
            // waits, with its buffer, for the rest of the program.
            std::mem::forget(stop);
            drop(handles);
        }
        Variant::WaitGroup => {
            drop(stop);
            wg.wait();
            // Dropping a handle detaches its thread: it may still be exiting.
            drop(handles);
        }
        Variant::Joined => {
            drop(stop);
            for h in handles {
                h.join().expect("a thread panicked");
            }
        }
    }
    drop(wg);
    drop(all_allocated);
    observe(PhaseName::End);
}
