//! Start latency: how long a job waited between being handed to the
//! strategy and its first line running, as a histogram cheap enough to fill
//! from a thousand threads at once.
//!
//! Buckets are log-linear: exact below 16 ns, then eight buckets per power
//! of two, so a percentile read back is at most 12.5% below the true value
//! (it reports the bucket's lower edge). Recording is one relaxed atomic add.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

const LINEAR: usize = 16;
const SUB_BUCKETS: usize = 8;
const BUCKETS: usize = LINEAR + (64 - 4) * SUB_BUCKETS;

/// A histogram of durations, filled concurrently.
///
/// ```
/// use std::time::Duration;
/// let h = compare::Latency::default();
/// for us in 1..=100 {
///     h.record(Duration::from_micros(us));
/// }
/// assert_eq!(h.count(), 100);
/// let p50 = h.percentile(0.50).unwrap();
/// // Within one bucket (12.5%) below the true median, 50 µs.
/// assert!(p50 <= Duration::from_micros(50) && p50 >= Duration::from_micros(43), "{p50:?}");
/// assert!(h.percentile(0.99).unwrap() >= Duration::from_micros(87));
/// ```
pub struct Latency {
    buckets: Box<[AtomicU64]>,
}

impl Default for Latency {
    fn default() -> Self {
        Latency {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl std::fmt::Debug for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Latency")
            .field("count", &self.count())
            .finish()
    }
}

fn bucket_of(ns: u64) -> usize {
    if ns < LINEAR as u64 {
        return ns as usize;
    }
    let exp = 63 - ns.leading_zeros() as usize; // at least 4
    let sub = ((ns >> (exp - 3)) & (SUB_BUCKETS as u64 - 1)) as usize;
    LINEAR + (exp - 4) * SUB_BUCKETS + sub
}

fn lower_edge(bucket: usize) -> u64 {
    if bucket < LINEAR {
        return bucket as u64;
    }
    let exp = (bucket - LINEAR) / SUB_BUCKETS + 4;
    let sub = ((bucket - LINEAR) % SUB_BUCKETS) as u64;
    (1u64 << exp) + (sub << (exp - 3))
}

impl Latency {
    /// Counts one duration.
    pub fn record(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.buckets[bucket_of(ns)].fetch_add(1, Relaxed);
    }

    /// How many durations were counted.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Relaxed)).sum()
    }

    /// The duration below which a fraction `q` (0 to 1) of the counted ones
    /// fall, to within one bucket; `None` before any was counted.
    pub fn percentile(&self, q: f64) -> Option<Duration> {
        let counts: Vec<u64> = self.buckets.iter().map(|b| b.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, n) in counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(Duration::from_nanos(lower_edge(bucket)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_falls_in_a_bucket_whose_edge_is_at_most_12_5_percent_below() {
        for ns in (0..5000).chain([1 << 20, 123_456_789, u64::MAX / 3]) {
            let edge = lower_edge(bucket_of(ns));
            assert!(edge <= ns, "{ns}: edge {edge}");
            assert!(ns - edge <= ns / 8, "{ns}: edge {edge}");
        }
        assert!(bucket_of(u64::MAX) < BUCKETS);
    }
}
