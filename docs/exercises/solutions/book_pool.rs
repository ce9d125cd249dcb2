//! Exercise 1, solved: the Rust Book's `ThreadPool` (lesson 2, stage 2),
//! with each worker catching a panicking job and going on to the next, so
//! the pool keeps all its workers. Only the worker loop differs from
//! `native-workers/src/book_pool.rs`.
//!
//! The Book's pool: workers sharing one `Arc<Mutex<Receiver>>`.
//!
//! std's `mpsc::Receiver` has a single owner, so the workers share it behind
//! a mutex: each worker locks, takes one job, unlocks, runs it. Dropping the
//! pool closes the channel and joins every worker.
//!
//! # Why the lock must not be held while a job runs
//!
//! `let job = receiver.lock().unwrap().recv();` ends the lock guard at the
//! end of the statement, so the job runs unlocked. Written as
//! `while let Ok(job) = receiver.lock().unwrap().recv() { job() }`, the guard
//! lives for the whole loop body: one job at a time runs, on any number of
//! workers. (The Book makes the same point.)
//!
//! # What a panicking job does here
//!
//! A panic unwinds the worker thread: that worker is gone for good, and the
//! pool quietly has one worker fewer. If the panic happened while the lock
//! was held, the mutex would be poisoned and every other worker's `lock()`
//! would fail too. `pool-core` catches panics around each task instead.
//!
//! ```
//! use native_workers::book_pool::ThreadPool;
//! use std::sync::mpsc;
//!
//! let pool = ThreadPool::new(4);
//! let (tx, rx) = mpsc::channel();
//! for i in 0..8 {
//!     let tx = tx.clone();
//!     pool.execute(move || tx.send(i).unwrap());
//! }
//! drop(tx);
//! let mut got: Vec<i32> = rx.iter().collect();
//! got.sort();
//! assert_eq!(got, (0..8).collect::<Vec<_>>());
//! ```

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of worker threads sharing one job queue.
pub struct ThreadPool {
    workers: Vec<Worker>,
    sender: Option<mpsc::Sender<Job>>,
}

struct Worker {
    id: usize,
    thread: JoinHandle<()>,
}

impl ThreadPool {
    /// A pool of `size` threads, started now.
    ///
    /// # Panics
    ///
    /// If `size` is zero.
    ///
    /// ```
    /// let pool = native_workers::book_pool::ThreadPool::new(2);
    /// assert_eq!(pool.live_workers(), 2);
    /// ```
    pub fn new(size: usize) -> ThreadPool {
        assert!(size > 0, "a ThreadPool needs at least one worker");
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = (0..size)
            .map(|id| {
                let receiver = Arc::clone(&receiver);
                let thread = thread::spawn(move || {
                    loop {
                        // The guard is a temporary: the lock is released
                        // before the job runs.
                        let message = receiver.lock().expect("lock poisoned").recv();
                        match message {
                            Ok(job) => {
                                // The lock guard ended with the statement
                                // above, so a panic here cannot poison it.
                                let caught = std::panic::catch_unwind(AssertUnwindSafe(job));
                                if caught.is_err() {
                                    log::debug!("worker {id} survived a panicking job");
                                }
                            }
                            // The sender is gone: the pool is shutting down.
                            Err(_) => break,
                        }
                    }
                });
                Worker { id, thread }
            })
            .collect();
        ThreadPool {
            workers,
            sender: Some(sender),
        }
    }

    /// Queues `f` for a worker.
    ///
    /// ```
    /// let pool = native_workers::book_pool::ThreadPool::new(1);
    /// pool.execute(|| println!("hello"));
    /// ```
    pub fn execute<F: FnOnce() + Send + 'static>(&self, f: F) {
        self.sender
            .as_ref()
            .expect("the sender lives until drop")
            .send(Box::new(f))
            .expect("at least one worker is alive");
    }

    /// Workers whose thread is still running (a panicking job kills one).
    ///
    /// ```
    /// let pool = native_workers::book_pool::ThreadPool::new(3);
    /// assert_eq!(pool.live_workers(), 3);
    /// ```
    pub fn live_workers(&self) -> usize {
        self.workers
            .iter()
            .filter(|w| !w.thread.is_finished())
            .count()
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        // Close the channel: each worker's recv() fails once the queue is empty.
        drop(self.sender.take());
        // Join every worker (a worker that died of a panic reports it here).
        for worker in self.workers.drain(..) {
            if worker.thread.join().is_err() {
                log::debug!("worker {} had died of a panicking job", worker.id);
            }
        }
    }
}
