//! The SVG bar chart: time and peak memory per strategy, drawn with plotters.
//!
//! - Bars are in the table's order, top to bottom, never sorted into a
//!   ranking, and coloured by family: no pool, pool-core, other pools, async.
//! - Each bar has its value written at its end, and, where the workload has
//!   one, a black tick at the strategy's ideal time.
//! - A strategy whose jobs failed is drawn in grey and labelled with how
//!   many failed (a failed call is often fast, so its bar would otherwise
//!   look like a win); one that did not finish is labelled so and has no bar.

use std::error::Error;
use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::StrategyResult;
use crate::strategy::{Family, Strategy};

/// The colour of a bar whose strategy did not run cleanly.
pub(crate) const FAILED: RGBColor = RGBColor(150, 150, 150);

/// A family's colour.
pub(crate) fn family_colour(family: Family) -> RGBColor {
    match family {
        Family::NoPool => RGBColor(214, 39, 40),
        Family::PoolCore => RGBColor(31, 119, 180),
        Family::OtherPool => RGBColor(255, 127, 14),
        Family::Async => RGBColor(44, 160, 44),
    }
}

/// The family of a result, from its strategy's name.
fn family_of(r: &StrategyResult) -> Option<Family> {
    Strategy::from_name(&r.strategy).map(|s| s.spec().family)
}

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
    let root = root.titled(title, ("sans-serif", 20))?;
    let (body, legend) = root.split_vertically(root.dim_in_pixel().1 - 30);
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
        .caption(caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(240)
        .build_cartesian_2d(0.0..max, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(6)
        .draw()?;
    // Row i from the top: the table's order.
    let row = |i: usize| (n - 1 - i) as f64;
    for (i, r) in results.iter().enumerate() {
        let y = row(i);
        let colour = if r.failed_or_unfinished() {
            FAILED
        } else {
            family_of(r).map_or(FAILED, family_colour)
        };
        if r.did_not_finish.is_none() {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.15), (values[i], y + 0.85)],
                colour.mix(0.8).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                value_text(values[i]),
                (values[i], y + 0.5),
                TextStyle::from(("sans-serif", 12).into_font())
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        if let Some(ideal) = ideal[i] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(ideal, y + 0.05), (ideal, y + 0.95)],
                BLACK.stroke_width(3),
            )))?;
        }
        // The row's label, right-aligned left of the axis.
        let (x, py) = chart.backend_coord(&(0.0, y + 0.5));
        area.draw(&Text::new(
            label(r),
            (
                x - area.get_base_pixel().0 - 8,
                py - area.get_base_pixel().1,
            ),
            TextStyle::from(("sans-serif", 13).into_font())
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn draw_legend(area: &Area<'_>, ideal: bool) -> Result<(), Box<dyn Error>> {
    let mut x = 250;
    // Every family a strategy has, in the table's order.
    let mut families: Vec<Family> = Vec::new();
    for s in Strategy::all() {
        if !families.contains(&s.spec().family) {
            families.push(s.spec().family);
        }
    }
    let mut entries: Vec<(String, RGBColor)> = families
        .iter()
        .map(|f| (f.label().to_owned(), family_colour(*f)))
        .collect();
    entries.push(("failed / did not finish".into(), FAILED));
    for (text, colour) in entries {
        area.draw(&Rectangle::new(
            [(x, 8), (x + 14, 22)],
            colour.mix(0.8).filled(),
        ))?;
        area.draw(&Text::new(text.clone(), (x + 20, 9), ("sans-serif", 13)))?;
        x += 30 + 8 * text.len() as i32;
    }
    if ideal {
        area.draw(&PathElement::new(
            vec![(x, 6), (x, 24)],
            BLACK.stroke_width(3),
        ))?;
        area.draw(&Text::new(
            "ideal for its capacity",
            (x + 8, 9),
            ("sans-serif", 13),
        ))?;
    }
    Ok(())
}
