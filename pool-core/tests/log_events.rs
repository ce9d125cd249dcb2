//! The pool's log events, through the `log` facade, caught by a capturing
//! logger: debug for a worker started, expired or retired by `tune` and for
//! a pool released or rebooted; warn for a caught panic (with its message)
//! and a refused thread. And none on the per-task path. `harness = false`:
//! a logger is installed once per process.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{LONG, wait_until};
use log::{Level, Log, Metadata, Record};
use pool_core::{Pool, WaitGroup};

/// Every record the pool logged: level and text.
static RECORDS: Mutex<Vec<(Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &Record<'_>) {
        if record.target() == "pool_core" {
            let line = record.args().to_string();
            RECORDS.lock().unwrap().push((record.level(), line));
        }
    }
    fn flush(&self) {}
}

static LOGGER: Capture = Capture;

fn logged(level: Level, text: &str) -> bool {
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .any(|(l, line)| *l == level && line.contains(text))
}

fn count() -> usize {
    RECORDS.lock().unwrap().len()
}

fn main() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Debug);
    let cases: [(&str, fn()); 7] = [
        ("a_panicking_thread_hook_is_logged", hook_panic),
        (
            "a_started_worker_and_a_caught_panic_are_logged",
            started_and_panic,
        ),
        ("no_log_on_the_per_task_path", no_log_per_task),
        ("tune_retirements_and_expiry_are_logged", retire_and_expire),
        ("release_and_reboot_are_logged", release_and_reboot),
        ("a_refused_thread_is_logged", refused_thread),
        (
            "spawn_and_group_panics_are_logged_and_counted_not_handed_to_the_handler",
            spawn_and_group_panics,
        ),
    ];
    for (name, case) in cases {
        case();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed; 0 failed", cases.len());
}

fn started_and_panic() {
    let pool = Pool::builder()
        .capacity(1)
        .thread_name("logt")
        .build()
        .unwrap();
    // resume_unwind panics without the panic hook: nothing on stderr.
    pool.submit(|| std::panic::resume_unwind(Box::new("boom")))
        .unwrap();
    pool.release_timeout(LONG).unwrap();
    assert!(logged(Level::Debug, "worker logt-0 started"));
    assert!(logged(Level::Warn, "a task panicked: boom"));
}

fn no_log_per_task() {
    let pool = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .disable_purge(true)
        .thread_name("warm")
        .build()
        .unwrap();
    // A worker logs its start when it first runs, which may be after build().
    wait_until("the four workers logged their start", || {
        let records = RECORDS.lock().unwrap();
        let started = |l: &String| l.starts_with("worker warm-") && l.ends_with("started");
        records.iter().filter(|(_, l)| started(l)).count() == 4
    });
    let before = count();
    let wg = WaitGroup::new();
    for _ in 0..10_000 {
        wg.add(1);
        let wg = wg.clone();
        pool.submit(move || wg.done()).unwrap();
    }
    assert!(wg.wait_timeout(LONG));
    assert_eq!(
        count(),
        before,
        "10,000 tasks on a warm pool logged something"
    );
}

fn retire_and_expire() {
    let pool = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .thread_name("shrink")
        .expiry(Duration::from_millis(20))
        .build()
        .unwrap();
    pool.tune(1).unwrap();
    wait_until("three workers retired", || {
        RECORDS
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, l)| l.contains("shrink-") && l.contains("retired: the pool shrank"))
            .count()
            >= 3
    });
    wait_until("the last worker expired", || pool.running() == 0);
    wait_until("its expiry is logged", || {
        logged(Level::Debug, "expired") && logged(Level::Debug, "shrink-")
    });
}

fn hook_panic() {
    let pool = Pool::builder()
        .thread_name("hooked")
        .on_thread_start(|_| panic!("no connection"))
        .build()
        .unwrap();
    pool.spawn(|| ()).unwrap().join().unwrap();
    assert!(logged(
        Level::Warn,
        "the thread start hook panicked on hooked-0: no connection"
    ));
}

fn release_and_reboot() {
    let pool = Pool::builder().thread_name("cycle").build().unwrap();
    pool.release();
    pool.reboot().unwrap();
    assert!(logged(Level::Debug, "pool cycle released"));
    assert!(logged(Level::Debug, "pool cycle rebooted"));
}

fn refused_thread() {
    let pool = Pool::builder()
        .capacity(1)
        .stack_size(1 << 47)
        .build()
        .unwrap();
    let err = pool.submit(|| ()).unwrap_err();
    assert!(err.is_thread_spawn());
    assert!(logged(Level::Warn, "a worker thread was refused"));
}

fn spawn_and_group_panics() {
    let handled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = handled.clone();
    let pool = Pool::builder()
        .capacity(2)
        .panic_handler(move |_| {
            h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let handle = pool
        .spawn(|| -> u8 { std::panic::resume_unwind(Box::new("spawned boom")) })
        .unwrap();
    assert_eq!(
        handle.join().unwrap_err().panic_message(),
        Some("spawned boom")
    );
    let mut group = pool.group::<u8>();
    group
        .submit(|| std::panic::resume_unwind(Box::new("group boom")))
        .unwrap();
    let results = group.wait();
    assert_eq!(
        results[0].as_ref().unwrap_err().panic_message(),
        Some("group boom")
    );
    pool.release_timeout(LONG).unwrap();
    assert!(logged(Level::Warn, "a task panicked: spawned boom"));
    assert!(logged(Level::Warn, "a task panicked: group boom"));
    assert_eq!(pool.stats().panicked, 2);
    // The payloads went to the handle and the group: the handler, which
    // would need them by value, is not called.
    assert_eq!(handled.load(std::sync::atomic::Ordering::SeqCst), 0);
}
