//! The table mode (no subcommand): every strategy once, each in its own
//! child process, then the table, JSON, CSV, bar chart and timeline.

use crate::cli::Args;
use crate::interrupt::Interrupt;
use crate::report::{StrategyResult, table, write_csv};
use crate::session::{Session, report_interruption, write_json};
use crate::timeline::Timeline;

/// Runs every strategy (or `--only`'s), prints the table and writes JSON,
/// CSV, the bar chart and the timeline into `--out-dir`, for every
/// strategy, finished or not.
pub(crate) fn run_table(args: &Args) -> anyhow::Result<Vec<StrategyResult>> {
    let strategies = args.strategies();
    let largest = strategies
        .iter()
        .map(|s| s.capacity(args.max_in_flight))
        .max()
        .unwrap_or(1);
    let session = Session::start(args, largest)?;
    let (jobs, workload) = (args.jobs(), args.workload_name());

    let mut results = Vec::new();
    let mut timelines = Vec::new();
    for &strategy in &strategies {
        if Interrupt::get().signal().is_some() {
            break;
        }
        let (result, timeline) = session.run(args, strategy, None);
        if let Some(samples) = timeline {
            timelines.push(Timeline {
                strategy: result.strategy.clone(),
                samples,
            });
        }
        results.push(result);
    }
    session.bar.finish_and_clear();
    drop(session);

    // Print and write the results: every strategy, finished or not.
    println!("{jobs} jobs, workload {workload}, each strategy in its own process:\n");
    report_interruption(results.len(), strategies.len());
    print!("{}", table(&results));
    let base = args.out_dir.join(format!("results-{workload}"));
    let (json_path, csv_path) = (base.with_extension("json"), base.with_extension("csv"));
    write_json(&results, &json_path)?;
    write_csv(&results, &csv_path)?;
    let svg = args.out_dir.join(format!("chart-{workload}.svg"));
    let title = format!("{jobs} {workload} jobs per strategy");
    crate::chart::draw_chart(&results, &title, &svg)?;
    let timeline_json = args.out_dir.join(format!("timeline-{workload}.json"));
    write_json(&timelines, &timeline_json)?;
    let timeline_svg = args.out_dir.join(format!("timeline-{workload}.svg"));
    let title = format!(
        "{jobs} {workload} jobs per strategy, over time (a point every {} ms)",
        crate::timeline::SAMPLE_PERIOD.as_millis()
    );
    crate::timeline::draw_timeline(&timelines, &title, &timeline_svg)?;
    println!(
        "\nwritten: {}, {}, {}, {}, {}",
        json_path.display(),
        csv_path.display(),
        svg.display(),
        timeline_json.display(),
        timeline_svg.display()
    );
    Ok(results)
}
