//! The tokio strategies: one task per job on a 2-thread runtime, running
//! the job itself (`tokio-tasks`) or handing it to a pool (`tokio-pool1000`).
//!
//! This is the honest answer to "so what is Rust's goroutine?": a task is a
//! small state machine, not a thread, and a few OS threads run thousands of
//! them, which is how Go runs goroutines. An HTTP call holds a socket, so at
//! most `max_in_flight` calls run at once (a tokio semaphore), keeping the
//! run within the file-descriptor limit and the ephemeral ports.

use std::sync::Arc;
use std::time::Duration;

use crate::job::{BURST_JOB, Job, Workload, cpu_work};

/// Runs `jobs` jobs as tokio tasks; returns when all are done and the
/// runtime is shut down.
pub(crate) fn run(
    job: &Job,
    jobs: u64,
    max_in_flight: usize,
    url: Option<&str>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start tokio: {e}"))?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(max_in_flight)
        .timeout(job.call_timeout())
        .build()?;
    let base = url.map(str::to_owned);
    let workload = job.workload();
    let sleep = job.sleep();
    let rounds = job.cpu_rounds();
    let result = runtime.block_on(async move {
        let permits = Arc::new(tokio::sync::Semaphore::new(max_in_flight.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for id in 0..jobs {
            let permit = permits.clone().acquire_owned().await?;
            let (job, client, base) = (job.clone(), client.clone(), base.clone());
            let ticket = job.ticket(id);
            tasks.spawn(async move {
                job.start(ticket);
                match workload {
                    Workload::Noop => {}
                    Workload::Sleep => tokio::time::sleep(sleep).await,
                    Workload::Burst => tokio::time::sleep(BURST_JOB).await,
                    // CPU work runs on the runtime's worker thread, as
                    // CPU-bound futures do.
                    Workload::Cpu => {
                        cpu_work(id, rounds);
                    }
                    Workload::Http => {
                        let url = format!("{}/two/{id}", base.as_deref().unwrap_or_default());
                        let checked = match get(&client, &url).await {
                            Ok(body) => slow_api::check_body(id, &body),
                            Err(e) => Err(e.to_string()),
                        };
                        if let Err(reason) = checked {
                            job.failures()
                                .record(format_args!("GET {url} failed: {reason}"));
                        }
                    }
                }
                job.finish();
                drop(permit);
            });
            // Collect finished tasks as we go, so the set stays small.
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
        Ok::<(), anyhow::Error>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// `tokio-pool1000`: one tokio task per job, each handing the blocking job
/// to `pool` with `spawn_async` and awaiting its handle. A full pool makes
/// the tokio task wait in the pool's line without blocking the runtime's
/// threads, so the pool's capacity is the only bound on jobs in flight.
pub(crate) fn through_pool(job: &Job, jobs: u64, pool: &pool_core::Pool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start tokio: {e}"))?;
    let result = runtime.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for id in 0..jobs {
            let (job, ticket) = (job.clone(), job.ticket(id));
            let admit = pool.spawn_async(move || job.run(ticket));
            tasks.spawn(async move {
                let handle = admit
                    .await
                    .map_err(|e| anyhow::anyhow!("tokio-pool1000: {}", e.without_task()))?;
                handle
                    .await
                    .map_err(|e| anyhow::anyhow!("tokio-pool1000: a job failed: {e}"))
            });
            while let Some(done) = tasks.try_join_next() {
                done??;
            }
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        Ok::<(), anyhow::Error>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn get(client: &reqwest::Client, url: &str) -> Result<String, reqwest::Error> {
    client
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await
}
