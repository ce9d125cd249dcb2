//! pool-core against `threadpool` and rayon, side by side in one process.
//!
//! `cargo bench -p pool-core --bench side_by_side` runs every workload;
//! name some to run only those: `... --bench side_by_side -- cpu2 burst`.
//! `ROUNDS=5` sets the measured rounds (default 3).
//!
//! | workload | what | reported |
//! |---|---|---|
//! | `empty` | 1,000,000 empty tasks, 1,000 workers | ns per task |
//! | `cpu1000` | 200,000 tasks of ~2 µs (1,000 xorshift rounds), 1,000 workers | ns per task |
//! | `cpu2` | the same, 2 workers | ns per task |
//! | `cpu2q` | the same, 2 workers with `queue_size(1024)` | ns per task |
//! | `sleep` | 100,000 × sleep 10 ms, 1,000 workers (ideal 1.0 s) | seconds |
//! | `burst` | 64 parked workers, 100 bursts of 16 tasks of 1 ms | submit → start, p50 and p99 |
//! | `idle` | 100 pools, each with one long task in flight and nothing else | CPU ms per second |
//! | `queue_memory` | 1,000,000 tasks waiting behind 2 blocked workers | resident memory they hold |
//!
//! Every task ends with `wg.done()` on a shared `WaitGroup`, as the tutorial
//! does. The rounds are interleaved (round 1 of every pool, then round 2...)
//! and each figure is the median, so a noisy moment on the machine lands on
//! every pool alike. After every run the bench waits until the process is
//! quiet ([`settle`]): rayon's idle threads look for work to steal for
//! seconds after their work is done (with 1,000 threads each one scans the
//! others' queues), and whichever pool runs next pays for it. Measured before
//! this wait: the pool right after rayon took 2,000 to 6,000 ns per empty
//! task instead of about 500, even after a 300 ms pause. pool-core's
//! workers get an expiry longer than a round, so that like threadpool's and
//! rayon's threads they are still there for the next round. The ratio compares `submit` with the better of
//! threadpool and rayon. rayon runs a tenth of the tasks on `empty` and
//! `cpu1000`: with 1,000 threads it takes tens of microseconds per task.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::{cpu_work, flood};
use pool_core::{Pool, WaitGroup};

mod common;

#[derive(Clone, Copy, PartialEq)]
enum Job {
    Empty,
    Cpu,
    Sleep,
}

impl Job {
    fn run(self, i: u64) {
        match self {
            Job::Empty => {}
            Job::Cpu => cpu_work(i),
            Job::Sleep => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Waits until the process used at most 10% of one core over 200 ms (at
/// most 60 s): the previous pool's threads have gone idle. It reads the
/// process's total (`/proc/self/stat`, one file, in clock ticks), since
/// summing thousands of per-thread files would itself keep a core busy.
fn settle() {
    let window = Duration::from_millis(200);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let before = process_cpu_ticks();
        std::thread::sleep(window);
        if process_cpu_ticks() - before <= 2 {
            return;
        }
    }
    eprintln!("warning: the process did not settle within 60 s");
}

/// User and system time of the whole process, in clock ticks (1/100 s).
fn process_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name may hold spaces: count fields after its closing ')'.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after ')'.
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// pool-core's worker expiry here: longer than any round of this bench.
const EXPIRY: Duration = Duration::from_secs(120);

/// What one run cost: wall time, and the process's CPU time and context
/// switches over the same window (`getrusage(RUSAGE_SELF)`: every thread,
/// live and exited). CPU time is what a spin or a wake-up really costs, and
/// it moves the same way on every machine; wall time depends on how many
/// cores are idle to absorb the waste.
#[derive(Clone, Copy, Default)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    switches: u64,
}

/// The start of a measured window.
struct Meter {
    wall: Instant,
    usage: Usage,
}

impl Meter {
    fn start() -> Meter {
        Meter {
            usage: usage(),
            wall: Instant::now(),
        }
    }

    fn stop(self) -> Sample {
        let wall = self.wall.elapsed();
        let now = usage();
        Sample {
            wall,
            cpu: now.cpu.saturating_sub(self.usage.cpu),
            switches: now.switches - self.usage.switches,
        }
    }
}

#[derive(Clone, Copy)]
struct Usage {
    cpu: Duration,
    switches: u64,
}

/// User plus system time, and voluntary plus involuntary context switches,
/// of the whole process so far.
fn usage() -> Usage {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage(RUSAGE_SELF) cannot fail");
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    Usage {
        cpu: tv(u.user_time()) + tv(u.system_time()),
        switches: (u.voluntary_context_switches() + u.involuntary_context_switches()) as u64,
    }
}

/// One pool under test: runs `tasks` jobs and returns what that cost.
type Runner = Box<dyn FnMut(u64) -> Sample>;

fn pool_core_submit(threads: usize, job: Job) -> Runner {
    pool_core_submit_queued(threads, 0, job)
}

fn pool_core_submit_queued(threads: usize, queue_size: usize, job: Job) -> Runner {
    let pool = Pool::builder()
        .capacity(threads)
        .queue_size(queue_size)
        .expiry(EXPIRY)
        .build()
        .unwrap();
    Box::new(move |tasks| {
        let meter = Meter::start();
        flood(&pool, tasks, move |i| job.run(i));
        meter.stop()
    })
}

fn pool_core_invoke(threads: usize, job: Job) -> Runner {
    let wg = WaitGroup::new();
    let done = wg.clone();
    let pool = Pool::builder()
        .capacity(threads)
        .expiry(EXPIRY)
        .build_with_func(move |i: u64| {
            job.run(i);
            done.done();
        })
        .unwrap();
    Box::new(move |tasks| {
        let meter = Meter::start();
        for i in 0..tasks {
            wg.add(1);
            pool.invoke(i).unwrap();
        }
        wg.wait();
        meter.stop()
    })
}

fn threadpool(threads: usize, job: Job) -> Runner {
    let pool = threadpool::ThreadPool::new(threads);
    Box::new(move |tasks| {
        let meter = Meter::start();
        flood(&pool, tasks, move |i| job.run(i));
        meter.stop()
    })
}

/// rayon's pool is built before the clock starts and dropped after each
/// run, and the run waits until its threads have exited: 1,000 idle rayon
/// threads slowed every other pool in the process three- to fourfold
/// (measured), even while using no CPU.
fn rayon(threads: usize, job: Job) -> Runner {
    Box::new(move |tasks| {
        let before = pool_core::live_threads();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            // Without a handler a panic in `spawn` aborts the process.
            .panic_handler(|_| {})
            .build()
            .unwrap();
        let meter = Meter::start();
        flood(&pool, tasks, move |i| job.run(i));
        let sample = meter.stop();
        drop(pool);
        let deadline = Instant::now() + Duration::from_secs(60);
        while pool_core::live_threads() > before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        sample
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn rounds() -> usize {
    std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// One runner's medians, per task.
#[derive(Clone, Copy)]
struct PerTask {
    /// Wall seconds.
    wall: f64,
    /// CPU microseconds, all threads.
    cpu_us: f64,
    /// Context switches, voluntary and involuntary, all threads.
    switches: f64,
}

/// Runs every runner `rounds()` times, interleaved, after one warm-up
/// round each; returns each one's medians per task.
fn per_task(runners: &mut [(&str, Runner, u64)]) -> Vec<PerTask> {
    let mut seen: Vec<Vec<Sample>> = vec![Vec::new(); runners.len()];
    for (_, run, tasks) in runners.iter_mut() {
        run(*tasks / 10);
        settle();
    }
    for _ in 0..rounds() {
        for (i, (_, run, tasks)) in runners.iter_mut().enumerate() {
            seen[i].push(run(*tasks));
            settle();
        }
    }
    seen.into_iter()
        .zip(runners.iter())
        .map(|(samples, (_, _, tasks))| {
            let n = *tasks as f64;
            let of = |f: &dyn Fn(&Sample) -> f64| median(samples.iter().map(f).collect());
            PerTask {
                wall: of(&|s| s.wall.as_secs_f64() / n),
                cpu_us: of(&|s| s.cpu.as_secs_f64() * 1e6 / n),
                switches: of(&|s| s.switches as f64 / n),
            }
        })
        .collect()
}

/// Prints one table: wall time per task (or in all, for `unit == "s"`),
/// CPU µs and context switches per task, each also as a ratio to the
/// runner at `baseline`; wall time also against the best of `best_of`.
fn print_table(
    title: &str,
    runners: &[(&str, Runner, u64)],
    medians: &[PerTask],
    unit: &str,
    baseline: usize,
    best_of: std::ops::Range<usize>,
) {
    let best = medians[best_of.clone()]
        .iter()
        .map(|m| m.wall)
        .fold(f64::INFINITY, f64::min);
    let base = medians[baseline];
    let base_name = runners[baseline].0;
    println!("\n{title}, median of {} rounds", rounds());
    println!(
        "  {:<20} {:>14} {:>8} {:>12} {:>8} {:>10} {:>8}",
        "runner", "wall", "x best", "CPU us/task", "x base", "csw/task", "x base"
    );
    for ((label, _, n), m) in runners.iter().zip(medians) {
        let wall = match unit {
            "s" => format!("{:.3} s", m.wall * *n as f64),
            _ => format!("{:.0} ns/task", m.wall * 1e9),
        };
        let ratio = |a: f64, b: f64| {
            if b > 0.0 {
                format!("{:.2}x", a / b)
            } else {
                "-".to_owned()
            }
        };
        println!(
            "  {label:<20} {wall:>14} {:>8} {:>12.2} {:>8} {:>10.3} {:>8}",
            ratio(m.wall, best),
            m.cpu_us,
            ratio(m.cpu_us, base.cpu_us),
            m.switches,
            ratio(m.switches, base.switches),
        );
    }
    println!(
        "  (x best: wall time against the best of {}; x base: against {base_name})",
        runners[best_of]
            .iter()
            .map(|r| r.0)
            .collect::<Vec<_>>()
            .join("/")
    );
}

/// 2 workers with a bounded queue of 1,024 against the same without one and
/// `threadpool` (whose queue is unbounded).
fn cpu2_queued() {
    let tasks = 200_000;
    let mut runners: Vec<(&str, Runner, u64)> = vec![
        (
            "pool-core queue 1024",
            pool_core_submit_queued(2, 1024, Job::Cpu),
            tasks,
        ),
        ("pool-core no queue", pool_core_submit(2, Job::Cpu), tasks),
        ("threadpool", threadpool(2, Job::Cpu), tasks),
    ];
    let medians = per_task(&mut runners);
    print_table(
        &format!("cpu2q: {tasks} tasks, 2 workers"),
        &runners,
        &medians,
        "ns",
        2,
        2..3,
    );
}

/// Resident memory of the process now, in bytes (`VmRSS`).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// 1,000,000 tasks offered while both workers are blocked: how much memory
/// do the waiting tasks hold? `threadpool` queues them all; a pool-core
/// queue of 1,024 holds that many and parks the submitter.
fn queue_memory() {
    const TASKS: usize = 1_000_000;
    println!(
        "\nqueue_memory: {TASKS} tasks offered to 2 blocked workers, resident memory held while they wait"
    );
    // Each task owns 64 bytes, as a small real job would.
    {
        let before = resident_bytes();
        let tp = threadpool::ThreadPool::new(2);
        let (hold, gate) = std::sync::mpsc::channel::<()>();
        let gate = std::sync::Arc::new(Mutex::new(gate));
        for _ in 0..2 {
            let g = gate.clone();
            tp.execute(move || {
                let _ = g.lock().unwrap().recv();
            });
        }
        for _ in 0..TASKS {
            let payload = [7u8; 64];
            tp.execute(move || {
                black_box(payload);
            });
        }
        let held = resident_bytes().saturating_sub(before);
        drop(hold);
        tp.join();
        println!("  {:<20} {:>10} KiB", "threadpool", held / 1024);
    }
    {
        let before = resident_bytes();
        let pool = Pool::builder()
            .capacity(2)
            .queue_size(1024)
            .build()
            .unwrap();
        let (hold, gate) = std::sync::mpsc::channel::<()>();
        let gate = std::sync::Arc::new(Mutex::new(gate));
        for _ in 0..2 {
            let g = gate.clone();
            pool.submit(move || {
                let _ = g.lock().unwrap().recv();
            })
            .unwrap();
        }
        let p = pool.clone();
        let submitter = std::thread::spawn(move || {
            for _ in 0..TASKS {
                let payload = [7u8; 64];
                p.submit(move || {
                    black_box(payload);
                })
                .unwrap();
            }
        });
        // Wait until the queue is full and the submitter parked.
        while pool.stats().queued < 1024 || pool.waiting() < 1025 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let held = resident_bytes().saturating_sub(before);
        drop(hold);
        submitter.join().unwrap();
        println!("  {:<20} {:>10} KiB", "pool-core queue 1024", held / 1024);
    }
}

fn throughput(name: &str, threads: usize, tasks: u64, job: Job, unit: &str) {
    let rayon_tasks = if job == Job::Sleep || threads <= 2 {
        tasks
    } else {
        tasks / 10
    };
    let mut runners: Vec<(&str, Runner, u64)> = vec![
        ("pool-core submit", pool_core_submit(threads, job), tasks),
        ("pool-core invoke", pool_core_invoke(threads, job), tasks),
        ("threadpool", threadpool(threads, job), tasks),
        ("rayon", rayon(threads, job), rayon_tasks),
    ];
    if std::env::var_os("NO_RAYON").is_some() {
        runners.pop();
    }
    let medians = per_task(&mut runners);
    let others = 2..runners.len();
    print_table(
        &format!("{name}: {tasks} tasks, {threads} workers"),
        &runners,
        &medians,
        unit,
        2,
        others,
    );
}

/// Start latency: the time from just before `submit` to the task's first
/// line, for 100 bursts of 16 one-millisecond tasks into 64 parked workers.
fn burst() {
    const WORKERS: usize = 64;
    const BURSTS: usize = 100;
    const PER_BURST: usize = 16;
    type Submit = Box<dyn Fn(Box<dyn FnOnce() + Send>)>;
    let pool = Pool::builder()
        .capacity(WORKERS)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    let tp = threadpool::ThreadPool::new(WORKERS);
    let mut subjects: Vec<(&str, Submit, Vec<f64>)> = vec![
        (
            "pool-core submit",
            Box::new(move |f| pool.submit(f).unwrap()),
            Vec::new(),
        ),
        ("threadpool", Box::new(move |f| tp.execute(f)), Vec::new()),
    ];
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(BURSTS * PER_BURST)));
    for round in 0..=BURSTS {
        for (_, submit, seen) in subjects.iter_mut() {
            // Let every worker finish searching and park.
            std::thread::sleep(Duration::from_millis(5));
            let wg = WaitGroup::new();
            for _ in 0..PER_BURST {
                wg.add(1);
                let (wg, latencies) = (wg.clone(), latencies.clone());
                let submitted = Instant::now();
                submit(Box::new(move || {
                    let waited = submitted.elapsed();
                    latencies.lock().unwrap().push(waited.as_secs_f64());
                    std::thread::sleep(Duration::from_millis(1));
                    wg.done();
                }));
            }
            wg.wait();
            let mut got = std::mem::take(&mut *latencies.lock().unwrap());
            if round > 0 {
                seen.append(&mut got); // round 0 warms up
            }
        }
    }
    println!(
        "\nburst: {BURSTS} bursts of {PER_BURST} tasks of 1 ms into {WORKERS} parked workers, submit -> start"
    );
    for (label, _, mut seen) in subjects {
        seen.sort_by(f64::total_cmp);
        let at = |q: f64| seen[((seen.len() - 1) as f64 * q) as usize] * 1e6;
        println!(
            "  {label:<18} p50 {:>8.0} us   p99 {:>8.0} us   max {:>8.0} us",
            at(0.5),
            at(0.99),
            at(1.0)
        );
    }
}

/// CPU time of the whole process so far, in seconds: the sum of every
/// thread's time on a CPU (`/proc/self/task/*/schedstat`, nanoseconds).
fn process_cpu_seconds() -> f64 {
    let mut ns: u64 = 0;
    for entry in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let path = entry.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(path) {
            ns += text
                .split_whitespace()
                .next()
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    ns as f64 / 1e9
}

/// 100 pools, each with one task blocked on a channel: what do they cost
/// while nothing happens?
fn idle() {
    const POOLS: usize = 100;
    const WINDOW: Duration = Duration::from_secs(2);
    let measure =
        |label: &str, start_all: &dyn Fn(mpsc::Receiver<()>) -> Box<dyn std::any::Any>| {
            let mut holds = Vec::new();
            let mut keep = Vec::new();
            for _ in 0..POOLS {
                let (hold, gate) = mpsc::channel::<()>();
                holds.push(hold);
                keep.push(start_all(gate));
            }
            // Let the tasks start and everything settle.
            std::thread::sleep(Duration::from_millis(300));
            let before = process_cpu_seconds();
            std::thread::sleep(WINDOW);
            let used = process_cpu_seconds() - before;
            println!(
                "  {label:<18} {:>6.1} ms of CPU per second, {POOLS} pools in all",
                used * 1e3 / WINDOW.as_secs_f64()
            );
            drop(holds);
            drop(keep);
        };
    println!("\nidle: {POOLS} pools, each with one long task in flight");
    measure("pool-core", &|gate| {
        let pool = Pool::new(4).unwrap();
        pool.submit(move || {
            let _ = gate.recv();
        })
        .unwrap();
        Box::new(pool)
    });
    measure("threadpool", &|gate| {
        let pool = threadpool::ThreadPool::new(4);
        pool.execute(move || {
            let _ = gate.recv();
        });
        Box::new(pool)
    });
}

fn main() {
    // `cargo bench` passes `--bench`; any other word names a workload.
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |name: &str| chosen.is_empty() || chosen.iter().any(|c| c == name);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("machine: {cpu}, {cores} cores");
    if wants("empty") {
        throughput("empty", 1000, 1_000_000, Job::Empty, "ns");
    }
    if wants("cpu1000") {
        throughput("cpu1000", 1000, 200_000, Job::Cpu, "ns");
    }
    if wants("cpu2") {
        throughput("cpu2", 2, 200_000, Job::Cpu, "ns");
    }
    if wants("cpu2q") {
        cpu2_queued();
    }
    if wants("sleep") {
        throughput("sleep", 1000, 100_000, Job::Sleep, "s");
    }
    if wants("burst") {
        burst();
    }
    if wants("idle") {
        idle();
    }
    if wants("queue_memory") {
        queue_memory();
    }
}
