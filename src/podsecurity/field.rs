//! Field errors in the shape of Kyverno's pod-security-admission fork (`ErrList`), used by the
//! exclusions (`restrictedField`, `values`) and by detailed rule output.

use std::borrow::Cow;
use std::fmt;

/// `field.ErrorTypeForbidden` or `field.ErrorTypeRequired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// A field holds a forbidden value.
    Forbidden,
    /// A field must be set.
    Required,
}

/// The offending value of a field error (Go's `BadValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// A string (`""` when there is no value, as for `Required` errors).
    Str(String),
    /// A boolean, such as `true` for `hostNetwork`.
    Bool(bool),
    /// An integer, such as a host port or `runAsUser`.
    Int(i64),
    /// A list of strings, such as forbidden capabilities.
    List(Vec<String>),
}

/// One field error: kind, path (`spec.containers[0].securityContext.privileged`) and bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Forbidden or Required.
    pub kind: FieldErrorKind,
    /// The field path as `field.Path.String()` prints it.
    pub field: String,
    /// The offending value.
    pub bad_value: BadValue,
}

impl FieldError {
    /// A Forbidden error.
    pub(crate) fn forbidden(field: String, bad_value: BadValue) -> FieldError {
        FieldError {
            kind: FieldErrorKind::Forbidden,
            field,
            bad_value,
        }
    }

    /// A Required error (bad value `""`).
    pub(crate) fn required(field: String) -> FieldError {
        FieldError {
            kind: FieldErrorKind::Required,
            field,
            bad_value: BadValue::Str(String::new()),
        }
    }

    /// The bad values as strings, as Kyverno's exclusion matches them against `values`:
    /// a non-empty string as itself, a bool or int printed, a list as its items.
    pub fn bad_values(&self) -> Vec<Cow<'_, str>> {
        match &self.bad_value {
            BadValue::Str(s) if s.is_empty() => Vec::new(),
            BadValue::Str(s) => vec![Cow::Borrowed(s.as_str())],
            BadValue::Bool(b) => vec![Cow::Borrowed(if *b { "true" } else { "false" })],
            BadValue::Int(i) => vec![Cow::Owned(i.to_string())],
            BadValue::List(l) => l.iter().map(|s| Cow::Borrowed(s.as_str())).collect(),
        }
    }
}

impl fmt::Display for BadValue {
    /// Go's `%+v` of the value: `true`, `0`, `Unconfined`, `[NET_ADMIN NET_RAW]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(s),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::List(l) => write!(f, "[{}]", l.join(" ")),
        }
    }
}

impl fmt::Display for FieldError {
    /// Kyverno's `FormatChecksPrint` item: `<field> is forbidden, forbidden values found: <v>`
    /// for a Forbidden error with a non-empty value, else `<field>: Forbidden` /
    /// `<field>: Required value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let empty = matches!(&self.bad_value, BadValue::Str(s) if s.is_empty());
        match self.kind {
            FieldErrorKind::Forbidden if !empty => {
                write!(
                    f,
                    "{} is forbidden, forbidden values found: {}",
                    self.field, self.bad_value
                )
            }
            FieldErrorKind::Forbidden => write!(f, "{}: Forbidden", self.field),
            FieldErrorKind::Required => write!(f, "{}: Required value", self.field),
        }
    }
}
