//! The machinery both pools share: submit, dispatch, tune, release; built from three parts.
//!
//! | part | file | owns |
//! |---|---|---|
//! | [`Admission`] | `admission.rs` | the capacity, tasks in flight, parked submitters, closed |
//! | [`Idle`] | `idle.rs` | searching and parked workers, and whom to wake |
//! | [`Threads`] | `threads.rs` | the worker count, join handles, the process-wide ceiling |
//!
//! plus the [`TaskQueue`] between submitters and workers (`queue.rs`), the
//! worker loop (`worker.rs`) and the lifetime counters (`stats.rs`). The
//! engine only decides the order in which they are asked; the life of a task
//! through them is told in the crate docs.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Instant;

use crate::admission::{Admission, Admitted, Entered, Refusal, Wait};
use crate::doorbell::WakerBell;
use crate::error::{BuildError, PoolError, ReleaseTimeoutError};
use crate::idle::{Idle, Wake};
use crate::idle_wait::IdleWait;
use crate::options::{Options, check_capacity};
use crate::queue::TaskQueue;
use crate::stats::{Counters, PoolStats};
use crate::threads::Threads;
use crate::timing::{self, LocalTimes, Stamped};
use crate::worker_info::PoolId;

/// A blocked submitter parks at once, without spinning, behind this many
/// queued tasks: no slot frees up until they have started.
const DEEP_QUEUE: usize = 2;

/// Runs one job: the closure itself (`Pool`) or the pool's function (`PoolWithFunc`).
pub(crate) type Runner<J> = Box<dyn Fn(J) + Send + Sync + 'static>;

/// Asks a job taken from the queue whether it may still run: `false` when
/// its caller aborted it ([`TaskHandle::abort`](crate::TaskHandle::abort)),
/// which gave its slot back already.
pub(crate) type Claim<J> = fn(&J) -> bool;

impl Refusal {
    fn with<T>(self, task: T) -> PoolError<T> {
        match self {
            Refusal::Closed => PoolError::Closed(task),
            Refusal::Overload => PoolError::Overload(task),
            Refusal::Timeout => PoolError::Timeout(task),
        }
    }
}

pub(crate) struct Engine<J> {
    /// Which pool this is (`WorkerInfo::pool`).
    pub(crate) id: PoolId,
    pub(crate) opts: Options,
    pub(crate) run: Runner<J>,
    claim: Claim<J>,
    /// Jobs accepted and not yet started, each with the moment it was accepted.
    pub(crate) queue: TaskQueue<Stamped<J>>,
    pub(crate) admission: Admission<J>,
    pub(crate) idle: Idle,
    pub(crate) threads: Threads,
    pub(crate) counters: Counters,
    /// Callers of `wait_idle`.
    idle_wait: IdleWait,
    /// A `release_timeout` ran out of time: dropping the pool detaches the
    /// workers still stuck instead of joining them.
    gave_up_joining: AtomicBool,
}

impl<J: Send + 'static> Engine<J> {
    pub(crate) fn start(
        opts: Options,
        run: Runner<J>,
        claim: Claim<J>,
    ) -> Result<Arc<Self>, BuildError> {
        // Calibrate the task clock now, not on the first task.
        timing::warm_up();
        let engine = Arc::new(Engine {
            // Room for what may be in flight, up to a bound: a large queue
            // grows as it fills instead of allocating up front.
            queue: TaskQueue::with_capacity(opts.capacity + opts.queue_size.min(4096)),
            admission: Admission::new(opts.capacity, opts.queue_size),
            idle: Idle::new(),
            threads: Threads::new(),
            counters: Counters::default(),
            idle_wait: IdleWait::default(),
            id: PoolId::new(),
            gave_up_joining: AtomicBool::new(false),
            opts,
            run,
            claim,
        });
        if engine.opts.pre_alloc {
            engine.pre_alloc()?;
        }
        Ok(engine)
    }

    /// Starts workers until `cap` are alive (ants' `WithPreAlloc`).
    fn pre_alloc(self: &Arc<Self>) -> Result<(), BuildError> {
        let mut started = 0;
        while self.threads.reserve(self.admission.cap()) {
            self.idle.start_searching();
            if let Err((_, error)) = self.spawn_worker(None) {
                self.threads.worker_left();
                self.idle.stop_searching();
                self.release();
                self.threads.join_all(None);
                return Err(BuildError::Spawn { started, error });
            }
            started += 1;
        }
        Ok(())
    }

    // ----- submitting ---------------------------------------------------

    /// Admits `job` (waiting as `wait` and the options allow) and hands it
    /// to a worker. The one place a task is counted as submitted: once it
    /// is sure to run.
    pub(crate) fn submit(self: &Arc<Self>, job: J, wait: Wait) -> Result<(), PoolError<J>> {
        let wait = if self.opts.nonblocking {
            Wait::Never
        } else {
            wait
        };
        if self.runs_inline_when_full(&wait) {
            return match self.admit_and_dispatch(job, Wait::Never) {
                Err(PoolError::Overload(job)) => {
                    self.counters.task_accepted();
                    self.execute(job);
                    Ok(())
                }
                other => other,
            };
        }
        self.admit_and_dispatch(job, wait)
    }

    /// Whether a submit that finds every slot taken runs its task on the
    /// calling thread instead of waiting: when it has no deadline and comes
    /// from a task of this very pool. That caller holds one of the slots it
    /// would wait for, so with a pool of one, or with every worker doing
    /// the same, it would wait forever (ants #197). Running the task itself,
    /// on its own slot, as rayon's `join` does, keeps the pool's bound and
    /// waits on nothing. A deadline (`_timeout`) or `try_` keeps its own
    /// rule: it cannot hang.
    fn runs_inline_when_full(&self, wait: &Wait) -> bool {
        matches!(wait, Wait::Forever) && self.is_own_worker()
    }

    fn admit_and_dispatch(self: &Arc<Self>, job: J, wait: Wait) -> Result<(), PoolError<J>> {
        // Behind tasks that have not even started, no slot frees up soon.
        // (One queued task is the one a searching worker is about to take.)
        let may_spin = self.queue.len() < DEEP_QUEUE;
        let admitted = self
            .admission
            .acquire(job, wait, self.opts.max_blocking_tasks, may_spin);
        self.after_admission(admitted)
    }

    /// Carries out what admission decided: a refusal, a task a worker has
    /// already taken, or a slot to dispatch into. Counts the task once it
    /// is sure to run.
    fn after_admission(
        self: &Arc<Self>,
        admitted: Result<Admitted<J>, (Refusal, J)>,
    ) -> Result<(), PoolError<J>> {
        match admitted {
            Err((refusal, job)) => {
                // A waiter that leaves the line may be what `wait_idle` waits for.
                self.idle_wait.after_finish();
                return Err(refusal.with(job));
            }
            Ok(Admitted::HandedOff) => {}
            Ok(Admitted::Slot(job)) => {
                if self.admission.is_closed() {
                    // Closed between the check and the slot: give both back.
                    self.give_back_slot();
                    return Err(PoolError::Closed(job));
                }
                self.dispatch(job)?;
            }
        }
        self.counters.task_accepted();
        Ok(())
    }

    /// Admits `job` without blocking a thread: a future that waits in the
    /// same line as parked submitters when the pool is full.
    pub(crate) fn submit_async(self: &Arc<Self>, job: J) -> Admit<J> {
        Admit {
            engine: Arc::clone(self),
            step: Step::Start(job),
        }
    }

    /// Hands an admitted job to a worker: a new thread if none is idle,
    /// nothing is queued ahead of it and the pool may grow (as ants does),
    /// otherwise the queue, first in first out. Refuses with
    /// `ThreadSpawn`, giving the slot back, only when no thread could be
    /// started and none is alive to run it.
    fn dispatch(self: &Arc<Self>, job: J) -> Result<(), PoolError<J>> {
        // Accepted now: its queue wait starts here.
        let mut job = Stamped::now(job);
        if self.idle.searching() == 0
            && self.idle.sleeping() == 0
            && self.queue.is_empty()
            && self.threads.reserve(self.admission.cap())
        {
            match self.spawn_worker(Some(job)) {
                Ok(()) => return Ok(()),
                Err((back, error)) => {
                    let back =
                        back.expect("a thread that never started cannot have taken its task");
                    self.threads.worker_left();
                    if self.threads.workers() == 0 {
                        // Nobody could ever run it: give it back.
                        self.give_back_slot();
                        return Err(PoolError::ThreadSpawn(back.job, error));
                    }
                    // Live workers will reach it when their task ends.
                    job = back;
                }
            }
        }
        self.queue.push(job);
        self.notify_work();
        Ok(())
    }

    /// A task was queued: wake whom `Idle::after_push` says.
    pub(crate) fn notify_work(self: &Arc<Self>) {
        match self.idle.after_push(|| self.queue.len()) {
            Wake::Nobody => {}
            Wake::Required => self.ensure_searcher(),
            Wake::Extra => {
                self.idle.wake_parked();
            }
        }
    }

    /// Releases an admitted slot whose task will not run. A parked
    /// submitter's task may come with it; it is queued for the workers.
    fn give_back_slot(self: &Arc<Self>) {
        if let Some(job) = self.admission.finish(0) {
            self.queue.push(Stamped::now(job));
            self.notify_work();
        }
        self.idle_wait.after_finish();
    }

    /// Runs `job`, which started at `started` (in clock ticks), on this
    /// thread, and finishes it: notes its times and gives its slot back to
    /// admission. Returns when it ended, and the task of a parked submitter
    /// if admission handed one over with the slot (it must run next).
    pub(crate) fn run_and_finish(
        &self,
        job: Stamped<J>,
        started: u64,
        times: &mut LocalTimes,
    ) -> (u64, Option<J>) {
        if !(self.claim)(&job.job) {
            // Aborted while queued: its slot is free already; drop it unrun.
            drop(job);
            return (timing::now(), None);
        }
        let accepted = job.accepted;
        self.execute(job.job);
        // One clock read per task: its end, and the next one's start.
        let ended = timing::now();
        times.add(accepted, started, ended, self.counters.times());
        let handed = self.admission.finish(self.queue.len());
        if handed.is_none() {
            self.idle_wait.after_finish();
        }
        (ended, handed)
    }

    /// A queued task was aborted by its caller: its slot is given back now
    /// (its job stays in the queue, and is dropped unrun when a worker
    /// reaches it).
    pub(crate) fn aborted(self: &Arc<Self>) {
        self.counters.task_aborted();
        self.give_back_slot();
    }

    /// Waits until no task is running, queued or held by a parked
    /// submitter, or `deadline` passes (`false`). From a task of this pool,
    /// its own task does not count (it cannot finish while it waits).
    pub(crate) fn wait_idle(&self, deadline: Option<Instant>) -> bool {
        let own = usize::from(self.is_own_worker());
        self.idle_wait.wait(
            || self.admission.in_flight() <= own && self.admission.waiting() == 0,
            deadline,
        )
    }

    /// Tasks running now: in flight, less the ones still queued.
    pub(crate) fn busy(&self) -> usize {
        self.admission.in_flight().saturating_sub(self.queue.len())
    }

    /// Wakes or starts a worker for queued tasks. If no thread can be
    /// started and none is alive, the caller runs the queued tasks itself:
    /// an accepted task is never stranded.
    pub(crate) fn ensure_searcher(self: &Arc<Self>) {
        if !self.wake_one() && self.threads.workers() == 0 {
            let mut times = LocalTimes::default();
            while let Some(job) = self.queue.pop() {
                let (_, handed) = self.run_and_finish(job, timing::now(), &mut times);
                if let Some(next) = handed {
                    self.queue.push(Stamped::now(next));
                }
            }
            times.flush(self.counters.times());
        }
    }

    /// Makes one more worker search the queue: wakes the most recently
    /// parked one, or starts one if the pool is below capacity. `false` if
    /// neither was possible.
    pub(crate) fn wake_one(self: &Arc<Self>) -> bool {
        if self.idle.wake_parked() {
            return true;
        }
        if !self.threads.reserve(self.admission.cap()) {
            return false;
        }
        self.idle.start_searching();
        if self.spawn_worker(None).is_err() {
            self.threads.worker_left();
            self.idle.stop_searching();
            return false;
        }
        true
    }

    // ----- tuning and closing ------------------------------------------

    pub(crate) fn tune(self: &Arc<Self>, capacity: usize) -> Result<(), BuildError> {
        check_capacity(capacity)?;
        // Growing admits parked submitters into the new slots (each
        // submitter counts its own task as submitted when it wakes).
        for job in self.admission.set_cap(capacity) {
            if let Err(refused) = self.dispatch(job) {
                // No thread at all could be started for it: its submitter
                // was told it was accepted, so it runs here.
                self.queue.push(Stamped::now(refused.into_inner()));
                self.ensure_searcher();
            }
        }
        // Shrinking retires surplus parked workers now (ants waits for its
        // purge cycle); busy ones retire as soon as their task ends.
        self.idle
            .retire_parked(|| self.threads.retire_if_surplus(capacity));
        // Growing puts the new room to work on tasks already queued.
        while self.queue.len() > self.idle.searching() && self.wake_one() {}
        Ok(())
    }

    pub(crate) fn release(&self) {
        log::debug!(target: "pool_core", "pool {} released", self.opts.thread_name);
        self.admission.close();
        // Parked workers wake up, run whatever is still queued, and exit.
        self.idle.wake_all();
    }

    pub(crate) fn reboot(self: &Arc<Self>) -> Result<(), BuildError> {
        log::debug!(target: "pool_core", "pool {} rebooted", self.opts.thread_name);
        if self.gave_up_joining.swap(false, SeqCst) {
            // The workers a `release_timeout` gave up on are let go now:
            // the reopened pool's drop joins only the threads it starts.
            self.threads.detach_all();
        }
        self.admission.reopen();
        if self.opts.pre_alloc {
            self.pre_alloc()
        } else {
            Ok(())
        }
    }

    pub(crate) fn release_timeout(
        &self,
        deadline: Option<Instant>,
    ) -> Result<(), ReleaseTimeoutError> {
        self.release();
        match self.threads.join_all(deadline) {
            0 => Ok(()),
            threads_left => {
                // The caller asked for a bounded shutdown: the drop of the
                // last handle must not undo it by joining forever.
                self.gave_up_joining.store(true, SeqCst);
                self.counters.set_detached(threads_left as u64);
                Err(ReleaseTimeoutError { threads_left })
            }
        }
    }

    // ----- reading -------------------------------------------------------

    pub(crate) fn cap(&self) -> usize {
        self.admission.cap()
    }

    pub(crate) fn running(&self) -> usize {
        self.threads.workers()
    }

    pub(crate) fn idle_workers(&self) -> usize {
        (self.idle.sleeping() + self.idle.searching()).min(self.running())
    }

    pub(crate) fn waiting(&self) -> usize {
        self.admission.waiting() + self.queue.len()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.admission.is_closed()
    }

    pub(crate) fn stats(&self) -> PoolStats {
        // Read `submitted` first: a task accepted in between then counts as
        // in flight, never as completed before it ran (`Counters::fill`).
        let submitted = self.counters.submitted();
        let in_flight = self.admission.in_flight();
        // One read of the queue for both figures, so `waiting - queued` is
        // the parked submitters, bounded by `max_blocking_tasks`.
        let queued = self.queue.len();
        let mut stats = PoolStats {
            capacity: self.cap(),
            running: self.running(),
            idle: self.idle_workers(),
            waiting: self.admission.waiting() + queued,
            queued,
            in_flight,
            closed: self.is_closed(),
            ..PoolStats::default()
        };
        self.counters.fill(&mut stats, submitted, in_flight);
        stats
    }
}

/// The pool's handles share one `Owner`; when the last handle goes, the
/// owner's `Drop` releases the pool and joins every worker (the Rust Book's
/// ch. 21 `Drop`: close the channel, then join each thread).
///
/// Workers hold the `Engine`, never the `Owner`, so they cannot keep the pool
/// alive by themselves.
pub(crate) struct Owner<J: Send + 'static> {
    pub(crate) engine: Arc<Engine<J>>,
}

impl<J: Send + 'static> Drop for Owner<J> {
    fn drop(&mut self) {
        let engine = &self.engine;
        engine.release();
        if engine.gave_up_joining.load(SeqCst) {
            // After a release_timeout that ran out of time, the drop returns
            // at once: finished threads are joined, stuck ones let go.
            engine.threads.detach_all();
            return;
        }
        // Accepted tasks still run; then every thread is joined. A pool
        // dropped from inside one of its own tasks skips joining itself.
        engine.threads.join_all(None);
    }
}

/// The future of an async submit (see [`Engine::submit_async`]).
///
/// Dropped while in line, it leaves the line with its task, which is
/// dropped unrun: no slot is taken or lost, nobody is woken. Dropped after
/// a worker took its task, the task runs.
pub(crate) struct Admit<J: Send + 'static> {
    engine: Arc<Engine<J>>,
    step: Step<J>,
}

enum Step<J> {
    Start(J),
    InLine(crate::sync::Arc<WakerBell>),
    Done,
}

// The job is never pinned: it only ever moves by value.
impl<J: Send + 'static> Unpin for Admit<J> {}

impl<J: Send + 'static> std::future::Future for Admit<J> {
    type Output = Result<(), PoolError<J>>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        use std::task::Poll;
        let engine = Arc::clone(&self.engine);
        let bell = match std::mem::replace(&mut self.step, Step::Done) {
            Step::Start(job) => {
                // The same rules as a blocking submit: nonblocking refuses
                // at once, a task of the pool itself runs inline.
                if engine.opts.nonblocking || engine.is_own_worker() {
                    return Poll::Ready(engine.submit(job, Wait::Forever));
                }
                let bell = crate::sync::Arc::new(WakerBell::default());
                match engine
                    .admission
                    .enter(job, engine.opts.max_blocking_tasks, &bell)
                {
                    Err(refused) => return Poll::Ready(engine.after_admission(Err(refused))),
                    Ok(Entered::Admitted(job)) => {
                        return Poll::Ready(engine.after_admission(Ok(Admitted::Slot(job))));
                    }
                    Ok(Entered::InLine) => bell,
                }
            }
            Step::InLine(bell) => bell,
            Step::Done => panic!("an admission future polled after it was ready"),
        };
        match engine.admission.poll_line(&bell, cx.waker()) {
            Some(admitted) => Poll::Ready(engine.after_admission(admitted)),
            None => {
                self.step = Step::InLine(bell);
                Poll::Pending
            }
        }
    }
}

impl<J: Send + 'static> Drop for Admit<J> {
    fn drop(&mut self) {
        if let Step::InLine(bell) = &self.step {
            // Dropped outside the line's lock: a task's drop may do anything.
            drop(self.engine.admission.leave_line(bell));
            self.engine.idle_wait.after_finish();
        }
    }
}
