//! Ctrl-C (SIGINT) or SIGTERM during a run: the running child is stopped,
//! every finished row is kept, the interrupted one is marked so, the files
//! are written, and the exit code is the shell's for the signal.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use compare::StrategyResult;
use harness::testing::temp_dir;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const LONG: Duration = Duration::from_secs(60);

/// The pid of a child of `parent` whose command line holds every word of
/// `words`, once there is one (polled, for at most `LONG`).
fn wait_for_child(parent: u32, words: &[&str]) -> u32 {
    let deadline = Instant::now() + LONG;
    loop {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // The parent pid is the second field after the parenthesised name.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let args: Vec<String> = cmdline
                .split(|&b| b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if ppid == Some(parent) && words.iter().all(|w| args.iter().any(|a| a == w)) {
                return pid;
            }
        }
        assert!(Instant::now() < deadline, "no child {words:?} of {parent}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn wait_with_timeout(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + LONG;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("compare did not exit after the signal");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn is_gone(pid: u32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

/// Starts `compare` with `args`, waits until the child holding `running`
/// has started, sends `signal`, and returns the exit code, stdout and the
/// rows written to `json` in `dir`.
fn interrupt(
    args: &[&str],
    running: &[&str],
    signal: Signal,
    dir: &Path,
    json: &str,
) -> (Option<i32>, String, Vec<StrategyResult>) {
    let mut parent = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args(args)
        .arg("--out-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let child = wait_for_child(parent.id(), running);
    kill(Pid::from_raw(parent.id() as i32), signal).unwrap();
    let status = wait_with_timeout(&mut parent);
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut parent.stdout.take().unwrap(), &mut stdout).unwrap();
    let deadline = Instant::now() + LONG;
    while !is_gone(child) {
        assert!(Instant::now() < deadline, "child {child} outlived the run");
        std::thread::sleep(Duration::from_millis(5));
    }
    let rows = std::fs::read_to_string(dir.join(json))
        .map(|text| serde_json::from_str(&text).unwrap())
        .unwrap_or_default();
    (status.code(), stdout, rows)
}

// pool1000 runs 600 sleeps of 100 ms at once (0.1 s); thread-per-job with
// one in flight would take a minute, so it is surely running when the
// signal comes.
const TABLE: &[&str] = &[
    "--only",
    "pool1000",
    "thread-per-job",
    "--max-in-flight",
    "1",
    "--workload",
    "sleep",
    "--sleep-ms",
    "100",
    "--jobs",
    "600",
];

/// Interrupts the table run during its second strategy with `signal`:
/// the first row is kept, the second says why it has no figures, every
/// file is written and named, and the exit code is `code`.
fn an_interrupted_table_keeps_its_finished_rows(signal: Signal, code: i32) {
    let dir = temp_dir(&format!("{signal:?}"));
    let (exit, stdout, rows) = interrupt(
        TABLE,
        &["--child", "thread-per-job"],
        signal,
        &dir,
        "results-sleep.json",
    );
    assert_eq!(exit, Some(code), "{stdout}");
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(rows[0].strategy, "pool1000");
    assert!(!rows[0].failed_or_unfinished(), "{:?}", rows[0]);
    let reason = format!("interrupted ({signal:?})");
    assert_eq!(rows[1].did_not_finish.as_deref(), Some(reason.as_str()));
    assert!(stdout.contains(&reason), "{stdout}");
    for file in ["results-sleep.csv", "chart-sleep.svg", "timeline-sleep.svg"] {
        assert!(dir.join(file).exists(), "{file} written");
        assert!(stdout.contains(file), "{stdout}");
    }
}

#[test]
fn sigint_keeps_the_finished_rows_writes_the_files_and_exits_130() {
    an_interrupted_table_keeps_its_finished_rows(Signal::SIGINT, 130);
}

#[test]
fn sigterm_keeps_the_finished_rows_writes_the_files_and_exits_143() {
    an_interrupted_table_keeps_its_finished_rows(Signal::SIGTERM, 143);
}

#[test]
fn an_interrupted_sweep_keeps_the_sizes_that_ran() {
    let dir = temp_dir("sweep-sigint");
    let (code, stdout, rows) = interrupt(
        &[
            "sweep",
            "--strategy",
            "pool1000",
            "--workload",
            "sleep",
            "--sleep-ms",
            "100",
            "--jobs",
            "600",
            "--sizes",
            "1000",
            "1",
            "4",
        ],
        &["--child", "pool1000", "--capacity", "1"],
        Signal::SIGINT,
        &dir,
        "sweep-sleep-pool1000.json",
    );
    assert_eq!(code, Some(130), "{stdout}");
    assert_eq!(rows.len(), 2, "size 4 never started: {stdout}");
    assert_eq!(rows[0].capacity, 1000);
    assert!(!rows[0].failed_or_unfinished(), "{:?}", rows[0]);
    assert_eq!(
        rows[1].did_not_finish.as_deref(),
        Some("interrupted (SIGINT)")
    );
    assert!(dir.join("sweep-sleep-pool1000.svg").exists());
}
