//! The binary: the three profiles are written, bad values and unwritable
//! folders are refused before anything starts, and a failing variant's own
//! reason reaches the user.

use std::process::Command;

#[test]
fn compare_writes_one_profile_per_variant() {
    let dir = harness::testing::temp_dir("leak-demo-cli");
    let out = harness::testing::run_ok(
        env!("CARGO_BIN_EXE_leak-demo"),
        [
            "compare",
            "--threads",
            "8",
            "--buffer-kib",
            "16",
            "--out-dir",
            dir.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for variant in ["leaky", "wait-group", "joined"] {
        let profile =
            std::fs::read_to_string(dir.join(format!("dhat-heap-{variant}.json"))).unwrap();
        assert!(profile.contains("\"dhatFileVersion\""), "{variant}");
    }
    assert!(stdout.contains("threads running"));
    assert!(stdout.contains("\nwait-group:"), "one spelling: {stdout}");
}

#[test]
fn bad_values_are_refused_with_a_message() {
    for (args, expected) in [
        (vec!["leaky", "--threads", "0"], "at least 1"),
        (vec!["joined", "--threads", "100000000"], "at most"),
        (vec!["joined", "--buffer-kib", "0"], "at least 1"),
        // A product past what a usize holds is named as such, never
        // printed as a saturated "exact" figure.
        (
            vec!["joined", "--buffer-kib", "18446744073709551615"],
            "--buffer-kib 18446744073709551615 is more bytes than this machine can address",
        ),
        (
            vec![
                "joined",
                "--threads",
                "3",
                "--buffer-kib",
                "9007199254740991",
            ],
            "3 threads x 9223372036854774784 bytes is more bytes than",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_leak-demo"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn an_unwritable_out_dir_is_refused_naming_the_path() {
    for mode in ["leaky", "compare"] {
        let out = Command::new(env!("CARGO_BIN_EXE_leak-demo"))
            .args([mode, "--threads", "2", "--out-dir", "/proc/leak-demo"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{mode}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--out-dir /proc/leak-demo"),
            "{mode}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{mode}: nothing ran");
    }
}

#[test]
fn a_profile_that_cannot_be_written_fails_the_run() {
    // A folder where the profile file should go: it cannot be replaced.
    let dir = std::env::temp_dir().join(format!("leak-demo-blocked-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("dhat-heap-joined.json")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leak-demo"))
        .args(["joined", "--threads", "2", "--out-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dhat-heap-joined.json"), "{stderr}");
}

#[test]
fn compare_passes_on_the_reason_a_variant_failed() {
    // 400 threads with 2 MiB stacks need 800 MiB of address space; with
    // 300 MiB the first variant runs out (of stacks or of heap arenas),
    // while the parent, which starts no thread, runs fine.
    let dir = std::env::temp_dir().join(format!("leak-demo-vm-{}", std::process::id()));
    let script = format!(
        "ulimit -v 307200 && exec '{}' compare --threads 400 --buffer-kib 1 --out-dir '{}'",
        env!("CARGO_BIN_EXE_leak-demo"),
        dir.display()
    );
    let out = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the leaky variant failed ("), "{stderr}");
    // The child's own words: which resource ran out first depends on the
    // run (a thread's stack, or an allocation that needed a new arena).
    assert!(
        stderr.contains("failed to spawn thread") || stderr.contains("memory allocation of"),
        "the child's reason: {stderr}"
    );
}
