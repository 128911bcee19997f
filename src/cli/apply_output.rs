//! What `apply` prints, built one evaluated resource at a time: the mutated resources, the
//! failures, the table, the policy reports, the exception drafts and the machine-readable
//! formats. Long texts go to spools ([`super::spool`]), so memory does not grow with the
//! number of resources; what an input file added can be taken back when the file turns out
//! unreadable.

use rampart::report::reported_status;
use rampart::{
    Engine, Evaluation, FailureAction, PolicyResponse, ResourceRef, RuleKind, RuleResponse,
    RuleStatus,
};
use serde_json::Value;

use super::apply::{ApplyArgs, Counts, paint_status};
use super::apply_input::Origin;
use super::ci_formats::{CiMark, CiResults};
use super::mutated::{self, Destination};
use super::report_spool::{ReportMark, ReportSpool};
use super::spool::Spool;
use super::{Output, exception_drafts, resources, table};

/// One resource, evaluated.
#[derive(Debug)]
pub struct Evaluated {
    /// The resource, when an output needs it (mutated resources, exception drafts).
    pub resource: Option<Value>,
    /// What the policies did.
    pub evaluation: Evaluation,
    /// Where it was read.
    pub origin: Option<std::sync::Arc<Origin>>,
}

/// Where every output stood when an input file began.
#[derive(Debug, Clone)]
struct Mark {
    file: usize,
    counts: Counts,
    resources: usize,
    mutated: u64,
    failures: u64,
    table: usize,
    reports: Option<ReportMark>,
    kept: usize,
    ci: Option<CiMark>,
    stderr: usize,
}

/// `apply`'s outputs, built as resources are evaluated.
pub struct Emitter<'a> {
    args: &'a ApplyArgs,
    engine: &'a Engine,
    destination: &'a Destination,
    color: bool,
    /// Rule results counted.
    pub counts: Counts,
    /// Resources evaluated.
    pub resources: usize,
    mutated: Spool,
    failures: Spool,
    table: Vec<Vec<String>>,
    reports: Option<ReportSpool>,
    kept: Vec<(Value, Evaluation)>,
    ci: Option<CiResults>,
    /// Warnings for standard error, in resource order.
    pub stderr: String,
    mark: Option<Mark>,
    /// The first error that stops the command.
    pub error: Option<String>,
}

impl<'a> Emitter<'a> {
    /// An emitter for the outputs `args` ask for.
    pub fn new(
        args: &'a ApplyArgs,
        engine: &'a Engine,
        destination: &'a Destination,
        color: bool,
    ) -> Self {
        let reports = args
            .policy_report
            .then(|| ReportSpool::new(&args.output_format, args.audit_warn));
        Emitter {
            args,
            engine,
            destination,
            color,
            counts: Counts::default(),
            resources: 0,
            mutated: Spool::default(),
            failures: Spool::default(),
            table: Vec::new(),
            reports,
            kept: Vec::new(),
            ci: CiResults::for_format(args),
            stderr: String::new(),
            mark: None,
            error: None,
        }
    }

    /// Whether the outputs need each resource itself, not only its evaluation.
    pub fn needs_resources(&self) -> bool {
        self.args.generate_exceptions
            || (!self.args.policy_report
                && self.engine.policies().any(|p| {
                    p.rules
                        .iter()
                        .any(|(_, k)| matches!(k, RuleKind::Mutation | RuleKind::Generation))
                }))
    }

    /// Notes that the next resources come from input file `file` (what they add can be taken
    /// back with [`Emitter::drop_file`]).
    pub fn begin_file(&mut self, file: usize) {
        if self.mark.as_ref().is_some_and(|m| m.file == file) {
            return;
        }
        self.mark = Some(Mark {
            file,
            counts: self.counts,
            resources: self.resources,
            mutated: self.mutated.len(),
            failures: self.failures.len(),
            table: self.table.len(),
            reports: self.reports.as_ref().map(ReportSpool::mark),
            kept: self.kept.len(),
            ci: self.ci.as_ref().map(CiResults::mark),
            stderr: self.stderr.len(),
        });
    }

    /// Takes back everything input file `file` added.
    pub fn drop_file(&mut self, file: usize) {
        let Some(mark) = self.mark.clone().filter(|m| m.file == file) else {
            return;
        };
        self.counts = mark.counts;
        self.resources = mark.resources;
        let cut = self
            .mutated
            .truncate(mark.mutated)
            .and_then(|()| self.failures.truncate(mark.failures));
        if let Err(e) = cut {
            self.error
                .get_or_insert(format!("failed to write the output ({e})"));
        }
        self.table.truncate(mark.table);
        if let (Some(r), Some(at)) = (&mut self.reports, &mark.reports) {
            r.truncate(at);
        }
        self.kept.truncate(mark.kept);
        if let (Some(ci), Some(at)) = (&mut self.ci, mark.ci) {
            ci.truncate(at);
        }
        self.stderr.truncate(mark.stderr);
    }

    /// Adds one evaluated resource to every output.
    pub fn add(&mut self, item: Evaluated) {
        self.resources += 1;
        let evaluation = &item.evaluation;
        self.counts.add(evaluation, self.args.audit_warn);
        if !self.args.exceptions_with_resources
            && let Some(warning) = resources::exception_warning(
                &evaluation.resource,
                "pass it with -e, or use --exceptions-with-resources",
            )
        {
            self.stderr.push_str(&warning);
        }
        let mut scratch = Output::new(self.color);
        if !self.args.policy_report
            && !self.args.generate_exceptions
            && let Some(resource) = &item.resource
        {
            let shown = mutated::show(
                self.engine,
                std::slice::from_ref(resource),
                std::slice::from_ref(evaluation),
                self.destination,
                &mut scratch,
            );
            if let Err(e) = shown {
                self.error
                    .get_or_insert(format!("failed to print mutated result ({e})"));
            }
            self.spool_mutated(&scratch.stdout);
            scratch.stdout.clear();
        }
        if let Some(ci) = &mut self.ci {
            ci.add(evaluation, item.origin.as_deref(), self.args.audit_warn);
        } else if let Some(reports) = &mut self.reports {
            reports.add(evaluation);
        } else if self.args.generate_exceptions {
            if let Some(resource) = item.resource {
                self.kept.push((resource, item.evaluation));
            }
        } else if self.args.table {
            table_rows(evaluation, self.args, self.color, &mut self.table);
        } else {
            print_failures(evaluation, self.args.audit_warn, &mut scratch);
            let pushed = self.failures.push(&scratch.stdout);
            if let Err(e) = pushed {
                self.error
                    .get_or_insert(format!("failed to write the output ({e})"));
            }
        }
    }

    fn spool_mutated(&mut self, text: &str) {
        if let Err(e) = self.mutated.push(text) {
            self.error
                .get_or_insert(format!("failed to write the output ({e})"));
        }
    }

    /// Writes the outputs after the header: the mutated resources, then the reports, drafts,
    /// table or failures with the summary line.
    pub fn finish(mut self, out: &mut Output, ttl: &str) -> Result<Counts, String> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        out.append_spool(&mut self.mutated)
            .map_err(|e| format!("failed to write the output ({e})"))?;
        let counts = self.counts;
        if let Some(ci) = self.ci.take() {
            ci.write(&counts, out)?;
        } else if let Some(reports) = self.reports.take() {
            reports.write(out)?;
        } else if self.args.generate_exceptions {
            let (resources, results): (Vec<Value>, Vec<Evaluation>) = self.kept.into_iter().unzip();
            out.out(&exception_drafts::render(
                &results,
                &resources,
                self.args.audit_warn,
                &self.args.output_format,
                ttl,
            ));
        } else if self.args.table {
            let mut headers = vec!["id", "policy", "rule", "resource", "result", "reason"];
            if self.args.detailed_results {
                headers.push("message");
            }
            out.out(&table::render(&headers, &self.table));
        } else {
            out.append_spool(&mut self.failures)
                .map_err(|e| format!("failed to write the output ({e})"))?;
        }
        Ok(counts)
    }
}

impl Counts {
    /// Counts one evaluation's rule results as Kyverno does (every response of a rule that ran).
    pub fn add(&mut self, evaluation: &Evaluation, audit_warn: bool) {
        for response in &evaluation.policies {
            for rule in &response.rules {
                match reported_status(response, rule, audit_warn) {
                    RuleStatus::Pass => self.pass += 1,
                    RuleStatus::Fail => self.fail += 1,
                    RuleStatus::Warn => self.warn += 1,
                    RuleStatus::Error => self.error += 1,
                    RuleStatus::Skip => self.skip += 1,
                }
            }
        }
    }
}

/// `namespace/Kind/name`, as Kyverno's CLI names a resource.
pub fn resource_path(resource: &ResourceRef) -> String {
    format!(
        "{}/{}/{}",
        resource.namespace(),
        resource.kind(),
        resource.name()
    )
}

/// Kyverno's lines for a resource: its mutate responses first (`skipped mutate policy ...`,
/// `error while applying mutate policy ...`), then each policy's failed rules.
fn print_failures(evaluation: &Evaluation, audit_warn: bool, out: &mut Output) {
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

/// The table rows of one resource, numbered after the rows before them.
fn table_rows(evaluation: &Evaluation, args: &ApplyArgs, color: bool, rows: &mut Vec<Vec<String>>) {
    for response in &evaluation.policies {
        for rule in &response.rules {
            let status = reported_status(response, rule, args.audit_warn);
            let mut row = vec![
                (rows.len() + 1).to_string(),
                response.policy.key(),
                rule.name.to_string(),
                resource_path(&evaluation.resource),
                paint_status(status, color),
                String::new(),
            ];
            if args.detailed_results {
                row.push(detailed_message(rule));
            }
            rows.push(row);
        }
    }
}

/// The message of a rule result, with a podSecurity failure's field errors.
pub fn detailed_message(rule: &RuleResponse) -> String {
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
