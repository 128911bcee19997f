//! `rampart psa -r <resources...>`: evaluates Pods and pod controllers the way the Pod Security
//! Admission plugin does, from namespace labels and an optional `PodSecurityConfiguration`.

use clap::Args;
use rampart::podsecurity::admission::{self, Admission, Config};
use rampart::{AdmissionRequest, Operation, SourceMap, diag};
use serde_json::{Map, Value};

use super::apply::unread_reason;
use super::psa_config;
use super::resources::{self, kind_of, name_of, namespace_of};
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE, Output};

/// Flags of `rampart psa`.
#[derive(Debug, Args, Default)]
pub struct PsaArgs {
    /// Resource files or directories (Pods, pod controllers and Namespaces).
    #[arg(
        short = 'r',
        long = "resource",
        alias = "resources",
        value_delimiter = ',',
        required = true
    )]
    pub resources: Vec<String>,
    /// Files with Namespace objects whose `pod-security.kubernetes.io/*` labels apply.
    #[arg(long, value_delimiter = ',')]
    pub namespaces: Vec<String>,
    /// An AdmissionConfiguration or PodSecurityConfiguration file (defaults and exemptions).
    #[arg(long)]
    pub config: Option<String>,
    /// Deny pod controllers whose pod template would be denied (PSA itself only warns).
    #[arg(long)]
    pub enforce_controllers: bool,
    /// The requesting user (for `exemptions.usernames`).
    #[arg(long, default_value = "")]
    pub username: String,
}

/// Runs `psa`.
pub fn run(args: &PsaArgs, out: &mut Output) -> i32 {
    let mut sources = SourceMap::new();
    let config = match &args.config {
        Some(path) => {
            let mut diagnostics = Vec::new();
            let config = psa_config::load(path.as_ref(), &mut sources, &mut diagnostics);
            out.err(&diag::render_all(&diagnostics, &sources, out.color));
            match config {
                Ok(c) => c,
                Err(e) => {
                    out.err(&format!(
                        "Error: invalid configuration {path}: {}\n",
                        unread_reason(&e)
                    ));
                    return EXIT_USAGE;
                }
            }
        }
        None => Config::default(),
    };
    let Some(resources) = resources::load(&args.resources, &mut sources, out) else {
        return EXIT_USAGE;
    };
    let namespace_docs = match args.namespaces.is_empty() {
        true => Vec::new(),
        false => match resources::load(&args.namespaces, &mut sources, out) {
            Some(ns) => ns,
            None => return EXIT_USAGE,
        },
    };
    let mut labels: Vec<(String, Map<String, Value>)> =
        resources::namespace_labels(&namespace_docs);
    labels.extend(resources::namespace_labels(&resources));
    let admission = Admission {
        config,
        enforce_controllers: args.enforce_controllers,
    };
    let (mut allowed, mut denied, mut warned) = (0, 0, 0);
    for resource in resources {
        let kind = kind_of(&resource).to_string();
        let Some(plural) =
            admission::resource_for_kind(&kind).or((kind == "Namespace").then_some("namespaces"))
        else {
            continue;
        };
        let namespace = if kind == "Namespace" {
            name_of(&resource)
        } else {
            namespace_of(&resource)
        }
        .to_string();
        let name = name_of(&resource).to_string();
        let ns_labels = labels.iter().find(|(n, _)| *n == namespace).map(|(_, l)| l);
        let mut request = AdmissionRequest::for_resource(resource, Operation::Create);
        request.resource.resource = plural.to_string();
        request.namespace = namespace.clone();
        request.user_info.username = args.username.clone();
        let decision = admission.validate(ns_labels, &request);
        let path = format!("{namespace}/{kind}/{name}");
        for warning in &decision.warnings {
            out.out(&format!("{path}: Warning: {warning}\n"));
            warned += 1;
        }
        if decision.allowed {
            allowed += 1;
        } else {
            denied += 1;
            out.out(&format!(
                "{path}: Error from server (Forbidden): {}\n",
                decision.message()
            ));
        }
    }
    out.out(&format!(
        "\nallowed: {allowed}, denied: {denied}, warnings: {warned}\n"
    ));
    if denied > 0 { EXIT_FAIL } else { EXIT_OK }
}
