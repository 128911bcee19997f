//! Compiling `validate.podSecurity {level, version, exclude}` with Kyverno's policy-validation
//! errors as diagnostics.

use crate::diag::Diagnostic;
use crate::podsecurity::{Exclusion, Level, Version, validate_exclusions};
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
    let mut exclusion_nodes = Vec::new();
    let mut exclusions = Vec::new();
    if let Some(items) = obj
        .field("exclude")
        .and_then(|n| r.list(n, "podSecurity.exclude"))
    {
        for item in items {
            let Some(mut e) = r.object(item, "podSecurity exclusion") else {
                continue;
            };
            let control = e
                .required(&mut r, "controlName")
                .and_then(|n| r.string(n, "controlName"));
            let images = e
                .field("images")
                .map(|n| r.string_list(n, "images"))
                .unwrap_or_default();
            let field = e
                .field("restrictedField")
                .and_then(|n| r.string(n, "restrictedField"));
            let values = e
                .field("values")
                .map(|n| r.string_list(n, "values"))
                .unwrap_or_default();
            e.finish(&mut r);
            exclusion_nodes.push(item);
            exclusions.push(Exclusion {
                control_name: control.map(|c| c.value).unwrap_or_default(),
                images: images.into_iter().map(|s| s.value).collect(),
                restricted_field: field.map(|f| f.value).unwrap_or_default(),
                values: values.into_iter().map(|s| s.value).collect(),
            });
        }
    }
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
    let errors = validate_exclusions(level, &exclusions);
    for e in &errors {
        let item = exclusion_nodes.get(e.index).copied().unwrap_or(node);
        let span = item
            .entry(e.field)
            .map(|(k, _)| k.span)
            .unwrap_or(item.span);
        r.error(
            span,
            format!("invalid podSecurity exclusion: {}", e.message),
            "invalid exclusion",
        );
    }
    if !errors.is_empty() {
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
