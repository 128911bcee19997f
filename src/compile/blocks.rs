//! Pieces rule bodies share: `context` entries, `preconditions` and `foreach.list`.

use crate::diag::{Diagnostic, FileId};
use crate::expr::{self, Expr};
use crate::syntax::reader::{Reader, Spanned};
use crate::yaml::Node;

use super::conditions::{self, CompiledConditions};
use super::context::{self, ContextEntry};

/// Compiles optional `context` entries (none when absent); `None` when they are invalid.
pub fn context(
    file: FileId,
    node: Option<&Node>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<ContextEntry>> {
    match node {
        Some(n) => context::compile(file, n, diagnostics),
        None => Some(Vec::new()),
    }
}

/// Compiles optional `preconditions`; the outer `None` when they are invalid.
pub fn preconditions(
    file: FileId,
    node: Option<&Node>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Option<CompiledConditions>> {
    match node {
        Some(n) => conditions::compile(file, n, diagnostics).map(Some),
        None => Some(None),
    }
}

/// Compiles a `foreach.list` expression.
pub fn foreach_list(r: &mut Reader, list: &Spanned<String>) -> Option<Expr> {
    match expr::parse(&list.value) {
        Ok(e) => Some(e),
        Err(e) => {
            r.error(
                list.span,
                format!(
                    "invalid JMESPath in foreach.list: {} at column {}",
                    e.message,
                    e.offset + 1
                ),
                "in this expression",
            );
            None
        }
    }
}
