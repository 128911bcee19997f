//! Kyverno's condition operators (`preconditions`, `deny.conditions`, foreach preconditions):
//! `key <operator> value` over values whose variables are already substituted, with every type
//! rule of Kyverno's `pkg/engine/variables/operator` (see `spec/` and §3 of the semantics notes).
//!
//! Numbers are Go `float64` throughout (Kyverno round-trips conditions through JSON), and where
//! Kyverno turns a value into a string it does so with Go's `fmt.Sprint` (`3`, `1.5`, `1e+06`).
//!
//! [`parse_operator`] resolves an operator name once; [`evaluate`] runs one condition;
//! [`evaluate_block`], [`evaluate_any_all`] and [`evaluate_list`] run a block with its messages.

mod block;
mod duration;
mod equal;
mod go;
mod membership;
mod numeric;
mod range;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub use block::{BlockOutcome, Condition, Conditions, evaluate_block};
pub use block::{evaluate_any_all, evaluate_list};

use serde_json::Value;

use membership::Membership;
use numeric::Comparison;

/// A condition operator (Kyverno `ConditionOperator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `Equals` (alias `Equal`).
    Equals,
    /// `NotEquals` (alias `NotEqual`).
    NotEquals,
    /// `In` (deprecated: use `AllIn` or `AnyIn`).
    In,
    /// `AnyIn`.
    AnyIn,
    /// `AllIn`.
    AllIn,
    /// `NotIn` (deprecated: use `AllNotIn` or `AnyNotIn`).
    NotIn,
    /// `AnyNotIn`.
    AnyNotIn,
    /// `AllNotIn`.
    AllNotIn,
    /// `GreaterThan`.
    GreaterThan,
    /// `GreaterThanOrEquals`.
    GreaterThanOrEquals,
    /// `LessThan`.
    LessThan,
    /// `LessThanOrEquals`.
    LessThanOrEquals,
    /// `DurationGreaterThan` (deprecated: `GreaterThan` handles durations).
    DurationGreaterThan,
    /// `DurationGreaterThanOrEquals` (deprecated).
    DurationGreaterThanOrEquals,
    /// `DurationLessThan` (deprecated).
    DurationLessThan,
    /// `DurationLessThanOrEquals` (deprecated).
    DurationLessThanOrEquals,
}

/// Every operator with its CRD enum spelling, in the CRD's order.
const NAMES: [(Operator, &str); 16] = [
    (Operator::Equals, "Equals"),
    (Operator::NotEquals, "NotEquals"),
    (Operator::In, "In"),
    (Operator::AnyIn, "AnyIn"),
    (Operator::AllIn, "AllIn"),
    (Operator::NotIn, "NotIn"),
    (Operator::AnyNotIn, "AnyNotIn"),
    (Operator::AllNotIn, "AllNotIn"),
    (Operator::GreaterThanOrEquals, "GreaterThanOrEquals"),
    (Operator::GreaterThan, "GreaterThan"),
    (Operator::LessThanOrEquals, "LessThanOrEquals"),
    (Operator::LessThan, "LessThan"),
    (
        Operator::DurationGreaterThanOrEquals,
        "DurationGreaterThanOrEquals",
    ),
    (Operator::DurationGreaterThan, "DurationGreaterThan"),
    (
        Operator::DurationLessThanOrEquals,
        "DurationLessThanOrEquals",
    ),
    (Operator::DurationLessThan, "DurationLessThan"),
];

impl Operator {
    /// The CRD enum spelling (`GreaterThanOrEquals`).
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("", |(_, name)| name)
    }

    /// The recommended replacements for a deprecated operator (Kyverno's
    /// `GetDeprecatedOperatorAlternative`, extended to the `Duration*` operators, which Kyverno
    /// only flags in a log line); empty for current operators.
    #[cfg(test)]
    pub fn alternatives(self) -> &'static [&'static str] {
        match self {
            Operator::In => &["AllIn", "AnyIn"],
            Operator::NotIn => &["AllNotIn", "AnyNotIn"],
            Operator::DurationGreaterThan => &["GreaterThan"],
            Operator::DurationGreaterThanOrEquals => &["GreaterThanOrEquals"],
            Operator::DurationLessThan => &["LessThan"],
            Operator::DurationLessThanOrEquals => &["LessThanOrEquals"],
            _ => &[],
        }
    }

    /// The handler Kyverno's `CreateOperatorHandler` picks, with its comparison.
    fn handler(self) -> Handler {
        use Comparison::*;
        match self {
            Operator::Equals => Handler::Equal { negate: false },
            Operator::NotEquals => Handler::Equal { negate: true },
            Operator::In => Handler::Membership(Membership::In),
            Operator::NotIn => Handler::Membership(Membership::NotIn),
            Operator::AnyIn => Handler::Membership(Membership::AnyIn),
            Operator::AllIn => Handler::Membership(Membership::AllIn),
            Operator::AnyNotIn => Handler::Membership(Membership::AnyNotIn),
            Operator::AllNotIn => Handler::Membership(Membership::AllNotIn),
            Operator::GreaterThan => Handler::Numeric(Greater),
            Operator::GreaterThanOrEquals => Handler::Numeric(GreaterOrEqual),
            Operator::LessThan => Handler::Numeric(Less),
            Operator::LessThanOrEquals => Handler::Numeric(LessOrEqual),
            Operator::DurationGreaterThan => Handler::Duration(Greater),
            Operator::DurationGreaterThanOrEquals => Handler::Duration(GreaterOrEqual),
            Operator::DurationLessThan => Handler::Duration(Less),
            Operator::DurationLessThanOrEquals => Handler::Duration(LessOrEqual),
        }
    }

    /// True for `In`, `NotIn` and the `Duration*` operators.
    #[cfg(test)]
    pub fn is_deprecated(self) -> bool {
        !self.alternatives().is_empty()
    }
}

/// An operator as written in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParsedOperator {
    /// The operator Kyverno's case-insensitive handler lookup selects.
    pub op: Operator,
    /// True if spelled exactly as the CRD enum (`GreaterThan`; the accepted aliases `Equal` and
    /// `NotEqual` and any other capitalisation are not). An admission webhook with the CRD
    /// schema rejects non-canonical spellings; the CLI accepts them.
    pub canonical: bool,
}

/// The error for an operator name Kyverno has no handler for, with its exact text: Kyverno
/// wraps a nil error with `%w`, which Go prints as `%!w(<nil>)`. Kyverno raises it when the
/// condition is evaluated, after substituting its key and value, not when the policy loads.
pub const UNKNOWN_OPERATOR: &str = "failed to create handler for condition operator: %!w(<nil>)";

/// Resolves an operator name as Kyverno does: the handler is chosen case-insensitively and
/// `Equal`/`NotEqual` are aliases of `Equals`/`NotEquals`.
///
/// Caveat reproduced from Kyverno: the numeric and `Duration*` handlers compare the operator
/// string exactly once a value is at hand, so a non-canonical spelling of those
/// (`greaterthan`) parses but always evaluates to false.
pub fn parse_operator(name: &str) -> Result<ParsedOperator, String> {
    let mut lower = String::with_capacity(name.len());
    for c in name.chars() {
        // Go's strings.ToLower maps U+0130 (İ) to a plain `i`; Rust would add a combining dot.
        if c == '\u{130}' {
            lower.push('i');
        } else {
            lower.extend(c.to_lowercase());
        }
    }
    let op = match lower.as_str() {
        "equal" => Some(Operator::Equals),
        "notequal" => Some(Operator::NotEquals),
        _ => NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(&lower))
            .map(|(op, _)| *op),
    };
    op.map(|op| ParsedOperator {
        op,
        canonical: op.name() == name,
    })
    .ok_or_else(|| UNKNOWN_OPERATOR.to_owned())
}

/// How an operator evaluates: which handler, with which comparison.
enum Handler {
    Equal { negate: bool },
    Membership(Membership),
    Numeric(Comparison),
    Duration(Comparison),
}

/// Evaluates `key <op> value` on substituted values, exactly as Kyverno's handler for `op`.
/// Never panics; inputs a handler cannot use make the condition false (for `NotEquals`, a type
/// mismatch makes it true).
pub fn evaluate(op: &ParsedOperator, key: &Value, value: &Value) -> bool {
    match op.op.handler() {
        Handler::Equal { negate } => equal::evaluate(key, value, negate),
        Handler::Membership(m) => membership::evaluate(m, key, value),
        Handler::Numeric(c) => op.canonical && numeric::evaluate(c, key, value),
        Handler::Duration(c) => op.canonical && duration::evaluate(c, key, value),
    }
}
