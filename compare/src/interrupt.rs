//! Ctrl-C and `kill`: the parent stops the running child, keeps every
//! result it has, and still writes the table, JSON, CSV and charts.
//!
//! A run of the full table takes minutes; losing the rows that had
//! finished because the last one was cut short would make Ctrl-C cost
//! everything. So the parent catches SIGINT and SIGTERM (on a thread of its
//! own, through `signal-hook`), kills the child it is waiting on, marks that
//! row "interrupted", starts no other, writes what it has and exits with
//! the shell's code for the signal: 130 for SIGINT, 143 for SIGTERM.
//!
//! A child needs no handler: it dies of the signal (Ctrl-C reaches the
//! whole process group) or of the parent's SIGTERM, and exits anyway when
//! its parent is gone (see `runner.rs`).

use std::sync::atomic::{AtomicI32, Ordering::SeqCst};
use std::sync::{Mutex, OnceLock};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The first stop signal received, and the child to pass it on to.
pub(crate) struct Interrupt {
    signal: AtomicI32,
    child: Mutex<Option<u32>>,
}

static INTERRUPT: OnceLock<Interrupt> = OnceLock::new();

impl Interrupt {
    /// The process's one interrupt state, its signal thread started on
    /// first use. If the handler cannot be installed, the run goes on as
    /// before (a signal then ends it at once), and says so.
    pub(crate) fn get() -> &'static Interrupt {
        INTERRUPT.get_or_init(|| {
            match Signals::new([SIGINT, SIGTERM]) {
                Ok(mut signals) => {
                    let watcher =
                        std::thread::Builder::new()
                            .name("signals".into())
                            .spawn(move || {
                                for signal in signals.forever() {
                                    Interrupt::get().received(signal);
                                }
                            });
                    if let Err(e) = watcher {
                        eprintln!(
                            "compare: cannot watch for Ctrl-C ({e}): it will lose the results"
                        );
                    }
                }
                Err(e) => {
                    eprintln!("compare: cannot catch Ctrl-C ({e}): it will lose the results")
                }
            }
            Interrupt {
                signal: AtomicI32::new(0),
                child: Mutex::new(None),
            }
        })
    }

    /// A stop signal arrived: remember the first, stop the running child.
    fn received(&self, signal: i32) {
        let _ = self.signal.compare_exchange(0, signal, SeqCst, SeqCst);
        if let Some(pid) = *self.child.lock().unwrap_or_else(|e| e.into_inner()) {
            stop(pid);
        }
    }

    /// The stop signal received, if any.
    pub(crate) fn signal(&self) -> Option<i32> {
        Some(self.signal.load(SeqCst)).filter(|&s| s != 0)
    }

    /// Why a run was cut short, for its row: `"interrupted (SIGINT)"`.
    pub(crate) fn reason(&self) -> Option<String> {
        self.signal()
            .map(|signal| format!("interrupted ({})", name(signal)))
    }

    /// The exit code a shell gives a process ended by the signal received.
    pub(crate) fn exit_code(&self) -> Option<u8> {
        self.signal().map(|signal| (128 + signal) as u8)
    }

    /// Watches child `pid` until [`Interrupt::forget_child`]; a signal
    /// already received stops it at once.
    pub(crate) fn watch_child(&self, pid: u32) {
        *self.child.lock().unwrap_or_else(|e| e.into_inner()) = Some(pid);
        if self.signal().is_some() {
            stop(pid);
        }
    }

    /// The child has been waited for: its pid may be reused now.
    pub(crate) fn forget_child(&self) {
        *self.child.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The exit code for a run that a signal cut short: 130 for SIGINT, 143
/// for SIGTERM; `None` when none did (or nothing was watching).
///
/// ```
/// assert_eq!(compare::interrupted_exit_code(), None);
/// ```
pub fn interrupted_exit_code() -> Option<u8> {
    INTERRUPT.get()?.exit_code()
}

fn stop(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        // It may be gone already (Ctrl-C reached it too): nothing to do.
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}
