//! The parent's side of a run: what it sets up once for all its children
//! (the API, the `cpu` calibration, the progress bar), one child per
//! strategy or size, and writing the results.
//!
//! # What survives a failure
//!
//! A strategy whose child fails or crashes gets a row of its own, marked
//! "did not finish" with the child's reason; the strategies that finished
//! keep theirs, and the table, JSON, CSV and chart are written for all of
//! them. A long run is never lost on its last strategy.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use harness::checks;
use indicatif::{ProgressBar, ProgressStyle};
use slow_api::{ApiClient, Server, ServerConfig};

use crate::child::ChildOutput;
use crate::cli::Args;
use crate::interrupt::Interrupt;
use crate::job::{Workload, calibrate_cpu};
use crate::report::StrategyResult;
use crate::strategy::Strategy;

/// What the parent sets up once for all its children: the API (started
/// here when there is no `--url`, so no child pays for it), the `cpu` job's
/// calibration, and the progress bar.
pub(crate) struct Session {
    url: Option<String>,
    api_delay: Option<Duration>,
    _server: Option<Server>,
    exe: PathBuf,
    cpu_rounds: Option<u64>,
    pub(crate) bar: ProgressBar,
}

impl Session {
    /// Checks the flags and the output folder, then sets up; `largest` is
    /// the most jobs any child will have in flight. From here on, Ctrl-C
    /// and SIGTERM stop the run but keep its results (`interrupt.rs`).
    pub(crate) fn start(args: &Args, largest: usize) -> anyhow::Result<Session> {
        args.check()?;
        checks::out_dir(&args.out_dir)?;
        Interrupt::get();
        let mut server = None;
        let mut url = args.url.clone();
        if args.workload == Workload::Http && url.is_none() {
            checks::fd_limit(
                largest as u64 + 256,
                "a smaller --max-in-flight, or fewer strategies with --only",
            )?;
            let s =
                Server::start(ServerConfig::ephemeral()).context("cannot start the slow API")?;
            url = Some(s.url().to_owned());
            server = Some(s);
        }
        // Asked once, here, and handed to every child.
        let mut api_delay = None;
        if let Some(url) = &url {
            let client = ApiClient::new(url, 1).map_err(|e| anyhow!("--url: {e}"))?;
            let info = client.probe("two").map_err(anyhow::Error::msg)?;
            if let Some(note) = info.note(client.base()) {
                eprintln!("{note}");
            }
            api_delay = Some(info.delay);
        }
        // Every child runs the same rounds, calibrated once, here.
        let cpu_rounds = (args.workload == Workload::Cpu)
            .then(|| calibrate_cpu(Duration::from_micros(args.work_us)));
        let exe = std::env::current_exe().context("cannot find this program's own path")?;
        let bar = ProgressBar::new(args.jobs());
        bar.set_style(
            ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} jobs ({elapsed})")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Ok(Session {
            url,
            api_delay,
            _server: server,
            exe,
            cpu_rounds,
            bar,
        })
    }

    /// Runs one strategy (at `capacity`, for a sweep) in a child process:
    /// its output, or its row saying why it has none.
    pub(crate) fn run(
        &self,
        args: &Args,
        strategy: Strategy,
        capacity: Option<usize>,
    ) -> (StrategyResult, Option<Vec<crate::timeline::Sample>>) {
        self.bar.reset();
        self.bar.set_message(match capacity {
            Some(size) => format!("{} size {size}", strategy.name()),
            None => strategy.name(),
        });
        match self.child(args, strategy, capacity) {
            Ok(output) => (output.result, Some(output.timeline)),
            Err(reason) => {
                let row = StrategyResult::did_not_finish(
                    strategy.name(),
                    args.workload_name(),
                    args.jobs(),
                    capacity.unwrap_or_else(|| strategy.capacity(args.max_in_flight)),
                    reason,
                );
                (row, None)
            }
        }
    }

    fn child(
        &self,
        args: &Args,
        strategy: Strategy,
        capacity: Option<usize>,
    ) -> Result<ChildOutput, String> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("--child")
            .arg(strategy.name())
            .arg("--parent-pipe")
            .args(["--workload", &args.workload_name()])
            .args(["--jobs", &args.jobs().to_string()])
            .args(["--sleep-ms", &args.sleep_ms.to_string()])
            .args(["--work-us", &args.work_us.to_string()])
            .args(["--max-in-flight", &args.max_in_flight.to_string()])
            .args(["--call-timeout-s", &args.call_timeout_s.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &self.url {
            cmd.args(["--url", url]);
        }
        if let Some(size) = capacity {
            cmd.args(["--capacity", &size.to_string()]);
        }
        if let Some(delay) = self.api_delay {
            cmd.args(["--api-delay-ms", &delay.as_millis().to_string()]);
        }
        if let Some(rounds) = self.cpu_rounds {
            cmd.args(["--cpu-rounds", &rounds.to_string()]);
        }
        let interrupt = Interrupt::get();
        if let Some(reason) = interrupt.reason() {
            return Err(reason);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start its child process: {e}"))?;
        interrupt.watch_child(child.id());
        // Held, never written, until the child is done: if this process
        // dies, the pipe closes and the child exits.
        let parent_pipe = child.stdin.take();
        // The result (with its timeline, tens of KiB) is read on a thread
        // of its own while stderr is read here: read one after the other,
        // a full pipe would leave the child and us waiting on each other.
        let mut stdout_pipe = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            stdout_pipe.read_to_string(&mut text).map(|_| text)
        });
        let stderr = child.stderr.take().expect("piped");
        let mut diagnostics = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            match line.strip_prefix("progress ").and_then(|n| n.parse().ok()) {
                Some(done) => self.bar.set_position(done),
                None => diagnostics.push(line),
            }
        }
        // Its stderr is closed: it is exiting, and stays ours to wait for
        // (its pid cannot be reused) until the wait below.
        interrupt.forget_child();
        let status = child
            .wait()
            .map_err(|e| format!("lost its child process: {e}"))?;
        drop(parent_pipe);
        let stdout = reader
            .join()
            .map_err(|_| "the reader of its output panicked".to_owned())?
            .map_err(|e| format!("cannot read its output: {e}"))?;
        match serde_json::from_str::<ChildOutput>(stdout.trim()) {
            Ok(output) if status.success() => Ok(output),
            _ if interrupt.signal().is_some() => {
                Err(interrupt.reason().expect("a signal was received"))
            }
            _ => {
                // The child's own last words say why; keep them short.
                let kept: Vec<&str> = diagnostics
                    .iter()
                    .filter(|l| !l.starts_with("note: run with"))
                    .map(String::as_str)
                    .collect();
                let said = &kept[kept.len().saturating_sub(3)..];
                Err(format!("{} ({status})", said.join(" / ")).trim().to_owned())
            }
        }
    }
}

/// Says, when a signal cut the run short, how much of it the files hold.
pub(crate) fn report_interruption(ran: usize, planned: usize) {
    if let Some(reason) = Interrupt::get().reason() {
        println!(
            "{reason}: {ran} of {planned} runs started, the last one cut short; \
             the finished ones are kept below and in the files\n"
        );
    }
}

/// Writes `value` as pretty JSON to `path`; an error names the path.
pub(crate) fn write_json<T: serde::Serialize + ?Sized>(
    value: &T,
    path: &Path,
) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value).context("cannot serialise the results")?;
    std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
}
