//! Checks of a policy document that find mistakes the schema allows: warnings, since Kyverno
//! loads such a policy and fails only when it runs.

use super::reader::Reader;
use crate::expr;
use crate::template::Template;
use crate::yaml::{Node, NodeValue};

/// Keys whose string values are bare JMESPath expressions (not `{{ }}` templates).
const EXPRESSION_KEYS: [&str; 2] = ["jmesPath", "list"];

/// Warns about every regex function called with a constant pattern that does not compile
/// (`regex_match('[a-', ...)`): each evaluation of the rule would be an error.
pub fn literal_regexes(r: &mut Reader, doc: &Node) {
    walk(r, doc, false);
}

fn walk(r: &mut Reader, node: &Node, bare_expression: bool) {
    match &node.value {
        NodeValue::String(text) => {
            let mut problems = Vec::new();
            if bare_expression && let Ok(e) = expr::parse(text) {
                problems.extend(e.invalid_literal_regexes());
            }
            if let Ok(Some(template)) = Template::parse(text) {
                for e in template.expressions() {
                    problems.extend(e.invalid_literal_regexes());
                }
            }
            for problem in problems {
                r.warning(node.span, problem, "in this expression")
                    .notes
                    .push("every evaluation of this expression will fail".into());
            }
        }
        NodeValue::Seq(items) => items.iter().for_each(|n| walk(r, n, bare_expression)),
        NodeValue::Map(entries) => {
            for (key, value) in entries {
                walk(r, value, EXPRESSION_KEYS.contains(&key.text.as_str()));
            }
        }
        NodeValue::Null | NodeValue::Bool(_) | NodeValue::Number(_) => {}
    }
}
