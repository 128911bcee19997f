//! Pod Security Standards exclusions as written, in both places Kyverno takes them: a rule's
//! `validate.podSecurity.exclude[]` and a PolicyException's `spec.podSecurity[]`. One reader, so
//! both give the same diagnostics.

use super::reader::Reader;
use crate::podsecurity::{Exclusion, ExclusionError, control_names};
use crate::yaml::Node;

/// One exclusion with the node it was read from (for pointing at its fields later).
pub type ReadExclusion<'n> = (Exclusion, &'n Node);

/// Reads a list of exclusions. Entries that are not mappings, lack `controlName` or name an
/// unknown control are reported and left out.
pub fn parse_exclusions<'n>(r: &mut Reader, node: &'n Node, what: &str) -> Vec<ReadExclusion<'n>> {
    let Some(items) = r.list(node, what) else {
        return Vec::new();
    };
    let names: Vec<&str> = control_names().collect();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(mut e) = r.object(item, "podSecurity exclusion") else {
            continue;
        };
        let control = e
            .required(r, "controlName")
            .and_then(|n| r.one_of(n, "controlName", &names));
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
        e.finish(r);
        let Some(control) = control else {
            continue;
        };
        let exclusion = Exclusion {
            control_name: control.value,
            images: images.into_iter().map(|s| s.value).collect(),
            restricted_field: field.map(|f| f.value).unwrap_or_default(),
            values: values.into_iter().map(|s| s.value).collect(),
        };
        out.push((exclusion, item));
    }
    out
}

/// Reports Kyverno's validation errors of exclusions (see
/// [`crate::podsecurity::validate_exclusions`]) at the offending field of each entry; `true`
/// when there was any.
pub fn report_exclusion_errors(
    r: &mut Reader,
    errors: &[ExclusionError],
    read: &[ReadExclusion],
    fallback: &Node,
) -> bool {
    for e in errors {
        let item = read.get(e.index).map_or(fallback, |(_, node)| *node);
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
    !errors.is_empty()
}
