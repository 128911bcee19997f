//! The routes of `rampart serve`: `POST /validate`, `/mutate` and `/psa` answer
//! `AdmissionReview`s (`admission.k8s.io/v1` and `v1beta1`); `GET /healthz`, `/readyz` and
//! `/metrics`. Bodies are limited in size and read time, requests in flight are bounded, and
//! the answer always comes before the webhook's deadline: an evaluation that panics or runs
//! out of time is answered by the failure policy.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use rampart::{AdmissionReview, Decision};
use serde_json::json;
use tokio::sync::Semaphore;

use super::metrics::Metrics;
use super::state::{Live, State};

/// The limits of a server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The largest request body accepted (the API server sends at most 3 MiB).
    pub max_body: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// When the answer must be ready, counted from the request's arrival (before the
    /// webhook's `timeoutSeconds`).
    pub deadline: Duration,
    /// What an evaluation that cannot finish answers: `true` denies (failurePolicy Fail).
    pub fail_closed: bool,
}

/// Everything a request handler needs.
pub struct Server {
    /// The policies in force.
    pub live: Live,
    /// The metrics.
    pub metrics: Metrics,
    /// The limits.
    pub limits: Limits,
    /// Requests being answered.
    pub in_flight: Semaphore,
    /// Answer admission routes with a fixed review (load tests' ceiling).
    pub fixed_response: bool,
}

/// The review `--fixed-response` answers with.
const FIXED: &[u8] = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"","allowed":true}}"#;

/// The webhooks that answer admission reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Webhook {
    Validate,
    Mutate,
    Psa,
}

impl Webhook {
    fn name(self) -> &'static str {
        match self {
            Webhook::Validate => "validate",
            Webhook::Mutate => "mutate",
            Webhook::Psa => "psa",
        }
    }
}

type Answer = Response<Full<Bytes>>;

fn text(status: StatusCode, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn json_answer(status: StatusCode, body: Vec<u8>) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Answers one HTTP request.
pub async fn handle(server: Arc<Server>, request: Request<Incoming>) -> Result<Answer, Infallible> {
    let started = Instant::now();
    let path = request.uri().path().to_string();
    let (webhook, policy) = route(&path);
    let answer = match (request.method(), path.as_str(), webhook) {
        (&Method::POST, _, Some(webhook)) => {
            admission(&server, webhook, policy, request, started).await
        }
        (&Method::GET, "/healthz", _) => text(StatusCode::OK, "ok\n"),
        (&Method::GET, "/readyz", _) => ready(&server),
        (&Method::GET, "/metrics", _) => {
            let mut response = text(StatusCode::OK, server.metrics.render());
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        (_, "/healthz" | "/readyz" | "/metrics", _) | (_, _, Some(_)) => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: the routes are POST /validate, /mutate, /psa (and /validate/policy/<policy>, /mutate/policy/<policy>) and GET /healthz, /readyz, /metrics\n",
        ),
    };
    Ok(answer)
}

/// The webhook a path names, and the policy of a per-policy route (`/validate/policy/<key>`,
/// `/mutate/policy/<key>`, where the key is `name` or `namespace/name`).
fn route(path: &str) -> (Option<Webhook>, Option<&str>) {
    let (base, policy) = match path.split_once("/policy/") {
        Some((base, key)) if !key.is_empty() => (base, Some(key)),
        _ => (path, None),
    };
    let webhook = match (base, policy) {
        ("/validate", _) => Some(Webhook::Validate),
        ("/mutate", _) => Some(Webhook::Mutate),
        ("/psa", None) => Some(Webhook::Psa),
        _ => None,
    };
    (webhook, policy)
}

/// `/readyz`: 200 with the generation in force once policies are loaded, else 503; the last
/// reload error, if any.
fn ready(server: &Server) -> Answer {
    let state = server.live.current();
    let error = server.live.last_error.read().ok().and_then(|e| e.clone());
    let body = json!({
        "ready": state.is_some(),
        "generation": state.as_ref().map(|s| s.generation),
        "policies": state.as_ref().map(|s| s.engine.policies().count()),
        "lastReloadError": error,
    });
    let status = match state {
        Some(_) => StatusCode::OK,
        None => StatusCode::SERVICE_UNAVAILABLE,
    };
    json_answer(status, format!("{body}\n").into_bytes())
}

async fn admission(
    server: &Arc<Server>,
    webhook: Webhook,
    policy: Option<&str>,
    request: Request<Incoming>,
    started: Instant,
) -> Answer {
    let Ok(_permit) = server.in_flight.try_acquire() else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many requests in flight; retry\n",
        );
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > server.limits.max_body) {
        // Read (and drop) a moderately larger body before answering, so that the client,
        // still sending, sees the answer rather than a reset connection.
        let drain = Limited::new(request.into_body(), 8 << 20);
        let _ = tokio::time::timeout(server.limits.body_timeout, drain.collect()).await;
        return too_large(server);
    }
    let json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    let body = Limited::new(request.into_body(), server.limits.max_body);
    let bytes = match tokio::time::timeout(server.limits.body_timeout, body.collect()).await {
        Err(_) => {
            return text(
                StatusCode::REQUEST_TIMEOUT,
                "the request body took too long\n",
            );
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(server),
        Ok(Err(e)) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}\n"),
            );
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    if !json {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json\n",
        );
    }
    if server.fixed_response {
        return json_answer(StatusCode::OK, FIXED.to_vec());
    }
    let review = match AdmissionReview::from_json(&bytes) {
        Ok(review) => review,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let Some(state) = server.live.current() else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "no policies loaded yet\n");
    };
    // The evaluation runs here, on the connection's task: it takes microseconds, and a hand-off
    // to another thread cost more than it (and, measured, ten times the memory). A request
    // that waited past the deadline before its turn is answered by the failure policy.
    let uid = review
        .request
        .as_ref()
        .map(|r| r.uid.clone())
        .unwrap_or_default();
    let header = (review.api_version.clone(), review.kind.clone(), uid);
    if started.elapsed() > server.limits.deadline {
        tracing::warn!(webhook = webhook.name(), "request waited past the deadline");
        return json_reply(&fallback(
            server,
            &header,
            "the policies were not evaluated in time",
        ));
    }
    let engine = match policy {
        None => &state.engine,
        Some(key) => match state.gated.iter().find(|(k, _)| k == key) {
            Some((_, engine)) => engine,
            None => {
                tracing::warn!(policy = key, "no such policy with matchConditions");
                let why = format!("no policy {key} with matchConditions is loaded");
                return json_reply(&fallback(server, &header, &why));
            }
        },
    };
    let evaluated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        answer(server, &state, engine, webhook, review, started)
    }));
    let response = match evaluated {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(webhook = webhook.name(), "evaluation failed");
            fallback(
                server,
                &header,
                "the policies could not be evaluated (an internal error)",
            )
        }
    };
    json_reply(&response)
}

fn json_reply(review: &AdmissionReview) -> Answer {
    json_answer(
        StatusCode::OK,
        serde_json::to_vec(review).unwrap_or_default(),
    )
}

fn too_large(server: &Server) -> Answer {
    text(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body over {} bytes\n", server.limits.max_body),
    )
}

/// The answer to a review `(apiVersion, kind, uid)` whose evaluation cannot finish: denied
/// (fail closed) or admitted with a warning.
fn fallback(server: &Server, header: &(String, String, String), why: &str) -> AdmissionReview {
    let (api_version, kind, uid) = header;
    let decision = fallback_decision(server, why);
    AdmissionReview {
        api_version: api_version.clone(),
        kind: kind.clone(),
        request: None,
        response: Some(decision.into_response(uid)),
    }
}

/// The decision of the failure policy: denied (fail closed) or admitted with a warning.
fn fallback_decision(server: &Server, why: &str) -> Decision {
    match server.limits.fail_closed {
        true => Decision::deny(format!("rampart: {why}")),
        false => {
            let mut d = Decision::allow();
            d.warnings
                .push(format!("rampart: {why}; admitted (failure policy Ignore)"));
            d
        }
    }
}

/// Evaluates a review and records its metrics.
fn answer(
    server: &Server,
    state: &State,
    engine: &rampart::Engine,
    webhook: Webhook,
    review: AdmissionReview,
    started: Instant,
) -> AdmissionReview {
    let Some(request) = review.request.as_ref() else {
        return review.respond(Decision::allow().into_response(""));
    };
    let mut decision = match webhook {
        Webhook::Psa => {
            use rampart::ExternalData;
            let labels = state.cluster.namespace_labels(&request.namespace);
            state.psa.validate(labels.as_ref(), request)
        }
        Webhook::Validate | Webhook::Mutate => {
            let evaluating = Instant::now();
            let evaluation = engine.evaluate(
                &rampart::Request::new(request)
                    .with_data(&state.cluster)
                    .with_deadline(started + server.limits.deadline),
            );
            server
                .metrics
                .results(request, &evaluation, evaluating.elapsed().as_secs_f64());
            match webhook {
                _ if evaluation.unfinished => {
                    tracing::warn!(webhook = webhook.name(), "evaluation ran past the deadline");
                    fallback_decision(server, "the policies were not evaluated in time")
                }
                Webhook::Mutate => evaluation.mutation_decision_for(request),
                _ => evaluation.decision(),
            }
        }
    };
    decision.warnings = within_limits(std::mem::take(&mut decision.warnings));
    let allowed = decision.allowed;
    if !allowed {
        tracing::info!(
            webhook = webhook.name(),
            kind = %request.kind.kind,
            namespace = %request.namespace,
            name = %request.name,
            operation = request.operation.as_str(),
            message = decision.message(),
            "denied"
        );
    }
    let response = review.respond(decision.into_response(&request.uid));
    server.metrics.request(
        request,
        webhook.name(),
        allowed,
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Warnings within the API server's limits: each at most 256 characters (longer ones are
/// cut, with `...`), and no more once they total 4096.
fn within_limits(warnings: Vec<String>) -> Vec<String> {
    let mut total = 0;
    let mut out = Vec::new();
    for w in warnings {
        let w = match w.char_indices().nth(253) {
            Some((cut, _)) if w.chars().count() > 256 => format!("{}...", &w[..cut]),
            _ => w,
        };
        total += w.len();
        if total > 4096 {
            break;
        }
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Webhook, route, within_limits};

    #[test]
    fn per_policy_routes_name_their_policy() {
        assert_eq!(route("/validate"), (Some(Webhook::Validate), None));
        assert_eq!(
            route("/validate/policy/require-labels"),
            (Some(Webhook::Validate), Some("require-labels"))
        );
        assert_eq!(
            route("/mutate/policy/team-a/defaults"),
            (Some(Webhook::Mutate), Some("team-a/defaults"))
        );
        assert_eq!(route("/psa/policy/x"), (None, Some("x")));
        assert_eq!(route("/validate/policy/"), (None, None));
        assert_eq!(route("/other"), (None, None));
    }

    #[test]
    fn warnings_are_cut_to_the_api_servers_limits() {
        let long = "x".repeat(300);
        let cut = within_limits(vec![long]);
        assert_eq!(cut[0].chars().count(), 256);
        assert!(cut[0].ends_with("..."));
        let many = within_limits(vec!["y".repeat(200); 30]);
        assert_eq!(many.len(), 20);
    }
}
