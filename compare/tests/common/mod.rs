//! What compare's test files share.

use std::path::Path;
use std::process::Output;

/// Runs compare with `args` and `--out-dir out_dir`, however it exits.
pub(crate) fn compare_in(args: &[&str], out_dir: &Path) -> Output {
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    all.extend([std::ffi::OsStr::new("--out-dir"), out_dir.as_os_str()]);
    harness::testing::run(env!("CARGO_BIN_EXE_compare"), all)
}
