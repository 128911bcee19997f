//! (in progress)

use super::FunctionSpec;

pub(super) const SPECS: &[FunctionSpec] = &[];
