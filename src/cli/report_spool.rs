//! `apply -p`, written as resources are evaluated: each report result is rendered (YAML or
//! JSON) into its report's spool as it comes, and the reports are put together at the end,
//! byte for byte what rendering whole reports gives, without holding the results.

use rampart::Evaluation;
use rampart::clock::{Clock, SystemClock, unix_seconds};
use rampart::report::{count_result, report_document, report_results};
use serde_json::{Value, json};

use super::Output;
use super::spool::Spool;

/// One report: its namespace (`None` for the ClusterPolicyReport), results and counts.
#[derive(Debug, Default)]
struct Part {
    namespace: Option<String>,
    spool: Spool,
    entries: usize,
    /// pass, fail, warn, error, skip.
    summary: [usize; 5],
}

/// Where the reports stood, to take back what came after.
#[derive(Debug, Clone, Default)]
pub struct ReportMark {
    parts: Vec<(u64, usize, [usize; 5])>,
}

/// The reports of `apply -p`, rendered as they come.
#[derive(Debug)]
pub struct ReportSpool {
    json: bool,
    seconds: i64,
    audit_warn: bool,
    parts: Vec<Part>,
    error: Option<String>,
}

impl ReportSpool {
    /// Reports in `format` (`json`, else YAML).
    pub fn new(format: &str, audit_warn: bool) -> Self {
        ReportSpool {
            json: format == "json",
            seconds: unix_seconds(SystemClock.now()),
            audit_warn,
            parts: vec![Part::default()],
            error: None,
        }
    }

    /// Where the reports stand.
    pub fn mark(&self) -> ReportMark {
        ReportMark {
            parts: self
                .parts
                .iter()
                .map(|p| (p.spool.len(), p.entries, p.summary))
                .collect(),
        }
    }

    /// Takes back what came after `mark`.
    pub fn truncate(&mut self, mark: &ReportMark) {
        self.parts.truncate(mark.parts.len().max(1));
        for (part, (len, entries, summary)) in self.parts.iter_mut().zip(&mark.parts) {
            if let Err(e) = part.spool.truncate(*len) {
                self.error.get_or_insert(e.to_string());
            }
            part.entries = *entries;
            part.summary = *summary;
        }
    }

    /// Adds one evaluation's results.
    pub fn add(&mut self, evaluation: &Evaluation) {
        for (namespace, result) in report_results(evaluation, self.seconds, self.audit_warn) {
            let index = match self.parts.iter().position(|p| p.namespace == namespace) {
                Some(i) => i,
                None => {
                    self.parts.push(Part {
                        namespace,
                        ..Part::default()
                    });
                    self.parts.len() - 1
                }
            };
            let text = item(&result, self.json, self.parts[index].entries);
            let part = &mut self.parts[index];
            count_result(&mut part.summary, &result);
            part.entries += 1;
            if let Err(e) = part.spool.push(&text) {
                self.error.get_or_insert(e.to_string());
            }
        }
    }

    /// Writes the reports, separated by `---`.
    pub fn write(self, out: &mut Output) -> Result<(), String> {
        if let Some(e) = self.error {
            return Err(format!("failed to write the output ({e})"));
        }
        for (i, mut part) in self.parts.into_iter().enumerate() {
            if i > 0 {
                out.out("---\n");
            }
            let empty = report_document(part.namespace.as_deref(), Vec::new(), part.summary);
            let (text, marker, open, close) = if self.json {
                let text = serde_json::to_string_pretty(&empty).unwrap_or_default() + "\n";
                (
                    text,
                    "  \"results\": [],\n",
                    "  \"results\": [\n",
                    "\n  ],\n",
                )
            } else {
                (
                    rampart::yaml::to_yaml_string(&empty) + "\n",
                    "results: []\n",
                    "results:\n",
                    "",
                )
            };
            let (head, tail) = text.split_once(marker).unwrap_or((&text, ""));
            out.out(head);
            if part.entries == 0 {
                out.out(marker);
            } else {
                out.out(open);
                out.append_spool(&mut part.spool)
                    .map_err(|e| format!("failed to write the output ({e})"))?;
                out.out(close);
            }
            out.out(tail);
        }
        Ok(())
    }
}

/// One result as it appears in its report's `results` (after `entries` others).
fn item(result: &Value, json: bool, entries: usize) -> String {
    let wrapped = json!({ "results": [result] });
    if json {
        let text = serde_json::to_string_pretty(&wrapped).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let body = lines
            .get(2..lines.len().saturating_sub(2))
            .unwrap_or_default()
            .join("\n");
        match entries {
            0 => body,
            _ => format!(",\n{body}"),
        }
    } else {
        let text = rampart::yaml::to_yaml_string(&wrapped);
        text.strip_prefix("results:\n").unwrap_or(&text).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart::Loader;
    use rampart::report::{ReportOptions, policy_reports, render};

    /// Evaluations of a namespaced and a cluster-wide policy on a few Pods.
    fn evaluations() -> Vec<Evaluation> {
        let mut loader = Loader::new();
        loader.add_text(
            "p.yaml",
            "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: labels\n  annotations:\n    policies.kyverno.io/category: Best Practices\nspec:\n  rules:\n  - name: team\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    validate:\n      message: needs a team\n      pattern:\n        metadata:\n          labels:\n            team: \"?*\"\n---\napiVersion: kyverno.io/v1\nkind: Policy\nmetadata:\n  name: local\n  namespace: shop\nspec:\n  rules:\n  - name: image\n    match:\n      any:\n      - resources:\n          kinds: [Pod]\n    validate:\n      message: no latest\n      pattern:\n        spec:\n          containers:\n          - image: \"!*:latest\"\n",
        );
        let engine = loader.engine();
        (0..3)
            .map(|i| {
                let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p{i}"), "namespace": "shop", "labels": if i == 1 { json!({"team": "a"}) } else { json!({}) }}, "spec": {"containers": [{"name": "c", "image": if i == 2 { "nginx:latest" } else { "nginx:1" }}]}});
                let admission = rampart::AdmissionRequest::for_resource(pod, rampart::Operation::Create);
                engine.evaluate(&rampart::Request::new(&admission))
            })
            .collect()
    }

    #[test]
    fn spooled_reports_are_the_whole_reports() {
        let evaluations = evaluations();
        for format in ["yaml", "json"] {
            let mut spool = ReportSpool::new(format, false);
            evaluations.iter().for_each(|e| spool.add(e));
            let mut out = Output::default();
            spool.write(&mut out).unwrap_or_default();
            let clock = rampart::FixedClock::at(rampart::clock::from_unix_seconds(spool_seconds(
                &out.stdout,
            )));
            let whole = render(
                &policy_reports(
                    &evaluations,
                    &ReportOptions {
                        audit_warn: false,
                        clock: &clock,
                    },
                ),
                format,
            );
            assert_eq!(out.stdout, whole, "{format}");
        }
        // No results at all.
        let mut out = Output::default();
        ReportSpool::new("yaml", false)
            .write(&mut out)
            .unwrap_or_default();
        let clock = rampart::FixedClock::at(rampart::clock::from_unix_seconds(0));
        let whole = render(
            &policy_reports(
                &[],
                &ReportOptions {
                    audit_warn: false,
                    clock: &clock,
                },
            ),
            "yaml",
        );
        assert_eq!(out.stdout, whole);
    }

    /// The timestamp the spool stamped (every result has the same).
    fn spool_seconds(text: &str) -> i64 {
        text.split("seconds")
            .nth(1)
            .and_then(|rest| {
                let digits: String = rest
                    .chars()
                    .skip_while(|c| !c.is_ascii_digit())
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            })
            .unwrap_or(0)
    }
}
