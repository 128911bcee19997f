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

use std::sync::Mutex;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use rampart::{AdmissionRequest, Evaluation, FailureAction, RuleKind};

/// Label pairs.
type Labels = Vec<(String, String)>;

fn histogram() -> Histogram {
    // 50 µs to about 26 s.
    Histogram::new(exponential_buckets(0.00005, 2.0, 20))
}

/// The metrics of one server.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<Labels, Counter>,
    review_duration: Family<Labels, Histogram, fn() -> Histogram>,
    results: Family<Labels, Counter>,
    execution_duration: Family<Labels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<Labels, Counter>::default();
        let review_duration: Family<Labels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(histogram);
        let results = Family::<Labels, Counter>::default();
        let execution_duration: Family<Labels, Histogram, fn() -> Histogram> =
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

fn pair(k: &str, v: impl Into<String>) -> (String, String) {
    (k.to_string(), v.into())
}

impl Metrics {
    /// Records an answered request (`webhook`: `validate`, `mutate` or `psa`).
    pub fn request(&self, request: &AdmissionRequest, webhook: &str, allowed: bool, seconds: f64) {
        let labels = vec![
            pair("resource_kind", request.kind.kind.clone()),
            pair("resource_namespace", request.namespace.clone()),
            pair(
                "resource_request_operation",
                request.operation.as_str().to_lowercase(),
            ),
            pair("request_allowed", allowed.to_string()),
            pair("request_webhook", webhook),
        ];
        self.requests.get_or_create(&labels).inc();
        self.review_duration.get_or_create(&labels).observe(seconds);
    }

    /// Records the rule results of an evaluation.
    pub fn results(&self, request: &AdmissionRequest, evaluation: &Evaluation, seconds: f64) {
        for response in &evaluation.policies {
            let policy = &response.policy;
            for rule in &response.rules {
                let mode = match response.failure_action {
                    FailureAction::Enforce => "enforce",
                    FailureAction::Audit => "audit",
                };
                let rule_type = match rule.kind() {
                    RuleKind::Validation => "validate",
                    RuleKind::Mutation => "mutate",
                    RuleKind::Generation => "generate",
                    RuleKind::ImageVerification => "imageVerify",
                };
                let labels = vec![
                    pair("policy_validation_mode", mode),
                    pair("policy_type", policy.kind.as_str()),
                    pair("policy_background_mode", policy.background.to_string()),
                    pair("policy_name", policy.name.clone()),
                    pair(
                        "policy_namespace",
                        policy.namespace.clone().unwrap_or_else(|| "-".into()),
                    ),
                    pair("resource_kind", request.kind.kind.clone()),
                    pair("resource_namespace", request.namespace.clone()),
                    pair(
                        "resource_request_operation",
                        request.operation.as_str().to_lowercase(),
                    ),
                    pair("rule_name", rule.name.to_string()),
                    pair("rule_result", rule.status.as_str()),
                    pair("rule_type", rule_type),
                    pair("rule_execution_cause", "admission_request"),
                ];
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
