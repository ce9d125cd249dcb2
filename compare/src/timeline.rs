//! What happens over time: each child samples its own process every 10 ms
//! (threads alive, jobs in flight, jobs done, resident memory), and
//! `compare` draws one panel per measure with one line per strategy.
//!
//! This is the picture behind two of the lessons' claims: a thread per job
//! piles up threads while a pool's count stays flat, and the jobs in flight
//! are capped at the pool's size.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::job::Job;
use crate::style::{CAPTION, TEXT, TITLE, colour_of, tick};

/// How often a child samples its process for the timeline.
pub const SAMPLE_PERIOD: Duration = Duration::from_millis(10);

/// One moment of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the first job was handed over.
    pub t_s: f64,
    /// Threads in the process.
    pub threads: usize,
    /// Jobs started and not yet done.
    pub in_flight: u64,
    /// Jobs done.
    pub done: u64,
    /// Resident memory, in MiB.
    pub rss_mib: f64,
}

/// A strategy's timeline, as the parent keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The strategy's name.
    pub strategy: String,
    /// Its samples, every 10 ms.
    pub samples: Vec<Sample>,
}

/// Samples a running child: the peak thread count every 2 ms, a timeline
/// sample every [`SAMPLE_PERIOD`], and a `progress N` line on stderr every
/// 100 ms for the parent's progress bar.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<(Vec<Sample>, usize)>,
}

impl Sampler {
    /// Starts sampling; `start` is the moment the first job is handed over.
    pub fn start(job: Job, start: Instant) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut peak = 0;
            let mut next_sample = start;
            let mut next_progress = start;
            loop {
                let finished = stopped.load(SeqCst);
                let threads = harness::probes::live_threads();
                peak = peak.max(threads);
                let now = Instant::now();
                if now >= next_sample || finished {
                    let done = job.done();
                    samples.push(Sample {
                        t_s: now.saturating_duration_since(start).as_secs_f64(),
                        threads,
                        in_flight: job.started().saturating_sub(done),
                        done,
                        rss_mib: harness::probes::resident_bytes().unwrap_or(0) as f64
                            / (1024.0 * 1024.0),
                    });
                    next_sample += SAMPLE_PERIOD;
                }
                if now >= next_progress || finished {
                    eprintln!("progress {}", job.done());
                    next_progress = now + Duration::from_millis(100);
                }
                if finished {
                    return (samples, peak);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        Sampler { stop, handle }
    }

    /// Stops sampling (after one last sample); the timeline and the peak
    /// thread count.
    pub fn stop(self) -> anyhow::Result<(Vec<Sample>, usize)> {
        self.stop.store(true, SeqCst);
        self.handle
            .join()
            .map_err(|_| anyhow!("the sampler panicked"))
    }
}

/// Draws `timeline-<workload>.svg`: four panels (threads, jobs in flight,
/// jobs done, resident memory) against time, one line per strategy.
pub fn draw_timeline(timelines: &[Timeline], title: &str, path: &Path) -> anyhow::Result<()> {
    draw(timelines, title, path).map_err(|e| anyhow!("cannot draw {}: {e}", path.display()))
}

type Measure = (&'static str, fn(&Sample) -> f64);

fn draw(timelines: &[Timeline], title: &str, path: &Path) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (1200, 800)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", TITLE))?;
    let panels = root.split_evenly((2, 2));
    let measures: [Measure; 4] = [
        ("threads alive", |s| s.threads as f64),
        ("jobs in flight", |s| s.in_flight as f64),
        ("jobs done", |s| s.done as f64),
        ("resident memory (MiB)", |s| s.rss_mib),
    ];
    let end = timelines
        .iter()
        .flat_map(|t| t.samples.last())
        .map(|s| s.t_s)
        .fold(0.0, f64::max)
        .max(0.01);
    for (index, (panel, (caption, value))) in panels.iter().zip(measures).enumerate() {
        let top = timelines
            .iter()
            .flat_map(|t| t.samples.iter().map(value))
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.05;
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, ("sans-serif", CAPTION))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..end, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("seconds")
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style(("sans-serif", TEXT))
            .light_line_style(WHITE)
            .axis_desc_style(("sans-serif", TEXT))
            .draw()?;
        for t in timelines {
            let colour = colour_of(&t.strategy);
            chart
                .draw_series(LineSeries::new(
                    t.samples.iter().map(|s| (s.t_s, value(s))),
                    colour.stroke_width(3),
                ))?
                .label(t.strategy.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                });
        }
        // One legend is enough: the colours are the same in every panel.
        if index == 0 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK.mix(0.3))
                .label_font(("sans-serif", TEXT))
                .position(SeriesLabelPosition::UpperRight)
                .draw()?;
        }
    }
    root.present()?;
    Ok(())
}
