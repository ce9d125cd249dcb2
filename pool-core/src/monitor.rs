//! The pool's watchman: wakes parked workers for tasks that waited too long.
//!
//! A submitter wakes a parked worker only when no worker is searching, and a
//! searching worker that takes a task does not wake another: in a flood of
//! tiny tasks the busy workers come back for the next task within
//! microseconds, and a wake-up per task would cost more than the tasks.
//!
//! That leaves one gap: a burst of *slow* tasks arriving while one worker is
//! searching. The searcher takes one; the rest wait for a busy worker to come
//! back, while parked workers sleep. The monitor closes the gap. Once per
//! [`TICK`] while tasks are in flight, it checks whether tasks queued at the
//! previous tick are still queued, and wakes one parked worker (or starts one)
//! for each of them. So no task waits more than about one tick for a free
//! worker, and a busy pool pays about a thousand cheap checks a second.
//!
//! ants runs a similar helper goroutine per pool (its `ticktock`); Go's own
//! scheduler has `sysmon`.

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::thread;
use std::time::Duration;

use crate::engine::Engine;

/// How often the monitor looks while tasks are in flight.
pub(crate) const TICK: Duration = Duration::from_millis(1);

/// How long the monitor sleeps while the pool is empty (it is also nudged
/// awake when a burst starts).
pub(crate) const IDLE_TICK: Duration = Duration::from_millis(100);

impl<J: Send + 'static> Engine<J> {
    /// The monitor thread's loop; returns when the pool's owner stops it.
    pub(crate) fn monitor(self: Arc<Self>) {
        // `submitted` at the previous tick: every task accepted up to then
        // has left the queue iff `submitted - queued` has caught up with it.
        let mut previous: Option<u64> = None;
        loop {
            if self.monitor_stop.load(SeqCst) {
                return;
            }
            // Expired and retired workers are joined here, not left holding
            // their stacks until the next spawn.
            self.threads.reap_finished();
            if self.in_flight.load(SeqCst) == 0 {
                self.monitor_idle.store(true, SeqCst);
                if self.in_flight.load(SeqCst) == 0 && !self.monitor_stop.load(SeqCst) {
                    thread::park_timeout(IDLE_TICK);
                }
                self.monitor_idle.store(false, SeqCst);
                previous = None;
                continue;
            }
            thread::park_timeout(TICK);
            let submitted = self.submitted.load(SeqCst);
            let queued = self.queue.len() as u64;
            let dequeued = submitted.saturating_sub(queued);
            if let Some(then) = previous {
                let stuck = then.saturating_sub(dequeued) as usize;
                let searching = self.spinning.load(SeqCst);
                for _ in 0..stuck.saturating_sub(searching) {
                    if !matches!(self.wake_one(), Ok(true)) {
                        break;
                    }
                }
            }
            previous = Some(submitted);
        }
    }

    /// Called when a burst may need more workers: wakes an idle monitor so
    /// it starts ticking now rather than at the end of its idle sleep.
    pub(crate) fn nudge_monitor(&self) {
        if self.monitor_idle.swap(false, SeqCst) {
            if let Some(monitor) = self.monitor_thread.get() {
                monitor.unpark();
            }
        }
    }

    /// Starts the monitor thread.
    pub(crate) fn start_monitor(self: &Arc<Self>) -> std::io::Result<()> {
        let engine = Arc::clone(self);
        let handle = thread::Builder::new()
            .name(format!("{}-monitor", self.opts.thread_name))
            .stack_size(64 * 1024)
            .spawn(move || engine.monitor())?;
        let _ = self.monitor_thread.set(handle.thread().clone());
        *crate::engine::lock(&self.monitor_handle) = Some(handle);
        Ok(())
    }

    /// Stops and joins the monitor thread (unless called from it).
    pub(crate) fn stop_monitor(&self) {
        self.monitor_stop.store(true, SeqCst);
        let handle = crate::engine::lock(&self.monitor_handle).take();
        if let Some(handle) = handle {
            handle.thread().unpark();
            if handle.thread().id() != thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}
