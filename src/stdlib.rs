//! Policies shipped inside the binary, addressed as `stdlib:<path>` (for example
//! `stdlib:pod-security/restricted.yaml`, or `stdlib:pod-security` for a whole folder).

/// Every bundled file: path under `stdlib/` and contents.
const FILES: &[(&str, &str)] = &[
    (
        "pod-security/baseline.yaml",
        include_str!("../stdlib/pod-security/baseline.yaml"),
    ),
    (
        "pod-security/restricted.yaml",
        include_str!("../stdlib/pod-security/restricted.yaml"),
    ),
];

/// The prefix that names a bundled path on the command line.
pub const PREFIX: &str = "stdlib:";

/// The bundled files at `path`: the file itself, or every file below a folder, in order.
pub fn files(path: &str) -> Vec<(&'static str, &'static str)> {
    let path = path.trim_end_matches('/');
    FILES
        .iter()
        .filter(|(p, _)| {
            *p == path
                || path.is_empty()
                || p.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .copied()
        .collect()
}

/// Every bundled path.
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(p, _)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_and_folders() {
        assert_eq!(files("pod-security/restricted.yaml").len(), 1);
        assert_eq!(
            files("pod-security").len(),
            FILES
                .iter()
                .filter(|(p, _)| p.starts_with("pod-security/"))
                .count()
        );
        assert!(files("pod-sec").is_empty());
        assert!(files("nothing.yaml").is_empty());
    }
}
