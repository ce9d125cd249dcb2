//! The queue between submitters and workers: a locked `VecDeque` with its length beside it.
//!
//! Why not a crossbeam channel? Its `try_recv` is lock-free only while no
//! sender is half-way through a send: a receiver that meets a slot claimed but
//! not yet written spins until the sender finishes. With a thousand workers on
//! two cores, a submitter preempted in that window left hundreds of workers
//! spinning in `try_recv`, starving the very thread they waited for; the
//! 100,000 × 10 ms benchmark took from 1.3 s to 7 s from one run to the next.
//! A mutex holder that is preempted makes the others *sleep* after a short
//! spin, which hands the CPU back to it. The lock is held for a push or a pop
//! only, never while a task runs.
//!
//! The length lives in an atomic beside the lock, so the wake-up protocol can
//! read it without locking.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::SeqCst;

use crate::sync::{AtomicUsize, Mutex, lock};

pub(crate) struct TaskQueue<J> {
    items: Mutex<VecDeque<J>>,
    len: AtomicUsize,
}

impl<J> TaskQueue<J> {
    /// A queue with room for `capacity` tasks before it first reallocates.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        TaskQueue {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            len: AtomicUsize::new(0),
        }
    }

    pub(crate) fn push(&self, job: J) {
        let mut items = lock(&self.items);
        items.push_back(job);
        self.len.store(items.len(), SeqCst);
    }

    pub(crate) fn pop(&self) -> Option<J> {
        if self.len.load(SeqCst) == 0 {
            return None;
        }
        let mut items = lock(&self.items);
        let job = items.pop_front();
        self.len.store(items.len(), SeqCst);
        job
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(SeqCst)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
