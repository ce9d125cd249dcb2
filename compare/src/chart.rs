//! The SVG chart: time and peak memory per strategy, drawn with plotters.

use std::path::Path;

use plotters::prelude::*;

use crate::report::StrategyResult;

/// Draws two horizontal bar charts (elapsed seconds, peak RSS in MiB) into
/// an SVG file at `path`.
///
/// ```
/// let dir = std::env::temp_dir().join("compare-chart-doctest");
/// std::fs::create_dir_all(&dir).unwrap();
/// let row = compare::StrategyResult {
///     strategy: "pool1000".into(), workload: "noop".into(), jobs: 10, capacity: 1000,
///     elapsed_s: 0.5, ideal_s: None, ideal_ratio: None, ns_per_job: 1.0, peak_threads: 3,
///     peak_rss_bytes: 1 << 20, allocated_bytes: 0, allocations: 0, failed: 0, first_error: None,
/// };
/// compare::draw_chart(&[row], "demo", &dir.join("chart.svg")).unwrap();
/// assert!(std::fs::read_to_string(dir.join("chart.svg")).unwrap().contains("<svg"));
/// ```
pub fn draw_chart(results: &[StrategyResult], title: &str, path: &Path) -> Result<(), String> {
    let height = 160 + 2 * 28 * results.len() as u32;
    let root = SVGBackend::new(path, (1000, height.max(400))).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let root = root
        .titled(title, ("sans-serif", 20))
        .map_err(|e| e.to_string())?;
    let (left, right) = root.split_horizontally(500);
    let time: Vec<f64> = results.iter().map(|r| r.elapsed_s).collect();
    let memory: Vec<f64> = results
        .iter()
        .map(|r| r.peak_rss_bytes as f64 / (1024.0 * 1024.0))
        .collect();
    bars(&left, results, &time, "elapsed (s)", &BLUE)?;
    bars(&right, results, &memory, "peak resident memory (MiB)", &RED)?;
    root.present().map_err(|e| e.to_string())
}

fn bars(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    results: &[StrategyResult],
    values: &[f64],
    caption: &str,
    color: &RGBColor,
) -> Result<(), String> {
    let n = results.len();
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(150)
        .build_cartesian_2d(0.0..max, (0..n).into_segmented())
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => results
                .get(*i)
                .map(|r| r.strategy.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| {
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (*v, SegmentValue::Exact(i + 1)),
                ],
                color.mix(0.6).filled(),
            );
            bar.set_margin(4, 4, 0, 0);
            bar
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}
