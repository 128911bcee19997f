//! Compiling `validate.podSecurity {level, version, exclude}` with Kyverno's policy-validation
//! errors as diagnostics.

use crate::diag::Diagnostic;
use crate::podsecurity::{Exclusion, Level, Version, validate_exclusions};
use crate::syntax::podsecurity::{parse_exclusions, report_exclusion_errors};
use crate::syntax::reader::Reader;
use crate::yaml::Node;

/// A compiled `podSecurity` check.
#[derive(Debug, Clone)]
pub struct PodSecurityProgram {
    /// The level.
    pub level: Level,
    /// The version.
    pub version: Version,
    /// The version as written (`latest` when not written), for messages and reports.
    pub version_text: String,
    /// `exclude[]`.
    pub exclusions: Vec<Exclusion>,
}

/// Reads and checks a `podSecurity` block.
pub fn compile(
    file: crate::diag::FileId,
    node: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PodSecurityProgram> {
    let mut r = Reader::new(file, diagnostics);
    let mut obj = r.object(node, "podSecurity")?;
    let level = obj.required(&mut r, "level").and_then(|n| {
        r.one_of(
            n,
            "podSecurity.level",
            &["privileged", "baseline", "restricted"],
        )
    });
    let version_node = obj.field("version");
    let version_text = version_node.and_then(|n| r.string(n, "podSecurity.version"));
    let read = obj
        .field("exclude")
        .map(|n| parse_exclusions(&mut r, n, "podSecurity.exclude"))
        .unwrap_or_default();
    obj.finish(&mut r);
    let level: Level = level?.value.parse().ok()?;
    let version = match &version_text {
        None => Version::LATEST,
        Some(text) => match text.value.parse::<Version>() {
            Ok(v) => v,
            Err(_) => {
                r.error(text.span, format!("invalid podSecurity.version `{}`", text.value), "expected v1.N or latest")
                    .notes
                    .push("versions v1.0 to v1.37 and `latest` are supported; newer versions run as the newest".into());
                return None;
            }
        },
    };
    let exclusions: Vec<Exclusion> = read.iter().map(|(e, _)| e.clone()).collect();
    let errors = validate_exclusions(level, &exclusions);
    if report_exclusion_errors(&mut r, &errors, &read, node) {
        return None;
    }
    Some(PodSecurityProgram {
        level,
        version,
        version_text: version_text
            .map(|v| v.value)
            .unwrap_or_else(|| "latest".into()),
        exclusions,
    })
}
