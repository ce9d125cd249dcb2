//! The binary: the three profiles are written, and bad values are refused
//! before anything starts.

use std::process::Command;

#[test]
fn compare_writes_one_profile_per_variant() {
    let dir = std::env::temp_dir().join(format!("leak-demo-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_leak-demo"))
        .args([
            "compare",
            "--threads",
            "8",
            "--buffer-kib",
            "16",
            "--out-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for variant in ["leaky", "waitgroup", "joined"] {
        let profile =
            std::fs::read_to_string(dir.join(format!("dhat-heap-{variant}.json"))).unwrap();
        assert!(profile.contains("\"dhatFileVersion\""), "{variant}");
    }
    assert!(stdout.contains("threads running"));
}

#[test]
fn bad_values_are_refused_with_a_message() {
    for (args, expected) in [
        (vec!["leaky", "--threads", "0"], "at least 1"),
        (vec!["joined", "--threads", "100000000"], "at most"),
        (vec!["joined", "--buffer-kib", "0"], "at least 1"),
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
