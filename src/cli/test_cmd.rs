//! `rampart test <dirs...>`: finds `kyverno-test.yaml` files, runs their policies on their
//! resources and compares the rule results with the expected ones, as `kyverno test` does.

use std::path::{Path, PathBuf};

use clap::Args;
use rampart::report::reported_status;
use rampart::source::{self, Input};
use rampart::{
    Documents, Engine, Evaluation, InvalidPolicy, Loader, ResourceRef, RuleKind, RuleOutput,
    RuleResponse, RuleStatus, SourceMap, diag, wildcard,
};
use serde_json::Value;

use super::apply::{evaluate, invalid_exceptions, namespace_labels, paint_status};
use super::cluster::OfflineCluster;
use super::patched;
use super::resources::{self, name_of, namespace_of};
use super::values::{self, Values};
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE, Output, table};

/// Flags of `rampart test`.
#[derive(Debug, Args, Default)]
pub struct TestArgs {
    /// Directories (searched recursively) or test files.
    #[arg(required = true)]
    pub dirs: Vec<String>,
    /// The test file name to look for.
    #[arg(short = 'f', long, default_value = "kyverno-test.yaml")]
    pub file_name: String,
    /// Filter: `policy=<wildcard>,rule=<wildcard>,resource=<wildcard>`.
    #[arg(short = 't', long, default_value = "policy=*,rule=*,resource=*")]
    pub test_case_selector: String,
    /// Print only failed results.
    #[arg(long)]
    pub fail_only: bool,
    /// Add the message column.
    #[arg(long)]
    pub detailed_results: bool,
    /// Output format: a table (default), `json`, `yaml` or `junit`.
    #[arg(short = 'o', long, value_parser = ["json", "yaml", "junit"])]
    pub output_format: Option<String>,
    /// Count an expected result with no rule response as a failure (unless `skip` was expected).
    #[arg(long)]
    pub strict: bool,
    /// Never use colours.
    #[arg(long)]
    pub remove_color: bool,
}

/// One checked expectation.
#[derive(Debug, Clone)]
pub struct Row {
    /// Policy name.
    pub policy: String,
    /// Rule name as written in the test.
    pub rule: String,
    /// `apiVersion/Kind/namespace/name`.
    pub resource: String,
    /// Whether the expectation held.
    pub passed: bool,
    /// `Ok`, `Want pass, got fail`, `Excluded`, `Not found`, ...
    pub reason: String,
    /// The rule message.
    pub message: String,
}

struct Selector {
    policy: String,
    rule: String,
    resource: String,
}

impl Selector {
    fn parse(s: &str) -> Self {
        let mut sel = Selector {
            policy: "*".into(),
            rule: "*".into(),
            resource: "*".into(),
        };
        for part in s.split(',') {
            if let Some((k, v)) = part.split_once('=') {
                let v = v.trim().to_string();
                match k.trim() {
                    "policy" => sel.policy = v,
                    "rule" => sel.rule = v,
                    "resource" => sel.resource = v,
                    _ => {}
                }
            }
        }
        sel
    }
}

/// Finds test files below the given paths, sorted.
fn find_tests(dirs: &[String], file_name: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, name, out);
            } else if p.file_name().and_then(|n| n.to_str()) == Some(name) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        let p = PathBuf::from(d);
        if p.is_dir() {
            walk(&p, file_name, &mut out);
        } else {
            out.push(p);
        }
    }
    out
}

/// Runs `test`.
pub fn run(args: &TestArgs, out: &mut Output) -> i32 {
    out.color &= !args.remove_color && args.output_format.is_none();
    let tests = find_tests(&args.dirs, &args.file_name);
    if tests.is_empty() {
        out.err(&format!(
            "Error: no {} file found in {}\n",
            args.file_name,
            args.dirs.join(", ")
        ));
        return EXIT_USAGE;
    }
    let selector = Selector::parse(&args.test_case_selector);
    let mut all_rows = Vec::new();
    let mut broken = false;
    for path in &tests {
        match run_one(path, args, &selector, out) {
            Some(rows) => all_rows.extend(rows),
            None => broken = true,
        }
    }
    let failed = all_rows.iter().filter(|r| !r.passed).count();
    let passed = all_rows.len() - failed;
    match args.output_format.as_deref() {
        Some(format) => out.out(&render_rows(&all_rows, format)),
        None => {
            if args.fail_only {
                out.out(&format!(
                    "\nTest Summary: {failed} out of {} tests failed\n",
                    all_rows.len()
                ));
            } else {
                out.out(&format!(
                    "\nTest Summary: {passed} tests passed and {failed} tests failed\n"
                ));
            }
        }
    }
    if failed > 0 {
        out.err(&format!("\nError: {failed} tests failed\n"));
        EXIT_FAIL
    } else if broken {
        EXIT_USAGE
    } else {
        EXIT_OK
    }
}

fn relative(base: &Path, items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(Value::as_str)
        .map(|p| base.join(p).display().to_string())
        .collect()
}

/// Runs one test file; `None` when it cannot be loaded (reported on standard error).
fn run_one(
    path: &Path,
    args: &TestArgs,
    selector: &Selector,
    out: &mut Output,
) -> Option<Vec<Row>> {
    let mut sources = SourceMap::new();
    let input = Input::File(path.to_path_buf());
    let text = match source::read(&input) {
        Ok(t) => t,
        Err(e) => {
            out.err(&format!("Error: {e}\n"));
            return None;
        }
    };
    let file = sources.add(path.display().to_string(), text);
    let doc = match source::value_documents(file, &sources) {
        Ok(docs) => docs.into_iter().next().unwrap_or(Value::Null),
        Err(d) => {
            out.err(&diag::render_all(&[*d], &sources, out.color));
            return None;
        }
    };
    if doc.get("apiVersion").is_none() || doc.get("kind").is_none() {
        out.err(&format!("Error: test file {} uses a deprecated schema: add `apiVersion: cli.kyverno.io/v1alpha1` and `kind: Test`\n", path.display()));
        return None;
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let empty = Vec::new();
    let list = |key: &str| doc.get(key).and_then(Value::as_array).unwrap_or(&empty);
    let quiet = args.output_format.is_some();
    if !quiet {
        let name = doc
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        out.out(&format!("Loading test {name} ( {} ) ...\n", path.display()));
    }
    let policy_paths = relative(base, list("policies"));
    let mut loader = Loader::with_sources(sources);
    if let Err(e) = loader.add_paths_of(&policy_paths, Documents::Policies) {
        out.err(&format!("Error: failed to load policies ({e})\n"));
        return None;
    }
    let exception_paths = relative(base, list("exceptions"));
    if let Err(e) = loader.add_paths_of(&exception_paths, Documents::Exceptions) {
        out.err(&format!("Error: failed to load exceptions ({e})\n"));
        return None;
    }
    if !loader.diagnostics().is_empty() {
        out.err(&loader.render_diagnostics(out.color));
    }
    out.err(&loader.render_ignored(out.verbose));
    if !invalid_exceptions(&loader, out) {
        return None;
    }
    let engine = loader.engine();
    let sources = loader.sources_mut();
    let resource_paths = relative(base, list("resources"));
    let resources = resources::load(&resource_paths, sources, out)?;
    resources::warn_exceptions(&resources, "list it under `exceptions:`", out);
    let policy_count = engine.policies().count();
    if !quiet {
        out.out(&format!(
            "  Applying {} {} to {} {} ...\n  Checking results ...\n",
            policy_count,
            plural(policy_count, "policy", "policies"),
            resources.len(),
            plural(resources.len(), "resource", "resources"),
        ));
    }
    let values = match test_values(&doc, base, sources) {
        Ok(v) => v,
        Err(e) => {
            out.err(&format!(
                "Error: {}: failed to load values ({e})\n",
                path.display()
            ));
            return None;
        }
    };
    let user = match doc.get("userinfo").and_then(Value::as_str) {
        Some(p) => match resources::load_user_info(&base.join(p).display().to_string(), sources) {
            Ok(u) => Some(u),
            Err(e) => {
                out.err(&format!(
                    "Error: {}: failed to load user info ({e})\n",
                    path.display()
                ));
                return None;
            }
        },
        None => None,
    };
    let mut cluster = match OfflineCluster::with_namespaces(namespace_labels(&values, &resources))
        .add_test_mocks(&doc)
    {
        Ok(c) => c,
        Err(e) => {
            out.err(&format!("Error: {}: {e}\n", path.display()));
            return None;
        }
    };
    // Generate rules clone from the results' `cloneSourceResource` files (Kyverno's CLI keys
    // them by policy and rule; any rule of the suite may clone from them here).
    let mut clone_sources = Vec::new();
    for file in list("results")
        .iter()
        .filter_map(|r| r.get("cloneSourceResource").and_then(Value::as_str))
    {
        clone_sources.extend(resources::load(
            &[base.join(file).display().to_string()],
            sources,
            out,
        )?);
    }
    cluster = cluster.with_generate_sources(clone_sources);
    if doc.get("targetResources").is_some() {
        let target_paths = relative(base, list("targetResources"));
        cluster = cluster.with_targets(resources::load(&target_paths, sources, out)?);
    }
    let mut expected_patches: Vec<(String, Vec<Value>)> = Vec::new();
    for file in list("results").iter().flat_map(resource_files) {
        if expected_patches.iter().any(|(f, _)| f == file) {
            continue;
        }
        let docs = resources::load(&[base.join(file).display().to_string()], sources, out)?;
        expected_patches.push((file.to_string(), docs));
    }
    let names: Vec<(String, String)> = resources
        .iter()
        .map(|r| (namespace_of(r).to_string(), name_of(r).to_string()))
        .collect();
    let results = match evaluate(&engine, &resources, &values, user.as_ref(), &cluster) {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("Error: {}: {e}\n", path.display()));
            return None;
        }
    };
    let mut rows = Vec::new();
    for expected in list("results") {
        rows.extend(check_result(
            expected,
            &engine,
            loader.invalid(),
            &names,
            &results,
            &expected_patches,
            args.strict,
            selector,
        ));
    }
    if !quiet {
        print_rows(&rows, args, out);
    }
    Some(rows)
}

/// The test's values: the `variables` file, else the inline `values`.
fn test_values(doc: &Value, base: &Path, sources: &mut SourceMap) -> Result<Values, String> {
    if let Some(file) = doc.get("variables").and_then(Value::as_str) {
        return values::load(Some(&base.join(file).display().to_string()), &[], sources);
    }
    match doc.get("values") {
        Some(inline) => Values::from_document(inline),
        None => Ok(Values::default()),
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn print_rows(rows: &[Row], args: &TestArgs, out: &mut Output) {
    let shown: Vec<&Row> = rows
        .iter()
        .filter(|r| !args.fail_only || !r.passed)
        .collect();
    if shown.is_empty() {
        return;
    }
    let mut headers = vec!["id", "policy", "rule", "resource", "result", "reason"];
    if args.detailed_results {
        headers.push("message");
    }
    let cells: Vec<Vec<String>> = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let status = if r.passed {
                RuleStatus::Pass
            } else {
                RuleStatus::Fail
            };
            let mut row = vec![
                (i + 1).to_string(),
                r.policy.clone(),
                r.rule.clone(),
                r.resource.clone(),
                paint_status(status, out.color),
                r.reason.clone(),
            ];
            if args.detailed_results {
                row.push(r.message.lines().next().unwrap_or("").to_string());
            }
            row
        })
        .collect();
    out.out("\n");
    out.out(&table::render(&headers, &cells));
    out.out("\n");
    // Multi-line details (diffs of patched resources) of failed rows follow the table.
    for (i, r) in shown.iter().enumerate() {
        if !r.passed && r.message.contains('\n') {
            out.out(&format!(
                "{}. {} / {} / {}: {}\n\n",
                i + 1,
                r.policy,
                r.rule,
                r.resource,
                r.message
            ));
        }
    }
}

fn resource_label(resource: &ResourceRef) -> String {
    format!(
        "{}/{}/{}/{}",
        resource.api_version(),
        resource.kind(),
        resource.namespace(),
        resource.name()
    )
}

/// Whether a test's resource reference (`name` or `namespace/name`) names a resource.
fn names_resource(reference: &str, namespace: &str, name: &str) -> bool {
    match reference.split_once('/') {
        Some((ns, n)) => ns == namespace && n == name,
        None => reference == name,
    }
}

/// Rule responses that answer for a test rule `r`: `r`, `autogen-r`, `autogen-cronjob-r`.
fn answers_for<'a>(rule: &str, responses: &'a [RuleResponse]) -> Vec<&'a RuleResponse> {
    responses
        .iter()
        .filter(|resp| {
            &*resp.name == rule
                || resp
                    .name
                    .strip_prefix("autogen-")
                    .is_some_and(|n| n == rule)
                || resp
                    .name
                    .strip_prefix("autogen-cronjob-")
                    .is_some_and(|n| n == rule)
        })
        .collect()
}

/// A result's files of expected resources: `patchedResources` (or the deprecated
/// `patchedResource`) for mutate rules, `generatedResource` and `generatedResources` for
/// generate rules.
fn resource_files(result: &Value) -> Vec<&str> {
    let one = |key: &str| result.get(key).and_then(Value::as_str);
    let mut files: Vec<&str> = one("patchedResources")
        .or_else(|| one("patchedResource"))
        .into_iter()
        .chain(one("generatedResource"))
        .chain(
            result
                .get("generatedResources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        )
        .filter(|f| !f.is_empty())
        .collect();
    files.dedup();
    files
}

/// The documents of a result's expected resource files, with the files' names.
fn expected_resources(
    result: &Value,
    loaded: &[(String, Vec<Value>)],
) -> Option<(String, Vec<Value>)> {
    let files = resource_files(result);
    if files.is_empty() {
        return None;
    }
    let docs = files
        .iter()
        .filter_map(|f| loaded.iter().find(|(name, _)| name == f))
        .flat_map(|(_, docs)| docs.iter().cloned())
        .collect();
    Some((files.join(", "), docs))
}

/// Checks one answer: its patched resource (for a mutate rule of a result with
/// `patchedResources`), then its status. A result expecting `fail` is met by a failed status or
/// by a patched resource that differs from the file (the way suites write negative mutate
/// tests).
fn check_answer(
    want: &str,
    got: RuleStatus,
    answer: &RuleResponse,
    patched: Option<&Value>,
    expected: Option<&(String, Vec<Value>)>,
) -> (bool, String, String) {
    if let Some(feature) = answer.unsupported() {
        return (
            false,
            format!("Unsupported: {feature}"),
            answer.message.clone(),
        );
    }
    let want_status = RuleStatus::parse(want);
    let resource_check = match (expected, answer.kind()) {
        (Some((file, docs)), RuleKind::Mutation) => patched.map(|actual| {
            patched::compare(actual, docs, file).map_err(|m| {
                (
                    m,
                    "Patched resource didn't match the patched resource in the test result",
                )
            })
        }),
        (Some((file, docs)), RuleKind::Generation) if !answer.generated().is_empty() => Some(
            patched::compare_generated(answer.generated(), docs, file).map_err(|m| {
                (
                    m,
                    "Generated resource didn't match the generated resource in the test result",
                )
            }),
        ),
        _ => None,
    };
    match resource_check {
        Some(Err(_)) if want_status == Some(RuleStatus::Fail) => {
            (true, "Ok".into(), answer.message.clone())
        }
        Some(Err((m, what))) => (false, m.reason, format!("{what}\n{}", m.detail)),
        _ if Some(got) == want_status => (true, "Ok".into(), answer.message.clone()),
        _ => (
            false,
            format!("Want {want}, got {}", got.as_str()),
            answer.message.clone(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_result(
    expected: &Value,
    engine: &Engine,
    invalid: &[InvalidPolicy],
    resources: &[(String, String)],
    results: &[Evaluation],
    expected_patches: &[(String, Vec<Value>)],
    strict: bool,
    selector: &Selector,
) -> Vec<Row> {
    let field = |k: &str| {
        expected
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (policy_name, rule, want) = (field("policy"), field("rule"), field("result"));
    if !wildcard::matches(&selector.policy, &policy_name)
        || !wildcard::matches(&selector.rule, &rule)
    {
        return Vec::new();
    }
    let refs: Vec<String> = match expected.get("resources").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        None => resources.iter().map(|(_, name)| name.clone()).collect(),
    };
    let want_status = RuleStatus::parse(&want);
    let is_policy = |key: &str, name: &str| key == policy_name || name == policy_name;
    let known = engine.policies().any(|p| is_policy(&p.key(), &p.name));
    let invalid = invalid.iter().any(|p| p.name == policy_name);
    let mut rows = Vec::new();
    for reference in refs
        .iter()
        .filter(|r| wildcard::matches(&selector.resource, r))
    {
        let base = Row {
            policy: policy_name.clone(),
            rule: rule.clone(),
            resource: reference.clone(),
            passed: false,
            reason: String::new(),
            message: String::new(),
        };
        let matching: Vec<&Evaluation> = results
            .iter()
            .filter(|e| names_resource(reference, e.resource.namespace(), e.resource.name()))
            .collect();
        if invalid {
            rows.push(Row {
                passed: true,
                reason: "Invalid Policy".into(),
                ..base
            });
            continue;
        }
        if matching.is_empty() || !known {
            rows.push(Row {
                reason: "Not found".into(),
                ..base
            });
            continue;
        }
        for e in matching {
            let label = resource_label(&e.resource);
            let response = e
                .policies
                .iter()
                .find(|p| is_policy(&p.policy.key(), &p.policy.name));
            let answers = response.map_or_else(Vec::new, |p| answers_for(&rule, &p.rules));
            let Some(response) = response.filter(|_| !answers.is_empty()) else {
                let passed = !strict || want_status == Some(RuleStatus::Skip);
                rows.push(Row {
                    resource: label.clone(),
                    passed,
                    reason: "Excluded".into(),
                    message: "Excluded".into(),
                    ..base.clone()
                });
                continue;
            };
            let file = expected_resources(expected, expected_patches);
            for answer in answers {
                let got = reported_status(response, answer, false);
                let patched = match &answer.output {
                    RuleOutput::Mutation(m) if m.target.is_some() => m.target.as_deref(),
                    _ => response.patched.as_deref(),
                };
                let (passed, reason, message) =
                    check_answer(&want, got, answer, patched, file.as_ref());
                rows.push(Row {
                    resource: label.clone(),
                    passed,
                    reason,
                    message,
                    ..base.clone()
                });
            }
        }
    }
    rows
}

fn render_rows(rows: &[Row], format: &str) -> String {
    let values: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::json!({
                "id": i + 1,
                "policy": r.policy,
                "rule": r.rule,
                "resource": r.resource,
                "result": if r.passed { "Pass" } else { "Fail" },
                "reason": r.reason,
                "message": r.message,
            })
        })
        .collect();
    match format {
        "json" => serde_json::to_string_pretty(&values).unwrap_or_default() + "\n",
        "yaml" => rampart::yaml::to_yaml_string(&Value::Array(values)),
        _ => junit(rows),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn junit(rows: &[Row]) -> String {
    let failures = rows.iter().filter(|r| !r.passed).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"rampart test\" tests=\"{}\" failures=\"{failures}\">\n",
        rows.len(),
        rows.len()
    );
    for r in rows {
        let name = xml_escape(&format!("{}/{}/{}", r.policy, r.rule, r.resource));
        if r.passed {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{name}\"/>\n",
                xml_escape(&r.policy)
            ));
        } else {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{name}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                xml_escape(&r.policy),
                xml_escape(&r.reason),
                xml_escape(&r.message)
            ));
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
