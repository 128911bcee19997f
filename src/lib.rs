//! Rampart: a Kubernetes policy engine for the Kyverno policy language (`kyverno.io/v1`
//! `ClusterPolicy` and `Policy`), with Pod Security Admission built in.
//!
//! This crate is the engine alone: no command line, server or terminal code. Its API is a few
//! verbs:
//!
//! - [`Loader`] reads policies and policy exceptions (files, directories, strings, `stdlib:`
//!   paths) with diagnostics that name the file, line and column, and builds an [`Engine`];
//! - [`Engine::evaluate`] evaluates an [`AdmissionRequest`] (wrapped in a [`Request`] with what
//!   Kyverno knows beside it) and returns an [`Evaluation`]: every rule's response;
//! - [`Evaluation::decision`] is the admission answer Kyverno gives, and
//!   [`report::policy_reports`] turns evaluations into policy reports.
//!
//! ```
//! use rampart::{AdmissionReview, Loader, Request};
//! let mut loader = Loader::new();
//! loader.add_paths(&["stdlib:pod-security/restricted.yaml"]).unwrap();
//! assert!(!loader.has_errors());
//! let engine = loader.engine();
//! let review = AdmissionReview::from_json(br#"{
//!   "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
//!   "request": {"uid": "42", "operation": "CREATE", "namespace": "default",
//!     "kind": {"group": "", "version": "v1", "kind": "Pod"},
//!     "resource": {"group": "", "version": "v1", "resource": "pods"},
//!     "userInfo": {"username": "alice"},
//!     "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "root"},
//!       "spec": {"containers": [{"name": "c", "image": "nginx",
//!         "securityContext": {"runAsUser": 0}}]}}}}"#).unwrap();
//! let request = review.request.as_ref().unwrap();
//! let decision = engine.evaluate(&Request::new(request)).decision_for(request);
//! assert!(!decision.allowed); // the policy enforces the Restricted level
//! assert!(decision.message().contains(r#"It violates PodSecurity "restricted:latest""#));
//! let answer = review.respond(decision.into_response(&request.uid));
//! assert_eq!(answer.response.unwrap().uid, "42");
//! ```
//!
//! The modules below the curated types are public where they are useful on their own:
//! [`expr`] (JMESPath with Kyverno's functions), [`podsecurity`] (the Pod Security Standards and
//! Pod Security Admission), [`jsonpatch`] (RFC 6902 JSON Patch as Kyverno applies it, and
//! diffs), [`yaml`] (Kubernetes YAML with spans), [`reader`] (typed reading of spanned YAML
//! with schema diagnostics), [`diag`], [`source`],
//! [`stdlib`], [`wildcard`], [`report`], [`clock`], [`admission`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod admission;
pub mod assertion;
mod autogen;
pub mod clock;
mod compile;
mod conditions;
pub mod diag;
mod duration;
mod engine;
pub mod expr;
mod goquote;
mod image;
mod ir;
pub mod jsonpatch;
pub mod kinds;
mod load;
mod lookup;
mod matching;
mod mutate;
mod pattern;
pub mod podsecurity;
mod quantity;
pub mod report;
pub mod source;
pub mod stdlib;
mod syntax;
mod template;
pub mod wildcard;
pub mod yaml;

pub use admission::{
    AdmissionRequest, AdmissionResponse, AdmissionReview, Decision, GroupVersionKind,
    GroupVersionResource, Operation, ReviewError, Status, UserInfo,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use compile::{ExceptionInfo, MatchScope, PolicyInfo};
pub use diag::{Diagnostic, Severity, SourceMap};
pub use engine::{
    ApiCall, ApiTarget, Engine, Evaluation, ExternalData, ExternalError, Generation, Mutation,
    NoExternalData, Origin, PodSecurityFinding, PolicyResponse, Request, ResourcePurpose,
    ResourceQuery, ResourceRef, RuleOutput, RuleResponse, RuleStatus, RuleValues, Validation,
    Violation,
};
pub use ir::{FailureAction, FailurePolicy, RuleKind};
pub use load::{Documents, Ignored, InvalidPolicy, Loader, document_resources, read_resources};
pub use source::SourceError;
pub use syntax::ast::PolicyKind;
/// Reading YAML documents with a fixed schema into typed values, with diagnostics.
pub use syntax::reader;

/// Internals exposed for Rampart's own tests and benchmarks. Not part of the API: anything here
/// may change without notice.
#[doc(hidden)]
pub mod unstable {
    pub use crate::pattern::{Outcome, Pattern};
}
