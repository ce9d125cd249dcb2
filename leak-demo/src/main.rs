//! Threads that never end vs WaitGroup-style stopping vs joining, under dhat.
//!
//! `cargo run --release -p leak-demo -- compare --threads 100 --buffer-kib 64`
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::{Parser, ValueEnum};
use leak_demo::{Config, Phase, Variant};

// Every allocation goes through dhat, which records where it came from.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The tutorial's memory-leak lesson, measured.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Which variant to run, or `compare` to run all three side by side.
    mode: Mode,
    /// Threads to start.
    #[arg(long, default_value_t = 100)]
    threads: usize,
    /// Bytes each thread allocates, in KiB.
    #[arg(long, default_value_t = 64)]
    buffer_kib: usize,
    /// Where dhat writes dhat-heap-<variant>.json.
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    /// Print the phases as JSON (used by `compare`).
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Leaky,
    WaitGroup,
    Joined,
    Compare,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Check the values before anything starts.
    let config = match Config::new(cli.threads, cli.buffer_kib.saturating_mul(1024)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("leak-demo: {message}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&cli.out_dir) {
        eprintln!("leak-demo: cannot create {}: {e}", cli.out_dir.display());
        return ExitCode::from(2);
    }
    let variant = match cli.mode {
        Mode::Leaky => Variant::Leaky,
        Mode::WaitGroup => Variant::WaitGroup,
        Mode::Joined => Variant::Joined,
        Mode::Compare => return compare(&cli),
    };
    let name = variant_name(variant);

    // Start the profiler first: it sees every allocation after this line.
    let file = cli.out_dir.join(format!("dhat-heap-{name}.json"));
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
        println!("{}", serde_json::to_string(&phases).expect("serialisable"));
    } else {
        println!("{name}: {} threads x {} KiB", cli.threads, cli.buffer_kib);
        print_phases(&phases);
        println!("{}", explanation(variant));
    }
    // Dropping the profiler writes the JSON file (its own message goes to stderr).
    drop(profiler);
    ExitCode::SUCCESS
}

fn variant_name(v: Variant) -> &'static str {
    match v {
        Variant::Leaky => "leaky",
        Variant::WaitGroup => "waitgroup",
        Variant::Joined => "joined",
    }
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
            p.name,
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
fn compare(cli: &Cli) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("leak-demo: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{} threads x {} KiB, each variant in its own process (heap figures from dhat):",
        cli.threads, cli.buffer_kib
    );
    for variant in ["leaky", "wait-group", "joined"] {
        let out = Command::new(&exe)
            .arg(variant)
            .args(["--threads", &cli.threads.to_string()])
            .args(["--buffer-kib", &cli.buffer_kib.to_string()])
            .arg("--out-dir")
            .arg(&cli.out_dir)
            .arg("--json")
            .output();
        let phases: Vec<Phase> = match out
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).ok())
        {
            Some(values) => values
                .into_iter()
                .filter_map(|v| {
                    Some(Phase {
                        name: match v["name"].as_str()? {
                            "start" => "start",
                            "threads running" => "threads running",
                            _ => "end",
                        },
                        threads: v["threads"].as_u64()? as usize,
                        vm_rss: v["vm_rss"].as_u64()?,
                        vm_size: v["vm_size"].as_u64()?,
                        heap_bytes: v["heap_bytes"].as_u64(),
                        heap_blocks: v["heap_blocks"].as_u64(),
                    })
                })
                .collect(),
            None => {
                eprintln!("leak-demo: the {variant} variant failed");
                return ExitCode::FAILURE;
            }
        };
        println!("\n{variant}:");
        print_phases(&phases);
    }
    println!(
        "\nProfiles: {}/dhat-heap-{{leaky,waitgroup,joined}}.json (open them in dh_view.html).",
        cli.out_dir.display()
    );
    ExitCode::SUCCESS
}
