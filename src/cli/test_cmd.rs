//! `rampart test <dirs...>`: finds `kyverno-test.yaml` files, runs their policies on their
//! resources and compares the rule results with the expected ones, as `kyverno test` does.
//! A suite whose test file, values, user info or policies cannot be read fails (its errors
//! point at the file, line and column), and the other suites still run.

use std::path::{Path, PathBuf};

use clap::Args;
use rampart::{Diagnostic, Documents, Evaluation, Loader, Operation, RuleStatus, SourceMap, diag};
use serde_json::Value;

use super::apply::{evaluate, invalid_exceptions, namespace_labels, paint_status};
use super::checks;
use super::cluster::OfflineCluster;
use super::document::Unread;
use super::expectations::{self, Outcome, Row, Selector};
use super::resources;
use super::test_cluster;
use super::testfile::TestFile;
use super::userinfo;
use super::values::{self, Values};
use super::{EXIT_FAIL, EXIT_OK, Output, table};

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
    /// Output format: a table (default), `json`, `yaml`, `junit` or `markdown`.
    #[arg(short = 'o', long, value_parser = ["json", "yaml", "junit", "markdown"])]
    pub output_format: Option<String>,
    /// Fail results with no rule response (unless `skip` was expected) and results of policies
    /// that failed validation.
    #[arg(long)]
    pub strict: bool,
    /// Never use colours.
    #[arg(long)]
    pub remove_color: bool,
    /// Exit with an error when no test file is found.
    #[arg(long)]
    pub require_tests: bool,
    /// Flags that need a registry or git (refused).
    #[command(flatten)]
    pub remote: super::refused::Remote,
}

/// Finds test files below the given paths, sorted; `Err` names a path that does not exist.
fn find_tests(dirs: &[String], file_name: &str) -> Result<Vec<PathBuf>, String> {
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
        } else if p.exists() {
            out.push(p);
        } else {
            return Err(format!("{d}: no such file or directory"));
        }
    }
    Ok(out)
}

/// Runs `test`.
pub fn run(args: &TestArgs, out: &mut Output) -> i32 {
    out.color &= !args.remove_color && args.output_format.is_none();
    if let Some(refusal) = args.remote.refusal() {
        out.err(&format!("Error: {refusal}\n"));
        return super::EXIT_USAGE;
    }
    let tests = match find_tests(&args.dirs, &args.file_name) {
        Ok(tests) => tests,
        Err(e) => {
            out.out(&format!("\nError loading tests: {e}\n"));
            out.err(&format!("Error: {e}\n"));
            return EXIT_FAIL;
        }
    };
    if tests.is_empty() {
        out.out("\nNo test yamls available\n");
        if args.require_tests {
            out.err("Error: no tests found\n");
            return EXIT_FAIL;
        }
        return EXIT_OK;
    }
    let selector = Selector::parse(&args.test_case_selector);
    let mut all_rows = Vec::new();
    for path in &tests {
        let mut suite = Suite::new(path, args, out);
        let rows = suite.run(&selector).unwrap_or_else(|failure| {
            let test = path.display().to_string();
            suite
                .out
                .err(&format!("Error: {test}: {}\n", failure.message));
            vec![Row::broken(&test, failure.reason, failure.message)]
        });
        all_rows.extend(rows);
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
    } else {
        EXIT_OK
    }
}

/// Why a suite could not run: a row reason and a message.
struct Failure {
    reason: &'static str,
    message: String,
}

impl Failure {
    fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Failure {
            reason,
            message: message.into(),
        }
    }

    /// A file that could not be used (its diagnostics are printed already).
    fn unread(reason: &'static str, what: &str, unread: Unread) -> Self {
        match unread {
            Unread::Io(e) => Failure::new(reason, format!("failed to load {what} ({e})")),
            Unread::Invalid => Failure::new(reason, format!("failed to load {what}")),
        }
    }
}

/// One test file being run.
struct Suite<'a> {
    path: &'a Path,
    args: &'a TestArgs,
    out: &'a mut Output,
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Suite<'a> {
    fn new(path: &'a Path, args: &'a TestArgs, out: &'a mut Output) -> Self {
        Suite {
            path,
            args,
            out,
            sources: SourceMap::new(),
            diagnostics: Vec::new(),
        }
    }

    fn quiet(&self) -> bool {
        self.args.output_format.is_some()
    }

    /// Prints the diagnostics gathered so far (errors and warnings) on standard error.
    fn flush_diagnostics(&mut self) {
        if !self.diagnostics.is_empty() {
            self.out.err(&diag::render_all(
                &self.diagnostics,
                &self.sources,
                self.out.color,
            ));
            self.diagnostics.clear();
        }
    }

    /// Reads with `read`, printing its diagnostics.
    fn read<T>(
        &mut self,
        read: impl FnOnce(&mut SourceMap, &mut Vec<Diagnostic>) -> Result<T, Unread>,
    ) -> Result<T, Unread> {
        let result = read(&mut self.sources, &mut self.diagnostics);
        self.flush_diagnostics();
        result
    }

    /// Loads resource files, printing what is wrong with them.
    fn resources(&mut self, paths: &[PathBuf], what: &str) -> Result<Vec<Value>, Failure> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        resources::load(&paths, &mut self.sources, self.out)
            .ok_or_else(|| Failure::new("Load error", format!("failed to load {what}")))
    }

    fn run(&mut self, selector: &Selector) -> Result<Vec<Row>, Failure> {
        let path = self.path;
        let test = self.read(|sources, diagnostics| TestFile::load(path, sources, diagnostics));
        let name = test.as_ref().map(|t| t.name.clone()).unwrap_or_default();
        if !self.quiet() {
            self.out
                .out(&format!("Loading test {name} ( {} ) ...\n", path.display()));
        }
        let test = test.map_err(|e| Failure::unread("Test file error", "the test file", e))?;
        let values = self.values(&test)?;
        let user = match &test.user_info {
            Some(file) => Some(
                self.read(|s, d| userinfo::load(&file.value, s, d))
                    .map_err(|e| Failure::unread("Load error", "the user info", e))?,
            ),
            None => None,
        };
        let mut loader = Loader::with_sources(std::mem::take(&mut self.sources));
        let policy_paths: Vec<String> = test
            .policies
            .iter()
            .map(|p| p.value.display().to_string())
            .collect();
        let exception_paths: Vec<String> = test
            .exceptions
            .iter()
            .map(|p| p.value.display().to_string())
            .collect();
        let added = loader
            .add_paths_of(&policy_paths, Documents::Policies)
            .and_then(|()| loader.add_paths_of(&exception_paths, Documents::Exceptions));
        if !loader.diagnostics().is_empty() {
            self.out.err(&loader.render_diagnostics(self.out.color));
        }
        self.out.err(&loader.render_ignored(self.out.verbose));
        if !invalid_exceptions(&loader, self.out) {
            self.sources = std::mem::take(loader.sources_mut());
            return Err(Failure::new(
                "Policy error",
                "failed to load policy exceptions".to_string(),
            ));
        }
        let engine = loader.engine();
        let invalid = loader.invalid().to_vec();
        let policy_documents = match test.checks.is_empty() {
            true => Vec::new(),
            false => loader.policy_documents(),
        };
        self.sources = std::mem::take(loader.sources_mut());
        added
            .map_err(|e| Failure::new("Policy error", format!("failed to load policies ({e})")))?;
        if let Some(broken) = invalid.iter().find(|p| p.schema_error) {
            return Err(Failure::new(
                "Policy error",
                format!(
                    "failed to load policies ({}: {})",
                    broken.name, broken.reason
                ),
            ));
        }
        let paths = |list: &[rampart::reader::Spanned<PathBuf>]| -> Vec<PathBuf> {
            list.iter().map(|p| p.value.clone()).collect()
        };
        let resources = self.resources(&paths(&test.resources), "resources")?;
        resources::warn_exceptions(&resources, "list it under `exceptions:`", self.out);
        let targets = self.resources(&paths(&test.target_resources), "target resources")?;
        // Generate rules clone from the results' `cloneSourceResource` files (Kyverno's CLI keys
        // them by policy and rule; any rule of the suite may clone from them here).
        let clone_paths: Vec<PathBuf> = test
            .results
            .iter()
            .filter_map(|r| r.clone_source_resource.as_ref())
            .map(|f| f.value.clone())
            .collect();
        let clone_sources = self.resources(&clone_paths, "clone sources")?;
        let cluster = self
            .cluster(&test, &values, &resources, targets)?
            .with_generate_sources(clone_sources);
        let mut patched: Vec<(PathBuf, Vec<Value>)> = Vec::new();
        for file in test
            .results
            .iter()
            .flat_map(|r| r.patched_resources.iter().chain(&r.generated_resources))
        {
            if patched.iter().any(|(f, _)| *f == file.value) {
                continue;
            }
            let docs = self.resources(std::slice::from_ref(&file.value), "patched resources")?;
            patched.push((file.value.clone(), docs));
        }
        if !self.quiet() {
            let policies = engine.policies().count() + invalid.len();
            self.out.out(&format!(
                "  Applying {} {} to {} {} ...\n  Checking results ...\n",
                policies,
                plural(policies, "policy", "policies"),
                resources.len(),
                plural(resources.len(), "resource", "resources"),
            ));
        }
        let with_subresources: Vec<(Value, String)> = resources
            .iter()
            .map(|r| {
                let sub = values.subresource_of(r).map(|s| s.name.clone());
                (r.clone(), sub.unwrap_or_default())
            })
            .collect();
        // One evaluation per operation the expectations ask for (`checks` read the default).
        let mut runs: Vec<(Option<Operation>, Vec<Evaluation>)> = Vec::new();
        let mut run = |operation: Option<Operation>| -> Result<usize, Failure> {
            if let Some(i) = runs.iter().position(|(op, _)| *op == operation) {
                return Ok(i);
            }
            let results = evaluate(
                &engine,
                &resources,
                &values,
                user.as_ref(),
                &cluster,
                operation,
            )
            .map_err(|e| Failure::new("Load error", e))?;
            runs.push((operation, results));
            Ok(runs.len() - 1)
        };
        let mut indices = Vec::with_capacity(test.results.len());
        for expected in &test.results {
            indices.push(run(expected.operation)?);
        }
        let checked = match test.checks.is_empty() {
            true => None,
            false => Some(run(None)?),
        };
        let mut rows = Vec::new();
        for (expected, i) in test.results.iter().zip(indices) {
            let outcome = Outcome {
                engine: &engine,
                invalid: &invalid,
                resources: &with_subresources,
                results: &runs[i].1,
                patched: &patched,
                strict: self.args.strict,
            };
            rows.extend(expectations::check(expected, &outcome, selector));
        }
        if let Some(i) = checked {
            let found = checks::rows(&test.checks, &resources, &runs[i].1, &policy_documents)
                .map_err(|e| Failure::new("Check error", e))?;
            rows.extend(found);
        }
        if !self.quiet() {
            print_rows(&rows, self.args, self.out);
        }
        Ok(rows)
    }

    /// The test's values: the inline `values`, else the `variables` file (as Kyverno, which
    /// does not read the file when both are given).
    fn values(&mut self, test: &TestFile) -> Result<Values, Failure> {
        match (&test.values, &test.variables) {
            (Some(values), _) => Ok(values.clone()),
            (None, Some(file)) => self
                .read(|s, d| values::load_file(&file.value, s, d))
                .map_err(|e| Failure::unread("Load error", "the values", e)),
            (None, None) => Ok(Values::default()),
        }
    }

    /// The test's cluster: namespace labels, targets, mocks, global context entries and, with
    /// `clusterResources`, the objects Kyverno's fake client holds (the cluster resources, their
    /// CRDs, and the test's resources and targets).
    fn cluster(
        &mut self,
        test: &TestFile,
        values: &Values,
        resources: &[Value],
        targets: Vec<Value>,
    ) -> Result<OfflineCluster, Failure> {
        let base = self.path.parent().unwrap_or(Path::new("."));
        let mut objects = Vec::new();
        for file in &test.cluster_resources {
            let cluster = self
                .read(|s, d| test_cluster::load(&file.value, base, s, d))
                .map_err(|e| Failure::unread("Load error", "the cluster resources", e))?;
            let crds: Vec<PathBuf> = cluster.crds.iter().map(|p| p.value.clone()).collect();
            objects.extend(cluster.resources);
            objects.extend(self.resources(&crds, "CRDs")?);
        }
        let mut globals = Vec::new();
        for mock in &test.global_context_entries {
            let files: Vec<PathBuf> = mock
                .resource_files
                .iter()
                .map(|p| p.value.clone())
                .collect();
            let files = self.resources(&files, "global context entry resources")?;
            let data = test_cluster::resolve_global(mock, files)
                .map_err(|e| Failure::new("Load error", e))?;
            globals.push((mock.name.clone(), data));
        }
        let mut namespaces = namespace_labels(values, resources);
        namespaces.extend(resources::namespace_labels(&objects));
        let mut cluster = OfflineCluster::with_namespaces(namespaces)
            .with_calls(test.api_call_responses.clone())
            .with_globals(globals);
        if !test.cluster_resources.is_empty() {
            objects.extend(resources.iter().cloned());
            objects.extend(targets.iter().cloned());
            cluster = cluster.with_objects(objects);
        }
        if !test.target_resources.is_empty() {
            cluster = cluster.with_targets(targets);
        }
        Ok(cluster)
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
        "markdown" => markdown(rows),
        _ => junit(rows),
    }
}

/// The rows as a Markdown table (for a CI summary page), messages included.
fn markdown(rows: &[Row]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "| ID | POLICY | RULE | RESOURCE | RESULT | REASON | MESSAGE |\n|---|---|---|---|---|---|---|\n",
    );
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            cell(&r.policy),
            cell(&r.rule),
            cell(&r.resource),
            if r.passed { "Pass" } else { "Fail" },
            cell(&r.reason),
            cell(&r.message)
        ));
    }
    out
}

/// Text escaped for an XML attribute or element (JUnit reports).
pub(super) fn xml_escape(s: &str) -> String {
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
