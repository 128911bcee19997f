//! `rampart test`'s comparison of what a test expects (`results[]`) with what the policies
//! did, as `kyverno test` compares them: one row per (expectation, resource, rule response).

use std::path::PathBuf;

use rampart::report::reported_status;
use rampart::{
    Engine, Evaluation, InvalidPolicy, ResourceRef, RuleKind, RuleOutput, RuleResponse, RuleStatus,
    wildcard,
};
use serde_json::Value;

use super::patched;
use super::testfile::{ResourceSpec, TestResult};

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

impl Row {
    /// The row of a suite that could not run: its test file, and why.
    pub fn broken(test: &str, reason: &str, message: String) -> Row {
        Row {
            policy: String::new(),
            rule: String::new(),
            resource: test.to_string(),
            passed: false,
            reason: reason.to_string(),
            message,
        }
    }
}

/// `-t`: `policy=<wildcard>,rule=<wildcard>,resource=<wildcard>`.
#[derive(Debug, Clone)]
pub struct Selector {
    policy: String,
    rule: String,
    resource: String,
}

impl Selector {
    /// Parses a selector; parts not given select everything.
    pub fn parse(s: &str) -> Self {
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

/// What one suite's results are checked against.
pub struct Outcome<'a> {
    /// The suite's engine.
    pub engine: &'a Engine,
    /// Policies rejected when loading.
    pub invalid: &'a [InvalidPolicy],
    /// The resources, with the subresource each stands for (from the values).
    pub resources: &'a [(Value, String)],
    /// One evaluation per resource, in the same order.
    pub results: &'a [Evaluation],
    /// The files of `patchedResources` and `generatedResource(s)`, read.
    pub patched: &'a [(PathBuf, Vec<Value>)],
    /// `--strict`: a result with no rule response fails unless `skip` was expected, and a
    /// result of a rejected policy fails.
    pub strict: bool,
}

/// Which resources an expectation is about.
enum Target<'a> {
    /// A name, or `namespace/name`.
    Name(&'a str),
    /// A `resourceSpecs` entry.
    Spec(&'a ResourceSpec),
}

impl Target<'_> {
    fn display(&self) -> String {
        match self {
            Target::Name(n) => (*n).to_string(),
            Target::Spec(s) => [s.group.as_str(), &s.version, &s.kind, &s.namespace, &s.name]
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("/"),
        }
    }

    fn matches(&self, resource: &ResourceRef, subresource: &str) -> bool {
        match self {
            Target::Name(reference) => match reference.split_once('/') {
                Some((ns, n)) => ns == resource.namespace() && n == resource.name(),
                None => *reference == resource.name(),
            },
            Target::Spec(s) => {
                let (group, version) = resource
                    .api_version()
                    .rsplit_once('/')
                    .unwrap_or(("", resource.api_version()));
                let is = |want: &str, got: &str| want.is_empty() || want == got;
                is(&s.group, group)
                    && is(&s.version, version)
                    && is(&s.kind, resource.kind())
                    && is(&s.namespace, resource.namespace())
                    && is(&s.name, resource.name())
                    && s.subresource == subresource
            }
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

/// Rule responses that answer for a test rule `r`: `r`, `autogen-r` and `autogen-cronjob-r`.
fn answers_for<'a>(rule: &str, responses: &'a [RuleResponse]) -> Vec<&'a RuleResponse> {
    responses
        .iter()
        .filter(|resp| super::values::names_rule(rule, &resp.name))
        .collect()
}

/// Checks one answer: its patched resource (for a mutate rule of a result with
/// `patchedResources`) or generated objects (for a generate rule of a result with
/// `generatedResource(s)`), then its status. A result expecting `fail` is met by a failed status
/// or by a resource that differs from the file (the way suites write negative tests).
fn check_answer(
    want: RuleStatus,
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
        Some(Err(_)) if want == RuleStatus::Fail => (true, "Ok".into(), answer.message.clone()),
        Some(Err((m, what))) => (false, m.reason, format!("{what}\n{}", m.detail)),
        _ if got == want => (true, "Ok".into(), answer.message.clone()),
        _ => (
            false,
            format!("Want {}, got {}", want.as_str(), got.as_str()),
            answer.message.clone(),
        ),
    }
}

/// The documents of a result's expected resource files (`patchedResources`, or
/// `generatedResource(s)`), with the files' names.
fn expected_resources(
    expected: &TestResult,
    loaded: &[(PathBuf, Vec<Value>)],
) -> Option<(String, Vec<Value>)> {
    let files: Vec<&PathBuf> = expected
        .patched_resources
        .iter()
        .chain(&expected.generated_resources)
        .map(|f| &f.value)
        .collect();
    if files.is_empty() {
        return None;
    }
    let docs = files
        .iter()
        .filter_map(|f| loaded.iter().find(|(path, _)| path == *f))
        .flat_map(|(_, docs)| docs.iter().cloned())
        .collect();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Some((names.join(", "), docs))
}

/// The rows of one expectation.
pub fn check(expected: &TestResult, outcome: &Outcome, selector: &Selector) -> Vec<Row> {
    let (policy_name, rule, want) = (&expected.policy, &expected.rule, expected.result);
    if !wildcard::matches(&selector.policy, policy_name) || !wildcard::matches(&selector.rule, rule)
    {
        return Vec::new();
    }
    let targets: Vec<Target> = match (&expected.resources, &expected.resource_specs) {
        (None, specs) if specs.is_empty() => outcome
            .resources
            .iter()
            .map(|(r, _)| Target::Name(super::resources::name_of(r)))
            .collect(),
        (names, specs) => names
            .iter()
            .flatten()
            .map(|n| Target::Name(n))
            .chain(specs.iter().map(Target::Spec))
            .collect(),
    };
    let is_policy = |key: &str, name: &str| key == policy_name || name == policy_name;
    let known = outcome
        .engine
        .policies()
        .any(|p| is_policy(&p.key(), &p.name));
    let invalid = outcome.invalid.iter().any(|p| &p.name == policy_name);
    let mut rows = Vec::new();
    for target in targets
        .iter()
        .filter(|t| wildcard::matches(&selector.resource, &t.display()))
    {
        let base = Row {
            policy: policy_name.clone(),
            rule: rule.clone(),
            resource: target.display(),
            passed: false,
            reason: String::new(),
            message: String::new(),
        };
        if let Some(flag) = expected.policy_type {
            let kind = flag.strip_prefix("is").unwrap_or(flag);
            rows.push(Row {
                reason: format!("Unsupported: {kind}"),
                message: format!("{kind} policies are not evaluated by this version of rampart"),
                ..base
            });
            continue;
        }
        if invalid {
            rows.push(Row {
                passed: !outcome.strict,
                reason: "Invalid Policy".into(),
                ..base
            });
            continue;
        }
        let matching: Vec<&Evaluation> = outcome
            .results
            .iter()
            .zip(outcome.resources)
            .filter(|(e, (_, sub))| target.matches(&e.resource, sub))
            .map(|(e, _)| e)
            .collect();
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
            let answers = response.map_or_else(Vec::new, |p| answers_for(rule, &p.rules));
            let Some(response) = response.filter(|_| !answers.is_empty()) else {
                let passed = !outcome.strict || want == RuleStatus::Skip;
                rows.push(Row {
                    resource: label.clone(),
                    passed,
                    reason: "Excluded".into(),
                    message: "Excluded".into(),
                    ..base.clone()
                });
                continue;
            };
            let file = expected_resources(expected, outcome.patched);
            for answer in answers {
                let got = reported_status(response, answer, false);
                let patched = match &answer.output {
                    RuleOutput::Mutation(m) if m.target.is_some() => m.target.as_deref(),
                    _ => response.patched.as_deref(),
                };
                let (passed, reason, message) =
                    check_answer(want, got, answer, patched, file.as_ref());
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
