//! Embedding Rampart: answer one Kubernetes `AdmissionReview`, as a validating webhook would.
//!
//! ```console
//! cargo run --release --example embed -- examples/embed/policy.yaml < examples/embed/root-pod.json
//! ```
//!
//! Reads policies from the paths given (files, directories, `stdlib:` paths), one
//! `admission.k8s.io/v1` `AdmissionReview` (JSON) from standard input, and writes the
//! `AdmissionReview` response on standard output: `response.uid`, `allowed`, `status.message`
//! when denied, `warnings`. Exit status: 0 when answered (allowed or not), 2 for bad input.

use std::io::{Read, Write};
use std::process::ExitCode;

use rampart::{AdmissionReview, Loader, Request};

fn main() -> ExitCode {
    match answer() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn answer() -> Result<(), String> {
    let policies: Vec<String> = std::env::args().skip(1).collect();
    if policies.is_empty() {
        return Err("usage: embed POLICY... < admission-review.json".into());
    }
    let mut loader = Loader::new();
    loader.add_paths(&policies).map_err(|e| e.to_string())?;
    eprint!("{}", loader.render_diagnostics(false));
    if loader.has_errors() {
        return Err("the policies have errors".into());
    }
    let engine = loader.engine();

    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| format!("reading standard input: {e}"))?;
    let review = AdmissionReview::from_json(&input).map_err(|e| e.to_string())?;
    let Some(request) = &review.request else {
        return Err("the AdmissionReview has no request".into());
    };

    let decision = engine
        .evaluate(&Request::new(request))
        .decision_for(request);
    let answer = review.respond(decision.into_response(&request.uid));
    let text = serde_json::to_string_pretty(&answer).map_err(|e| e.to_string())?;
    writeln!(std::io::stdout(), "{text}").map_err(|e| e.to_string())
}
