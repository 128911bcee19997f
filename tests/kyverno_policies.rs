//! Conformance: `rampart test` on the 49 suites of kyverno/policies in
//! `../shared/conformance/kyverno-policies` (or `$RAMPART_KYVERNO_POLICIES`). Upstream policies
//! are code, so they are not copied into this repository: without them the suite prints that it
//! was skipped and passes, unless `RAMPART_REQUIRE_CONFORMANCE` is set (as `.ci/run` does).
//! A suite whose policies use only features this version evaluates must pass completely; the
//! others are listed with what they need.
//! Prints counts, as a `harness = false` test.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod common;

fn suites(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.join(".kyverno-test/kyverno-test.yaml").is_file() {
                out.push(p);
            } else if p.is_dir() {
                walk(&p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out
}

/// Runs one suite with the built binary; returns (passed, failed, unsupported features).
fn run_suite(dir: &Path, strict: bool) -> (usize, usize, Vec<String>) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
    command.arg("test").arg(dir).args(["-o", "json"]);
    if strict {
        command.arg("--strict");
    }
    let out = match command.output() {
        Ok(out) => out,
        Err(e) => return (0, 0, vec![format!("(the rampart binary did not run: {e})")]),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap_or_default();
    let failed = rows.iter().filter(|r| r["result"] != "Pass").count();
    let mut features: Vec<String> = rows
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .filter_map(|r| r.strip_prefix("Unsupported: "))
        .map(str::to_string)
        .collect();
    features.sort();
    features.dedup();
    if rows.is_empty() {
        features.push(format!(
            "(suite did not load: {})",
            stderr.lines().next().unwrap_or("")
        ));
    }
    (rows.len() - failed, failed, features)
}

fn main() -> ExitCode {
    let Some(root) = common::kyverno_policies_dir() else {
        println!(
            "SKIPPED: the kyverno/policies suites were not found (set RAMPART_KYVERNO_POLICIES, or \
             put shared/ beside the checkout: ../shared/conformance/kyverno-policies)"
        );
        if std::env::var_os("RAMPART_REQUIRE_CONFORMANCE").is_some() {
            eprintln!("RAMPART_REQUIRE_CONFORMANCE is set: the suites are required");
            return ExitCode::FAILURE;
        }
        return ExitCode::SUCCESS;
    };
    let mut summary = (0, 0, 0);
    for strict in [false, true] {
        let (mut ok, mut needing, mut broken) = (0, 0, 0);
        println!(
            "\n== rampart test{} ==",
            if strict { " --strict" } else { "" }
        );
        for dir in suites(&root) {
            let name = dir
                .strip_prefix(&root)
                .unwrap_or(&dir)
                .display()
                .to_string();
            let (passed, failed, features) = run_suite(&dir, strict);
            if failed == 0 && features.is_empty() {
                ok += 1;
                println!("pass  {name} ({passed} results)");
            } else if !features.is_empty() {
                needing += 1;
                println!("needs {name}: {}", features.join("; "));
            } else {
                broken += 1;
                println!(
                    "FAIL  {name}: {failed} of {} results wrong",
                    passed + failed
                );
            }
        }
        println!("suites: {ok} pass, {needing} need features not built yet, {broken} fail");
        if !strict {
            summary = (ok, broken, needing);
        }
    }
    let (ok, broken, needing) = summary;
    println!("\n{ok} passed, {broken} failed, {needing} skipped");
    if broken == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
