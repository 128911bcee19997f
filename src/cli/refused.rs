//! Kyverno CLI flags that need what an offline run does not have (a cluster, a registry, a git
//! remote) or policy types this version does not read. They are accepted by the parser, so a
//! Kyverno command line gives a clear refusal rather than an unknown-flag error, and refused
//! with the reason.

use clap::Args;

/// Flags `apply` and `test` share that need a registry or git.
#[derive(Debug, Args, Default)]
pub struct Remote {
    /// Refused: image registry access (imageRegistry context entries, verifyImages) needs a
    /// registry.
    #[arg(long)]
    pub registry: bool,
    /// Refused: reading policies from a git repository's branch needs git.
    #[arg(short = 'b', long)]
    pub git_branch: Option<String>,
}

/// `apply` flags that need a cluster or read policy types this version does not evaluate.
#[derive(Debug, Args, Default)]
pub struct ApplyOnly {
    /// Refused: reading resources from a cluster needs a cluster.
    #[arg(short = 'c', long)]
    pub cluster: bool,
    /// Refused: a kubeconfig file is for `--cluster`.
    #[arg(long)]
    pub kubeconfig: Option<String>,
    /// Refused: a kubeconfig context is for `--cluster`.
    #[arg(long)]
    pub context: Option<String>,
    /// Refused: cluster-wide resources are read from a cluster.
    #[arg(long)]
    pub cluster_wide_resources: bool,
    /// Refused: concurrent cluster reads.
    #[arg(long)]
    pub concurrent: Option<u32>,
    /// Refused: batch size of cluster reads.
    #[arg(long)]
    pub batch_size: Option<u32>,
    /// Refused: JSON payloads are for ValidatingPolicies (CEL), not read by this version.
    #[arg(long)]
    pub json: Vec<String>,
    /// Refused: HTTP payloads are for CEL authorization policies, not read by this version.
    #[arg(long)]
    pub http_payload: Vec<String>,
    /// Refused: Envoy payloads are for CEL authorization policies, not read by this version.
    #[arg(long)]
    pub envoy_payload: Vec<String>,
    /// Refused: parameter resources are for ValidatingAdmissionPolicies, not read by this
    /// version.
    #[arg(long)]
    pub parameter_resource: Vec<String>,
}

const CLUSTER: &str = "needs a Kubernetes cluster; rampart runs offline: give the resources with -r (and namespaces among them, or in a values file)";
const CEL: &str =
    "is for policy types this version does not read (CEL policies, ValidatingAdmissionPolicies)";

impl Remote {
    /// The first flag given that cannot work here, with the reason.
    pub fn refusal(&self) -> Option<String> {
        if self.registry {
            return Some("--registry needs an image registry; rampart runs offline: give imageRegistry data with a values file".into());
        }
        self.git_branch.as_ref().map(|_| {
            "--git-branch needs a git remote; rampart reads local paths: clone the repository and pass its directory".into()
        })
    }
}

impl ApplyOnly {
    /// The first flag given that cannot work here, with the reason.
    pub fn refusal(&self) -> Option<String> {
        let cluster = [
            ("--cluster", self.cluster),
            ("--kubeconfig", self.kubeconfig.is_some()),
            ("--context", self.context.is_some()),
            ("--cluster-wide-resources", self.cluster_wide_resources),
            ("--concurrent", self.concurrent.is_some()),
            ("--batch-size", self.batch_size.is_some()),
        ];
        let cel = [
            ("--json", !self.json.is_empty()),
            ("--http-payload", !self.http_payload.is_empty()),
            ("--envoy-payload", !self.envoy_payload.is_empty()),
            ("--parameter-resource", !self.parameter_resource.is_empty()),
        ];
        cluster
            .iter()
            .find(|(_, given)| *given)
            .map(|(flag, _)| format!("{flag} {CLUSTER}"))
            .or_else(|| {
                cel.iter()
                    .find(|(_, given)| *given)
                    .map(|(flag, _)| format!("{flag} {CEL}"))
            })
    }
}
