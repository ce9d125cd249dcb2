//! Redraws a picture from the JSON `compare` wrote, so the pictures in
//! `docs/` can be drawn again (after a change to the charts) without
//! running the strategies again.
//!
//! `cargo run -p compare --example redraw -- bars docs/compare-http-100k.json docs/compare-http-100k.svg "title"`
//!
//! The kinds: `bars` (a `results-*.json`), `timeline` (a `timeline-*.json`),
//! `sweep` (a `sweep-*.json`).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    harness::main("redraw", || {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let [kind, json, svg, title] = args.as_slice() else {
            anyhow::bail!("usage: redraw bars|timeline|sweep <json> <svg> <title>");
        };
        let text = std::fs::read_to_string(json)?;
        let svg = PathBuf::from(svg);
        match kind.as_str() {
            "bars" => compare::draw_chart(
                &serde_json::from_str::<Vec<compare::StrategyResult>>(&text)?,
                title,
                &svg,
            )?,
            "timeline" => compare::draw_timeline(
                &serde_json::from_str::<Vec<compare::Timeline>>(&text)?,
                title,
                &svg,
            )?,
            "sweep" => compare::draw_sweep(
                &serde_json::from_str::<Vec<compare::StrategyResult>>(&text)?,
                title,
                &svg,
            )?,
            other => anyhow::bail!("{other:?} is not a kind: use bars, timeline or sweep"),
        }
        println!("drew {}", svg.display());
        Ok(ExitCode::SUCCESS)
    })
}
