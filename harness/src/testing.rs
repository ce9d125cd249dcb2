//! What the examples' own tests share: run one of this workspace's
//! programs, check how it exited, read its JSON, and get a fresh folder.
//!
//! A test names its program with `env!("CARGO_BIN_EXE_<name>")`, so cargo
//! has built it already.
//!
//! ```
//! # let program = "true";
//! let out = harness::testing::run(program, ["--help"]);
//! assert!(out.status.success());
//! ```

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `program` with `args` and returns what it printed, however it exited.
///
/// ```
/// let out = harness::testing::run("sh", ["-c", "echo hi; exit 3"]);
/// assert_eq!(out.status.code(), Some(3));
/// assert_eq!(harness::testing::text(&out.stdout), "hi\n");
/// ```
pub fn run<I, S>(program: &str, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"))
}

/// Runs `program` with `args`, panics with both its outputs unless it exited
/// 0, and returns what it printed.
///
/// ```
/// let out = harness::testing::run_ok("echo", ["ok"]);
/// assert_eq!(harness::testing::text(&out.stdout), "ok\n");
/// ```
pub fn run_ok<I, S>(program: &str, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {shown:?} exited with {}:\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// Runs `program` with `args` (which ask for `--json`), checks it exited 0,
/// and parses what it printed as one JSON value.
///
/// ```
/// let value = harness::testing::run_json("echo", [r#"{"jobs": 4}"#]);
/// assert_eq!(value["jobs"], 4);
/// ```
pub fn run_json<I, S>(program: &str, args: I) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run_ok(program, args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{program} printed no JSON ({e}):\n{}", text(&out.stdout)))
}

/// Bytes a program printed, as text.
///
/// ```
/// assert_eq!(harness::testing::text(b"abc"), "abc");
/// ```
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A folder under the system's temporary one, named for `test` and this
/// process, removed first if an earlier run left it. Not created: the
/// programs under test create their output folders themselves.
///
/// ```
/// let dir = harness::testing::temp_dir("doc-example");
/// assert!(!dir.exists());
/// ```
pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pool-thread-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Reads the JSON file a program wrote at `path` into `T`; a missing or
/// unreadable file panics with its path.
///
/// ```
/// let path = std::env::temp_dir().join("harness-read-json-doc.json");
/// std::fs::write(&path, "[1, 2]").unwrap();
/// let values: Vec<u32> = harness::testing::read_json(&path);
/// assert_eq!(values, [1, 2]);
/// ```
pub fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> T {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not the JSON expected: {e}", path.display()))
}
