//! A parked thread's doorbell: a note saying why it was woken, and the thread to wake.
//!
//! Two kinds of thread wait in this pool: an idle worker (in `idle.rs`,
//! woken for work or to retire) and a submitter waiting for a slot (in
//! `admission.rs`, woken when a worker has taken its task). Both need the
//! same three things: the waker leaves a note, wakes the thread, and the
//! thread, whatever woke it (a note, a spurious wake-up, a timeout), reads
//! the note to decide. One type serves both.
//!
//! A note is written before the thread is unparked, and read after it wakes;
//! an unpark that comes before the park is kept as a token (see
//! [`Parker`]), so no wake-up is lost. Ringing a thread that is not parked
//! costs no system call.
//!
//! # Doorbell vs `std::thread::park`
//!
//! `park` alone says *that* somebody woke the thread, not *why*, and a
//! spurious wake-up looks the same. The note says why, and a reason of
//! [`SILENT`] means "nobody rang: look again or park again".

use std::sync::atomic::Ordering::SeqCst;
use std::time::Instant;

use crate::sync::{AtomicU8, Parker};

/// The note of a doorbell nobody has rung since it was armed.
pub(crate) const SILENT: u8 = 0;

/// A note for the waker to leave, and the thread to wake.
#[derive(Debug)]
pub(crate) struct Doorbell {
    note: AtomicU8,
    parker: Parker,
}

impl Doorbell {
    /// The calling thread's doorbell (only this thread may wait on it).
    pub(crate) fn new() -> Self {
        Doorbell {
            note: AtomicU8::new(SILENT),
            parker: Parker::current(),
        }
    }

    /// Clears the note before the owner waits again.
    pub(crate) fn arm(&self) {
        self.note.store(SILENT, SeqCst);
    }

    /// Leaves `note` without waking the owner yet: a waker that holds a
    /// lock writes the note under it, and rings after letting go.
    pub(crate) fn write(&self, note: u8) {
        debug_assert_ne!(note, SILENT);
        self.note.store(note, SeqCst);
    }

    /// Wakes the owner, or lets its next wait return at once.
    pub(crate) fn ring(&self) {
        self.parker.unpark();
    }

    /// Leaves `note` and wakes the owner.
    pub(crate) fn write_and_ring(&self, note: u8) {
        self.write(note);
        self.ring();
    }

    /// The note, [`SILENT`] if nobody rang.
    pub(crate) fn note(&self) -> u8 {
        self.note.load(SeqCst)
    }

    /// Parks the owner until a note is left (returns it) or `until` passes
    /// (returns [`SILENT`]).
    pub(crate) fn wait(&self, until: Option<Instant>) -> u8 {
        loop {
            let note = self.note();
            if note != SILENT || !self.parker.park_until(until) {
                return self.note();
            }
        }
    }

    /// Parks once: returns on a ring, a spurious wake-up, or at `until`
    /// (then `false`). The caller looks at its own state afterwards.
    pub(crate) fn park_once(&self, until: Option<Instant>) -> bool {
        self.parker.park_until(until)
    }
}

/// A doorbell for a future instead of a thread: the note is one flag (its
/// task was taken), and ringing wakes the future's `Waker` instead of
/// unparking a thread. An async submitter waits in the same line as parked
/// ones (`admission.rs`).
#[derive(Debug, Default)]
pub(crate) struct WakerBell {
    taken: crate::sync::AtomicBool,
    waker: crate::sync::Mutex<Option<std::task::Waker>>,
}

impl WakerBell {
    /// Leaves the note: the task was taken.
    pub(crate) fn write_taken(&self) {
        self.taken.store(true, SeqCst);
    }

    /// Whether the task was taken.
    pub(crate) fn taken(&self) -> bool {
        self.taken.load(SeqCst)
    }

    /// The waker to call on the next ring.
    pub(crate) fn set_waker(&self, waker: &std::task::Waker) {
        let mut slot = crate::sync::lock(&self.waker);
        match &mut *slot {
            Some(old) => old.clone_from(waker),
            none => *none = Some(waker.clone()),
        }
    }

    /// Wakes the future, if it has polled since the last ring.
    pub(crate) fn ring(&self) {
        let waker = crate::sync::lock(&self.waker).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
