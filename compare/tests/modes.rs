//! Every workload and picture, each on a few hundred jobs: the
//! `cpu` and `burst` workloads, start latency and queue wait in the table,
//! JSON and CSV, the timeline, and `compare sweep`. Every SVG is parsed as
//! XML and its series counted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use compare::{StrategyResult, Timeline};
mod common;

use common::compare_in;
use harness::testing::{temp_dir, text};

/// Runs compare with `args` into `out_dir`, and checks it exited 0.
fn compare(args: &[&str], out_dir: &Path) -> Output {
    let out = compare_in(args, out_dir);
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn json<T: serde::de::DeserializeOwned>(path: PathBuf) -> T {
    harness::testing::read_json(&path)
}

/// The SVG at `path`, parsed: panics if it is not well-formed XML.
fn svg(path: PathBuf) -> String {
    let text = std::fs::read_to_string(&path).unwrap();
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text
}

/// The data lines of a timeline (3 px wide polylines), counted by colour.
fn series_by_colour(text: &str) -> BTreeMap<String, usize> {
    let doc = roxmltree::Document::parse(text).unwrap();
    let mut by_colour = BTreeMap::new();
    for node in doc.descendants().filter(|n| n.has_tag_name("polyline")) {
        if node.attribute("stroke-width") == Some("3") {
            *by_colour
                .entry(node.attribute("stroke").unwrap_or_default().to_owned())
                .or_insert(0) += 1;
        }
    }
    by_colour
}

fn texts(text: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect()
}

#[test]
fn the_cpu_workload_has_an_ideal_start_latency_and_queue_wait() {
    let dir = temp_dir("cpu");
    let strategies = ["pool1000", "pool1000-queue", "threadpool1000"];
    let mut args = vec!["--workload", "cpu", "--jobs", "400", "--only"];
    args.extend(strategies);
    compare(&args, &dir);
    let rows: Vec<StrategyResult> = json(dir.join("results-cpu.json"));
    assert_eq!(rows.len(), 3);
    let cores = std::thread::available_parallelism().unwrap().get() as f64;
    for r in &rows {
        // 400 jobs of 2 µs over the cores: the ideal.
        let ideal = r.ideal_s.unwrap();
        let expected = 400.0 * 2e-6 / cores.min(r.capacity as f64);
        assert!(
            (ideal - expected).abs() < 1e-9,
            "{}: {ideal} vs {expected}",
            r.strategy
        );
        // One job in 8 timed: 50 of 400.
        assert_eq!(r.start_samples, 50, "{}", r.strategy);
        assert!(r.start_p50_us.unwrap() <= r.start_p99_us.unwrap());
    }
    // pool-core's own queue wait, and none for another crate's pool.
    assert!(rows[0].queue_wait_mean_ms.is_some());
    assert!(rows[2].queue_wait_mean_ms.is_none());

    let csv = std::fs::read_to_string(dir.join("results-cpu.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    for column in [
        "start_p50_us",
        "start_p99_us",
        "start_samples",
        "queue_wait_mean_ms",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert_eq!(csv.lines().count(), 4);

    // The bar chart: each strategy labelled, the ideal's mark explained.
    let chart = svg(dir.join("chart-cpu.svg"));
    let labels = texts(&chart);
    for s in strategies {
        assert!(labels.iter().any(|t| t == s), "{s} missing from {labels:?}");
    }
    assert!(labels.iter().any(|t| t == "ideal for its capacity"));
    // A value at the end of every bar, in both panels.
    assert_eq!(
        labels.iter().filter(|t| t.ends_with(" s")).count(),
        3,
        "{labels:?}"
    );
    assert_eq!(
        labels.iter().filter(|t| t.ends_with(" MiB")).count(),
        3,
        "{labels:?}"
    );
    // The ideal (3 px, black): a tick above and one below each bar, never
    // across it, and one in the legend.
    let doc = roxmltree::Document::parse(&chart).unwrap();
    let ticks = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| n.attribute("stroke-width") == Some("3"))
        .count();
    assert_eq!(ticks, 2 * 3 + 1, "ideal ticks");
    // The timeline: one line per strategy in each of 4 panels, plus its
    // legend entry.
    let timeline = svg(dir.join("timeline-cpu.svg"));
    let series = series_by_colour(&timeline);
    assert_eq!(series.len(), 3, "{series:?}");
    assert!(series.values().all(|&n| n == 5), "{series:?}");
}

#[test]
fn a_burst_times_every_job_and_the_timeline_covers_the_run() {
    let dir = temp_dir("burst");
    compare(
        &[
            "--workload",
            "burst",
            "--jobs",
            "320",
            "--only",
            "pool1000",
            "threadpool1000",
        ],
        &dir,
    );
    let rows: Vec<StrategyResult> = json(dir.join("results-burst.json"));
    for r in &rows {
        assert_eq!(r.start_samples, 320, "every burst job is timed");
        assert!(r.start_p50_us.is_some());
        assert_eq!(r.ideal_s, None, "a paced workload has no ideal");
    }
    let timelines: Vec<Timeline> = json(dir.join("timeline-burst.json"));
    assert_eq!(timelines.len(), 2);
    for (t, r) in timelines.iter().zip(&rows) {
        // A sample every 10 ms from the first job, and one at the end.
        let expected = r.elapsed_s / 0.010;
        let got = t.samples.len() as f64;
        assert!(
            got >= expected * 0.8 - 2.0 && got <= expected + 3.0,
            "{}: {got} samples over {} s",
            t.strategy,
            r.elapsed_s
        );
        let last = t.samples.last().unwrap();
        assert_eq!(last.done, 320);
        assert!(t.samples.windows(2).all(|w| w[0].t_s <= w[1].t_s));
    }
}

#[test]
fn a_sweep_draws_one_point_per_size_and_finds_a_knee() {
    let dir = temp_dir("sweep");
    let out = compare(
        &[
            "sweep",
            "--workload",
            "cpu",
            "--jobs",
            "2000",
            "--sizes",
            "1",
            "2",
            "4",
        ],
        &dir,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("knee: size "), "{stdout}");
    let rows: Vec<StrategyResult> = json(dir.join("sweep-cpu-pool1000.json"));
    let sizes: Vec<usize> = rows.iter().map(|r| r.capacity).collect();
    assert_eq!(sizes, [1, 2, 4]);
    assert!(
        rows.iter()
            .all(|r| r.strategy == "pool1000" && r.failed == 0)
    );
    let csv = std::fs::read_to_string(dir.join("sweep-cpu-pool1000.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    let chart = svg(dir.join("sweep-cpu-pool1000.svg"));
    let doc = roxmltree::Document::parse(&chart).unwrap();
    let points = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(
        points,
        2 * 3,
        "one point per size in each of the two panels"
    );
}

/// Runs compare with `args`, checks it refused them (exit 2), and returns
/// what it said.
fn refused(args: &[&str], out_dir: &Path) -> String {
    let out = compare_in(args, out_dir);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    text(&out.stderr)
}

#[test]
fn a_sweep_of_a_pool_with_no_size_is_refused() {
    let dir = temp_dir("sweep-refused");
    let stderr = refused(
        &["sweep", "--strategy", "tokio-tasks", "--workload", "noop"],
        &dir,
    );
    assert!(
        stderr.contains("--strategy tokio-tasks has no pool size"),
        "{stderr}"
    );
}

#[test]
fn a_size_named_twice_is_refused_not_run_twice() {
    let dir = temp_dir("sweep-duplicates");
    let stderr = refused(
        &[
            "sweep",
            "--strategy",
            "pool1000",
            "--workload",
            "noop",
            "--sizes",
            "4",
            "4",
            "4",
        ],
        &dir,
    );
    assert!(stderr.contains("--sizes names 4 twice"), "{stderr}");
    assert!(
        !dir.join("sweep-noop-pool1000.json").exists(),
        "nothing ran"
    );
}

/// Every `font-size` in an SVG, in pixels.
fn font_sizes(text: &str) -> Vec<f64> {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants()
        .filter_map(|n| n.attribute("font-size"))
        .map(|size| size.trim_end_matches("px").parse().unwrap())
        .collect()
}

/// The fill colours of a bar chart's bars (rectangles inside the plot,
/// not the background or the legend's swatch), one per bar.
fn bar_fills(text: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect"))
        .filter(|n| n.attribute("fill") != Some("#FFFFFF"))
        .filter(|n| n.attribute("height").and_then(|h| h.parse::<f64>().ok()) > Some(16.0))
        .filter_map(|n| n.attribute("fill").map(str::to_owned))
        .collect()
}

/// A chart on a projector: no text below 14 px, and every strategy in a
/// colour of its own, the same in the bar chart and the timeline.
#[test]
fn every_chart_reads_on_a_projector_one_colour_per_strategy() {
    let dir = temp_dir("projector");
    compare(&["--workload", "noop", "--jobs", "300"], &dir);
    let strategies = compare::Strategy::all().len();
    let chart = svg(dir.join("chart-noop.svg"));
    let timeline = svg(dir.join("timeline-noop.svg"));
    for (name, text) in [("chart", &chart), ("timeline", &timeline)] {
        let sizes = font_sizes(text);
        assert!(!sizes.is_empty(), "{name}");
        assert!(sizes.iter().all(|&s| s >= 14.0), "{name}: {sizes:?}");
    }
    // Two panels of bars, each strategy once per panel, in its own colour.
    let fills = bar_fills(&chart);
    assert_eq!(fills.len(), 2 * strategies, "{fills:?}");
    let distinct: std::collections::BTreeSet<_> = fills.iter().collect();
    assert_eq!(distinct.len(), strategies, "a colour shared: {fills:?}");
    // The timeline's lines use the very same colours, one each.
    let series = series_by_colour(&timeline);
    assert_eq!(series.len(), strategies, "{series:?}");
    let same: std::collections::BTreeSet<&String> = series.keys().collect();
    assert_eq!(same, distinct, "the timeline's colours are the chart's");
}

/// The pictures the READMEs and lessons show, as committed: no text below
/// 14 px in any of them, and no two strategies sharing a colour in a bar
/// chart.
#[test]
fn the_committed_pictures_read_on_a_projector() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let mut seen = 0;
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        seen += 1;
        let text = svg(path.clone());
        let sizes = font_sizes(&text);
        assert!(
            sizes.iter().all(|&s| s >= 14.0),
            "{}: {sizes:?}",
            path.display()
        );
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("compare-") {
            let fills = bar_fills(&text);
            let distinct: std::collections::BTreeSet<_> = fills.iter().collect();
            assert_eq!(distinct.len() * 2, fills.len(), "{name}: {fills:?}");
        }
    }
    assert!(seen >= 6, "only {seen} pictures under docs/");
}
