//! Why a patch could not be parsed or applied. The texts are evanphx/json-patch v5.9.11's
//! (`v5/patch.go`), which Kyverno shows after `failed to patch resource: `.

use std::fmt;

use super::Op;
use super::pointer::AtoiError;

/// A patch that could not be parsed, or an operation that could not be applied.
///
/// `Display` gives evanphx/json-patch's message for the same failure, so that what a user reads
/// matches Kyverno; the fields carry the same facts for programs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The patch is not a JSON array (`DecodePatch` unmarshalling into `Patch`).
    #[error("json: cannot unmarshal {found} into Go value of type jsonpatch.Patch")]
    NotAnArray {
        /// The JSON type found instead: `object`, `string`, `number` or `bool`.
        found: &'static str,
    },
    /// An element of the patch is not a JSON object.
    #[error("json: cannot unmarshal {found} into Go value of type jsonpatch.Operation")]
    NotAnOperation {
        /// The element's position in the patch.
        index: usize,
        /// The JSON type found instead.
        found: &'static str,
    },
    /// An operation names no known op or lacks a member its op needs (`validateOperation`).
    #[error("invalid operation {operation}: {problem}")]
    InvalidOperation {
        /// The operation's position in the patch.
        index: usize,
        /// The operation as Go's `json.Marshal` prints it: compact, members sorted.
        operation: String,
        /// What is wrong with it.
        problem: OperationProblem,
    },
    /// The object or array that should hold the operation's `path` does not exist (for `move`
    /// and `copy`, the destination's).
    #[error("{}", missing_path(*.op, .path))]
    MissingPath {
        /// The operation.
        op: Op,
        /// Its `path`.
        path: String,
    },
    /// The object or array that should hold a `move` or `copy`'s `from` does not exist.
    #[error("{}", missing_from(*.op, .from))]
    MissingFrom {
        /// The operation.
        op: Op,
        /// Its `from`.
        from: String,
    },
    /// `replace` names a member or element that does not exist.
    #[error("replace operation does not apply: doc is missing key: {path}: missing value")]
    MissingKey {
        /// The operation's `path`.
        path: String,
    },
    /// A `test` operation found a different value.
    #[error("testing value {path} failed: test failed")]
    TestFailed {
        /// The operation's `path`.
        path: String,
    },
    /// A `move` whose `from` is the whole document (`""`).
    #[error("unable to move entire document to another path: invalid state detected")]
    MoveRoot,
    /// `add` or `replace` at `""` with a value the whole document cannot be.
    #[error("{}", root_value(*.op, .found))]
    RootValue {
        /// The operation: `add` or `replace`.
        op: Op,
        /// The JSON type of its value.
        found: &'static str,
    },
    /// `add` could not create the missing objects and arrays above its `path`
    /// (`ensurePathExists`).
    #[error(transparent)]
    EnsurePath(#[from] EnsurePathError),
    /// A member or element could not be read, added, set or removed.
    #[error("{at}: {cause}")]
    Access {
        /// Which step of which operation.
        at: AccessSite,
        /// What went wrong.
        cause: AccessError,
    },
}

fn missing_path(op: Op, path: &str) -> String {
    match op {
        Op::Add => {
            format!("add operation does not apply: doc is missing path: \"{path}\": missing value")
        }
        Op::Remove => {
            format!(
                "remove operation does not apply: doc is missing path: \"{path}\": missing value"
            )
        }
        Op::Replace => {
            format!("replace operation does not apply: doc is missing path: {path}: missing value")
        }
        Op::Test => {
            format!("test operation does not apply: is missing path: {path}: missing value")
        }
        Op::Move | Op::Copy => format!(
            "{op} operation does not apply: doc is missing destination path: {path}: missing value"
        ),
    }
}

fn missing_from(op: Op, from: &str) -> String {
    match op {
        Op::Copy => {
            format!(
                "copy operation does not apply: doc is missing from path: \"{from}\": missing value"
            )
        }
        _ => format!(
            "{op} operation does not apply: doc is missing from path: {from}: missing value"
        ),
    }
}

fn root_value(op: Op, found: &str) -> String {
    match (op, found) {
        (Op::Replace, _) => {
            "replace operation value must be object or array: %!w(<nil>)".to_owned()
        }
        (_, "null") => "invalid value, expected object".to_owned(),
        _ => format!(
            "json: cannot unmarshal {found} into Go value of type map[string]*jsonpatch.lazyNode"
        ),
    }
}

/// What makes an operation invalid before anything is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationProblem {
    /// `op` is missing, not a string, or not one of the six ops.
    UnknownOp,
    /// `add` or `replace` without `value` (`null` is a value).
    MissingValue,
    /// `move` or `copy` without `from`, or with `from: null`.
    MissingFrom,
    /// No `path`, or `path: null`.
    MissingPath,
    /// `from` or `path` is not a string.
    NotAString {
        /// `from` or `path`.
        member: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
}

impl fmt::Display for OperationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperationProblem::UnknownOp => f.write_str("unsupported operation"),
            OperationProblem::MissingValue => f.write_str(
                "failed to decode 'value': operation, missing value field: missing value",
            ),
            OperationProblem::MissingFrom => {
                f.write_str("failed to decode 'from': operation, missing from field: missing value")
            }
            OperationProblem::MissingPath => {
                f.write_str("failed to decode 'path': operation missing path field: missing value")
            }
            OperationProblem::NotAString { member, found } => write!(
                f,
                "failed to decode '{member}': json: cannot unmarshal {found} into Go value of type string"
            ),
        }
    }
}

/// Why `add` could not create the containers above its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnsurePathError {
    /// A value on the way is not an object or array (evanphx's `ErrInvalid`).
    #[error("invalid state detected")]
    NotAContainer,
    /// A missing array would be created for a negative index other than `-1`.
    #[error(
        "Unable to ensure path for negative index other than -1: {0}: invalid index referenced"
    )]
    NegativeIndex(i64),
    /// Padding an array with nulls up to the index would make it longer than
    /// [`MAX_PADDED_LEN`](super::MAX_PADDED_LEN) elements. evanphx has no such limit; an array that
    /// long could not be stored by Kubernetes anyway.
    #[error("Unable to ensure path for index {0}: arrays are padded to at most {max} elements", max = super::MAX_PADDED_LEN)]
    TooLong(i64),
}

/// The step an [`AccessError`] happened in, printed before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessSite {
    /// `add` inserting at `path`.
    Add {
        /// The operation's `path`.
        path: String,
    },
    /// `remove` at `path`.
    Remove {
        /// The operation's `path`.
        path: String,
    },
    /// `replace` setting `path` (evanphx prints "error in remove" here).
    Replace {
        /// The operation's `path`.
        path: String,
    },
    /// `move` reading or removing `from` (evanphx prints the last decoded token of `from`).
    MoveFrom {
        /// The last token of `from`, decoded.
        key: String,
    },
    /// `move` inserting at `path`.
    MoveTo {
        /// The operation's `path`.
        path: String,
    },
    /// `test` reading `path`.
    Test {
        /// The operation's `path`.
        path: String,
    },
    /// `copy` reading `from`.
    CopyFrom {
        /// The operation's `from`.
        from: String,
    },
    /// `copy` inserting at its `path`.
    CopyTo,
}

impl fmt::Display for AccessSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessSite::Add { path } => write!(f, "error in add for path: '{path}'"),
            AccessSite::Remove { path } | AccessSite::Replace { path } => {
                write!(f, "error in remove for path: '{path}'")
            }
            AccessSite::MoveFrom { key: path } | AccessSite::MoveTo { path } => {
                write!(f, "error in move for path: '{path}'")
            }
            AccessSite::Test { path } => write!(f, "error in test for path: '{path}'"),
            AccessSite::CopyFrom { from } => write!(f, "error in copy for from: '{from}'"),
            AccessSite::CopyTo => f.write_str("error while adding value during copy"),
        }
    }
}

/// Why a member or element could not be read, added, set or removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// An array index outside the array (printed as written, before negative indices are
    /// resolved).
    #[error("Unable to access invalid index: {0}: invalid index referenced")]
    InvalidIndex(i64),
    /// An object member that does not exist.
    #[error("unable to get nonexistent key: {0}: missing value")]
    NonexistentKey(String),
    /// A member of something that is not an object (the document itself is not an object or
    /// array).
    #[error("invalid value, expected object")]
    ExpectedObject,
    /// An array token that is not an integer.
    #[error(transparent)]
    NotAnInteger(AtoiError),
    /// `add` into an array at a token that is neither an integer nor `-`.
    #[error("value was not a proper array index: '{key}': {0}", key = .0.input)]
    NotAnArrayIndex(AtoiError),
}
