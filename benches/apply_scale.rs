//! `rampart apply` at repository scale, next to the floor: the wall time of `apply` with
//! `stdlib:pod-security/restricted.yaml` over 10,000 varied Pods, the time of a bare
//! saphyr-parser event scan of the same bytes (building nothing), their ratio, and the peak
//! memory of `apply` (from `--show-performance`); then the same for a 50 MB file.
//!
//! `cargo bench --bench apply_scale` (add `-- --quick` for one run of each). The target (issue
//! 11): a ratio of at most 1.0 on 2 cores, and a peak RSS under 100 MB for the 50 MB file.

#[path = "support/pods.rs"]
mod pods;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

/// A bare event scan: every saphyr-parser event of the text, nothing built.
fn scan(text: &str) -> Duration {
    let started = Instant::now();
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let mut events = 0usize;
    while let Some(Ok(_)) = parser.next_event() {
        events += 1;
    }
    std::hint::black_box(events);
    started.elapsed()
}

/// One `rampart apply` run: its wall time and the peak RSS it reports (MB).
fn apply(file: &Path, extra: &[&str]) -> (Duration, Option<f64>) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["apply", "stdlib:pod-security/restricted.yaml", "-r"])
        .arg(file)
        .arg("--show-performance")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let elapsed = started.elapsed();
    let stderr = output
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .unwrap_or_default();
    let rss = stderr
        .split("peak RSS ")
        .nth(1)
        .and_then(|rest| rest.split(" MB").next())
        .and_then(|n| n.trim().parse().ok());
    (elapsed, rss)
}

fn input(name: &str, pods: usize, min_bytes: usize) -> (PathBuf, String) {
    let mut text = String::new();
    pods::write_pods(&mut text, pods, 7);
    let mut seed = 11;
    while text.len() < min_bytes {
        pods::write_pods(&mut text, pods, seed);
        seed += 2;
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if std::fs::write(&path, &text).is_err() {
        eprintln!("cannot write {}", path.display());
    }
    (path, text)
}

fn report(label: &str, path: &Path, text: &str, runs: usize, extra: &[&str]) {
    let floor = best(runs.max(3), || scan(text));
    let mut rss = None;
    let wall = best(runs, || {
        let (t, r) = apply(path, extra);
        rss = rss.max(r.map(|r| (r * 10.0) as u64));
        t
    });
    let ratio = wall.as_secs_f64() / floor.as_secs_f64().max(1e-9);
    println!(
        "{label}: {:.1} MB; event scan {:.3} s; apply {:.3} s; ratio {ratio:.2}; peak RSS {}",
        text.len() as f64 / 1e6,
        floor.as_secs_f64(),
        wall.as_secs_f64(),
        rss.map_or("unknown".to_string(), |r| format!(
            "{:.1} MB",
            r as f64 / 10.0
        )),
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 1 } else { 3 };
    let (path, text) = input("apply-scale-10k.yaml", 10_000, 0);
    report("10,000 Pods", &path, &text, runs, &[]);
    if std::env::args().any(|a| a == "--serial-too") {
        report(
            "10,000 Pods, --concurrency 1",
            &path,
            &text,
            runs,
            &["--concurrency", "1"],
        );
    }
    let (path, text) = input("apply-scale-50mb.yaml", 10_000, 50_000_000);
    report("50 MB of Pods", &path, &text, 1, &[]);
}
