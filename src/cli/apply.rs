//! `rampart apply <policies...> -r <resources...>`: Kyverno's `apply` output and exit codes.

use clap::Args;
use rampart::report::{self, ReportOptions, reported_status};
use rampart::{
    AdmissionRequest, Documents, Engine, Evaluation, ExternalData, FailureAction, Loader,
    Operation, Origin, PolicyResponse, Request, ResourceRef, RuleKind, RuleResponse, RuleStatus,
    SystemClock, diag,
};
use serde_json::{Map, Value};

use super::cluster::OfflineCluster;
use super::context_file;
use super::document::Unread;
use super::exception_drafts;
use super::mutated::{self, Destination};
use super::refused::{ApplyOnly, Remote};
use super::resources::{self, name_of};
use super::userinfo::{self, RequestInfo};
use super::values::{self, Values};
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE, Output, table};

/// Flags of `rampart apply`.
#[derive(Debug, Args, Default)]
pub struct ApplyArgs {
    /// Policy files or directories (`-` for standard input).
    #[arg(required = true)]
    pub policies: Vec<String>,
    /// Resource files or directories (`-` for standard input).
    #[arg(
        short = 'r',
        long = "resource",
        alias = "resources",
        value_delimiter = ','
    )]
    pub resources: Vec<String>,
    /// Show results as a table.
    #[arg(short = 't', long)]
    pub table: bool,
    /// Add the message column to the table.
    #[arg(long)]
    pub detailed_results: bool,
    /// Print a ClusterPolicyReport (and PolicyReports) instead of the summary.
    #[arg(short = 'p', long)]
    pub policy_report: bool,
    /// Report format with `-p`: `yaml` or `json`.
    #[arg(long, default_value = "yaml", value_parser = ["yaml", "json"])]
    pub output_format: String,
    /// Report failures of Audit policies as warnings.
    #[arg(long)]
    pub audit_warn: bool,
    /// Exit code when there are warnings but no failures or errors.
    #[arg(long, default_value_t = 0)]
    pub warn_exit_code: i32,
    /// Also use the warn exit code when no resource passed.
    #[arg(long)]
    pub warn_no_pass: bool,
    /// A values file (`cli.kyverno.io/v1alpha1 Values`).
    #[arg(short = 'f', long)]
    pub values_file: Option<String>,
    /// Variables as `key=value` (comma-separated or repeated).
    #[arg(short = 's', long = "set", value_delimiter = ',')]
    pub set: Vec<String>,
    /// A user info file (`cli.kyverno.io/v1alpha1 UserInfo`).
    #[arg(short = 'u', long)]
    pub userinfo: Option<String>,
    /// Never use colours.
    #[arg(long)]
    pub remove_color: bool,
    /// Write mutated resources to this file (`.yaml`, `.yml`) or directory instead of
    /// printing them.
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Resources that mutate-existing rules (`mutate.targets`) patch: files or directories.
    #[arg(
        long = "target-resource",
        alias = "target-resources",
        value_delimiter = ','
    )]
    pub target_resources: Vec<String>,
    /// PolicyException files or directories (repeatable, comma-separated).
    #[arg(
        short = 'e',
        long = "exception",
        alias = "exceptions",
        value_delimiter = ','
    )]
    pub exceptions: Vec<String>,
    /// Take the PolicyExceptions among the resources as exceptions (they are then not
    /// resources).
    #[arg(long)]
    pub exceptions_with_resources: bool,
    /// Take the PolicyExceptions among the policies as exceptions (otherwise they are reported
    /// and not used).
    #[arg(long)]
    pub exceptions_within_policies: bool,
    /// Mutate output for piping to kubectl: no `policy ... applied to` headers and no
    /// `Applying ...` line.
    #[arg(short = 'i', long)]
    pub stdin: bool,
    /// Go on with the next resource when one cannot be evaluated (rampart always does:
    /// evaluation never stops on a resource).
    #[arg(long)]
    pub continue_on_fail: bool,
    /// Go on past resource files that cannot be used (the default); `=false` stops the run.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub continue_on_error: bool,
    /// Print a `kyverno.io/v2beta1` PolicyException for each failed result of a ClusterPolicy
    /// instead of the summary.
    #[arg(long)]
    pub generate_exceptions: bool,
    /// The `cleanup.kyverno.io/ttl` of the generated exceptions (a Go duration).
    #[arg(long, default_value = "720h")]
    pub generated_exception_ttl: String,
    /// Only evaluate the resources of this namespace.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Print how long loading and evaluating took, on standard error.
    #[arg(long)]
    pub show_performance: bool,
    /// A `cli.kyverno.io/v1alpha1 Context` file: its `spec.resources` are the cluster's objects.
    #[arg(long)]
    pub context_file: Option<String>,
    /// CRD files or directories: their kinds' scope decides which resources get the `default`
    /// namespace.
    #[arg(long = "crd-paths", alias = "crd-path", value_delimiter = ',')]
    pub crd_paths: Vec<String>,
    /// Flags that need a registry or git (refused).
    #[command(flatten)]
    pub remote: Remote,
    /// Flags that need a cluster or other policy types (refused).
    #[command(flatten)]
    pub apply_only: ApplyOnly,
}

/// Counts of rule results, as Kyverno's summary line prints them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Warned.
    pub warn: usize,
    /// Errored.
    pub error: usize,
    /// Skipped.
    pub skip: usize,
}

/// Namespace labels from the values and the Namespace objects among the resources.
pub fn namespace_labels(values: &Values, resources: &[Value]) -> Vec<(String, Map<String, Value>)> {
    let mut namespaces = values.namespace_labels.clone();
    namespaces.extend(resources::namespace_labels(resources));
    namespaces
}

/// Evaluates every policy on every resource, as offline requests with the operation (the
/// values', unless `operation` is given) and variables the values give; an object of a
/// subresource's kind (the values' `subresources`) is a request for that subresource of its
/// parent; `data` answers what a cluster would.
pub fn evaluate(
    engine: &Engine,
    resources: &[Value],
    values: &Values,
    info: Option<&RequestInfo>,
    data: &dyn ExternalData,
    operation: Option<Operation>,
) -> Result<Vec<Evaluation>, String> {
    let mut out = Vec::with_capacity(resources.len());
    for resource in resources {
        let name = name_of(resource).to_string();
        let operation = match operation {
            Some(operation) => operation,
            None => values.operation(&name)?,
        };
        let variables = values.resource_variables(&name);
        let mut admission = AdmissionRequest::for_resource(resource.clone(), operation);
        if let Some(subresource) = values.subresource_of(resource) {
            admission.kind = subresource.parent.clone();
            admission.sub_resource = subresource.name.clone();
        }
        if let Some(info) = info {
            admission.user_info = info.user.clone();
        }
        let mut request = Request::new(&admission);
        if let Some(info) = info {
            request = request.with_roles(&info.roles, &info.cluster_roles);
        }
        let request = request
            .with_origin(Origin::Offline)
            .with_variables(&variables)
            .with_rule_values(values)
            .with_data(data);
        out.push(engine.evaluate(&request));
    }
    Ok(out)
}

/// Runs `apply`.
pub fn run(args: &ApplyArgs, out: &mut Output) -> i32 {
    out.color &= !args.remove_color;
    if let Some(refusal) = args.remote.refusal().or_else(|| args.apply_only.refusal()) {
        out.err(&format!("Error: {refusal}\n"));
        return EXIT_USAGE;
    }
    let ttl = match exception_drafts::go_duration(&args.generated_exception_ttl) {
        Ok(ttl) => ttl,
        Err(e) => {
            out.err(&format!("Error: --generated-exception-ttl: {e}\n"));
            return EXIT_USAGE;
        }
    };
    let started = std::time::Instant::now();
    if args.resources.is_empty() {
        out.err("Error: resource file(s) or cluster required\n");
        return EXIT_USAGE;
    }
    let stdin = |paths: &[String]| paths.iter().any(|p| p == "-");
    if stdin(&args.policies) && stdin(&args.resources) {
        out.err("Error: a stdin pipe can be used for either policies or resources, not both\n");
        return EXIT_USAGE;
    }
    if stdin(&args.exceptions) && (stdin(&args.policies) || stdin(&args.resources)) {
        out.err(
            "Error: a stdin pipe can be used for only one of policies, resources and exceptions\n",
        );
        return EXIT_USAGE;
    }
    if args.values_file.is_some() && !args.set.is_empty() {
        out.err("Error: pass the values either using set flag or values_file flag\n");
        return EXIT_USAGE;
    }
    let mut loader = Loader::new();
    let mut diagnostics = Vec::new();
    let values = values::load(
        args.values_file.as_deref().map(std::path::Path::new),
        &args.set,
        loader.sources_mut(),
        &mut diagnostics,
    );
    let values = match values {
        Ok(v) => v,
        Err(e) => {
            out.err(&diag::render_all(&diagnostics, loader.sources(), out.color));
            out.err(&format!(
                "Error: failed to decode yaml ({})\n",
                unread_reason(&e)
            ));
            return EXIT_USAGE;
        }
    };
    out.err(&diag::render_all(&diagnostics, loader.sources(), out.color));
    let policy_documents = if args.exceptions_within_policies {
        Documents::Any
    } else {
        Documents::Policies
    };
    if let Err(e) = loader.add_paths_of(&args.policies, policy_documents) {
        out.err(&format!("Error: failed to load policies ({e})\n"));
        return EXIT_USAGE;
    }
    if let Err(e) = loader.add_paths_of(&args.exceptions, Documents::Exceptions) {
        out.err(&format!("Error: failed to load exceptions ({e})\n"));
        return EXIT_USAGE;
    }
    let user = match &args.userinfo {
        Some(path) => {
            let mut diagnostics = Vec::new();
            let user = userinfo::load(path.as_ref(), loader.sources_mut(), &mut diagnostics);
            out.err(&diag::render_all(&diagnostics, loader.sources(), out.color));
            match user {
                Ok(u) => Some(u),
                Err(e) => {
                    out.err(&format!(
                        "Error: failed to load request info ({})\n",
                        unread_reason(&e)
                    ));
                    return EXIT_USAGE;
                }
            }
        }
        None => None,
    };
    // Files and documents that are not resources are reported, left out and counted as errors
    // (Kyverno's `--continue-on-error`).
    let loaded = if args.exceptions_with_resources {
        resources::load_with_exceptions(&args.resources, &mut loader, out)
    } else {
        resources::load_counted(&args.resources, loader.sources_mut(), out)
    };
    if !loader.diagnostics().is_empty() {
        out.err(&loader.render_diagnostics(out.color));
    }
    out.err(&loader.render_ignored(out.verbose));
    let Some((mut resources, left_out)) = loaded else {
        return EXIT_USAGE;
    };
    if left_out > 0 && !args.continue_on_error {
        out.err(&format!(
            "Error: {left_out} resource file(s) or document(s) could not be used (--continue-on-error=false)\n"
        ));
        return EXIT_FAIL;
    }
    if !args.crd_paths.is_empty() {
        let Some(crds) = resources::load(&args.crd_paths, loader.sources_mut(), out) else {
            return EXIT_USAGE;
        };
        resources::apply_crd_scopes(&mut resources, &crds);
    }
    if let Some(namespace) = &args.namespace {
        resources.retain(|r| resources::namespace_of(r) == namespace);
    }
    if !args.exceptions_with_resources {
        let hint = "pass it with -e, or use --exceptions-with-resources";
        resources::warn_exceptions(&resources, hint, out);
    }
    if !invalid_exceptions(&loader, out) {
        return EXIT_USAGE;
    }
    let engine = loader.engine();
    let resource_count = resources.len();
    // Generate rules clone from, and find existing targets among, the resources given.
    let mut cluster = OfflineCluster::with_namespaces(namespace_labels(&values, &resources))
        .with_generate_sources(resources.iter().cloned());
    if !args.target_resources.is_empty() {
        let Some(targets) = resources::load(&args.target_resources, loader.sources_mut(), out)
        else {
            return EXIT_USAGE;
        };
        cluster = cluster.with_targets(targets);
    }
    if let Some(path) = &args.context_file {
        let mut diagnostics = Vec::new();
        let context = context_file::load(
            std::path::Path::new(path),
            loader.sources_mut(),
            &mut diagnostics,
        );
        out.err(&diag::render_all(&diagnostics, loader.sources(), out.color));
        match context {
            Ok(context) => {
                if context.images {
                    out.err(&format!("warning: {path}: `spec.images` is not used by this version (imageRegistry data comes from values files)\n"));
                }
                let mut objects = context.resources;
                objects.extend(resources.iter().cloned());
                cluster = cluster.with_objects(objects);
            }
            Err(e) => {
                out.err(&format!(
                    "Error: failed to load the context file ({})\n",
                    unread_reason(&e)
                ));
                return EXIT_USAGE;
            }
        }
    }
    let destination = match Destination::open(
        args.output.as_deref(),
        args.stdin || args.resources.iter().any(|r| r == "-"),
    ) {
        Ok(d) => d,
        Err(e) => {
            out.err(&format!("Error: {e}\n"));
            return EXIT_USAGE;
        }
    };
    let results = match evaluate(&engine, &resources, &values, user.as_ref(), &cluster, None) {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("Error: {e}\n"));
            return EXIT_USAGE;
        }
    };
    let evaluated = started.elapsed();
    let mut counts = count(&results, args.audit_warn);
    counts.error += loader.invalid().len() + left_out;

    if !args.policy_report && !args.stdin && !args.generate_exceptions {
        let exceptions = engine.exceptions().count();
        let with = match exceptions {
            0 => String::new(),
            n => format!(" with {n} exception(s)"),
        };
        out.out(&format!(
            "\nApplying {} policy rule(s) to {} resource(s){with}...\n",
            engine.rule_count(),
            resource_count
        ));
    }
    print_invalid(&loader, out);
    if !args.policy_report
        && !args.generate_exceptions
        && let Err(e) = mutated::show(&engine, &resources, &results, &destination, out)
    {
        out.err(&format!("Error: failed to print mutated result ({e})\n"));
        return EXIT_USAGE;
    }
    if args.policy_report {
        let options = ReportOptions {
            audit_warn: args.audit_warn,
            clock: &SystemClock,
        };
        let reports = report::policy_reports(&results, &options);
        out.out(&report::render(&reports, &args.output_format));
    } else if args.generate_exceptions {
        out.out(&exception_drafts::render(
            &results,
            &resources,
            args.audit_warn,
            &args.output_format,
            &ttl,
        ));
    } else if args.table {
        print_table(&results, args, out);
    } else {
        print_failures(&results, args.audit_warn, out);
        out.out(&format!(
            "\npass: {}, fail: {}, warn: {}, error: {}, skip: {} \n",
            counts.pass, counts.fail, counts.warn, counts.error, counts.skip
        ));
    }
    if args.show_performance {
        let total = started.elapsed();
        let per_second = resource_count as f64 / evaluated.as_secs_f64().max(1e-9);
        out.err(&format!(
            "performance: {resource_count} resource(s), {} rule(s): loaded and evaluated in {:.3?} ({per_second:.0} resources/s), {:.3?} in all{}\n",
            engine.rule_count(),
            evaluated,
            total,
            peak_rss_mb().map_or(String::new(), |mb| format!(", peak RSS {mb:.1} MB")),
        ));
    }
    exit_code(&counts, args)
}

/// The process's peak resident memory in MB (`VmHWM` of `/proc/self/status`; Linux only).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Why a file could not be used, for an `Error:` line (the diagnostics come before it).
pub fn unread_reason(unread: &Unread) -> String {
    match unread {
        Unread::Io(e) => e.clone(),
        Unread::Invalid => "see the errors above".into(),
    }
}

/// Kyverno's exit status: violations or errors → 1; warnings → `--warn-exit-code`; no pass
/// with `--warn-no-pass` → the warn exit code.
fn exit_code(counts: &Counts, args: &ApplyArgs) -> i32 {
    if counts.fail > 0 || counts.error > 0 {
        EXIT_FAIL
    } else if (counts.warn > 0 && args.warn_exit_code != 0)
        || (counts.pass == 0 && args.warn_no_pass)
    {
        args.warn_exit_code
    } else {
        EXIT_OK
    }
}

/// Counts rule results as Kyverno does (every response of a rule that ran).
pub fn count(results: &[Evaluation], audit_warn: bool) -> Counts {
    let mut c = Counts::default();
    for response in results.iter().flat_map(|e| &e.policies) {
        for rule in &response.rules {
            match reported_status(response, rule, audit_warn) {
                RuleStatus::Pass => c.pass += 1,
                RuleStatus::Fail => c.fail += 1,
                RuleStatus::Warn => c.warn += 1,
                RuleStatus::Error => c.error += 1,
                RuleStatus::Skip => c.skip += 1,
            }
        }
    }
    c
}

/// Reports the policy exceptions that could not be read; `true` when there are none. Unlike an
/// invalid policy (reported and counted as an error), an invalid exception stops the command: its
/// resources would otherwise fail rules they are exempt from.
pub fn invalid_exceptions(loader: &Loader, out: &mut Output) -> bool {
    for e in loader.invalid_exceptions() {
        out.err(&format!(
            "Error: invalid policy exception {}: {}\n",
            e.name, e.reason
        ));
    }
    loader.invalid_exceptions().is_empty()
}

fn print_invalid(loader: &Loader, out: &mut Output) {
    if loader.invalid().is_empty() {
        return;
    }
    let divider = "-".repeat(70);
    out.out(&format!("{divider}\nInvalid Policies:\n"));
    for (i, p) in loader.invalid().iter().enumerate() {
        out.out(&format!("{}. {}: {}\n", i + 1, p.name, p.reason));
    }
    out.out(&format!("{divider}\n"));
}

/// `namespace/Kind/name`, as Kyverno's CLI names a resource.
fn resource_path(resource: &ResourceRef) -> String {
    format!(
        "{}/{}/{}",
        resource.namespace(),
        resource.kind(),
        resource.name()
    )
}

/// The responses of every (resource, policy) pair.
fn responses(results: &[Evaluation]) -> impl Iterator<Item = (&ResourceRef, &PolicyResponse)> {
    results
        .iter()
        .flat_map(|e| e.policies.iter().map(move |p| (&e.resource, p)))
}

/// Kyverno's lines for a resource: its mutate responses first (`skipped mutate policy ...`,
/// `error while applying mutate policy ...`), then each policy's failed rules.
fn print_failures(results: &[Evaluation], audit_warn: bool, out: &mut Output) {
    for evaluation in results {
        let path = resource_path(&evaluation.resource);
        for response in &evaluation.policies {
            for rule in response
                .rules
                .iter()
                .filter(|r| r.kind() == RuleKind::Mutation)
            {
                match rule.status {
                    RuleStatus::Skip => out.out(&format!(
                        "\nskipped mutate policy {} -> resource {path}\n",
                        response.policy.name
                    )),
                    RuleStatus::Error => out.out(&format!(
                        "\nerror while applying mutate policy {} -> resource {path} \nerror:  {}\n",
                        response.policy.name, rule.message
                    )),
                    _ => {}
                }
            }
        }
        for response in &evaluation.policies {
            print_failed_rules(&path, response, audit_warn, out);
        }
    }
}

fn print_failed_rules(path: &str, response: &PolicyResponse, audit_warn: bool, out: &mut Output) {
    let failed: Vec<_> = response
        .rules
        .iter()
        .filter(|r| r.status == RuleStatus::Fail)
        .collect();
    if failed.is_empty() {
        return;
    }
    let how = if audit_warn && response.failure_action == FailureAction::Audit {
        "failed as audit warning:"
    } else {
        "failed:"
    };
    out.out(&format!(
        "policy {} -> resource {path} {how}\n",
        response.policy.name
    ));
    for (i, rule) in failed.iter().enumerate() {
        match rule.pod_security() {
            // One violation per line, as Kyverno's CLI prints podSecurity failures.
            Some(finding) => {
                out.out(&format!(
                    "{} - {} Validation rule '{}' failed. It violates PodSecurity \"{}:{}\":\n",
                    i + 1,
                    rule.name,
                    rule.name,
                    finding.level,
                    finding.version
                ));
                for v in &finding.violations {
                    out.out(&format!("{}\n", v.text()));
                }
            }
            None => out.out(&format!("{} - {} {}\n", i + 1, rule.name, rule.message)),
        }
    }
    out.out("\n");
}

fn print_table(results: &[Evaluation], args: &ApplyArgs, out: &mut Output) {
    let mut rows = Vec::new();
    for (resource, response) in responses(results) {
        for rule in &response.rules {
            let status = reported_status(response, rule, args.audit_warn);
            let mut row = vec![
                (rows.len() + 1).to_string(),
                response.policy.key(),
                rule.name.to_string(),
                resource_path(resource),
                paint_status(status, out.color),
                String::new(),
            ];
            if args.detailed_results {
                row.push(detailed_message(rule));
            }
            rows.push(row);
        }
    }
    let mut headers = vec!["id", "policy", "rule", "resource", "result", "reason"];
    if args.detailed_results {
        headers.push("message");
    }
    out.out(&table::render(&headers, &rows));
}

/// The message of a rule result, with a podSecurity failure's field errors.
fn detailed_message(rule: &RuleResponse) -> String {
    let Some(finding) = rule.pod_security() else {
        return rule.message.clone();
    };
    let fields: Vec<&str> = finding
        .violations
        .iter()
        .flat_map(|v| v.field_errors.iter().map(String::as_str))
        .collect();
    if fields.is_empty() {
        rule.message.clone()
    } else {
        format!("{} (field errors: {})", rule.message, fields.join(", "))
    }
}

/// A status in its table colour.
pub fn paint_status(status: RuleStatus, color: bool) -> String {
    let code = match status {
        RuleStatus::Pass => "32",
        RuleStatus::Fail | RuleStatus::Error => "31",
        RuleStatus::Warn => "33",
        RuleStatus::Skip => "36",
    };
    table::paint(status.title(), code, color)
}
