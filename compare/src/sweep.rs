//! `compare sweep`: one strategy over a list of pool sizes, to answer "how
//! big should my pool be?".
//!
//! For CPU-bound jobs the answer is about the number of cores: more threads
//! add nothing but switching. For jobs that wait (HTTP, sleep) it is about
//! the jobs in flight the rest of the system can keep up with: throughput ×
//! latency (Little's law). The sweep draws elapsed time and peak memory
//! against the size; the **knee** is the smallest size within 10% of the
//! best time, where a bigger pool stops paying.

use std::error::Error;
use std::path::Path;

use anyhow::{anyhow, bail};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::cli::Args;
use crate::job::Workload;
use crate::report::{StrategyResult, write_csv};
use crate::session::{Session, report_interruption, write_json};
use crate::strategy::Strategy;
use crate::style::{CAPTION, FAILED, TEXT, TITLE, colour_of, one_two_five, tick};

/// A size is past the knee when its time is within this factor of the best.
pub const KNEE_TOLERANCE: f64 = 1.10;

/// The default sizes: powers of two from 1 for CPU-bound jobs; from 8 for
/// jobs that wait, whose smallest pools would take minutes.
fn default_sizes(workload: Workload) -> Vec<usize> {
    let (from, to) = match workload {
        Workload::Cpu | Workload::Noop => (0, 10),
        Workload::Http | Workload::Sleep | Workload::Burst => (3, 12),
    };
    (from..=to).map(|p| 1usize << p).collect()
}

/// The smallest size whose elapsed time is within 10% of the best, among
/// the sizes that ran cleanly.
///
/// ```
/// let row = |capacity, elapsed_s| compare::StrategyResult {
///     capacity, elapsed_s, did_not_finish: None,
///     ..compare::StrategyResult::did_not_finish("pool1000".into(), "cpu".into(), 1, 1, String::new())
/// };
/// let rows = [row(1, 4.0), row(2, 2.1), row(4, 2.0), row(8, 2.05)];
/// assert_eq!(compare::knee(&rows), Some(2));
/// ```
pub fn knee(rows: &[StrategyResult]) -> Option<usize> {
    let clean: Vec<_> = rows.iter().filter(|r| !r.failed_or_unfinished()).collect();
    let best = clean
        .iter()
        .map(|r| r.elapsed_s)
        .fold(f64::INFINITY, f64::min);
    clean
        .iter()
        .filter(|r| r.elapsed_s <= best * KNEE_TOLERANCE)
        .map(|r| r.capacity)
        .min()
}

/// Runs `strategy` once per size, each in its own child process, prints
/// the table and the knee, and writes `sweep-<workload>-<strategy>.{json,csv,svg}`.
pub(crate) fn run_sweep(
    args: &Args,
    strategy: Strategy,
    sizes: &[usize],
) -> anyhow::Result<Vec<StrategyResult>> {
    if !strategy.sizable() {
        bail!(
            "--strategy {} has no pool size to sweep: pick a pool, such as pool1000",
            strategy.name()
        );
    }
    let sizes = if sizes.is_empty() {
        default_sizes(args.workload)
    } else {
        sizes.to_vec()
    };
    for &size in &sizes {
        harness::checks::threads("--sizes", size)?;
    }
    harness::checks::distinct("--sizes", sizes.iter().copied())?;
    let largest = sizes.iter().copied().max().unwrap_or(1);
    let session = Session::start(args, largest)?;
    let (jobs, workload) = (args.jobs(), args.workload.name());

    let mut rows = Vec::new();
    for &size in &sizes {
        if crate::interrupt::interrupted_exit_code().is_some() {
            break;
        }
        let (row, _) = session.run(args, strategy, Some(size));
        rows.push(row);
    }
    session.bar.finish_and_clear();
    drop(session);

    println!(
        "{jobs} {workload} jobs through {} at each pool size, each in its own process:\n",
        strategy.name()
    );
    report_interruption(rows.len(), sizes.len());
    print!("{}", sweep_table(&rows));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match knee(&rows) {
        Some(k) => println!(
            "\nknee: size {k} (the smallest within {:.0}% of the best time); this machine has {cores} cores",
            (KNEE_TOLERANCE - 1.0) * 100.0
        ),
        None => println!("\nno knee: no size ran cleanly"),
    }
    // Named for the workload and the strategy, so two sweeps never overwrite
    // each other's files.
    let base = args
        .out_dir
        .join(format!("sweep-{workload}-{}", strategy.name()));
    let (json_path, csv_path) = (base.with_extension("json"), base.with_extension("csv"));
    write_json(&rows, &json_path)?;
    write_csv(&rows, &csv_path)?;
    let svg = base.with_extension("svg");
    let title = format!(
        "{jobs} {workload} jobs through {} by pool size ({cores} cores)",
        strategy.name()
    );
    draw_sweep(&rows, &title, &svg)?;
    println!(
        "written: {}, {}, {}",
        json_path.display(),
        csv_path.display(),
        svg.display()
    );
    Ok(rows)
}

/// The sweep's table: one row per size.
fn sweep_table(rows: &[StrategyResult]) -> String {
    use crate::report::Column;
    let columns = [
        Column::Size,
        Column::Elapsed,
        Column::Ideal,
        Column::XIdeal,
        Column::StartP50,
        Column::StartP99,
        Column::QWait,
        Column::Threads,
        Column::PeakRss,
        Column::Failed,
    ];
    crate::report::render(&columns, rows)
}

/// Draws elapsed time (with the ideal) and peak memory against the pool
/// size, on a log scale, one point per size; sizes that did not run cleanly
/// are left out and named in the caption.
pub fn draw_sweep(rows: &[StrategyResult], title: &str, path: &Path) -> anyhow::Result<()> {
    draw(rows, title, path).map_err(|e| anyhow!("cannot draw {}: {e}", path.display()))
}

fn draw(rows: &[StrategyResult], title: &str, path: &Path) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (1200, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", TITLE))?;
    let (left, right) = root.split_horizontally(600);
    let clean: Vec<&StrategyResult> = rows.iter().filter(|r| !r.failed_or_unfinished()).collect();
    let time: Vec<(f64, f64)> = clean
        .iter()
        .map(|r| (r.capacity as f64, r.elapsed_s))
        .collect();
    let ideal: Vec<(f64, f64)> = clean
        .iter()
        .filter_map(|r| r.ideal_s.map(|i| (r.capacity as f64, i)))
        .collect();
    let memory: Vec<(f64, f64)> = clean
        .iter()
        .map(|r| {
            (
                r.capacity as f64,
                r.peak_rss_bytes as f64 / (1024.0 * 1024.0),
            )
        })
        .collect();
    let bad: Vec<String> = rows
        .iter()
        .filter(|r| r.failed_or_unfinished())
        .map(|r| r.capacity.to_string())
        .collect();
    let note = if bad.is_empty() {
        String::new()
    } else {
        format!(" (failed, not drawn: size {})", bad.join(", "))
    };
    // The sizes are the x axis's labels, from the smallest on.
    let mut sizes: Vec<f64> = rows.iter().map(|r| r.capacity as f64).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let colour = rows.first().map_or(FAILED, |r| colour_of(&r.strategy));
    let knee = knee(rows).map(|k| k as f64);
    draw_panel(
        &left,
        &Panel {
            caption: format!("elapsed (s, log scale){note}"),
            points: time,
            ideal,
            colour,
            sizes: sizes.clone(),
            knee,
            log_y: true,
        },
    )?;
    draw_panel(
        &right,
        &Panel {
            caption: "peak resident memory (MiB)".into(),
            points: memory,
            ideal: Vec::new(),
            colour,
            sizes,
            knee,
            log_y: false,
        },
    )?;
    root.present()?;
    Ok(())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// One panel of the sweep chart: measured points (one per size), the ideal
/// if any, and the knee as a labelled, dashed vertical line.
struct Panel {
    caption: String,
    points: Vec<(f64, f64)>,
    ideal: Vec<(f64, f64)>,
    colour: RGBColor,
    sizes: Vec<f64>,
    knee: Option<f64>,
    log_y: bool,
}

fn draw_panel(area: &Area<'_>, panel: &Panel) -> Result<(), Box<dyn Error>> {
    let smallest = panel.sizes.first().copied().unwrap_or(1.0);
    let largest = panel.sizes.last().copied().unwrap_or(1.0);
    // A little room either side, so the first and last points are whole.
    let x = (smallest / 1.2..largest * 1.2)
        .log_scale()
        .with_key_points(panel.sizes.clone());
    let ys: Vec<f64> = panel
        .points
        .iter()
        .chain(&panel.ideal)
        .map(|p| p.1)
        .collect();
    let top = ys.iter().copied().fold(0.0, f64::max).max(1e-6) * 1.5;
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&panel.caption, ("sans-serif", CAPTION))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(70);
    if panel.log_y {
        // A log scale shows every halving of the time alike.
        let bottom = ys.iter().copied().fold(f64::INFINITY, f64::min).max(1e-6) / 1.5;
        let y = (bottom..top)
            .log_scale()
            .with_key_points(one_two_five(bottom, top));
        fill(builder.build_cartesian_2d(x, y)?, panel, bottom, top)
    } else {
        fill(builder.build_cartesian_2d(x, 0.0..top)?, panel, 0.0, top)
    }
}

/// Draws a panel's series on a chart whose y axis is log or linear.
fn fill<'a, X, Y>(
    mut chart: ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    panel: &Panel,
    bottom: f64,
    top: f64,
) -> Result<(), Box<dyn Error>>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc("pool size (log scale)")
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .label_style(("sans-serif", TEXT))
        .axis_desc_style(("sans-serif", TEXT))
        .light_line_style(WHITE)
        .draw()?;
    let colour = panel.colour;
    chart
        .draw_series(LineSeries::new(
            panel.points.iter().copied(),
            colour.stroke_width(3),
        ))?
        .label("measured")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3)));
    chart.draw_series(
        panel
            .points
            .iter()
            .map(|&p| Circle::new(p, 5, colour.filled())),
    )?;
    if !panel.ideal.is_empty() {
        chart
            .draw_series(LineSeries::new(
                panel.ideal.iter().copied(),
                BLACK.stroke_width(1),
            ))?
            .label("ideal for the size")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    }
    if let Some(k) = panel.knee {
        // Thick and dashed, unlike any grid line, and named at its top.
        let knee_style = KNEE.stroke_width(3);
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(k, bottom.max(1e-6)), (k, top)],
                8,
                6,
                knee_style,
            )))?
            .label(format!("knee: size {k}"))
            .legend(move |(x, y)| {
                DashedPathElement::new(vec![(x, y), (x + 20, y)], 6, 4, knee_style)
            });
        // The name sits near the bottom, on the side with room.
        let largest = panel.sizes.last().copied().unwrap_or(k);
        let (text, side) = if k >= largest {
            (format!("knee {k} "), HPos::Right)
        } else {
            (format!(" knee {k}"), HPos::Left)
        };
        let low = if panel.log_y {
            bottom * 1.3
        } else {
            top * 0.05
        };
        chart.draw_series(std::iter::once(Text::new(
            text,
            (k, low),
            TextStyle::from(("sans-serif", TEXT).into_font())
                .color(&KNEE)
                .pos(Pos::new(side, VPos::Bottom)),
        )))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", TEXT))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

/// The knee marker's colour: black, so it is never a strategy's.
const KNEE: RGBColor = RGBColor(0, 0, 0);
