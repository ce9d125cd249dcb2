//! Threads that never end vs WaitGroup-style stopping vs joining, under dhat.
//!
//! `cargo run --release -p leak-demo -- compare --threads 100 --buffer-kib 64`
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use leak_demo::{Config, Phase, Variant};

// Every allocation goes through dhat, which records where it came from.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The tutorial's memory-leak lesson, measured.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// `leaky`, `wait-group` or `joined` to run one variant; `compare` to
    /// run all three side by side, each in its own process.
    #[arg(value_parser = mode)]
    mode: Mode,
    /// Threads to start.
    #[arg(long, default_value_t = 100)]
    threads: usize,
    /// Bytes each thread allocates, in KiB.
    #[arg(long, default_value_t = 64)]
    buffer_kib: usize,
    /// Where dhat writes dhat-heap-<variant>.json (created, and checked for
    /// writing, before anything runs).
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    /// Print the phases as JSON (used by `compare`).
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy)]
enum Mode {
    One(Variant),
    Compare,
}

/// A variant's name, or `compare`.
fn mode(s: &str) -> Result<Mode, String> {
    if s == "compare" {
        return Ok(Mode::Compare);
    }
    Variant::from_str(s, false)
        .map(Mode::One)
        .map_err(|_| format!("{s:?} is not a mode: use leaky, wait-group, joined or compare"))
}

fn main() -> ExitCode {
    harness::main("leak-demo", || {
        let cli = Cli::parse();
        // Check the values and the output folder before anything starts.
        let buffer_bytes = cli.buffer_kib.checked_mul(1024).ok_or_else(|| {
            anyhow::anyhow!(
                "--buffer-kib {} is more bytes than this machine can address: use a smaller buffer",
                cli.buffer_kib
            )
        })?;
        let config = Config::new(cli.threads, buffer_bytes).map_err(anyhow::Error::msg)?;
        harness::checks::out_dir(&cli.out_dir)?;
        match cli.mode {
            Mode::One(variant) => one(&cli, variant, config),
            Mode::Compare => compare(&cli),
        }
    })
}

/// The profile file of `variant` in `dir`.
fn profile_path(dir: &Path, variant: Variant) -> PathBuf {
    dir.join(format!("dhat-heap-{}.json", variant.name()))
}

/// Runs one variant under dhat and writes its profile.
fn one(cli: &Cli, variant: Variant, config: Config) -> anyhow::Result<ExitCode> {
    // An old profile must not pass for this run's.
    let file = profile_path(&cli.out_dir, variant);
    if file.exists() {
        std::fs::remove_file(&file)
            .with_context(|| format!("cannot replace {}", file.display()))?;
    }

    // Start the profiler first: it sees every allocation after this line.
    let profiler = dhat::Profiler::builder().file_name(&file).build();

    // Run the variant, taking the figures at each phase (no printing inside).
    let mut phases: Vec<Phase> = Vec::with_capacity(3);
    leak_demo::run(variant, config, &mut |phase| {
        let heap = dhat::HeapStats::get();
        phases.push(leak_demo::snapshot(
            phase,
            Some((heap.curr_bytes as u64, heap.curr_blocks as u64)),
        ));
    });

    if cli.json {
        println!("{}", serde_json::to_string(&phases)?);
    } else {
        println!(
            "{}: {} threads x {} KiB",
            variant.name(),
            cli.threads,
            cli.buffer_kib
        );
        print_phases(&phases);
        println!("{}", explanation(variant));
    }
    // Dropping the profiler writes the file; dhat only prints its own
    // errors, so check that the file is there.
    drop(profiler);
    let written = std::fs::metadata(&file).is_ok_and(|m| m.len() > 0);
    if !written {
        bail!("dhat did not write the profile {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_phases(phases: &[Phase]) {
    let kib = |b: u64| b / 1024;
    println!(
        "  {:<16} {:>8} {:>12} {:>12} {:>16} {:>12}",
        "phase", "threads", "VmRSS KiB", "VmSize KiB", "heap live KiB", "heap blocks"
    );
    for p in phases {
        println!(
            "  {:<16} {:>8} {:>12} {:>12} {:>16} {:>12}",
            p.name.label(),
            p.threads,
            kib(p.vm_rss),
            kib(p.vm_size),
            p.heap_bytes.map_or("-".into(), |b| kib(b).to_string()),
            p.heap_blocks.map_or("-".into(), |b| b.to_string())
        );
    }
}

fn explanation(v: Variant) -> &'static str {
    match v {
        Variant::Leaky => {
            "  The threads never end: their buffers stay live on the heap (dhat sees them), \
             their stacks stay reserved (VmSize), and the thread count stays up until the process exits."
        }
        Variant::WaitGroup => {
            "  wait() returned once every thread called done(): the buffers are freed, but the \
             thread count at `end` may still include threads on their way out. WaitGroup does not \
             promise they have exited; only join does."
        }
        Variant::Joined => {
            "  Every thread was joined: none of their heap is live and the thread count is back to \
             the start. VmRSS stays above the start: the allocator keeps freed memory for reuse."
        }
    }
}

/// Runs each variant in its own child process and prints them side by side.
fn compare(cli: &Cli) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    println!(
        "{} threads x {} KiB, each variant in its own process (heap figures from dhat):",
        cli.threads, cli.buffer_kib
    );
    for variant in Variant::ALL {
        let out = Command::new(&exe)
            .arg(variant.name())
            .args(["--threads", &cli.threads.to_string()])
            .args(["--buffer-kib", &cli.buffer_kib.to_string()])
            .arg("--out-dir")
            .arg(&cli.out_dir)
            .arg("--json")
            .output()
            .with_context(|| format!("cannot start the {} variant", variant.name()))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            bail!(
                "the {} variant failed ({}): {}",
                variant.name(),
                out.status,
                stderr.trim()
            );
        }
        let phases: Vec<Phase> = serde_json::from_slice(&out.stdout)
            .with_context(|| format!("the {} variant printed no phases", variant.name()))?;
        println!("\n{}:", variant.name());
        print_phases(&phases);
    }
    println!(
        "\nProfiles: {} (open them in dh_view.html).",
        Variant::ALL
            .map(|v| profile_path(&cli.out_dir, v).display().to_string())
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
