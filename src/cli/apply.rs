//! `rampart apply <policies...> -r <resources...>`: Kyverno's `apply` output and exit codes.

use clap::Args;
use rampart::{
    AdmissionRequest, Documents, Engine, Evaluation, ExternalData, Loader, Operation, Origin,
    Request, RuleKind, RuleStatus, diag,
};
use serde_json::{Map, Value};

use super::apply_input::{Inputs, Prepare, Sourced};
use super::apply_output::Emitter;
use super::apply_stream::{Batches, Context, Reading};
use super::ci_formats::CiResults;
use super::cluster::OfflineCluster;
use super::context_file;
use super::document::Unread;
use super::exception_drafts;
use super::mutated::Destination;
use super::parallel::ordered_map;
use super::progress::Progress;
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
    /// Output format: `yaml` or `json` for `-p` reports and exception drafts; without them
    /// `sarif`, `junit` or `json` results for CI systems.
    #[arg(long, default_value = "yaml", value_parser = ["yaml", "json", "sarif", "junit"])]
    pub output_format: String,
    /// Threads that parse and evaluate resources (default: the number of cores); the output is
    /// the same for every number.
    #[arg(long, default_value_t = default_concurrency(), value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
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

/// The number of cores, for `--concurrency`.
fn default_concurrency() -> u16 {
    std::thread::available_parallelism()
        .map(|n| u16::try_from(n.get()).unwrap_or(u16::MAX))
        .unwrap_or(1)
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
    resources
        .iter()
        .map(|r| evaluate_one(engine, r.clone(), values, info, data, operation))
        .collect()
}

/// Evaluates every policy on one resource, as [`evaluate`] does.
pub fn evaluate_one(
    engine: &Engine,
    resource: Value,
    values: &Values,
    info: Option<&RequestInfo>,
    data: &dyn ExternalData,
    operation: Option<Operation>,
) -> Result<Evaluation, String> {
    let name = name_of(&resource).to_string();
    let operation = match operation {
        Some(operation) => operation,
        None => values.operation(&name)?,
    };
    let variables = values.resource_variables(&name);
    let subresource = values.subresource_of(&resource).cloned();
    let mut admission = AdmissionRequest::for_resource(resource, operation);
    if let Some(subresource) = subresource {
        admission.kind = subresource.parent;
        admission.sub_resource = subresource.name;
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
    Ok(engine.evaluate(&request))
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
    // Policy exceptions among the resources must be loaded before the engine exists: those
    // resources are read whole, before anything else.
    let with_exceptions = if args.exceptions_with_resources {
        match resources::load_with_exceptions(&args.resources, &mut loader, out) {
            Some(loaded) => Some(loaded),
            None => return EXIT_USAGE,
        }
    } else {
        None
    };
    if !loader.diagnostics().is_empty() {
        out.err(&loader.render_diagnostics(out.color));
    }
    out.err(&loader.render_ignored(out.verbose));
    let crds = if args.crd_paths.is_empty() {
        Vec::new()
    } else {
        match resources::load(&args.crd_paths, loader.sources_mut(), out) {
            Some(crds) => crds,
            None => return EXIT_USAGE,
        }
    };
    if !invalid_exceptions(&loader, out) {
        return EXIT_USAGE;
    }
    let engine = loader.engine();
    // Whether standard output is a format for CI systems (SARIF, JUnit, JSON results).
    let ci_format = CiResults::for_format(args).is_some();
    let prepare = Prepare {
        crds,
        namespace: args.namespace.clone(),
        keep_text: ci_format,
    };
    let inputs = match Inputs::expand(&args.resources) {
        Ok(inputs) => inputs,
        Err(e) => {
            out.err(&format!("Error: failed to load resources ({e})\n"));
            return EXIT_USAGE;
        }
    };
    let generating = engine
        .policies()
        .any(|p| p.rules.iter().any(|(_, k)| *k == RuleKind::Generation));
    // Streaming keeps only results; these need every resource before the first is evaluated
    // (generate's clone sources, the context file's cluster, exceptions among resources) or
    // write files that could not be taken back (`-o`), so they read all resources first.
    let buffered = generating
        || args.context_file.is_some()
        || with_exceptions.is_some()
        || args.generate_exceptions
        || args.output.is_some();
    let buffered = buffered || inputs.has_stdin();
    let progress = Progress::new(inputs.total_bytes(), out.progress);
    let mut reading = Reading::new(&inputs, &prepare, progress);
    let mut all: Option<Vec<Sourced>> = None;
    if let Some((mut resources, left_out)) = with_exceptions {
        reading.left_out = left_out;
        prepare.apply(&mut resources);
        all = Some(
            resources
                .into_iter()
                .map(|value| Sourced {
                    value,
                    origin: None,
                })
                .collect(),
        );
    } else if buffered {
        all = Some(reading.read_all(usize::from(args.concurrency), &mut loader, out));
    }
    if let Some(e) = reading.fatal.take() {
        out.err(&format!("Error: {e}\n"));
        return EXIT_USAGE;
    }
    // Namespace labels: the values', and those of the Namespace objects among the resources.
    let namespaces = match &all {
        Some(all) => {
            let values_of: Vec<Value> = all
                .iter()
                .filter(|r| resources::kind_of(&r.value) == "Namespace")
                .map(|r| r.value.clone())
                .collect();
            namespace_labels(&values, &values_of)
        }
        None if engine.needs_namespace_labels() => namespace_labels(&values, &reading.namespaces()),
        None => values.namespace_labels.clone(),
    };
    let mut cluster = OfflineCluster::with_namespaces(namespaces);
    if generating && let Some(all) = &all {
        // Generate rules clone from, and find existing targets among, the resources given.
        cluster = cluster.with_generate_sources(all.iter().map(|r| r.value.clone()));
    }
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
                objects.extend(all.iter().flatten().map(|r| r.value.clone()));
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
    let mut emitter = Emitter::new(args, &engine, &destination, out.color);
    let context = Context {
        engine: &engine,
        values: &values,
        user: user.as_ref(),
        cluster: &cluster,
        keep_resource: emitter.needs_resources(),
    };
    match all {
        Some(all) => {
            let batches = Batches::new(all.into_iter(), 64);
            ordered_map(
                batches,
                usize::from(args.concurrency),
                |batch| context.evaluate_all(batch),
                |items| {
                    items.into_iter().for_each(|item| match item {
                        Ok(item) => emitter.add(item),
                        Err(e) => drop(reading.fatal.get_or_insert(e)),
                    })
                },
            );
        }
        None => reading.stream(
            &context,
            usize::from(args.concurrency),
            &mut emitter,
            &mut loader,
            out,
        ),
    }
    if let Some(e) = reading.fatal.take() {
        out.err(&format!("Error: {e}\n"));
        return EXIT_USAGE;
    }
    let left_out = reading.left_out;
    if left_out > 0 && !args.continue_on_error {
        out.err(&format!(
            "Error: {left_out} resource file(s) or document(s) could not be used (--continue-on-error=false)\n"
        ));
        return EXIT_FAIL;
    }
    let evaluated = started.elapsed();
    let watched = reading.progress.enabled();
    let elapsed = reading.progress.finish();
    let resource_count = emitter.resources;
    out.err(&std::mem::take(&mut emitter.stderr));
    if !args.policy_report && !args.stdin && !args.generate_exceptions && !ci_format {
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
    print_invalid(&loader, ci_format, out);
    emitter.counts.error += loader.invalid().len() + left_out;
    let counts = match emitter.finish(out, &ttl) {
        Ok(counts) => counts,
        Err(e) => {
            out.err(&format!("Error: {e}\n"));
            return EXIT_USAGE;
        }
    };
    if !args.policy_report && !args.generate_exceptions && !args.table && !ci_format {
        out.out(&format!(
            "\npass: {}, fail: {}, warn: {}, error: {}, skip: {} \n",
            counts.pass, counts.fail, counts.warn, counts.error, counts.skip
        ));
    }
    if watched {
        out.err(&format!(
            "rampart: {resource_count} resource(s) in {:.2} s: pass {}, fail {}, warn {}, error {}, skip {}\n",
            elapsed.as_secs_f64(),
            counts.pass,
            counts.fail,
            counts.warn,
            counts.error,
            counts.skip
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

/// The invalid policies, on standard output (standard error when standard output is a
/// machine-readable format).
fn print_invalid(loader: &Loader, to_stderr: bool, out: &mut Output) {
    if loader.invalid().is_empty() {
        return;
    }
    let divider = "-".repeat(70);
    let mut text = format!("{divider}\nInvalid Policies:\n");
    for (i, p) in loader.invalid().iter().enumerate() {
        text.push_str(&format!("{}. {}: {}\n", i + 1, p.name, p.reason));
    }
    text.push_str(&format!("{divider}\n"));
    if to_stderr {
        out.err(&text);
    } else {
        out.out(&text);
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
