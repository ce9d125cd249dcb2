//! The SVG bar chart: time and peak memory per strategy, drawn with plotters.
//!
//! - Bars are in the table's order, top to bottom, never sorted into a
//!   ranking, each in its strategy's own colour (the same in the timeline).
//! - Each bar has its value written at its end, and, where the workload has
//!   one, black ticks just above and below it at the strategy's ideal time,
//!   in the gap between rows, so the mark never hides a bar.
//! - A strategy whose jobs failed is drawn in grey and labelled with how
//!   many failed (a failed call is often fast, so its bar would otherwise
//!   look like a win); one that did not finish is labelled so and has no bar.

use std::error::Error;
use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::StrategyResult;
use crate::style::{CAPTION, FAILED, TEXT, TITLE, colour_of, tick};

/// Draws two horizontal bar charts (elapsed seconds, peak RSS in MiB) into
/// an SVG file at `path`; an error names the path.
///
/// ```
/// let dir = std::env::temp_dir().join("compare-chart-doctest");
/// std::fs::create_dir_all(&dir).unwrap();
/// let row = compare::StrategyResult {
///     failed: 2, first_error: Some("500".into()), ideal_s: Some(0.25),
///     ..compare::StrategyResult::did_not_finish("pool1000".into(), "http".into(), 10, 1000, String::new())
/// };
/// let row = compare::StrategyResult { did_not_finish: None, elapsed_s: 0.5, ..row };
/// compare::draw_chart(&[row], "demo", &dir.join("chart.svg")).unwrap();
/// let svg = std::fs::read_to_string(dir.join("chart.svg")).unwrap();
/// assert!(svg.contains("pool1000 (FAILED: 2 of 10)"));
/// ```
pub fn draw_chart(results: &[StrategyResult], title: &str, path: &Path) -> anyhow::Result<()> {
    draw(results, title, path).map_err(|e| anyhow!("cannot draw {}: {e}", path.display()))
}

fn draw(results: &[StrategyResult], title: &str, path: &Path) -> Result<(), Box<dyn Error>> {
    let height = 150 + 34 * results.len().max(1) as u32;
    let root = SVGBackend::new(path, (1200, height.max(320))).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", TITLE))?;
    let (body, legend) = root.split_vertically(root.dim_in_pixel().1 - 34);
    let (left, right) = body.split_horizontally(600);
    let time: Vec<f64> = results.iter().map(|r| r.elapsed_s).collect();
    let memory: Vec<f64> = results
        .iter()
        .map(|r| r.peak_rss_bytes as f64 / (1024.0 * 1024.0))
        .collect();
    let ideal: Vec<Option<f64>> = results.iter().map(|r| r.ideal_s).collect();
    bars(&left, results, &time, &ideal, "elapsed (s)", |v| {
        format!("{v:.2} s")
    })?;
    let no_ideal = vec![None; results.len()];
    bars(
        &right,
        results,
        &memory,
        &no_ideal,
        "peak resident memory (MiB)",
        |v| format!("{v:.1} MiB"),
    )?;
    draw_legend(&legend, results.iter().any(|r| r.ideal_s.is_some()))?;
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

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

fn bars(
    area: &Area<'_>,
    results: &[StrategyResult],
    values: &[f64],
    ideal: &[Option<f64>],
    caption: &str,
    value_text: impl Fn(f64) -> String,
) -> Result<(), Box<dyn Error>> {
    let n = results.len().max(1);
    let top = values
        .iter()
        .chain(ideal.iter().flatten())
        .copied()
        .fold(0.0, f64::max)
        .max(1e-9);
    // Room to the right of the longest bar for its value.
    let max = top * 1.3;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", CAPTION))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(250)
        .build_cartesian_2d(0.0..max, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(6)
        .x_label_formatter(&|v| tick(*v))
        .label_style(("sans-serif", TEXT))
        .light_line_style(WHITE)
        .draw()?;
    // Row i from the top: the table's order.
    let row = |i: usize| (n - 1 - i) as f64;
    for (i, r) in results.iter().enumerate() {
        let y = row(i);
        let colour = if r.failed_or_unfinished() {
            FAILED
        } else {
            colour_of(&r.strategy)
        };
        if r.did_not_finish.is_none() {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.15), (values[i], y + 0.85)],
                colour.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                value_text(values[i]),
                (values[i], y + 0.5),
                TextStyle::from(("sans-serif", TEXT).into_font())
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        if let Some(ideal) = ideal[i] {
            // Above and below the bar (which spans 0.15..0.85 of its row),
            // never across it.
            for (from, to) in [(y + 0.0, y + 0.14), (y + 0.86, y + 1.0)] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(ideal, from), (ideal, to)],
                    BLACK.stroke_width(3),
                )))?;
            }
        }
        // The row's label, right-aligned left of the axis.
        let (x, py) = chart.backend_coord(&(0.0, y + 0.5));
        area.draw(&Text::new(
            label(r),
            (
                x - area.get_base_pixel().0 - 8,
                py - area.get_base_pixel().1,
            ),
            TextStyle::from(("sans-serif", TEXT).into_font())
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn draw_legend(area: &Area<'_>, ideal: bool) -> Result<(), Box<dyn Error>> {
    // Each bar is named beside it; the legend explains only the marks.
    let mut x = 250;
    let text = "failed / did not finish";
    area.draw(&Rectangle::new([(x, 8), (x + 16, 24)], FAILED.filled()))?;
    area.draw(&Text::new(text, (x + 22, 8), ("sans-serif", TEXT)))?;
    x += 40 + 9 * text.len() as i32;
    if ideal {
        area.draw(&PathElement::new(
            vec![(x, 4), (x, 28)],
            BLACK.stroke_width(3),
        ))?;
        area.draw(&Text::new(
            "ideal for its capacity",
            (x + 8, 8),
            ("sans-serif", TEXT),
        ))?;
    }
    Ok(())
}
