//! Under the process limits a shared machine sets (`ulimit -u`, `ulimit -v`),
//! the pool refuses threads with an error before the process runs out, and
//! the thread ceiling keeps what the limit allows.
//!
//! Each case runs in a child process under `prlimit` (and, for `ulimit -u`,
//! as uid 65534 through `setpriv`: root ignores that limit), so a failure is
//! an exit status the parent reports, not the end of the test run.
//! `harness = false`.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use pool_core::{Pool, PoolError, WaitGroup, thread_ceiling};

const CHILD: &str = "POOL_CORE_LIMITS_CHILD";

/// A case: `Err` with the reason when it cannot run here (and is skipped).
type Case = fn() -> Result<(), String>;

fn main() {
    match std::env::var(CHILD).as_deref() {
        Ok("ceiling") => return print_ceiling(),
        Ok("address-space") => return address_space_workload(),
        _ => {}
    }
    let cases: [(&str, Case); 2] = [
        (
            "the_thread_headroom_scales_with_a_small_process_limit",
            the_thread_headroom_scales_with_a_small_process_limit,
        ),
        (
            "an_address_space_limit_refuses_threads_instead_of_aborting",
            an_address_space_limit_refuses_threads_instead_of_aborting,
        ),
    ];
    let mut skipped = 0;
    for (name, case) in cases {
        match case() {
            Ok(()) => println!("test {name} ... ok"),
            Err(why) => {
                skipped += 1;
                println!("test {name} ... skipped: {why}");
            }
        }
    }
    println!(
        "test result: ok. {} passed; 0 failed; {skipped} skipped",
        cases.len() - skipped
    );
}

/// Runs this test binary as a child under `wrapper` (a command line that
/// ends by running the program it is given), in `mode`; returns its stdout.
fn child(wrapper: &[&str], mode: &str) -> Result<String, String> {
    let exe = std::env::current_exe().unwrap();
    let (program, args) = wrapper.split_first().expect("a wrapper command");
    let out = Command::new(program)
        .args(args)
        .arg(&exe)
        .env(CHILD, mode)
        .output()
        .map_err(|e| format!("{program} could not start: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the {mode} child died ({}): {stdout}\n{stderr}",
        out.status
    );
    Ok(stdout)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        .unwrap_or(false)
}

fn the_thread_headroom_scales_with_a_small_process_limit() -> Result<(), String> {
    if !is_root() {
        return Err("needs root to run the child as uid 65534".into());
    }
    // (limit, ceiling): an eighth of the limit is kept free, at most 512.
    for (nproc, expected) in [(256, 224), (513, 449)] {
        let limit = format!("--nproc={nproc}");
        let wrapper = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "prlimit",
            limit.as_str(),
            "--",
        ];
        let out = child(&wrapper, "ceiling")?;
        let ceiling: usize = out
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("unexpected child output: {out}"));
        assert_eq!(ceiling, expected, "ulimit -u {nproc}: {out}");
        assert!(out.contains("pool of 2 ran 2"), "ulimit -u {nproc}: {out}");
    }
    Ok(())
}

fn print_ceiling() {
    let ceiling = thread_ceiling();
    let pool = Pool::new(2).expect("a pool of 2 fits under the ceiling");
    let wg = WaitGroup::new();
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        wg.add(1);
        let (wg, ran) = (wg.clone(), ran.clone());
        pool.submit(move || {
            ran.fetch_add(1, SeqCst);
            wg.done();
        })
        .unwrap();
    }
    wg.wait();
    println!(
        "{} ({}); pool of 2 ran {}",
        ceiling.max_threads,
        ceiling.limit,
        ran.load(SeqCst)
    );
}

/// The adversarial run that aborted the process: a pool of 1,000 with a
/// 10 ms expiry, 3 submitters, 30,000 tasks of 2 ms, in 250 MB of address
/// space.
fn an_address_space_limit_refuses_threads_instead_of_aborting() -> Result<(), String> {
    let out = child(&["prlimit", "--as=250000000", "--"], "address-space")?;
    let numbers: Vec<usize> = out
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let [ran, handed_back, _threads_started] = numbers[..] else {
        panic!("unexpected child output: {out}");
    };
    assert_eq!(
        ran + handed_back,
        30_000,
        "every task ran or came back: {out}"
    );
    assert!(ran > 0, "{out}");
    Ok(())
}

fn address_space_workload() {
    let pool = Pool::builder()
        .capacity(1000)
        .expiry(Duration::from_millis(10))
        .build()
        .expect("the capacity is a count of threads, under the count limits");
    let ran = Arc::new(AtomicUsize::new(0));
    let handed_back = Arc::new(AtomicUsize::new(0));
    let submitters: Vec<_> = (0..3)
        .map(|_| {
            let (pool, ran, handed_back) = (pool.clone(), ran.clone(), handed_back.clone());
            std::thread::spawn(move || {
                for _ in 0..10_000 {
                    let ran = ran.clone();
                    match pool.submit(move || {
                        std::thread::sleep(Duration::from_millis(2));
                        ran.fetch_add(1, SeqCst);
                    }) {
                        Ok(()) => {}
                        Err(PoolError::ThreadSpawn(task, _)) => {
                            drop(task);
                            handed_back.fetch_add(1, SeqCst);
                        }
                        Err(other) => panic!("unexpected refusal: {other}"),
                    }
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    let most = pool.stats().threads_spawned;
    pool.release_timeout(Duration::from_secs(60)).unwrap();
    println!("{} {} {most}", ran.load(SeqCst), handed_back.load(SeqCst));
}
