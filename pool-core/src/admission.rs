//! Admission: at most `cap + queue_size` tasks accepted at once, and the submitters that wait for a slot.
//!
//! A task holds a *slot* from the moment it is accepted until it has run:
//! `cap` slots for running tasks, plus `queue_size` for tasks that wait in
//! the queue (0 by default, ants' semantics). A
//! submitter that finds every slot taken either gives up (`try_submit`, a
//! `nonblocking` pool, `max_blocking_tasks` reached) or parks in the
//! *waiters* line, with its task beside it.
//!
//! # The hand-off
//!
//! When a task ends, its worker does not free the slot and then wake a
//! parked submitter, which would have to wake up, take the slot and hand its
//! task over before anything runs: on two cores that puts two context
//! switches on the critical path. Instead the worker takes the first
//! waiter's task out of the line, keeps the slot for it, runs it at once,
//! and only then does the submitter wake up, to learn that its task was
//! accepted. This is how a Go channel hands a value from a waiting sender to
//! a receiver.
//!
//! # One word, one decision
//!
//! The count of tasks in flight and the count of parked waiters share one
//! `AtomicU64` (`state`). The fast paths are one compare-and-swap each: a
//! submitter takes a slot while `in_flight < cap`; a finishing worker frees
//! its slot while nobody waits. Every change to the waiter count happens
//! under the waiters' lock, and a worker that sees waiters takes the lock
//! before deciding. So a submitter that registers and a worker that
//! finishes cannot miss each other: whichever changes `state` first, the
//! other sees it.
//!
//! # Why spin in line before parking
//!
//! A full pool of short tasks frees a slot within microseconds; parking and
//! being woken costs more than that (a park/unpark round between two cores
//! cost 8.4 µs of CPU on an AMD EPYC KVM guest). A blocked submitter
//! therefore joins the line at once, so that the next worker to finish can
//! take its task, and spins a bounded number of rounds before it parks: a
//! worker that takes the task of a submitter still spinning wakes nobody.
//! Yielding instead of spinning was measured too, and cost more: a
//! `sched_yield` is itself a system call (0.8 µs there), and with the two
//! workers of a pool of 2 on the other core it yields to nobody. Behind a
//! queue of tasks that have not even started, no slot is coming soon, and
//! the submitter parks at once.

use std::collections::VecDeque;
use std::time::Instant;

use crossbeam_utils::CachePadded;

use crate::doorbell::{Doorbell, WakerBell};
use crate::spin::spin;
use crate::sync::{Arc, AtomicBool, AtomicU64, AtomicUsize, Mutex, lock};

use std::sync::atomic::Ordering::SeqCst;

/// One waiter in the high half of `state`.
const ONE_WAITER: u64 = 1 << 32;
/// The low half of `state`: tasks in flight.
const IN_FLIGHT: u64 = ONE_WAITER - 1;

/// Rounds of spinning in line before a submitter parks: 255 `pause`s in
/// all, a few microseconds.
const SPIN_ROUNDS: u32 = 8;

/// How long a submitter may wait for a slot.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wait {
    /// Until a slot frees up.
    Forever,
    /// Not at all.
    Never,
    /// Until this instant.
    Until(Instant),
}

impl Wait {
    /// `Until(deadline)`, or `Forever` when there is no deadline
    /// (see [`deadline_after`](crate::sync::deadline_after)).
    pub(crate) fn until(deadline: Option<Instant>) -> Wait {
        deadline.map_or(Wait::Forever, Wait::Until)
    }
}

/// Why a task was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Closed,
    Overload,
    Timeout,
}

/// What became of an admitted task.
#[derive(Debug)]
pub(crate) enum Admitted<J> {
    /// The caller holds a slot for its task, and must dispatch it.
    Slot(J),
    /// A finishing worker (or `set_cap`) took the task while its submitter
    /// was parked: it is already on its way.
    HandedOff,
}

/// The note a worker leaves on a waiter's doorbell when it takes the task.
const TAKEN: u8 = 1;

/// The calling thread's doorbell. Outside loom it lives in a thread-local,
/// so blocking allocates nothing after a thread's first time.
fn doorbell() -> Arc<Doorbell> {
    #[cfg(not(loom))]
    {
        thread_local! {
            static DOORBELL: Arc<Doorbell> = Arc::new(Doorbell::new());
        }
        DOORBELL.with(Arc::clone)
    }
    #[cfg(loom)]
    Arc::new(Doorbell::new())
}

struct Waiter<J> {
    job: J,
    bell: Bell,
}

/// Whom a waiter's note goes to: a parked thread, or a future.
enum Bell {
    Thread(Arc<Doorbell>),
    Future(Arc<WakerBell>),
}

impl Bell {
    fn write_taken(&self) {
        match self {
            Bell::Thread(doorbell) => doorbell.write(TAKEN),
            Bell::Future(bell) => bell.write_taken(),
        }
    }

    fn ring(&self) {
        match self {
            Bell::Thread(doorbell) => doorbell.ring(),
            Bell::Future(bell) => bell.ring(),
        }
    }

    fn is_thread(&self, doorbell: &Arc<Doorbell>) -> bool {
        matches!(self, Bell::Thread(d) if Arc::ptr_eq(d, doorbell))
    }

    fn is_future(&self, bell: &Arc<WakerBell>) -> bool {
        matches!(self, Bell::Future(b) if Arc::ptr_eq(b, bell))
    }
}

/// What an async submitter's first step found.
pub(crate) enum Entered<J> {
    /// Admitted at once: the caller dispatches the task.
    Admitted(J),
    /// In the waiters' line with its task; see [`Admission::poll_line`].
    InLine,
}

/// The admission counter and the line of parked submitters.
pub(crate) struct Admission<J> {
    /// Tasks in flight (low 32 bits) and parked waiters (high 32 bits).
    state: CachePadded<AtomicU64>,
    /// Workers that may run at once (`cap()`).
    cap: AtomicUsize,
    /// Tasks that may wait in the queue beyond the running ones: at most
    /// `cap + queue_size` are in flight (0: ants' semantics).
    queue_size: usize,
    /// Set under the `waiters` lock; read anywhere.
    closed: AtomicBool,
    waiters: Mutex<VecDeque<Waiter<J>>>,
}

fn in_flight(state: u64) -> usize {
    (state & IN_FLIGHT) as usize
}

fn waiters(state: u64) -> usize {
    (state >> 32) as usize
}

impl<J> Admission<J> {
    pub(crate) fn new(cap: usize, queue_size: usize) -> Self {
        Admission {
            state: CachePadded::new(AtomicU64::new(0)),
            cap: AtomicUsize::new(cap),
            queue_size,
            closed: AtomicBool::new(false),
            waiters: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap.load(SeqCst)
    }

    /// The most tasks in flight at once: running ones plus the queue.
    fn limit(&self) -> usize {
        self.cap() + self.queue_size
    }

    /// Tasks accepted and not yet finished (queued, running, or being handed over).
    pub(crate) fn in_flight(&self) -> usize {
        in_flight(self.state.load(SeqCst))
    }

    /// Submitters parked for a slot.
    pub(crate) fn waiting(&self) -> usize {
        waiters(self.state.load(SeqCst))
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(SeqCst)
    }

    /// Takes a slot if one is free, in one compare-and-swap.
    pub(crate) fn try_acquire(&self) -> bool {
        let mut state = self.state.load(SeqCst);
        loop {
            if in_flight(state) >= self.limit() {
                return false;
            }
            match self
                .state
                .compare_exchange_weak(state, state + 1, SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Admits `job`, waiting as `wait` allows. `max_waiters` (0: no limit)
    /// bounds how many submitters may wait at once; `may_spin` says whether
    /// a slot may free up soon enough to spin in line before parking.
    pub(crate) fn acquire(
        &self,
        job: J,
        wait: Wait,
        max_waiters: usize,
        may_spin: bool,
    ) -> Result<Admitted<J>, (Refusal, J)> {
        if self.is_closed() {
            return Err((Refusal::Closed, job));
        }
        if self.try_acquire() {
            return Ok(Admitted::Slot(job));
        }
        let deadline = match wait {
            Wait::Never => return Err((Refusal::Overload, job)),
            Wait::Forever => None,
            Wait::Until(d) => Some(d),
        };
        self.wait_in_line(job, deadline, max_waiters, may_spin)
    }

    /// Joins the waiters' line and waits until a worker takes the task, the
    /// pool closes, or the deadline passes: spinning first if `may_spin`,
    /// then parked.
    fn wait_in_line(
        &self,
        job: J,
        deadline: Option<Instant>,
        max_waiters: usize,
        may_spin: bool,
    ) -> Result<Admitted<J>, (Refusal, J)> {
        let doorbell = doorbell();
        doorbell.arm();
        let bell = Bell::Thread(Arc::clone(&doorbell));
        if let Entered::Admitted(job) = self.join_line(job, max_waiters, bell)? {
            return Ok(Admitted::Slot(job));
        }
        // In line, the task goes to the next worker that finishes, parked
        // or not (see the module docs).
        let taken = || (doorbell.note() == TAKEN).then_some(());
        if may_spin && !cfg!(loom) && spin(SPIN_ROUNDS, taken).is_some() {
            return Ok(Admitted::HandedOff);
        }
        let mut timed_out = false;
        loop {
            if !timed_out && doorbell.note() != TAKEN && !self.is_closed() {
                timed_out = !doorbell.park_once(deadline);
            }
            // Whatever woke us, look under the lock: our task may have been
            // taken; the pool may have closed; a slot may be free that no
            // finisher handed over (slots freed while the pool was closed,
            // before a `reboot`: the lost wake-up the stress soak found).
            let mut line = lock(&self.waiters);
            if doorbell.note() == TAKEN {
                return Ok(Admitted::HandedOff);
            }
            let closed = self.is_closed();
            let slot_free = !closed && in_flight(self.state.load(SeqCst)) < self.limit();
            if !(closed || slot_free || timed_out) {
                continue; // woken for nothing: park again
            }
            let at = line
                .iter()
                .position(|w| w.bell.is_thread(&doorbell))
                .expect("a waiter whose task was not taken is still in line");
            let me = line.remove(at).expect("the position was just found");
            if slot_free {
                // One waiter fewer, one task more, in one step.
                self.state.fetch_sub(ONE_WAITER - 1, SeqCst);
                return Ok(Admitted::Slot(me.job));
            }
            self.state.fetch_sub(ONE_WAITER, SeqCst);
            let refusal = if closed {
                Refusal::Closed
            } else {
                Refusal::Timeout
            };
            return Err((refusal, me.job));
        }
    }

    /// A task has finished. Returns the task of the first parked submitter,
    /// which now holds the finished task's slot and must run next, or `None`
    /// if the slot was freed.
    ///
    /// `queued` is the queue's length. While it is more than half of
    /// `cap + queue_size`, the slot is freed and the submitter left parked: a busy pool
    /// wakes its submitter once per half a queue, and the submitter then
    /// refills it through the fast path, instead of once per task. No waiter
    /// is stranded: while tasks are queued, more tasks finish, and the first
    /// to finish with a short queue hands off.
    pub(crate) fn finish(&self, queued: usize) -> Option<J> {
        let mut state = self.state.load(SeqCst);
        while waiters(state) == 0 {
            match self
                .state
                .compare_exchange_weak(state, state - 1, SeqCst, SeqCst)
            {
                Ok(_) => return None,
                Err(now) => state = now,
            }
        }
        let mut line = lock(&self.waiters);
        let state = self.state.load(SeqCst);
        // A closed pool refuses its waiters; above the capacity (after a
        // shrink) the slot must go, not pass on.
        // The hysteresis (a long queue) may skip the hand-off only while
        // another task is still in flight: its finish will decide again.
        // `queued` may be stale; `state` is not. (The soak found a waiter
        // stranded by a stale queue length on the last task in flight.)
        if waiters(state) == 0
            || self.is_closed()
            || in_flight(state) > self.limit()
            || (queued > self.limit() / 2 && in_flight(state) > 1)
        {
            self.state.fetch_sub(1, SeqCst);
            return None;
        }
        let waiter = line.pop_front().expect("every counted waiter is in line");
        self.state.fetch_sub(ONE_WAITER, SeqCst);
        waiter.bell.write_taken();
        drop(line);
        waiter.bell.ring();
        Some(waiter.job)
    }

    /// Sets the capacity. Growing admits parked submitters into the new
    /// slots; their tasks come back for the caller to dispatch.
    pub(crate) fn set_cap(&self, cap: usize) -> Vec<J> {
        let mut line = lock(&self.waiters);
        self.cap.store(cap, SeqCst);
        let mut admitted = Vec::new();
        let mut to_wake = Vec::new();
        while !self.is_closed() {
            let state = self.state.load(SeqCst);
            if waiters(state) == 0 || in_flight(state) >= cap + self.queue_size {
                break;
            }
            let waiter = line.pop_front().expect("every counted waiter is in line");
            // One waiter fewer, one task more, in one step.
            self.state.fetch_sub(ONE_WAITER - 1, SeqCst);
            waiter.bell.write_taken();
            admitted.push(waiter.job);
            to_wake.push(waiter.bell);
        }
        drop(line);
        for bell in to_wake {
            bell.ring();
        }
        admitted
    }

    /// Refuses every new task and wakes every parked submitter, who leaves
    /// with [`Refusal::Closed`] and its task.
    pub(crate) fn close(&self) {
        let line = lock(&self.waiters);
        self.closed.store(true, SeqCst);
        for waiter in line.iter() {
            waiter.bell.ring();
        }
    }

    /// Opens a closed admission again (`reboot`). Every waiter looks again:
    /// a slot freed while the pool was closed was handed to nobody.
    pub(crate) fn reopen(&self) {
        let line = lock(&self.waiters);
        self.closed.store(false, SeqCst);
        for waiter in line.iter() {
            waiter.bell.ring();
        }
    }

    // ----- waiting without a thread ----------------------------------------

    /// An async submitter's first step: a slot now, a refusal, or a place
    /// in the waiters' line with its task (behind every waiter already
    /// there, parked threads and futures alike), where `bell` will ring.
    /// The same rules as [`acquire`](Admission::acquire) with no deadline.
    pub(crate) fn enter(
        &self,
        job: J,
        max_waiters: usize,
        bell: &Arc<WakerBell>,
    ) -> Result<Entered<J>, (Refusal, J)> {
        if self.is_closed() {
            return Err((Refusal::Closed, job));
        }
        if self.try_acquire() {
            return Ok(Entered::Admitted(job));
        }
        self.join_line(job, max_waiters, Bell::Future(Arc::clone(bell)))
    }

    /// Under the line's lock, in one compare-and-swap: a slot if one is
    /// free now, a refusal (closed, or `max_waiters` already waiting), or a
    /// place at the back of the line for `job`, where `bell` will ring. The
    /// one rule for both kinds of waiter, so they are served in one order.
    fn join_line(
        &self,
        job: J,
        max_waiters: usize,
        bell: Bell,
    ) -> Result<Entered<J>, (Refusal, J)> {
        let mut line = lock(&self.waiters);
        let mut state = self.state.load(SeqCst);
        loop {
            if self.is_closed() {
                return Err((Refusal::Closed, job));
            }
            let next = if in_flight(state) < self.limit() {
                state + 1
            } else if max_waiters > 0 && waiters(state) >= max_waiters {
                return Err((Refusal::Overload, job));
            } else {
                state + ONE_WAITER
            };
            match self.state.compare_exchange(state, next, SeqCst, SeqCst) {
                Ok(_) if next == state + 1 => return Ok(Entered::Admitted(job)),
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        line.push_back(Waiter { job, bell });
        Ok(Entered::InLine)
    }

    /// An async waiter looks at where it stands: its task was taken by a
    /// worker (`HandedOff`), a slot is free for it, or the pool closed
    /// (it leaves the line, with its task); `None`: still waiting, and
    /// `waker` will be woken when that changes. The waker is stored under
    /// the line's lock, which a finishing worker takes to hand off, so no
    /// wake-up falls between the look and the store.
    pub(crate) fn poll_line(
        &self,
        bell: &Arc<WakerBell>,
        waker: &std::task::Waker,
    ) -> Option<Result<Admitted<J>, (Refusal, J)>> {
        let mut line = lock(&self.waiters);
        if bell.taken() {
            return Some(Ok(Admitted::HandedOff));
        }
        let closed = self.is_closed();
        let slot_free = !closed && in_flight(self.state.load(SeqCst)) < self.limit();
        if !(closed || slot_free) {
            bell.set_waker(waker);
            return None;
        }
        let at = line
            .iter()
            .position(|w| w.bell.is_future(bell))
            .expect("a waiter whose task was not taken is still in line");
        let me = line.remove(at).expect("the position was just found");
        if slot_free {
            self.state.fetch_sub(ONE_WAITER - 1, SeqCst);
            return Some(Ok(Admitted::Slot(me.job)));
        }
        self.state.fetch_sub(ONE_WAITER, SeqCst);
        Some(Err((Refusal::Closed, me.job)))
    }

    /// An async waiter gives up (its future was dropped): it leaves the
    /// line and its task comes back, to be dropped unrun. `None` if a worker
    /// took the task first: it was admitted, and runs. No slot changes
    /// hands, so nobody needs waking.
    pub(crate) fn leave_line(&self, bell: &Arc<WakerBell>) -> Option<J> {
        let mut line = lock(&self.waiters);
        if bell.taken() {
            return None;
        }
        let at = line.iter().position(|w| w.bell.is_future(bell))?;
        let me = line.remove(at).expect("the position was just found");
        self.state.fetch_sub(ONE_WAITER, SeqCst);
        Some(me.job)
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! Every interleaving of the real admission code that loom can find with
    //! a preemption bound of 3 (2 where five threads make it slow).
    use super::*;
    use crate::sync::thread;

    fn model(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(preemptions);
        builder.check(f);
    }

    /// A pool of `cap` whose one slot-holder is a worker thread that will
    /// finish its task (and run whatever is handed to it); returns the
    /// admission, the count of handed tasks the worker ran, and the worker.
    fn one_task_running(
        cap: usize,
    ) -> (
        Arc<Admission<u32>>,
        Arc<AtomicUsize>,
        thread::JoinHandle<()>,
    ) {
        let a = Arc::new(Admission::<u32>::new(cap, 0));
        assert!(a.try_acquire());
        let ran = Arc::new(AtomicUsize::new(0));
        let (a2, ran2) = (a.clone(), ran.clone());
        let worker = thread::spawn(move || finish_all(&a2, &ran2));
        (a, ran, worker)
    }

    /// A worker that runs its task and every task handed to it.
    fn finish_all(a: &Admission<u32>, ran: &AtomicUsize) {
        let mut next = a.finish(0);
        while let Some(_job) = next {
            ran.fetch_add(1, SeqCst);
            next = a.finish(0);
        }
    }

    #[test]
    fn a_finishing_worker_takes_a_parked_submitters_task() {
        model(3, || {
            let (a, ran, worker) = one_task_running(1);
            let outcome = a.acquire(7, Wait::Forever, 0, false).unwrap();
            worker.join().unwrap();
            match outcome {
                // The worker freed the slot first: the submitter holds it.
                Admitted::Slot(7) => assert_eq!((a.in_flight(), ran.load(SeqCst)), (1, 0)),
                // The worker took the task and ran it.
                Admitted::HandedOff => assert_eq!((a.in_flight(), ran.load(SeqCst)), (0, 1)),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(a.waiting(), 0);
        });
    }

    #[test]
    fn every_freed_slot_reaches_a_parked_submitter() {
        model(2, || {
            // Two tasks run in a pool of 2; two submitters wait; both tasks end.
            let a = Arc::new(Admission::<u32>::new(2, 0));
            assert!(a.try_acquire() && a.try_acquire());
            let ran = Arc::new(AtomicUsize::new(0));
            let submitters: Vec<_> = (0..2)
                .map(|i| {
                    let a = a.clone();
                    thread::spawn(move || a.acquire(i, Wait::Forever, 0, false).is_ok())
                })
                .collect();
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (a, ran) = (a.clone(), ran.clone());
                    thread::spawn(move || finish_all(&a, &ran))
                })
                .collect();
            for s in submitters {
                assert!(s.join().unwrap());
            }
            for w in workers {
                w.join().unwrap();
            }
            // Nothing lost: each task either ran or holds a slot.
            assert_eq!(a.in_flight() + ran.load(SeqCst), 2);
            assert_eq!(a.waiting(), 0);
        });
    }

    #[test]
    fn release_racing_a_hand_off_loses_no_task() {
        model(3, || {
            let (a, ran, worker) = one_task_running(1);
            let a3 = a.clone();
            let closer = thread::spawn(move || a3.close());
            let outcome = a.acquire(7, Wait::Forever, 0, false);
            worker.join().unwrap();
            closer.join().unwrap();
            match outcome {
                // Refused: the task came back, nothing ran it.
                Err((Refusal::Closed, 7)) => assert_eq!(ran.load(SeqCst), 0),
                // Taken before the close: it ran.
                Ok(Admitted::HandedOff) => assert_eq!(ran.load(SeqCst), 1),
                // The slot was free before the close was seen.
                Ok(Admitted::Slot(7)) => assert_eq!(ran.load(SeqCst), 0),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(a.waiting(), 0);
        });
    }

    #[test]
    fn a_timed_out_submitter_gets_its_task_back_or_was_served() {
        model(3, || {
            let (a, ran, worker) = one_task_running(1);
            // Under loom the deadline has passed whenever it is checked.
            let outcome = a.acquire(7, Wait::Until(Instant::now()), 0, false);
            worker.join().unwrap();
            match outcome {
                Err((Refusal::Timeout, 7)) => assert_eq!(ran.load(SeqCst), 0),
                Ok(Admitted::HandedOff) => assert_eq!(ran.load(SeqCst), 1),
                Ok(Admitted::Slot(7)) => assert_eq!(ran.load(SeqCst), 0),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(a.waiting(), 0);
        });
    }

    /// The stress suite's `release(); submit(); reboot()`: slots freed while
    /// the pool is closed are not handed over, and a submitter woken by the
    /// close may look only after the reboot. It must not park again with a
    /// slot free (the lost wake-up the soak found).
    #[test]
    fn a_release_and_reboot_never_strand_a_parked_submitter() {
        model(3, || {
            let a = Arc::new(Admission::<u32>::new(1, 0));
            assert!(a.try_acquire());
            let ran = Arc::new(AtomicUsize::new(0));
            let (a2, ran2) = (a.clone(), ran.clone());
            let other = thread::spawn(move || {
                a2.close();
                finish_all(&a2, &ran2);
                a2.reopen();
            });
            let outcome = a.acquire(7, Wait::Forever, 0, false);
            other.join().unwrap();
            match outcome {
                Err((Refusal::Closed, 7)) => assert_eq!(a.in_flight(), 0),
                Ok(Admitted::Slot(7)) => assert_eq!(a.in_flight(), 1),
                Ok(Admitted::HandedOff) => assert_eq!(ran.load(SeqCst), 1),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(a.waiting(), 0);
        });
    }

    /// The soak's stranded waiter: the pool shrank from 2 to 1 with two
    /// tasks in flight; one worker decides with a stale queue length of 1
    /// while the other task finishes first. The waiter must still get the
    /// last slot.
    #[test]
    fn a_stale_queue_length_never_strands_a_waiter() {
        model(3, || {
            let a = Arc::new(Admission::<u32>::new(2, 0));
            assert!(a.try_acquire() && a.try_acquire());
            assert!(a.set_cap(1).is_empty());
            let ran = Arc::new(AtomicUsize::new(0));
            let (a2, r2) = (a.clone(), ran.clone());
            let stale = thread::spawn(move || {
                let mut next = a2.finish(1);
                while let Some(_job) = next {
                    r2.fetch_add(1, SeqCst);
                    next = a2.finish(0);
                }
            });
            let (a3, r3) = (a.clone(), ran.clone());
            let other = thread::spawn(move || finish_all(&a3, &r3));
            let outcome = a.acquire(7, Wait::Forever, 0, false).unwrap();
            stale.join().unwrap();
            other.join().unwrap();
            match outcome {
                Admitted::Slot(7) => assert_eq!(a.in_flight(), 1),
                Admitted::HandedOff => assert_eq!(ran.load(SeqCst), 1),
                other => panic!("unexpected {other:?}"),
            }
        });
    }

    /// A queue of 1 beside 1 worker: two tasks are admitted, the third
    /// parks until a task finishes and then holds the freed slot.
    #[test]
    fn a_queue_admits_cap_plus_queue_size_then_parks() {
        model(3, || {
            let a = Arc::new(Admission::<u32>::new(1, 1));
            assert!(a.try_acquire() && a.try_acquire());
            assert!(!a.try_acquire(), "cap + queue_size reached");
            let ran = Arc::new(AtomicUsize::new(0));
            let (a2, ran2) = (a.clone(), ran.clone());
            let worker = thread::spawn(move || finish_all(&a2, &ran2));
            let outcome = a.acquire(7, Wait::Forever, 0, false).unwrap();
            worker.join().unwrap();
            match outcome {
                Admitted::Slot(7) => assert_eq!((a.in_flight(), ran.load(SeqCst)), (2, 0)),
                Admitted::HandedOff => assert_eq!((a.in_flight(), ran.load(SeqCst)), (1, 1)),
                other => panic!("unexpected {other:?}"),
            }
        });
    }

    #[test]
    fn growing_admits_a_parked_submitter() {
        model(3, || {
            let a = Arc::new(Admission::<u32>::new(1, 0));
            assert!(a.try_acquire());
            let a2 = a.clone();
            let grower = thread::spawn(move || a2.set_cap(2));
            let outcome = a.acquire(7, Wait::Forever, 0, false).unwrap();
            let granted = grower.join().unwrap();
            match outcome {
                Admitted::Slot(7) => assert!(granted.is_empty()),
                Admitted::HandedOff => assert_eq!(granted, [7]),
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!((a.in_flight(), a.waiting()), (2, 0));
        });
    }

    /// A waker that counts its wakes, as an executor would see them.
    struct Counted(AtomicUsize);

    impl std::task::Wake for Counted {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn counted_waker() -> (std::sync::Arc<Counted>, std::task::Waker) {
        let counted = std::sync::Arc::new(Counted(AtomicUsize::new(0)));
        (counted.clone(), std::task::Waker::from(counted))
    }

    #[test]
    fn a_future_waiter_is_never_left_pending_unwoken() {
        model(3, || {
            let (a, ran, worker) = one_task_running(1);
            let bell = Arc::new(WakerBell::default());
            let (wakes, waker) = counted_waker();
            let entered = a.enter(7, 0, &bell).unwrap();
            let polled = match entered {
                Entered::Admitted(_) => None,
                Entered::InLine => Some(a.poll_line(&bell, &waker)),
            };
            worker.join().unwrap();
            match polled {
                // Admitted at once: the worker had finished first.
                None => assert_eq!(ran.load(SeqCst), 0),
                Some(Some(Ok(Admitted::HandedOff))) => assert_eq!(ran.load(SeqCst), 1),
                Some(Some(Ok(Admitted::Slot(7)))) => assert_eq!(ran.load(SeqCst), 0),
                // Still pending: the worker must have rung, and the task
                // must be taken (so the next poll is ready).
                Some(None) => {
                    assert!(wakes.0.load(SeqCst) >= 1, "a lost wake-up");
                    assert_eq!(ran.load(SeqCst), 1);
                    assert!(matches!(
                        a.poll_line(&bell, &waker),
                        Some(Ok(Admitted::HandedOff))
                    ));
                }
                Some(other) => panic!("unexpected {:?}", other.map(|r| r.map_err(|e| e.0))),
            }
        });
    }

    #[test]
    fn a_dropped_future_waiter_leaks_no_slot() {
        model(3, || {
            let (a, ran, worker) = one_task_running(1);
            let bell = Arc::new(WakerBell::default());
            let entered = a.enter(7, 0, &bell).unwrap();
            let left = match entered {
                Entered::Admitted(job) => {
                    // Admitted at once: it holds a slot; give it back.
                    assert_eq!(job, 7);
                    a.finish(0);
                    None
                }
                Entered::InLine => a.leave_line(&bell),
            };
            worker.join().unwrap();
            // Either its task came back unrun, or a worker ran it: never
            // both, never neither, and every slot is free again.
            let ran = ran.load(SeqCst);
            match left {
                Some(7) => assert_eq!(ran, 0),
                None => assert!(ran <= 1),
                Some(other) => panic!("unexpected task {other}"),
            }
            assert_eq!((a.in_flight(), a.waiting()), (0, 0));
        });
    }
}
