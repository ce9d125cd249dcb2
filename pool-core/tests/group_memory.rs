//! What a group keeps per task, counted by dhat: a million `u32` tasks in
//! one `TaskGroup` (and one `FuncTaskGroup`) cost at most 64 bytes each
//! beyond the `u32` itself, at the peak, so the million stay under 100 MiB.
//! `harness = false`: dhat must be the only profiler in the process, and
//! the test harness's own allocations must not land in the measured window.
//! dhat keeps one peak per process, so each case runs in a child of its own.
#![forbid(unsafe_code)]

use pool_core::{Pool, PoolWithFunc};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const TASKS: u32 = 1_000_000;
const MAX_BYTES_PER_TASK: u64 = 64;

/// The heap's peak while `work` runs, less what was live before it.
fn peak_during(work: impl FnOnce()) -> u64 {
    let before = dhat::HeapStats::get();
    work();
    let after = dhat::HeapStats::get();
    after.max_bytes as u64 - before.curr_bytes as u64
}

fn check(name: &str, peak: u64) {
    let per_task = peak / u64::from(TASKS);
    println!(
        "{name}: peak {:.1} MiB for {TASKS} tasks, {per_task} bytes each",
        peak as f64 / (1 << 20) as f64
    );
    assert!(
        per_task <= MAX_BYTES_PER_TASK + 4,
        "{name}: {per_task} bytes per u32 task, more than {MAX_BYTES_PER_TASK} beyond the value"
    );
    assert!(peak < 100 << 20, "{name}: {peak} bytes at the peak");
}

const CASE: &str = "POOL_CORE_GROUP_MEMORY_CASE";

fn main() {
    match std::env::var(CASE).as_deref() {
        Ok("task-group") => return task_group(),
        Ok("func-task-group") => return func_task_group(),
        _ => {}
    }
    for case in ["task-group", "func-task-group"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env(CASE, case)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        assert!(
            out.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!("test result: ok. 2 passed; 0 failed");
}

fn task_group() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let pool = Pool::builder()
        .capacity(4)
        .pre_alloc(true)
        .disable_purge(true)
        .build()
        .unwrap();
    let peak = peak_during(|| {
        let mut group = pool.group();
        for n in 0..TASKS {
            group.submit(move || n).unwrap();
        }
        let results = group.wait();
        assert_eq!(results.len(), TASKS as usize);
        assert_eq!(*results[12_345].as_ref().unwrap(), 12_345);
    });
    check("TaskGroup", peak);
}

fn func_task_group() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let pool = PoolWithFunc::new(4, |n: u32| n.wrapping_mul(3)).unwrap();
    let peak = peak_during(|| {
        let mut group = pool.group();
        for n in 0..TASKS {
            group.invoke(n).unwrap();
        }
        let results = group.wait();
        assert_eq!(results.len(), TASKS as usize);
        assert_eq!(*results[7].as_ref().unwrap(), 21);
    });
    check("FuncTaskGroup", peak);
}
