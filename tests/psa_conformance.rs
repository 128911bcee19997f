//! Runs every upstream k8s.io/pod-security-admission fixture (`tests/data/psa/`):
//! `<level>/<version>/{pass,fail}/<check><n>.yaml`. Pass files must be allowed; fail files must
//! be denied with a message containing the check's expected substring (upstream
//! test/fixtures.go `expectErrorSubstring`). Prints per-level counts and `N passed, M failed`;
//! with `PSA_CONFORMANCE_VERBOSE` set, also every fail fixture's message.

mod common;

use common::{data_dir, default_volumes};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rampart::podsecurity::{Level, Version, evaluate, forbidden_detail, is_allowed};
use serde_json::Value;

/// The substring a fail fixture's message must contain, by lower-cased check ID.
fn expected_substring(check: &str) -> &'static str {
    match check {
        "apparmorprofile" => "forbidden AppArmor profile",
        "capabilities_baseline" => "capabilities",
        "capabilities_restricted" => "unrestricted capabilities",
        "hostnamespaces" => "host namespaces",
        "hostpathvolumes" => "hostPath",
        "hostports" => "hostPort",
        "hostprobesandhostlifecycle" => "probe or lifecycle host",
        "procmount" | "procmount_restricted" => "procMount",
        "restrictedvolumes" => "restricted volume types",
        "selinuxoptions" => "seLinuxOptions",
        "seccompprofile_baseline" | "seccompprofile_restricted" => "seccompProfile",
        "sysctls" => "forbidden sysctl",
        "windowshostprocess" => "hostProcess",
        "allowprivilegeescalation" => "allowPrivilegeEscalation",
        "privileged" => "privileged",
        "runasnonroot" => "runAsNonRoot",
        "runasuser" => "runAsUser",
        _ => "\u{0}unknown check",
    }
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    files
}

/// Checks one fixture; `Err` explains a disagreement.
fn check(path: &Path, level: Level, version: Version, expect_pass: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut pod: Value = rampart::yaml::parse_values(&text)
        .map_err(|e| e.message)?
        .into_iter()
        .next()
        .ok_or("empty fixture")?;
    default_volumes(&mut pod);
    let null = Value::Null;
    let results = evaluate(
        level,
        version,
        pod.get("metadata").unwrap_or(&null),
        pod.get("spec").unwrap_or(&null),
    );
    let message = format!(
        "violates PodSecurity \"{level}:{version}\": {}",
        forbidden_detail(&results)
    );
    if expect_pass {
        return if is_allowed(&results) {
            Ok(())
        } else {
            Err(format!("expected allowed, got {message}"))
        };
    }
    if is_allowed(&results) {
        return Err("expected denied, got allowed".into());
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let check_id = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    let want = expected_substring(check_id);
    if !message.contains(want) {
        return Err(format!("message lacks {want:?}: {message}"));
    }
    if std::env::var_os("PSA_CONFORMANCE_VERBOSE").is_some() {
        println!("{}: {message}", path.display());
    }
    if message.contains("unknown forbidden reason") {
        return Err(format!("unknown forbidden reason: {message}"));
    }
    Ok(())
}

fn main() -> ExitCode {
    let root = data_dir().join("psa");
    let mut counts: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for level_name in ["baseline", "restricted"] {
        let Ok(level) = level_name.parse::<Level>() else {
            continue;
        };
        let mut versions: Vec<(u64, String)> = std::fs::read_dir(root.join(level_name))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter_map(|n| Some((n.strip_prefix("v1.")?.parse().ok()?, n)))
                    .collect()
            })
            .unwrap_or_default();
        versions.sort();
        for (_, version_name) in versions {
            let Ok(version) = version_name.parse::<Version>() else {
                continue;
            };
            for outcome in ["pass", "fail"] {
                let dir = root.join(level_name).join(&version_name).join(outcome);
                for path in yaml_files(&dir) {
                    let entry = counts.entry((level_name.to_string(), outcome)).or_default();
                    match check(&path, level, version, outcome == "pass") {
                        Ok(()) => entry.0 += 1,
                        Err(why) => {
                            entry.1 += 1;
                            failures.push(format!(
                                "{}: {why}",
                                path.strip_prefix(&root).unwrap_or(&path).display()
                            ));
                        }
                    }
                }
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    let (mut passed, mut failed) = (0, 0);
    for ((level, outcome), (ok, bad)) in &counts {
        println!("{level:>10} {outcome}: {ok} agree, {bad} disagree");
        passed += ok;
        failed += bad;
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
