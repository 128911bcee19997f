//! `apply --output-format sarif|junit|json`: results a CI system reads. SARIF 2.1.0 has one
//! result per failed or errored rule, located on the line and column of the field the
//! violation points at (code scanning then shows it on that line of a pull request); JUnit has
//! one test case per rule result; JSON lists every rule result with the summary. Results are
//! rendered as they come into a spool.

use rampart::report::reported_status;
use rampart::yaml::{Node, NodeValue, Span};
use rampart::{Evaluation, FailureAction, PolicyResponse, RuleResponse, RuleStatus};
use serde_json::{Value, json};

use super::Output;
use super::apply::{ApplyArgs, Counts};
use super::apply_input::Origin;
use super::apply_output::{detailed_message, resource_path};
use super::spool::Spool;
use super::test_cmd::xml_escape;

/// The formats of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Sarif,
    Junit,
    Json,
}

/// Where a [`CiResults`] stood, to take back what came after.
#[derive(Debug, Clone, Copy, Default)]
pub struct CiMark {
    spool: u64,
    entries: usize,
    rules: usize,
}

/// Rendered results of one format.
#[derive(Debug)]
pub struct CiResults {
    format: Format,
    spool: Spool,
    entries: usize,
    /// SARIF's rule ids (`policy/rule`), in the order first seen.
    rules: Vec<String>,
    error: Option<String>,
}

impl CiResults {
    /// The results `--output-format` asks for (none for the report and text formats).
    pub fn for_format(args: &ApplyArgs) -> Option<CiResults> {
        let format = match args.output_format.as_str() {
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "json" if !args.policy_report && !args.generate_exceptions => Format::Json,
            _ => return None,
        };
        Some(CiResults {
            format,
            spool: Spool::default(),
            entries: 0,
            rules: Vec::new(),
            error: None,
        })
    }

    /// Where the results stand now.
    pub fn mark(&self) -> CiMark {
        CiMark {
            spool: self.spool.len(),
            entries: self.entries,
            rules: self.rules.len(),
        }
    }

    /// Takes back what came after `mark`.
    pub fn truncate(&mut self, mark: CiMark) {
        if let Err(e) = self.spool.truncate(mark.spool) {
            self.error.get_or_insert(e.to_string());
        }
        self.entries = mark.entries;
        self.rules.truncate(mark.rules);
    }

    /// Adds the results of one resource.
    pub fn add(&mut self, evaluation: &Evaluation, origin: Option<&Origin>, audit_warn: bool) {
        let mut tree: Option<Option<Node>> = None;
        for response in &evaluation.policies {
            for rule in &response.rules {
                let status = reported_status(response, rule, audit_warn);
                let location = |tree: &mut Option<Option<Node>>| {
                    origin
                        .map(|o| locate(o, rule, tree.get_or_insert_with(|| parse(o)).as_ref()))
                        .unwrap_or_default()
                };
                let text = match self.format {
                    Format::Sarif => {
                        let Some(level) = sarif_level(rule, status) else {
                            continue;
                        };
                        let id = format!("{}/{}", response.policy.key(), rule.name);
                        let index = match self.rules.iter().position(|r| *r == id) {
                            Some(i) => i,
                            None => {
                                self.rules.push(id.clone());
                                self.rules.len() - 1
                            }
                        };
                        sarif_result(&id, index, level, rule, evaluation, location(&mut tree))
                    }
                    Format::Junit => {
                        junit_case(response, rule, status, evaluation, location(&mut tree))
                    }
                    Format::Json => {
                        json_entry(response, rule, status, evaluation, location(&mut tree))
                    }
                };
                self.push(&text);
            }
        }
    }

    fn push(&mut self, text: &str) {
        let separator = match (self.format, self.entries) {
            (Format::Junit, _) | (_, 0) => "",
            _ => ",",
        };
        let pushed = self
            .spool
            .push(separator)
            .and_then(|()| self.spool.push(text));
        if let Err(e) = pushed {
            self.error.get_or_insert(e.to_string());
        }
        self.entries += 1;
    }

    /// Writes the whole document.
    pub fn write(mut self, counts: &Counts, out: &mut Output) -> Result<(), String> {
        if let Some(e) = self.error.take() {
            return Err(format!("failed to write the output ({e})"));
        }
        let (head, tail) = match self.format {
            Format::Sarif => {
                let rules: Vec<Value> = self
                    .rules
                    .iter()
                    .map(|id| {
                        let rule = id.rsplit('/').next().unwrap_or(id);
                        json!({"id": id, "name": rule, "shortDescription": {"text": format!("Kyverno policy rule {id}")}})
                    })
                    .collect();
                let driver = json!({
                    "name": "rampart",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://kyverno.io/docs/writing-policies/",
                    "rules": rules,
                });
                (
                    format!(
                        "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{driver}}},\"columnKind\":\"unicodeCodePoints\",\"results\":["
                    ),
                    "]}]}\n".to_string(),
                )
            }
            Format::Junit => {
                let tests = counts.pass + counts.fail + counts.warn + counts.error + counts.skip;
                let attrs = format!(
                    "tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
                    counts.fail + counts.warn,
                    counts.error,
                    counts.skip
                );
                (
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rampart apply\" {attrs}>\n  <testsuite name=\"rampart apply\" {attrs}>\n"
                    ),
                    "  </testsuite>\n</testsuites>\n".to_string(),
                )
            }
            Format::Json => {
                let summary = json!({
                    "pass": counts.pass, "fail": counts.fail, "warn": counts.warn,
                    "error": counts.error, "skip": counts.skip,
                });
                (
                    format!("{{\"summary\":{summary},\"results\":["),
                    "]}\n".to_string(),
                )
            }
        };
        out.out(&head);
        out.append_spool(&mut self.spool)
            .map_err(|e| format!("failed to write the output ({e})"))?;
        out.out(&tail);
        Ok(())
    }
}

/// A file, and the line and column (1-based) of the field a result points at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    file: String,
    line: usize,
    column: usize,
}

/// The document's spanned tree, for the places of fields (`None` when it does not parse alone).
fn parse(origin: &Origin) -> Option<Node> {
    let mut docs = rampart::yaml::parse_nodes(&origin.text).ok()?;
    (docs.len() == 1).then(|| docs.remove(0))
}

/// Where a rule's findings are: for each failed path (a pattern's, a podSecurity field
/// error's), the deepest field of it that the document has; else `metadata.name`; else the
/// document. The first is the primary location.
fn locate(origin: &Origin, rule: &RuleResponse, tree: Option<&Node>) -> Vec<Location> {
    let at = |span: Span| position(origin, span.start);
    // Resources of files read whole keep no text: the file alone (line 0).
    let start = Location {
        file: origin.file.to_string(),
        line: origin.first_line,
        column: usize::from(origin.first_line > 0),
    };
    let Some(tree) = tree else {
        return vec![start];
    };
    if tree.get("kind").and_then(Node::as_str) == Some("List") {
        return vec![start];
    }
    let paths: Vec<Vec<String>> = match rule.validation_output() {
        Some(v) => {
            let mut paths: Vec<Vec<String>> = v
                .pod_security
                .iter()
                .flat_map(|f| &f.violations)
                .flat_map(|v| &v.field_errors)
                .map(|e| field_path(e))
                .collect();
            paths.extend(v.failed_paths.iter().map(|p| json_path(p)));
            paths
        }
        None => Vec::new(),
    };
    let mut found: Vec<Location> = Vec::new();
    for (depth, span) in paths.iter().map(|p| deepest(tree, p)) {
        let location = at(span);
        if depth > 0 && !found.contains(&location) {
            found.push(location);
        }
    }
    if found.is_empty() {
        found.push(deepest_span(tree, &["metadata", "name"]).map_or(start, at));
    }
    found
}

/// The line and column of a byte offset of the document's text.
fn position(origin: &Origin, offset: usize) -> Location {
    let before = origin.text.get(..offset).unwrap_or(&origin.text);
    let line = origin.first_line.max(1) + before.matches('\n').count();
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Location {
        file: origin.file.to_string(),
        line,
        column,
    }
}

fn deepest_span(tree: &Node, path: &[&str]) -> Option<Span> {
    let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    let (depth, span) = deepest(tree, &path);
    (depth == path.len()).then_some(span)
}

/// How far a path goes into the tree, and the span of the last field reached (its key, for a
/// mapping entry).
fn deepest(tree: &Node, path: &[String]) -> (usize, Span) {
    let mut node = tree;
    let mut span = tree.span;
    for (depth, segment) in path.iter().enumerate() {
        let next = match &node.value {
            NodeValue::Map(_) => node.entry(segment).map(|(k, v)| (k.span, v)),
            NodeValue::Seq(items) => segment
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|v| (v.span, v)),
            _ => None,
        };
        let Some((at, child)) = next else {
            return (depth, span);
        };
        span = at;
        node = child;
    }
    (path.len(), span)
}

/// `/spec/containers/0/image/` as segments.
fn json_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The field of a podSecurity field error (`spec.containers[0].securityContext.privileged is
/// forbidden, ...`, map keys as `[key]`) as segments: the path ends at the first space or colon
/// outside brackets.
fn field_path(error: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_key = false;
    for c in error.chars() {
        match (in_key, c) {
            (false, ' ' | ':') => break,
            (false, '.') => out.push(std::mem::take(&mut current)),
            (false, '[') => {
                out.push(std::mem::take(&mut current));
                in_key = true;
            }
            (true, ']') => {
                out.push(std::mem::take(&mut current));
                in_key = false;
            }
            (_, c) => current.push(c),
        }
    }
    out.push(current);
    out.retain(|s| !s.is_empty());
    out
}

/// SARIF's level of a rule result: failures of Enforce rules and errors are `error`, failures
/// of Audit rules and warnings `warning`; other results are not SARIF results.
fn sarif_level(rule: &RuleResponse, status: RuleStatus) -> Option<&'static str> {
    match status {
        RuleStatus::Error => Some("error"),
        RuleStatus::Warn => Some("warning"),
        RuleStatus::Fail if rule.failure_action == FailureAction::Enforce => Some("error"),
        RuleStatus::Fail => Some("warning"),
        RuleStatus::Pass | RuleStatus::Skip => None,
    }
}

fn sarif_result(
    id: &str,
    index: usize,
    level: &str,
    rule: &RuleResponse,
    evaluation: &Evaluation,
    locations: Vec<Location>,
) -> String {
    let resource = resource_path(&evaluation.resource);
    let logical = json!([{"fullyQualifiedName": resource, "kind": "resource"}]);
    let mut places: Vec<Value> = locations
        .iter()
        .map(|l| {
            let mut physical = json!({"artifactLocation": {"uri": uri(&l.file)}});
            if l.line > 0 {
                physical["region"] = json!({"startLine": l.line, "startColumn": l.column});
            }
            json!({"physicalLocation": physical, "logicalLocations": logical})
        })
        .collect();
    if places.is_empty() {
        places.push(json!({"logicalLocations": logical}));
    }
    json!({
        "ruleId": id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": format!("{resource}: {}", detailed_message(rule))},
        "locations": places,
    })
    .to_string()
}

/// A file name as a SARIF URI: relative paths as they are (with `/`), absolute ones as
/// `file://` URIs; spaces and `%` escaped.
fn uri(file: &str) -> String {
    let path = file
        .replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20");
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        path.trim_start_matches("./").to_string()
    }
}

fn junit_case(
    response: &PolicyResponse,
    rule: &RuleResponse,
    status: RuleStatus,
    evaluation: &Evaluation,
    locations: Vec<Location>,
) -> String {
    let name = format!("{} {}", rule.name, resource_path(&evaluation.resource));
    let mut attrs = format!(
        "classname=\"{}\" name=\"{}\"",
        xml_escape(&response.policy.key()),
        xml_escape(&name)
    );
    if let Some(l) = locations.first() {
        attrs.push_str(&format!(" file=\"{}\"", xml_escape(&l.file)));
        if l.line > 0 {
            attrs.push_str(&format!(" line=\"{}\"", l.line));
        }
    }
    let message = xml_escape(&detailed_message(rule));
    let body = match status {
        RuleStatus::Fail => format!("\n      <failure message=\"{message}\" type=\"fail\"/>\n    "),
        RuleStatus::Warn => format!("\n      <failure message=\"{message}\" type=\"warn\"/>\n    "),
        RuleStatus::Error => format!("\n      <error message=\"{message}\"/>\n    "),
        RuleStatus::Skip => format!("\n      <skipped message=\"{message}\"/>\n    "),
        RuleStatus::Pass => String::new(),
    };
    format!("    <testcase {attrs}>{body}</testcase>\n")
}

fn json_entry(
    response: &PolicyResponse,
    rule: &RuleResponse,
    status: RuleStatus,
    evaluation: &Evaluation,
    locations: Vec<Location>,
) -> String {
    let r = &evaluation.resource;
    let mut entry = json!({
        "policy": response.policy.key(),
        "rule": &*rule.name,
        "resource": {
            "apiVersion": r.api_version(),
            "kind": r.kind(),
            "namespace": r.namespace(),
            "name": r.name(),
        },
        "result": status.as_str(),
        "message": rule.message,
    });
    if let Some(l) = locations.into_iter().next() {
        entry["file"] = json!(l.file);
        if l.line > 0 {
            entry["line"] = json!(l.line);
            entry["column"] = json!(l.column);
        }
    }
    entry.to_string()
}

#[cfg(test)]
mod tests {
    use super::{field_path, json_path};

    #[test]
    fn paths_of_findings() {
        assert_eq!(
            field_path(
                "spec.containers[0].securityContext.privileged is forbidden, forbidden values found: true"
            ),
            ["spec", "containers", "0", "securityContext", "privileged"]
        );
        assert_eq!(
            field_path("metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]: x"),
            [
                "metadata",
                "annotations",
                "container.apparmor.security.beta.kubernetes.io/c"
            ]
        );
        assert_eq!(
            json_path("/spec/containers/0/image/"),
            ["spec", "containers", "0", "image"]
        );
    }
}
