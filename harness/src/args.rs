//! The flags every example takes, and the checks that run before any job.
//!
//! Everything that can be refused is refused in [`RunArgs::prepare`], before
//! the first job: a zero or impossible size, more threads than the process
//! may hold, too few file descriptors, an API that does not answer. Each
//! message names the flag to change.

use std::time::Duration;

use anyhow::Context as _;
use slow_api::{ApiClient, Server, ServerConfig};

use crate::checks;

/// The flags every example takes.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// How many calls to make.
    #[arg(long, default_value_t = 10_000, value_parser = checks::job_count)]
    pub jobs: u64,
    /// How many workers call at once.
    // A program may rename the flag (`mut_arg("pool_size", ..)`): the
    // checks run as clap parses it, so its message names the flag typed.
    #[arg(long, default_value_t = 1000, value_parser = checks::thread_count)]
    pub pool_size: usize,
    /// Which route to call: `one` (2 s) or `two` (100 ms).
    #[arg(long, default_value = "two", value_parser = ["one", "two"])]
    pub route: String,
    /// Base address of a running slow API, e.g. http://127.0.0.1:8080.
    /// Without it, one is started inside this program on a free port.
    #[arg(long)]
    pub url: Option<String>,
    /// The longest one call may take, in seconds, before it counts as failed.
    #[arg(long, default_value_t = 30)]
    pub call_timeout_s: u64,
    /// Print the final figures as one JSON object instead of the text report.
    #[arg(long)]
    pub json: bool,
}

/// The API a run calls: the shared client, the in-process server if any,
/// and the real delay of the route called.
#[derive(Debug)]
pub struct Target {
    /// The shared keep-alive client.
    pub client: ApiClient,
    /// The in-process server, when no `--url` was given.
    pub server: Option<Server>,
    /// The delay of the route called, as the API itself reported it.
    pub delay: Duration,
}

impl RunArgs {
    /// Checks the flags and sets up the API (the one at `--url`, or the
    /// tutorial's, started in this process): everything that can fail fails
    /// here, before any job starts, with a message that says what to change.
    ///
    /// ```
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: harness::RunArgs }
    ///
    /// // A call timeout of zero is refused here, before any job starts
    /// // (a zero `--jobs` or `--pool-size` is refused by clap itself).
    /// let cli = Cli::parse_from(["x", "--call-timeout-s", "0"]);
    /// let message = cli.run.prepare().unwrap_err().to_string();
    /// assert!(message.contains("--call-timeout-s must be at least 1"), "{message}");
    /// ```
    pub fn prepare(&self) -> anyhow::Result<Target> {
        self.prepare_with(ServerConfig::ephemeral())
    }

    /// [`prepare`](RunArgs::prepare), starting the in-process API with
    /// `config` when there is no `--url` (tests give it short delays, or a
    /// [`Fault`](slow_api::Fault)).
    ///
    /// ```
    /// use clap::Parser;
    /// use std::time::Duration;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] run: harness::RunArgs }
    ///
    /// let cli = Cli::parse_from(["x", "--jobs", "4", "--pool-size", "2"]);
    /// let target = cli.run.prepare_with(slow_api::ServerConfig::fast(Duration::from_millis(3))).unwrap();
    /// assert!(target.server.is_some());
    /// // The delay comes from the API itself.
    /// assert_eq!(target.delay, Duration::from_millis(3));
    /// ```
    pub fn prepare_with(&self, in_process: ServerConfig) -> anyhow::Result<Target> {
        // Parsing refused these already; a `RunArgs` built in code is
        // checked here, named by its fields.
        checks::jobs("jobs", self.jobs)?;
        checks::threads("pool_size", self.pool_size)?;
        let call_timeout = checks::duration("--call-timeout-s", self.call_timeout_s, "s")?;
        // One socket per worker on our side, one more per worker on the
        // server's side when it runs in this process, and some to spare.
        let per_worker = if self.url.is_some() { 1 } else { 2 };
        checks::fd_limit(
            self.pool_size as u64 * per_worker + 64,
            "a smaller pool size",
        )?;
        let (client, server) = match &self.url {
            Some(url) => {
                let client = ApiClient::with_call_timeout(url, self.pool_size, call_timeout)
                    .map_err(|e| anyhow::anyhow!("--url: {e}"))?;
                (client, None)
            }
            None => {
                let server =
                    Server::start(in_process).context("cannot start the slow API in-process")?;
                let client =
                    ApiClient::with_call_timeout(server.url(), self.pool_size, call_timeout)
                        .map_err(anyhow::Error::msg)?;
                (client, Some(server))
            }
        };
        // One real request: is it there, does it answer, how slow is it?
        let info = client.probe(&self.route).map_err(anyhow::Error::msg)?;
        if let Some(note) = info.note(client.base()) {
            // On stderr: with --json, stdout holds the JSON alone.
            eprintln!("{note}");
        }
        let delay = info.delay;
        Ok(Target {
            client,
            server,
            delay,
        })
    }
}
