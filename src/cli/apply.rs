//! `rampart apply <policies...> -r <resources...>`: Kyverno's `apply` output and exit codes.

use clap::Args;
use serde_json::{Map, Value};

use super::resources::{self, kind_of, name_of, namespace_of};
use super::values::{self, Values};
use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE, Output, table};
use crate::diag::{SourceMap, render_all};
use crate::engine::{ExternalData, PolicyResponse, Request, RuleStatus};
use crate::ir::FailureAction;
use crate::load::{PolicySet, load_policies};
use crate::report;

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

/// The status a rule result is reported with: an unscored policy's failure is a warning, and
/// so is an Audit failure under `--audit-warn`.
pub fn reported_status(
    status: RuleStatus,
    scored: bool,
    audit_warn: bool,
    action: FailureAction,
) -> RuleStatus {
    match status {
        RuleStatus::Fail if !scored || (audit_warn && action == FailureAction::Audit) => {
            RuleStatus::Warn
        }
        other => other,
    }
}

/// One evaluated (resource, policy) pair.
pub struct Evaluated<'a> {
    /// The resource.
    pub resource: &'a Value,
    /// The response.
    pub response: PolicyResponse,
}

/// Evaluates every policy on every resource, with the operation and namespace labels the
/// values (and the Namespace objects among the resources) give.
pub fn evaluate<'a>(
    set: &PolicySet,
    resources: &'a [Value],
    values: &Values,
    user: Option<&crate::matching::UserInfo>,
    external: Option<&(dyn ExternalData + Sync)>,
) -> Result<Vec<Evaluated<'a>>, String> {
    let mut namespaces: Vec<(String, Map<String, Value>)> = values.namespace_labels.clone();
    namespaces.extend(resources::namespace_labels(resources));
    let mut out = Vec::new();
    for resource in resources {
        let ns = if kind_of(resource) == "Namespace" {
            name_of(resource)
        } else {
            namespace_of(resource)
        };
        let labels = namespaces.iter().find(|(n, _)| n == ns).map(|(_, l)| l);
        let operation = values.operation(name_of(resource))?;
        let variables = values.resource_variables(name_of(resource));
        let request = Request {
            resource,
            operation,
            namespace_labels: labels,
            user,
            variables: &variables,
            rule_values: Some(values),
            external,
        };
        for response in set.program.evaluate(&request) {
            out.push(Evaluated { resource, response });
        }
    }
    Ok(out)
}

/// Runs `apply`.
pub fn run(args: &ApplyArgs, out: &mut Output) -> i32 {
    out.color &= !args.remove_color;
    if args.resources.is_empty() {
        out.err("Error: resource file(s) or cluster required\n");
        return EXIT_USAGE;
    }
    if args.policies.first().is_some_and(|p| p == "-")
        && args.resources.first().is_some_and(|r| r == "-")
    {
        out.err("Error: a stdin pipe can be used for either policies or resources, not both\n");
        return EXIT_USAGE;
    }
    if args.values_file.is_some() && !args.set.is_empty() {
        out.err("Error: pass the values either using set flag or values_file flag\n");
        return EXIT_USAGE;
    }
    let mut sources = SourceMap::new();
    let values = match values::load(args.values_file.as_deref(), &args.set, &mut sources) {
        Ok(v) => v,
        Err(e) => {
            out.err(&format!("Error: failed to decode yaml ({e})\n"));
            return EXIT_USAGE;
        }
    };
    let set = match load_policies(&mut sources, &args.policies) {
        Ok(set) => set,
        Err(e) => {
            out.err(&format!("Error: failed to load policies ({e})\n"));
            return EXIT_USAGE;
        }
    };
    if !set.diagnostics.is_empty() {
        out.err(&render_all(&set.diagnostics, &sources, out.color));
    }
    let user = match &args.userinfo {
        Some(path) => match resources::load_user_info(path, &mut sources) {
            Ok(u) => Some(u),
            Err(e) => {
                out.err(&format!("Error: failed to load request info ({e})\n"));
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let Some(resources) = resources::load(&args.resources, &mut sources, out) else {
        return EXIT_USAGE;
    };
    let results = match evaluate(&set, &resources, &values, user.as_ref(), None) {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("Error: {e}\n"));
            return EXIT_USAGE;
        }
    };
    let mut counts = count(&set, &results, args.audit_warn);
    counts.error += set.invalid.len();

    if !args.policy_report {
        out.out(&format!(
            "\nApplying {} policy rule(s) to {} resource(s)...\n",
            set.rule_count(),
            resources.len()
        ));
    }
    print_invalid(&set, out);
    if args.policy_report {
        let reports = report::build(&set, &results, args.audit_warn);
        out.out(&report::render(&reports, &args.output_format));
    } else if args.table {
        print_table(&set, &results, args, out);
    } else {
        print_failures(&set, &results, args.audit_warn, out);
        out.out(&format!(
            "\npass: {}, fail: {}, warn: {}, error: {}, skip: {} \n",
            counts.pass, counts.fail, counts.warn, counts.error, counts.skip
        ));
    }
    exit_code(&counts, args)
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
pub fn count(set: &PolicySet, results: &[Evaluated], audit_warn: bool) -> Counts {
    let mut c = Counts::default();
    for e in results {
        let Some(policy) = set.program.policies.get(e.response.policy) else {
            continue;
        };
        for rule in &e.response.rules {
            match reported_status(
                rule.status,
                policy.scored,
                audit_warn,
                e.response.failure_action,
            ) {
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

fn print_invalid(set: &PolicySet, out: &mut Output) {
    if set.invalid.is_empty() {
        return;
    }
    let divider = "-".repeat(70);
    out.out(&format!("{divider}\nInvalid Policies:\n"));
    for (i, p) in set.invalid.iter().enumerate() {
        out.out(&format!("{}. {}: {}\n", i + 1, p.name, p.reason));
    }
    out.out(&format!("{divider}\n"));
}

fn resource_path(resource: &Value) -> String {
    format!(
        "{}/{}/{}",
        namespace_of(resource),
        kind_of(resource),
        name_of(resource)
    )
}

fn print_failures(set: &PolicySet, results: &[Evaluated], audit_warn: bool, out: &mut Output) {
    for e in results {
        let Some(policy) = set.program.policies.get(e.response.policy) else {
            continue;
        };
        let failed: Vec<_> = e
            .response
            .rules
            .iter()
            .filter(|r| r.status == RuleStatus::Fail)
            .collect();
        if failed.is_empty() {
            continue;
        }
        let how = if audit_warn && e.response.failure_action == FailureAction::Audit {
            "failed as audit warning:"
        } else {
            "failed:"
        };
        out.out(&format!(
            "policy {} -> resource {} {how}\n",
            policy.name,
            resource_path(e.resource)
        ));
        for (i, rule) in failed.iter().enumerate() {
            match &rule.pod_security {
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
}

fn print_table(set: &PolicySet, results: &[Evaluated], args: &ApplyArgs, out: &mut Output) {
    let mut rows = Vec::new();
    for e in results {
        let Some(policy) = set.program.policies.get(e.response.policy) else {
            continue;
        };
        for rule in &e.response.rules {
            let status = reported_status(
                rule.status,
                policy.scored,
                args.audit_warn,
                rule.failure_action,
            );
            let mut row = vec![
                (rows.len() + 1).to_string(),
                policy.key(),
                rule.name.clone(),
                resource_path(e.resource),
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
fn detailed_message(rule: &crate::engine::RuleResponse) -> String {
    let Some(finding) = &rule.pod_security else {
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
