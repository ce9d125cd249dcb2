//! The SVG chart: time and peak memory per strategy, drawn with plotters.
//!
//! Bars are in the table's order, never sorted into a ranking. A strategy
//! whose jobs failed is drawn in grey and labelled with how many failed (a
//! failed call is often fast, so its bar would otherwise look like a win);
//! one that did not finish is labelled so and has no bar.

use std::error::Error;
use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

use crate::report::StrategyResult;

/// The colour of a bar whose strategy did not run cleanly.
const FAILED: RGBColor = RGBColor(150, 150, 150);

/// Draws two horizontal bar charts (elapsed seconds, peak RSS in MiB) into
/// an SVG file at `path`; an error names the path.
///
/// ```
/// let dir = std::env::temp_dir().join("compare-chart-doctest");
/// std::fs::create_dir_all(&dir).unwrap();
/// let row = compare::StrategyResult {
///     strategy: "pool1000".into(), workload: "noop".into(), jobs: 10, capacity: 1000,
///     did_not_finish: None, elapsed_s: 0.5, ideal_s: None, ideal_ratio: None, ns_per_job: 1.0,
///     peak_threads: 3, peak_rss_bytes: 1 << 20, allocated_bytes: 0, allocations: 0,
///     failed: 2, first_error: Some("500".into()),
///     queue_wait_mean_ms: None, queue_wait_max_ms: None,
/// };
/// compare::draw_chart(&[row], "demo", &dir.join("chart.svg")).unwrap();
/// let svg = std::fs::read_to_string(dir.join("chart.svg")).unwrap();
/// assert!(svg.contains("pool1000 (FAILED: 2 of 10)"));
/// ```
pub fn draw_chart(results: &[StrategyResult], title: &str, path: &Path) -> anyhow::Result<()> {
    draw(results, title, path).map_err(|e| anyhow!("cannot draw {}: {e}", path.display()))
}

fn draw(results: &[StrategyResult], title: &str, path: &Path) -> Result<(), Box<dyn Error>> {
    let height = 160 + 2 * 28 * results.len() as u32;
    let root = SVGBackend::new(path, (1000, height.max(400))).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 20))?;
    let (left, right) = root.split_horizontally(500);
    let time: Vec<f64> = results.iter().map(|r| r.elapsed_s).collect();
    let memory: Vec<f64> = results
        .iter()
        .map(|r| r.peak_rss_bytes as f64 / (1024.0 * 1024.0))
        .collect();
    bars(&left, results, &time, "elapsed (s)", &BLUE)?;
    bars(&right, results, &memory, "peak resident memory (MiB)", &RED)?;
    root.present()?;
    Ok(())
}

/// A strategy's label: its name, and how it failed if it did.
fn label(r: &StrategyResult) -> String {
    if r.did_not_finish.is_some() {
        format!("{} (DID NOT FINISH)", r.strategy)
    } else if r.failed > 0 {
        format!("{} (FAILED: {} of {})", r.strategy, r.failed, r.jobs)
    } else {
        r.strategy.clone()
    }
}

fn bars(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    results: &[StrategyResult],
    values: &[f64],
    caption: &str,
    color: &RGBColor,
) -> Result<(), Box<dyn Error>> {
    let n = results.len();
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(230)
        .build_cartesian_2d(0.0..max, (0..n).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                results.get(*i).map(label).unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .draw()?;
    chart.draw_series(values.iter().enumerate().map(|(i, v)| {
        let fill = if results[i].failed_or_unfinished() {
            FAILED.mix(0.6).filled()
        } else {
            color.mix(0.6).filled()
        };
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (*v, SegmentValue::Exact(i + 1)),
            ],
            fill,
        );
        bar.set_margin(4, 4, 0, 0);
        bar
    }))?;
    Ok(())
}
