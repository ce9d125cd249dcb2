//! Thread bookkeeping: how many workers a pool has, their join handles, and the process-wide ceiling.
//!
//! A pool's threads are its workers and nothing else: there is no helper
//! thread, so an idle pool whose workers have expired holds no thread at all.
//!
//! # Why joining matters
//!
//! A thread that has returned is gone from `/proc/self/task`, but until it is
//! joined its stack and guard page stay mapped: 10,000 unjoined threads hold
//! 40,000 memory maps, and past `vm.max_map_count` glibc aborts the process.
//! So no exited worker is left waiting for a join:
//!
//! - a worker that leaves a pool that stays open (it expired, or `tune`
//!   shrank the pool) detaches itself as its last act
//!   ([`Threads::let_go`]): nobody may come by to join it, and an idle
//!   pool must hold no thread at all;
//! - a worker that leaves because the pool closed is joined by whoever
//!   closes it (`release_timeout`, drop), or, if they gave up, by the next
//!   thread start.
//!
//! So `release`/drop wait for the workers that were there when the pool
//! closed; a worker that expired before that may still be in its last
//! microseconds of exiting (it holds no task and no lock).
//!
//! # The ceiling counts every pool
//!
//! [`POOL_THREADS`] counts the pool threads of the whole process, from the
//! moment one is started until it is joined. A thread that would take the
//! count past [`thread_ceiling`] is not started: the submitter gets
//! [`PoolError::ThreadSpawn`](crate::PoolError::ThreadSpawn) with its task,
//! or the task waits for a live worker, and the process never aborts.

use std::collections::{HashMap, HashSet};
use std::io;
use std::mem;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering::SeqCst};
use std::thread::{JoinHandle, ThreadId};
use std::time::Instant;

use crate::limits::{address_space_room, thread_ceiling};

/// Rust's default thread stack, counted when a pool sets none.
const DEFAULT_STACK: usize = 2 << 20;

/// A thread's guard page and thread-local block, beyond its stack.
const STACK_EXTRA: usize = 64 << 10;
use crate::sync::{AtomicUsize, Condvar, Mutex, lock, wait_until};

/// Pool threads in this process, across every pool, started and not yet joined.
static POOL_THREADS: StdAtomicUsize = StdAtomicUsize::new(0);

/// The count of a pool's workers, and the handles to join them by.
pub(crate) struct Threads {
    /// Worker threads alive (ants' `Running()`): grows only below the
    /// capacity, shrinks only above it or when a worker leaves.
    workers: AtomicUsize,
    inner: Mutex<Handles>,
    exited: Condvar,
}

#[derive(Default)]
struct Handles {
    running: HashMap<usize, JoinHandle<()>>,
    /// Workers that have left their loop, to be joined.
    finished: Vec<usize>,
    /// Workers let go unjoined (see [`Threads::detach_all`]): each one lets
    /// go of its place under the ceiling itself, as its last act.
    detached: HashSet<usize>,
    next_id: usize,
}

impl Handles {
    /// Joins the threads that have left their loop (they are exiting or gone).
    fn reap(&mut self, except: Option<ThreadId>) {
        let mut kept = Vec::new();
        for id in mem::take(&mut self.finished) {
            match self.running.remove(&id) {
                Some(handle) if Some(handle.thread().id()) == except => {
                    self.running.insert(id, handle);
                    kept.push(id);
                }
                Some(handle) => {
                    // It has returned from its loop: this join is short.
                    let _ = handle.join();
                    POOL_THREADS.fetch_sub(1, SeqCst);
                }
                None => {}
            }
        }
        self.finished = kept;
    }
}

impl Threads {
    pub(crate) fn new() -> Self {
        Threads {
            workers: AtomicUsize::new(0),
            inner: Mutex::new(Handles::default()),
            exited: Condvar::new(),
        }
    }

    /// Worker threads alive.
    pub(crate) fn workers(&self) -> usize {
        self.workers.load(SeqCst)
    }

    /// Counts one more worker if there are fewer than `cap`.
    pub(crate) fn reserve(&self, cap: usize) -> bool {
        self.workers
            .fetch_update(SeqCst, SeqCst, |n| (n < cap).then_some(n + 1))
            .is_ok()
    }

    /// Counts one worker fewer if there are more than `cap` (after a shrink).
    pub(crate) fn retire_if_surplus(&self, cap: usize) -> bool {
        self.workers
            .fetch_update(SeqCst, SeqCst, |n| (n > cap).then(|| n - 1))
            .is_ok()
    }

    /// Counts one worker fewer: it is leaving (expired, pool closed), or
    /// it was reserved and never started.
    pub(crate) fn worker_left(&self) {
        self.workers.fetch_sub(1, SeqCst);
    }

    /// Starts a thread named `name` running `body` with its id (which it
    /// passes to [`mark_finished`](Threads::mark_finished) as its last act),
    /// unless the process is at its ceiling. The caller has counted the
    /// worker already. On failure `body` is dropped unrun (a task it carries
    /// must travel beside it).
    pub(crate) fn spawn(
        &self,
        name: &str,
        stack_size: Option<usize>,
        body: impl FnOnce(usize) + Send + 'static,
    ) -> io::Result<()> {
        let ceiling = thread_ceiling();
        let mut handles = lock(&self.inner);
        handles.reap(None);
        let stack = stack_size.unwrap_or(DEFAULT_STACK) + STACK_EXTRA;
        if let Some(room) = address_space_room() {
            if room < stack {
                return Err(io::Error::other(format!(
                    "the process's address space limit (ulimit -v) leaves {room} bytes for a thread stack of {stack}"
                )));
            }
        }
        if POOL_THREADS.fetch_add(1, SeqCst) >= ceiling.max_threads {
            POOL_THREADS.fetch_sub(1, SeqCst);
            return Err(io::Error::other(format!(
                "the process already has {} pool threads, its ceiling ({})",
                ceiling.max_threads, ceiling.limit
            )));
        }
        let id = handles.next_id;
        handles.next_id += 1;
        let mut builder = std::thread::Builder::new().name(format!("{name}-{id}"));
        if let Some(bytes) = stack_size {
            builder = builder.stack_size(bytes);
        }
        match builder.spawn(move || body(id)) {
            Ok(handle) => {
                handles.running.insert(id, handle);
                Ok(())
            }
            Err(e) => {
                POOL_THREADS.fetch_sub(1, SeqCst);
                Err(e)
            }
        }
    }

    /// The last act of thread `id`: it has left its loop and may be joined.
    pub(crate) fn mark_finished(&self, id: usize) {
        let mut handles = lock(&self.inner);
        if handles.detached.remove(&id) {
            // Nobody will join it: it is on its way out now.
            POOL_THREADS.fetch_sub(1, SeqCst);
        } else {
            handles.finished.push(id);
        }
        drop(handles);
        self.exited.notify_all();
    }

    /// The last act of thread `id` leaving a pool that stays open (it
    /// expired, or a shrink retired it): it detaches itself and frees its
    /// place under the ceiling, so an idle pool holds no thread, not even an
    /// exited one waiting to be joined. It has run its last task and touches
    /// nothing of the pool after this; the OS frees its stack as it exits.
    pub(crate) fn let_go(&self, id: usize) {
        let mut handles = lock(&self.inner);
        let ours = handles.detached.remove(&id) || handles.running.remove(&id).is_some();
        if ours {
            POOL_THREADS.fetch_sub(1, SeqCst);
        }
        drop(handles);
        self.exited.notify_all();
    }

    /// Joins the threads that have finished and lets the others go
    /// unjoined (a pool dropped after a `release_timeout` that ran out of
    /// time: its stuck workers must not hold up the drop). Returns how many
    /// were let go.
    pub(crate) fn detach_all(&self) -> usize {
        let me = std::thread::current().id();
        let mut handles = lock(&self.inner);
        handles.reap(Some(me));
        let ids: Vec<usize> = handles
            .running
            .iter()
            .filter(|(_, h)| h.thread().id() != me)
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            // Dropping a JoinHandle detaches its thread.
            drop(handles.running.remove(id));
            handles.detached.insert(*id);
        }
        ids.len()
    }

    /// Joins every thread but the calling one; returns how many are still
    /// running at `deadline` (`None`: wait for all).
    pub(crate) fn join_all(&self, deadline: Option<Instant>) -> usize {
        let me = std::thread::current().id();
        let mut handles = lock(&self.inner);
        loop {
            handles.reap(Some(me));
            let left = handles
                .running
                .values()
                .filter(|h| h.thread().id() != me)
                .count();
            if left == 0 {
                return 0;
            }
            handles = match wait_until(&self.exited, handles, deadline) {
                Some(handles) => handles,
                None => return left,
            };
        }
    }
}

impl Drop for Threads {
    /// A pool dropped from inside one of its own tasks could not join that
    /// worker; its handle is detached here, and the process-wide count let
    /// go, as the thread is on its way out.
    fn drop(&mut self) {
        let handles = mem::take(&mut lock(&self.inner).running);
        POOL_THREADS.fetch_sub(handles.len(), SeqCst);
    }
}
