//! Helpers for the tests that run the built `rampart` binary (only the binary's test crates
//! include this module: it needs the `cli` feature's binary).

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

/// Runs the built binary; returns (exit code, stdout, stderr). A death by signal (an abort, a
/// stack overflow) is exit code -1.
pub fn rampart(args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .output()
        .expect("the rampart binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A scratch directory under the target directory, emptied first.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}
