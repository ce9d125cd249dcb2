//! Stage 1, the tutorial's exemplo1: three workers, a `jobs` channel, a `results` channel.
//!
//! The smallest worker pool there is. Each worker loops over the jobs
//! channel until it is closed; the caller sends five job numbers, closes the
//! channel (drops the sender), and reads five results.
//!
//! Go's channels can have many receivers; std's `mpsc` cannot (stage 2 shows
//! the mutex that works around it). crossbeam's channels can, so this stage
//! reads like the Go.
//!
//! ```
//! let mut results = native_workers::basic::run(3, 5);
//! results.sort();
//! assert_eq!(results, [2, 4, 6, 8, 10]);
//! ```

use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};

/// The job: double the number. (The Go original slept a second to look busy.)
/// Note the signature: the worker owns the loop and both channels.
fn worker(id: usize, jobs: Receiver<u64>, results: Sender<u64>) {
    // Runs until the jobs channel is closed and drained.
    for job in jobs {
        log::debug!("worker {id} started job {job}");
        results
            .send(job * 2)
            .expect("the caller reads every result");
        log::debug!("worker {id} finished job {job}");
    }
}

/// Runs `jobs` jobs on `workers` threads and returns the results (in the
/// order they finished). Every worker thread is joined before it returns.
///
/// ```
/// assert_eq!(native_workers::basic::run(1, 3), [2, 4, 6]);
/// ```
pub fn run(workers: usize, jobs: u64) -> Vec<u64> {
    let (job_tx, job_rx) = unbounded::<u64>();
    let (result_tx, result_rx) = unbounded::<u64>();

    // Start the workers.
    let handles: Vec<_> = (1..=workers)
        .map(|id| {
            let (jobs, results) = (job_rx.clone(), result_tx.clone());
            thread::spawn(move || worker(id, jobs, results))
        })
        .collect();
    drop(result_tx);

    // Send the jobs, then close the channel.
    for job in 1..=jobs {
        job_tx.send(job).expect("workers are alive");
    }
    drop(job_tx);

    // Read the results (the channel ends when every worker has returned),
    // then join every worker.
    let results: Vec<u64> = result_rx.iter().collect();
    for h in handles {
        h.join().expect("a worker panicked");
    }
    results
}
