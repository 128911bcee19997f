//! The function table: every JMESPath builtin and every Kyverno function, keyed by name.
//!
//! Each family lives in its own file and exports a `SPECS` slice; [`lookup`] finds a function
//! by name at parse time, so a call never looks anything up while evaluating. Arguments are
//! type-checked against the signature before the handler runs, with Kyverno's message
//! `JMESPath function '<f>': argument #<n> is not of type <T> (got <t>)`.

/// Builds a [`FunctionSpec`]: `spec!(name, [arg types..], variadic, "returns", "note", handler)`;
/// a leading `regex` marks the first argument as a pattern to compile when it is a literal.
macro_rules! spec {
    (regex $($rest:tt)*) => {
        FunctionSpec { literal_regex: true, ..spec!($($rest)*) }
    };
    ($name:literal, [$($arg:expr),*], $variadic:expr, $ret:literal, $note:literal, $handler:expr) => {
        FunctionSpec {
            name: $name,
            args: &[$($arg),*],
            variadic: $variadic,
            returns: $ret,
            note: $note,
            literal_regex: false,
            handler: $handler,
        }
    };
}

mod arithmetic;
mod builtin;
mod encoding;
mod image;
mod network;
mod random;
pub(crate) mod regex;
mod semver;
mod strings;
mod structure;
mod time;
mod x509;
mod yaml;

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::error::EvalError;
use super::value::type_name;
use crate::clock::Clock;

/// The type of one function argument (or of a return value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// Any value.
    Any,
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
    /// An array of numbers.
    ArrayNumber,
    /// An array of strings.
    ArrayString,
    /// An expression reference `&expr`.
    Expref,
}

impl ArgType {
    /// The name used in signatures and error messages.
    pub fn name(self) -> &'static str {
        match self {
            ArgType::Any => "any",
            ArgType::String => "string",
            ArgType::Number => "number",
            ArgType::Boolean => "boolean",
            ArgType::Array => "array",
            ArgType::Object => "object",
            ArgType::ArrayNumber => "array[number]",
            ArgType::ArrayString => "array[string]",
            ArgType::Expref => "expref",
        }
    }

    fn accepts(self, arg: &Arg<'_>) -> bool {
        let Arg::Value(v) = arg else {
            return self == ArgType::Expref;
        };
        match (self, &**v) {
            (ArgType::Any, _)
            | (ArgType::String, Value::String(_))
            | (ArgType::Number, Value::Number(_))
            | (ArgType::Boolean, Value::Bool(_))
            | (ArgType::Array, Value::Array(_))
            | (ArgType::Object, Value::Object(_)) => true,
            (ArgType::ArrayNumber, Value::Array(items)) => items.iter().all(Value::is_number),
            (ArgType::ArrayString, Value::Array(items)) => items.iter().all(Value::is_string),
            _ => false,
        }
    }
}

/// A function handler: receives type-checked arguments.
pub(crate) type Handler = fn(&Call<'_, '_>) -> Result<Value, EvalError>;

/// One registered function: name, signature, note and handler.
#[derive(Debug)]
pub struct FunctionSpec {
    /// The name used in expressions.
    pub name: &'static str,
    /// Accepted types of each argument.
    pub args: &'static [&'static [ArgType]],
    /// Whether the last argument may repeat (at least once).
    pub variadic: bool,
    /// The return type, as `rampart jp function` prints it.
    pub returns: &'static str,
    /// One line about what it does.
    pub note: &'static str,
    /// Whether the first argument is a regex worth compiling when it is a literal.
    pub(crate) literal_regex: bool,
    pub(crate) handler: Handler,
}

impl FunctionSpec {
    /// `name(argtypes…) returntype`, as `kyverno jp function` prints it.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .enumerate()
            .map(|(i, types)| {
                let joined: Vec<&str> = types.iter().map(|t| t.name()).collect();
                let mut s = joined.join("|");
                if self.variadic && i + 1 == self.args.len() {
                    s.push_str("...");
                }
                s
            })
            .collect();
        format!("{}({}) {}", self.name, args.join(", "), self.returns)
    }

    pub(crate) fn accepts_arity(&self, n: usize) -> bool {
        if self.variadic {
            n >= self.args.len()
        } else {
            n == self.args.len()
        }
    }

    pub(crate) fn arity_text(&self) -> String {
        if self.variadic {
            format!("at least {}", self.args.len())
        } else {
            self.args.len().to_string()
        }
    }

    /// Type-check the arguments, then run the handler.
    pub(crate) fn call(&self, call: &Call<'_, '_>) -> Result<Value, EvalError> {
        for (i, arg) in call.args.iter().enumerate() {
            let Some(types) = self.args.get(i).or_else(|| self.args.last()) else {
                break;
            };
            if !types.iter().any(|t| t.accepts(arg)) {
                let expected: Vec<&str> = types.iter().map(|t| t.name()).collect();
                return Err(EvalError::InvalidType {
                    function: self.name,
                    position: i + 1,
                    expected: expected.join(" or "),
                    got: match arg {
                        Arg::Value(v) => type_name(v),
                        Arg::Expref(_) => "expref",
                    },
                });
            }
        }
        (self.handler)(call)
    }
}

impl fmt::Display for FunctionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.signature())
    }
}

/// Evaluates expression references (`&expr`) for functions: the caller's evaluator, which
/// knows the syntax tree the reference points into (this module does not).
pub(crate) trait Apply {
    /// Evaluates the referenced expression against a value (missing keys become `null`).
    fn apply(&self, expref: &dyn Any, data: &Value) -> Result<Value, EvalError>;
}

/// An evaluated argument, or an expression reference left unevaluated (opaque here).
pub(crate) enum Arg<'a> {
    Value(Cow<'a, Value>),
    Expref(&'a dyn Any),
}

/// An expression reference argument, ready to apply.
pub(crate) struct Expref<'c> {
    node: &'c dyn Any,
    evaluator: &'c dyn Apply,
}

impl Expref<'_> {
    /// Evaluates the referenced expression against a value (missing keys become `null`).
    pub(crate) fn apply(&self, data: &Value) -> Result<Value, EvalError> {
        self.evaluator.apply(self.node, data)
    }
}

/// One call of a function: its (type-checked) arguments, the pattern compiled at parse time,
/// what applies expression references, and the clock that `time_now` and friends read.
pub(crate) struct Call<'a, 'e> {
    pub(crate) spec: &'static FunctionSpec,
    pub(crate) args: &'e [Arg<'a>],
    pub(crate) regex: Option<&'a ::regex::Regex>,
    pub(crate) evaluator: &'e dyn Apply,
    pub(crate) clock: &'e dyn Clock,
}

impl Call<'_, '_> {
    fn mismatch(&self, i: usize, expected: &str) -> EvalError {
        EvalError::InvalidType {
            function: self.spec.name,
            position: i + 1,
            expected: expected.to_owned(),
            got: match self.args.get(i) {
                Some(Arg::Value(v)) => type_name(v),
                Some(Arg::Expref(_)) => "expref",
                None => "null",
            },
        }
    }

    /// Argument `i` as a value.
    pub(crate) fn value(&self, i: usize) -> Result<&Value, EvalError> {
        match self.args.get(i) {
            Some(Arg::Value(v)) => Ok(v),
            _ => Err(self.mismatch(i, "any")),
        }
    }

    /// Argument `i` as a string.
    pub(crate) fn str(&self, i: usize) -> Result<&str, EvalError> {
        self.value(i)?
            .as_str()
            .ok_or_else(|| self.mismatch(i, "string"))
    }

    /// Argument `i` as a number.
    pub(crate) fn num(&self, i: usize) -> Result<f64, EvalError> {
        self.value(i)?
            .as_f64()
            .ok_or_else(|| self.mismatch(i, "number"))
    }

    /// Argument `i` as an array.
    pub(crate) fn array(&self, i: usize) -> Result<&Vec<Value>, EvalError> {
        self.value(i)?
            .as_array()
            .ok_or_else(|| self.mismatch(i, "array"))
    }

    /// Argument `i` as an object.
    pub(crate) fn object(&self, i: usize) -> Result<&Map<String, Value>, EvalError> {
        self.value(i)?
            .as_object()
            .ok_or_else(|| self.mismatch(i, "object"))
    }

    /// Argument `i` as an expression reference.
    pub(crate) fn expref(&self, i: usize) -> Result<Expref<'_>, EvalError> {
        match self.args.get(i) {
            Some(Arg::Expref(node)) => Ok(Expref {
                node: *node,
                evaluator: self.evaluator,
            }),
            _ => Err(self.mismatch(i, "expref")),
        }
    }

    /// A failure of this function, prefixed as Kyverno prefixes it.
    pub(crate) fn fail(&self, message: impl fmt::Display) -> EvalError {
        EvalError::function(self.spec.name, message)
    }
}

/// Every family's table.
const FAMILIES: &[&[FunctionSpec]] = &[
    builtin::SPECS,
    strings::SPECS,
    regex::SPECS,
    arithmetic::SPECS,
    encoding::SPECS,
    time::SPECS,
    semver::SPECS,
    structure::SPECS,
    image::SPECS,
    yaml::SPECS,
    random::SPECS,
    network::SPECS,
    x509::SPECS,
];

static BY_NAME: LazyLock<HashMap<&'static str, &'static FunctionSpec>> = LazyLock::new(|| {
    FAMILIES
        .iter()
        .flat_map(|family| family.iter())
        .map(|spec| (spec.name, spec))
        .collect()
});

/// Find a function by name.
pub fn lookup(name: &str) -> Option<&'static FunctionSpec> {
    BY_NAME.get(name).copied()
}

/// Every registered function, sorted by name.
pub fn functions() -> impl Iterator<Item = &'static FunctionSpec> {
    let mut all: Vec<&'static FunctionSpec> = BY_NAME.values().copied().collect();
    all.sort_by_key(|s| s.name);
    all.into_iter()
}

/// Shorthand for signatures.
pub(crate) mod sig {
    use super::ArgType;

    pub(crate) const ANY: &[ArgType] = &[ArgType::Any];
    pub(crate) const STR: &[ArgType] = &[ArgType::String];
    pub(crate) const NUM: &[ArgType] = &[ArgType::Number];
    pub(crate) const ARR: &[ArgType] = &[ArgType::Array];
    pub(crate) const OBJ: &[ArgType] = &[ArgType::Object];
    pub(crate) const EXPREF: &[ArgType] = &[ArgType::Expref];
    pub(crate) const STR_OR_NUM: &[ArgType] = &[ArgType::String, ArgType::Number];
}
