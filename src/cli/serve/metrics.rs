//! `rampart serve`'s metrics, in Prometheus text under Kyverno's names and labels, so that
//! dashboards and alerts written for Kyverno's admission controller work unchanged.
//!
//! - `kyverno_admission_requests_total` and `kyverno_admission_review_duration_seconds`
//!   (`resource_kind`, `resource_namespace`, `resource_request_operation`, `request_allowed`,
//!   `request_webhook`);
//! - `kyverno_policy_results_total` and `kyverno_policy_execution_duration_seconds` (per rule
//!   result: `policy_validation_mode`, `policy_type`, `policy_background_mode`, `policy_name`,
//!   `policy_namespace`, `resource_kind`, `resource_namespace`, `resource_request_operation`,
//!   `rule_name`, `rule_result`, `rule_type`, `rule_execution_cause`). The engine evaluates all
//!   policies of a request together, so the execution duration of a rule result is the
//!   request's evaluation time.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{EncodeLabel, EncodeLabelSet, LabelSetEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use rampart::{AdmissionRequest, Evaluation, FailureAction, PolicyInfo, RuleKind};

/// The labels of a request: built once per request and shared by its rule results.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RequestLabels {
    kind: String,
    namespace: String,
    operation: &'static str,
}

impl RequestLabels {
    fn of(request: &AdmissionRequest) -> Self {
        let operation = match request.operation.as_str() {
            "CREATE" => "create",
            "UPDATE" => "update",
            "DELETE" => "delete",
            _ => "connect",
        };
        RequestLabels {
            kind: request.kind.kind.clone(),
            namespace: request.namespace.clone(),
            operation,
        }
    }

    fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            ("resource_kind", &self.kind),
            ("resource_namespace", &self.namespace),
            ("resource_request_operation", self.operation),
        ]
    }
}

/// The labels of an answered request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AnswerLabels {
    request: Arc<RequestLabels>,
    allowed: bool,
    webhook: &'static str,
}

impl EncodeLabelSet for AnswerLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), std::fmt::Error> {
        for pair in self.request.pairs() {
            pair.encode(encoder.encode_label())?;
        }
        let allowed = if self.allowed { "true" } else { "false" };
        ("request_allowed", allowed).encode(encoder.encode_label())?;
        ("request_webhook", self.webhook).encode(encoder.encode_label())
    }
}

/// A policy, compared and hashed by what its labels show (no copy of its name).
#[derive(Debug, Clone)]
struct PolicyLabels(Arc<PolicyInfo>);

impl PolicyLabels {
    fn key(&self) -> (&str, Option<&str>, &'static str, bool) {
        let p = &self.0;
        (
            &p.name,
            p.namespace.as_deref(),
            p.kind.as_str(),
            p.background,
        )
    }
}

impl PartialEq for PolicyLabels {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for PolicyLabels {}

impl Hash for PolicyLabels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// The labels of a rule result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RuleLabels {
    request: Arc<RequestLabels>,
    policy: PolicyLabels,
    mode: &'static str,
    rule: Arc<str>,
    result: &'static str,
    rule_type: &'static str,
}

impl EncodeLabelSet for RuleLabels {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> Result<(), std::fmt::Error> {
        let (name, namespace, kind, background) = self.policy.key();
        ("policy_validation_mode", self.mode).encode(encoder.encode_label())?;
        ("policy_type", kind).encode(encoder.encode_label())?;
        let background = if background { "true" } else { "false" };
        ("policy_background_mode", background).encode(encoder.encode_label())?;
        ("policy_name", name).encode(encoder.encode_label())?;
        ("policy_namespace", namespace.unwrap_or("-")).encode(encoder.encode_label())?;
        for pair in self.request.pairs() {
            pair.encode(encoder.encode_label())?;
        }
        ("rule_name", &*self.rule).encode(encoder.encode_label())?;
        ("rule_result", self.result).encode(encoder.encode_label())?;
        ("rule_type", self.rule_type).encode(encoder.encode_label())?;
        ("rule_execution_cause", "admission_request").encode(encoder.encode_label())
    }
}

fn histogram() -> Histogram {
    // 50 µs to about 26 s.
    Histogram::new(exponential_buckets(0.00005, 2.0, 20))
}

/// The metrics of one server.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<AnswerLabels, Counter>,
    review_duration: Family<AnswerLabels, Histogram, fn() -> Histogram>,
    results: Family<RuleLabels, Counter>,
    execution_duration: Family<RuleLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<AnswerLabels, Counter>::default();
        let review_duration: Family<AnswerLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(histogram);
        let results = Family::<RuleLabels, Counter>::default();
        let execution_duration: Family<RuleLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(histogram);
        registry.register(
            "kyverno_admission_requests",
            "Admission requests answered",
            requests.clone(),
        );
        registry.register(
            "kyverno_admission_review_duration_seconds",
            "Time to answer an admission request",
            review_duration.clone(),
        );
        registry.register(
            "kyverno_policy_results",
            "Rule results of admission requests",
            results.clone(),
        );
        registry.register(
            "kyverno_policy_execution_duration_seconds",
            "Time to evaluate the policies of a rule result",
            execution_duration.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            requests,
            review_duration,
            results,
            execution_duration,
        }
    }
}

impl Metrics {
    /// Records an answered request (`webhook`: `validate`, `mutate` or `psa`).
    pub fn request(
        &self,
        request: &AdmissionRequest,
        webhook: &'static str,
        allowed: bool,
        seconds: f64,
    ) {
        let labels = AnswerLabels {
            request: Arc::new(RequestLabels::of(request)),
            allowed,
            webhook,
        };
        self.requests.get_or_create(&labels).inc();
        self.review_duration.get_or_create(&labels).observe(seconds);
    }

    /// Records the rule results of an evaluation.
    pub fn results(&self, request: &AdmissionRequest, evaluation: &Evaluation, seconds: f64) {
        let shared = Arc::new(RequestLabels::of(request));
        for response in &evaluation.policies {
            for rule in &response.rules {
                let labels = RuleLabels {
                    request: Arc::clone(&shared),
                    policy: PolicyLabels(Arc::clone(&response.policy)),
                    mode: match response.failure_action {
                        FailureAction::Enforce => "enforce",
                        FailureAction::Audit => "audit",
                    },
                    rule: Arc::clone(&rule.name),
                    result: rule.status.as_str(),
                    rule_type: match rule.kind() {
                        RuleKind::Validation => "validate",
                        RuleKind::Mutation => "mutate",
                        RuleKind::Generation => "generate",
                        RuleKind::ImageVerification => "imageVerify",
                    },
                };
                self.results.get_or_create(&labels).inc();
                self.execution_duration
                    .get_or_create(&labels)
                    .observe(seconds);
            }
        }
    }

    /// The metrics in Prometheus text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            let _ = encode(&mut out, &registry);
        }
        out
    }
}
