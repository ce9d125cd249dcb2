//! Failed calls, counted: how many, and the first.
//!
//! The Go tutorial ended the whole process on the first failed call
//! (`log.Fatal`). Here a failure is counted and the run goes on, and the
//! report says how many failed and shows the first error (the rest are
//! usually alike). Only the first message is kept, so a run where 100,000
//! calls fail does not hold 100,000 strings.

use std::fmt::Display;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Failed calls: how many, and the first one. Shared by every worker.
///
/// ```
/// let failures = harness::Failures::default();
/// // Any error that displays can be recorded.
/// failures.record("connection refused");
/// failures.record("again");
/// assert_eq!(failures.count(), 2);
/// assert_eq!(failures.first().as_deref(), Some("connection refused"));
/// ```
#[derive(Debug, Default)]
pub struct Failures {
    count: AtomicU64,
    first: OnceLock<String>,
}

impl Failures {
    /// Counts one failure; keeps its message if it is the first.
    pub fn record(&self, error: impl Display) {
        if self.count.fetch_add(1, Relaxed) == 0 {
            let _ = self.first.set(error.to_string());
        }
    }

    /// How many calls failed.
    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// The first failure's message.
    pub fn first(&self) -> Option<String> {
        self.first.get().cloned()
    }
}
