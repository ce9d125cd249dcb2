//! Exercise 3 of `docs/exercises.md`: the Go worker's `id++`, made to
//! compile, with ten different numbers and no lock.
//!
//! Your check, once you have changed `docs/exercises/race.rs`:
//!
//! ```text
//! cargo test -p exemplo7 --test exercises -- --ignored
//! ```
//!
//! The other tests here check the check: it fails on the file as given
//! (it does not compile), fails on the compiler's own suggestion (`move`:
//! it compiles, and every thread prints 1), and passes on the solution in
//! `docs/exercises/solutions/race.rs`. Every binary is built in a
//! temporary folder: nothing is left in the repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn exercises() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/exercises")
}

/// Builds `source` with rustc and runs it: `Ok` when it prints ten
/// `calling /two/N` lines with ten different numbers, using no `unsafe`
/// and no lock; `Err` says what is wrong, as a hint.
fn ten_different_numbers(source: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(source)
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    // The code, not its comments (which may well say "no unsafe").
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    if code.contains("unsafe") {
        return Err("no `unsafe`: an atomic counter needs none".into());
    }
    if ["Mutex", "RwLock"].iter().any(|lock| code.contains(lock)) {
        return Err("no lock: one atomic read-modify-write per call is enough".into());
    }
    let dir = std::env::temp_dir().join(format!(
        "exercise-3-{}-{}",
        std::process::id(),
        source.file_stem().unwrap().to_string_lossy()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("race");
    let built = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2024", "--error-format", "short", "-o"])
        .arg(&binary)
        .arg(source)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    if !built.status.success() {
        let errors = String::from_utf8_lossy(&built.stderr);
        let first: Vec<&str> = errors
            .lines()
            .filter(|l| l.contains("error"))
            .take(3)
            .collect();
        return Err(format!(
            "it does not compile yet. Read each error: what does it say about `id`?\n{}",
            first.join("\n")
        ));
    }
    let ran = Command::new(&binary).output().map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&ran.stdout);
    let numbers: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("calling /two/"))
        .collect();
    if numbers.len() != 10 {
        return Err(format!(
            "ten threads should print ten `calling /two/N` lines; it printed {}:\n{stdout}",
            numbers.len()
        ));
    }
    let distinct: BTreeSet<&str> = numbers.iter().copied().collect();
    match distinct.len() {
        10 => Ok(()),
        1 => Err(format!(
            "it compiles, but every thread printed {}: each closure got its own copy of \
             `id` (`move` copies a u64), so nothing is shared. The ten threads need one \
             counter they all add to",
            numbers[0]
        )),
        n => Err(format!(
            "only {n} different numbers among ten calls: two threads read the same value. \
             Read and add in one step"
        )),
    }
}

/// Exercise 3, your check: run it with `--ignored` once you have changed
/// `docs/exercises/race.rs`.
#[test]
#[ignore = "exercise 3: run with --ignored once race.rs is changed"]
fn exercise_3_race_rs_prints_ten_different_numbers() {
    if let Err(why) = ten_different_numbers(&exercises().join("race.rs")) {
        panic!("exercise 3 not solved yet: {why}");
    }
}

#[test]
fn exercise_3_check_fails_on_the_given_file_pointing_at_the_errors() {
    match ten_different_numbers(&exercises().join("race.rs")) {
        Err(why) => {
            assert!(why.contains("does not compile"), "{why}");
            assert!(why.contains("E0373") || why.contains("E0499"), "{why}");
        }
        Ok(()) => panic!(
            "docs/exercises/race.rs now passes: exercise 3 is solved there. This test keeps \
             the file as given, for the next class: `git restore docs/exercises/race.rs`."
        ),
    }
}

/// The compiler suggests `move`; following it compiles, and the bug stays.
#[test]
fn exercise_3_check_fails_on_the_move_suggestion_every_thread_prints_1() {
    let given = std::fs::read_to_string(exercises().join("race.rs")).unwrap();
    let moved = given.replace("std::thread::spawn(|| {", "std::thread::spawn(move || {");
    assert_ne!(moved, given, "the given file spawns with a closure");
    let file = std::env::temp_dir().join(format!("race_move_{}.rs", std::process::id()));
    std::fs::write(&file, moved).unwrap();
    let why = ten_different_numbers(&file).unwrap_err();
    assert!(why.contains("every thread printed 1"), "{why}");
}

#[test]
fn exercise_3_check_passes_on_the_solution() {
    ten_different_numbers(&exercises().join("solutions/race.rs")).unwrap();
}
