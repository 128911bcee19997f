//! A `cli.kyverno.io/v1alpha1 Test` file (`kyverno-test.yaml`), read strictly as Kyverno's CLI
//! reads it: every field of Kyverno's Test and TestResult is known, anything else is an error
//! with its place and a suggestion, and the files it names are resolved relative to it and
//! must exist.

use std::path::{Path, PathBuf};

use rampart::assertion::Assertion;
use rampart::diag::did_you_mean;
use rampart::reader::{Reader, Spanned};
use rampart::yaml::{Node, NodeValue};
use rampart::{Diagnostic, Operation, RuleStatus, SourceMap};
use serde_json::Value;

use super::document::{self, CLI_API_VERSION, Document, Unread};
use super::values::Values;

/// A Test, as read. Paths are resolved relative to the test file's directory.
#[derive(Debug, Clone, Default)]
pub struct TestFile {
    /// `metadata.name`.
    pub name: String,
    /// `policies`: policy files or directories.
    pub policies: Vec<Spanned<PathBuf>>,
    /// `resources`: resource files or directories.
    pub resources: Vec<Spanned<PathBuf>>,
    /// `targetResources`: the existing resources mutate-existing rules patch.
    pub target_resources: Vec<Spanned<PathBuf>>,
    /// `variables`: a Values file.
    pub variables: Option<Spanned<PathBuf>>,
    /// `values`: inline values; Kyverno reads them instead of `variables` when both are given.
    pub values: Option<Values>,
    /// `userinfo`: a UserInfo file.
    pub user_info: Option<Spanned<PathBuf>>,
    /// `exceptions`: PolicyException files, for the PolicyException support (read here, applied
    /// by the exceptions work).
    pub exceptions: Vec<Spanned<PathBuf>>,
    /// `clusterResources`: ClusterResource files, whose objects are the test's cluster.
    pub cluster_resources: Vec<Spanned<PathBuf>>,
    /// `apiCallResponses`: answers to API calls.
    pub api_call_responses: Vec<ApiCallMock>,
    /// `globalContextEntries`: data of global context entries.
    pub global_context_entries: Vec<GlobalContextMock>,
    /// `results`: the expectations.
    pub results: Vec<TestResult>,
    /// `checks`: assertion trees over the rule responses.
    pub checks: Vec<Check>,
}

/// One `checks[]` entry, in kyverno-json's assertion language.
#[derive(Debug, Clone, Default)]
pub struct Check {
    /// `match.resource`: the resources whose responses are checked.
    pub resource: Option<Assertion>,
    /// `match.policy`: the policies whose responses are checked.
    pub policy: Option<Assertion>,
    /// `match.rule`: the rule responses checked (on `{name}`).
    pub rule: Option<Assertion>,
    /// `assert`: what each rule response must satisfy.
    pub assert: Option<Assertion>,
    /// `error`: what each rule response must not satisfy.
    pub error: Option<Assertion>,
}

/// One expectation (`results[]`).
#[derive(Debug, Clone)]
pub struct TestResult {
    /// `policy`: `<name>`, or `<namespace>/<name>` for a namespaced Policy.
    pub policy: String,
    /// `rule`.
    pub rule: String,
    /// `resources`: names or `namespace/name`s; `None` for every resource.
    pub resources: Option<Vec<String>>,
    /// `resourceSpecs`: resources by group, version, kind, namespace and name.
    pub resource_specs: Vec<ResourceSpec>,
    /// `result`: the expected status.
    pub result: RuleStatus,
    /// `operation`: evaluate the resources with this operation for this expectation.
    pub operation: Option<Operation>,
    /// `patchedResources`: the expected mutated resources.
    pub patched_resources: Option<Spanned<PathBuf>>,
    /// `generatedResource` and `generatedResources`: the expected generated resources, for the
    /// generate support (read here, compared by the generate work).
    pub generated_resources: Vec<Spanned<PathBuf>>,
    /// `cloneSourceResource`: the source of a clone rule, for the generate support.
    pub clone_source_resource: Option<Spanned<PathBuf>>,
    /// The `is<Type>` flag of a result for a policy type this version does not load
    /// (`isValidatingPolicy`, ...), if set.
    pub policy_type: Option<&'static str>,
}

/// A `resourceSpecs[]` entry: fields left empty match anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceSpec {
    /// API group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Subresource (from the values' `subresources`).
    pub subresource: String,
    /// Name.
    pub name: String,
}

/// An `apiCallResponses[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCallMock {
    /// What it answers.
    pub target: MockTarget,
    /// `method` (`GET` or `POST`); `None` answers any method.
    pub method: Option<String>,
    /// `response.statusCode` (200 when not given).
    pub status: u16,
    /// `response.body`.
    pub body: Value,
}

/// What an API call mock answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockTarget {
    /// `url`: calls to a service.
    Url(String),
    /// `urlPath`: calls to the Kubernetes API.
    UrlPath(String),
}

/// A `globalContextEntries[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalContextMock {
    /// `name`: the GlobalContextEntry it stands for.
    pub name: String,
    /// `data`, or the list of `resources` (objects given inline).
    pub data: Value,
    /// `resourceFiles`: files of objects added to `resources`.
    pub resource_files: Vec<Spanned<PathBuf>>,
    /// `fieldPath`: a JMESPath narrowing the data.
    pub field_path: Option<String>,
    /// `projections`: `(name, JMESPath)` pairs; when given, the entry is an object of them.
    pub projections: Vec<(String, String)>,
}

/// Flags of results for policy types this version does not load.
const POLICY_TYPE_FLAGS: &[&str] = &[
    "isValidatingAdmissionPolicy",
    "isMutatingAdmissionPolicy",
    "isValidatingPolicy",
    "isDeletingPolicy",
    "isImageValidatingPolicy",
    "isGeneratingPolicy",
    "isMutatingPolicy",
];

/// Test fields that only CEL and JSON policy types use (this version does not load them).
const CEL_INPUTS: &[&str] = &[
    "paramResources",
    "jsonPayload",
    "jsonPayloads",
    "httpPayloads",
    "envoyPayloads",
    "context",
];

/// Fields Kyverno's Test and TestResult no longer have, with what replaced them.
const REMOVED: &[(&str, &str)] = &[
    ("status", "use `result`"),
    ("resource", "use `resources: [<name>]`"),
    (
        "namespace",
        "name the resource `<namespace>/<name>` in `resources`",
    ),
    ("patchedResource", "use `patchedResources`"),
];

const RESULTS: &[&str] = &["pass", "fail", "warn", "error", "skip"];
const OPERATIONS: &[&str] = &["CREATE", "UPDATE", "DELETE"];

impl TestFile {
    /// Reads a test file.
    pub fn load(
        path: &Path,
        sources: &mut SourceMap,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<TestFile, Unread> {
        let doc = document::read_one(path, "Test", sources, diagnostics)?;
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        TestFile::from_document(&doc, &base, diagnostics)
    }

    /// Reads a Test document whose paths are relative to `base`.
    pub fn from_document(
        doc: &Document,
        base: &Path,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<TestFile, Unread> {
        document::read_with(doc, diagnostics, |r, node| {
            let test = read_test(r, node, base)?;
            for path in test.referenced_files() {
                document::check_exists(r, path);
            }
            Some(test)
        })
    }

    /// Every file the test names.
    pub fn referenced_files(&self) -> impl Iterator<Item = &Spanned<PathBuf>> {
        let results = self.results.iter().flat_map(|r| {
            r.patched_resources
                .iter()
                .chain(&r.generated_resources)
                .chain(&r.clone_source_resource)
        });
        let globals = self
            .global_context_entries
            .iter()
            .flat_map(|g| &g.resource_files);
        self.policies
            .iter()
            .chain(&self.resources)
            .chain(&self.target_resources)
            .chain(&self.variables)
            .chain(&self.user_info)
            .chain(&self.exceptions)
            .chain(&self.cluster_resources)
            .chain(globals)
            .chain(results)
    }
}

fn read_test(r: &mut Reader, node: &Node, base: &Path) -> Option<TestFile> {
    let mut obj = r.object(node, "Test")?;
    let name = document::header(r, &mut obj, CLI_API_VERSION, "Test");
    if let Some((key, _)) = obj.entry("name") {
        r.error(
            key.span,
            "the top-level `name` belongs to the schema Kyverno removed",
            "deprecated",
        )
        .notes
        .push("use `metadata.name`".into());
    }
    let mut paths = |field: &'static str| {
        obj.field(field)
            .map(|n| document::paths(r, n, field, base))
            .unwrap_or_default()
    };
    let policies = paths("policies");
    let resources = paths("resources");
    let target_resources = paths("targetResources");
    let exceptions = paths("exceptions");
    let cluster_resources = paths("clusterResources");
    let mut path = |field: &'static str| {
        obj.field(field)
            .and_then(|n| document::path(r, n, field, base))
    };
    let variables = path("variables");
    let user_info = path("userinfo");
    let values = obj.field("values").and_then(|n| {
        let mut values = r.object(n, "values")?;
        let read = Values::read_spec(r, &mut values);
        values.finish(r);
        Some(read)
    });
    if let (Some(file), Some(_)) = (&variables, &values) {
        r.warning(
            file.span,
            "both `variables` and `values` are given: the `values` are used and this file is not read, as in Kyverno",
            "not read",
        );
    }
    let api_call_responses = obj
        .field("apiCallResponses")
        .and_then(|n| r.list(n, "apiCallResponses"))
        .map(|items| items.iter().filter_map(|i| api_call_mock(r, i)).collect())
        .unwrap_or_default();
    let global_context_entries = obj
        .field("globalContextEntries")
        .and_then(|n| r.list(n, "globalContextEntries"))
        .map(|items| global_mocks(r, items, base))
        .unwrap_or_default();
    for field in CEL_INPUTS {
        if let Some((key, _)) = obj.entry(field) {
            r.warning(
                key.span,
                format!("`{field}` is for CEL and JSON policy types, which this version does not evaluate; ignored"),
                "ignored",
            );
        }
    }
    let checks: Vec<Check> = obj
        .field("checks")
        .and_then(|n| r.list(n, "checks"))
        .map(|items| items.iter().filter_map(|i| check(r, i)).collect())
        .unwrap_or_default();
    let results = match obj.field("results") {
        Some(n) => r
            .list(n, "results")
            .map(|items| items.iter().filter_map(|i| result(r, i, base)).collect())
            .unwrap_or_default(),
        // A misspelt `results` is reported as an unknown field, with the suggestion.
        None if misspelt(node, "results") || !checks.is_empty() => Vec::new(),
        None => {
            let span = obj.head_span();
            r.error(
                span,
                "missing `results`: this Test checks nothing",
                "no `results`",
            )
            .notes
            .push("add `results:` with the rule results the policies should give".into());
            Vec::new()
        }
    };
    obj.finish(r);
    Some(TestFile {
        name: name.map(|n| n.value).unwrap_or_default(),
        policies,
        resources,
        target_resources,
        variables,
        values,
        user_info,
        exceptions,
        cluster_resources,
        api_call_responses,
        global_context_entries,
        results,
        checks,
    })
}

/// A `checks[]` entry: its assertion trees compiled, their mistakes reported where written.
fn check(r: &mut Reader, node: &Node) -> Option<Check> {
    let mut obj = r.object(node, "check")?;
    let mut check = Check::default();
    if let Some(n) = obj.field("match") {
        let mut matcher = r.object(n, "match")?;
        check.resource = matcher.field("resource").and_then(|n| assertion(r, n));
        check.policy = matcher.field("policy").and_then(|n| assertion(r, n));
        check.rule = matcher.field("rule").and_then(|n| assertion(r, n));
        matcher.finish(r);
    }
    let assert = obj.field("assert");
    let error = obj.field("error");
    check.assert = assert.and_then(|n| assertion(r, n));
    check.error = error.and_then(|n| assertion(r, n));
    let given = |n: Option<&Node>| n.is_some_and(|n| n.value != NodeValue::Null);
    if !given(assert) && !given(error) {
        r.warning(
            obj.head_span(),
            "this check has neither `assert` nor `error`: it checks nothing",
            "nothing to check",
        );
    }
    obj.finish(r);
    Some(check)
}

/// An assertion tree (`null` is none, as in Kyverno).
fn assertion(r: &mut Reader, node: &Node) -> Option<Assertion> {
    if node.value == NodeValue::Null {
        return None;
    }
    if let Some((key, _)) = node.entry("cel") {
        r.warning(
            key.span,
            "`cel` here is a field of the rule response, as in Kyverno's released CLI: the CEL check form of Kyverno's development branch is not read",
            "asserted as a field",
        );
    }
    match Assertion::parse(node) {
        Ok(a) => Some(a),
        Err(problems) => {
            for (span, message) in problems {
                r.error(span, message, "invalid assertion");
            }
            None
        }
    }
}

/// Whether a mapping has a key that looks like a misspelling of `field`.
fn misspelt(node: &Node, field: &str) -> bool {
    match &node.value {
        NodeValue::Map(entries) => entries
            .iter()
            .any(|(k, _)| k.text != field && did_you_mean(&k.text, [field]).is_some()),
        _ => false,
    }
}

fn result(r: &mut Reader, node: &Node, base: &Path) -> Option<TestResult> {
    let mut obj = r.object(node, "result")?;
    for (field, replacement) in REMOVED {
        if let Some((key, _)) = obj.entry(field) {
            r.error(
                key.span,
                format!("`{field}` is no longer a field of a Test result"),
                "removed",
            )
            .notes
            .push((*replacement).to_string());
        }
    }
    let policy = obj
        .required(r, "policy")
        .and_then(|n| r.string(n, "policy"));
    let rule = obj
        .field("rule")
        .and_then(|n| r.string(n, "rule"))
        .map(|s| s.value)
        .unwrap_or_default();
    // `kind` is not used to find the resources, as in Kyverno.
    if let Some(n) = obj.field("kind") {
        r.string(n, "kind");
    }
    let expected = obj
        .required(r, "result")
        .and_then(|n| r.one_of(n, "result", RESULTS))
        .and_then(|s| RuleStatus::parse(&s.value));
    let resources = obj.field("resources").map(|n| {
        r.string_list(n, "resources")
            .into_iter()
            .map(|s| s.value)
            .collect()
    });
    let resource_specs = obj
        .field("resourceSpecs")
        .and_then(|n| r.list(n, "resourceSpecs"))
        .map(|items| items.iter().filter_map(|i| resource_spec(r, i)).collect())
        .unwrap_or_default();
    let operation = obj
        .field("operation")
        .and_then(|n| r.one_of(n, "operation", OPERATIONS))
        .and_then(|s| Operation::parse(&s.value));
    let mut path = |field: &'static str| {
        obj.field(field)
            .and_then(|n| document::path(r, n, field, base))
    };
    let patched_resources = path("patchedResources");
    let generated = path("generatedResource");
    let clone_source_resource = path("cloneSourceResource");
    let mut generated_resources: Vec<_> = generated.into_iter().collect();
    if let Some(n) = obj.field("generatedResources") {
        generated_resources.extend(document::paths(r, n, "generatedResources", base));
    }
    if let Some(n) = obj.field("failOnMissingResources") {
        // Rampart always fails a result whose resource is missing from its file.
        r.boolean(n, "failOnMissingResources");
    }
    let mut policy_type = None;
    for flag in POLICY_TYPE_FLAGS {
        if let Some(b) = obj.field(flag).and_then(|n| r.boolean(n, flag))
            && b.value
        {
            policy_type = Some(*flag);
        }
    }
    obj.finish(r);
    Some(TestResult {
        policy: policy?.value,
        rule,
        resources,
        resource_specs,
        result: expected?,
        operation,
        patched_resources,
        generated_resources,
        clone_source_resource,
        policy_type,
    })
}

fn resource_spec(r: &mut Reader, node: &Node) -> Option<ResourceSpec> {
    let mut obj = r.object(node, "resourceSpecs entry")?;
    let mut text = |field: &'static str| {
        obj.field(field)
            .and_then(|n| r.string(n, field))
            .map(|s| s.value)
            .unwrap_or_default()
    };
    let spec = ResourceSpec {
        group: text("group"),
        version: text("version"),
        kind: text("kind"),
        namespace: text("namespace"),
        subresource: text("subresource"),
        name: text("name"),
    };
    obj.finish(r);
    Some(spec)
}

fn api_call_mock(r: &mut Reader, node: &Node) -> Option<ApiCallMock> {
    let mut obj = r.object(node, "apiCallResponses entry")?;
    let url = obj.field("url").and_then(|n| r.string(n, "url"));
    let url_path = obj.field("urlPath").and_then(|n| r.string(n, "urlPath"));
    let method = obj
        .field("method")
        .and_then(|n| r.one_of(n, "method", &["GET", "POST", ""]))
        .map(|m| m.value)
        .filter(|m| !m.is_empty());
    let response = obj
        .required(r, "response")
        .and_then(|n| mock_response(r, n));
    let head = obj.head_span();
    obj.finish(r);
    let target = match (url, url_path) {
        (Some(url), None) => {
            let valid = ["https://", "http://"]
                .iter()
                .filter_map(|scheme| url.value.strip_prefix(scheme))
                .any(|rest| !rest.is_empty() && !rest.starts_with('/'));
            if !valid {
                r.error(
                    url.span,
                    "`url` must be an absolute http or https URL with a host",
                    "not an absolute URL",
                );
                return None;
            }
            MockTarget::Url(url.value)
        }
        (None, Some(path)) => {
            if !path.value.starts_with('/') {
                r.error(
                    path.span,
                    "`urlPath` must be an absolute path starting with `/`",
                    "not an absolute path",
                );
                return None;
            }
            MockTarget::UrlPath(path.value)
        }
        (Some(_), Some(path)) => {
            r.error(
                path.span,
                "`url` and `urlPath` are mutually exclusive",
                "both given",
            );
            return None;
        }
        (None, None) => {
            r.error(
                head,
                "an API call response needs `url` or `urlPath`",
                "neither given",
            );
            return None;
        }
    };
    let (status, body) = response?;
    Some(ApiCallMock {
        target,
        method,
        status,
        body,
    })
}

/// `response`: `statusCode` (100 to 599, 200 when not given) and `body` (a mapping).
fn mock_response(r: &mut Reader, node: &Node) -> Option<(u16, Value)> {
    let mut obj = r.object(node, "response")?;
    let status = match obj
        .field("statusCode")
        .and_then(|n| r.integer(n, "statusCode"))
    {
        None => Some(200),
        Some(code) => match u16::try_from(code.value) {
            Ok(c) if (100..=599).contains(&c) => Some(c),
            _ => {
                r.error(
                    code.span,
                    "`statusCode` must be between 100 and 599",
                    "out of range",
                );
                None
            }
        },
    };
    let body = obj.required(r, "body").and_then(|n| {
        r.mapping(n, "body")?;
        Some(n.to_json())
    });
    obj.finish(r);
    Some((status?, body?))
}

fn global_mocks(r: &mut Reader, items: &[Node], base: &Path) -> Vec<GlobalContextMock> {
    let mut out: Vec<GlobalContextMock> = Vec::new();
    for item in items {
        let Some(mut obj) = r.object(item, "globalContextEntries entry") else {
            continue;
        };
        let name = obj.required(r, "name").and_then(|n| r.string(n, "name"));
        let data = obj.field("data").and_then(|n| {
            r.mapping(n, "data")?;
            Some(n.to_json())
        });
        let resources = obj.field("resources").and_then(|n| {
            r.list(n, "resources")?;
            Some(n.to_json())
        });
        let resource_files = obj
            .field("resourceFiles")
            .map(|n| document::paths(r, n, "resourceFiles", base))
            .unwrap_or_default();
        let field_path = obj
            .field("fieldPath")
            .and_then(|n| r.string(n, "fieldPath"))
            .map(|s| s.value);
        let projections = obj
            .field("projections")
            .and_then(|n| r.list(n, "projections"))
            .map(|items| items.iter().filter_map(|p| projection(r, p)).collect())
            .unwrap_or_default();
        let head = obj.head_span();
        obj.finish(r);
        let Some(name) = name else {
            continue;
        };
        if out.iter().any(|g| g.name == name.value) {
            r.error(
                name.span,
                format!("duplicate global context entry `{}`", name.value),
                "already given",
            );
            continue;
        }
        let data = match (data, resources) {
            (Some(data), None) => data,
            (None, Some(list)) => list,
            (None, None) if !resource_files.is_empty() => Value::Array(Vec::new()),
            (Some(_), Some(_)) => {
                r.error(
                    head,
                    "`data` and `resources` are mutually exclusive",
                    "both given",
                );
                continue;
            }
            (None, None) => {
                r.error(
                    head,
                    format!(
                        "global context entry `{}` needs `data`, `resources` or `resourceFiles`",
                        name.value
                    ),
                    "no data",
                );
                continue;
            }
        };
        out.push(GlobalContextMock {
            name: name.value,
            data,
            resource_files,
            field_path,
            projections,
        });
    }
    out
}

fn projection(r: &mut Reader, node: &Node) -> Option<(String, String)> {
    let mut obj = r.object(node, "projection")?;
    let name = obj.required(r, "name").and_then(|n| r.string(n, "name"));
    let path = obj.required(r, "path").and_then(|n| r.string(n, "path"));
    obj.finish(r);
    Some((name?.value, path?.value))
}
