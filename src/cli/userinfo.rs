//! A `cli.kyverno.io/v1alpha1 UserInfo` file (`-u`, a test's `userinfo`): who makes the
//! requests, and their roles, read strictly.

use std::collections::BTreeMap;
use std::path::Path;

use rampart::reader::Reader;
use rampart::yaml::Node;
use rampart::{Diagnostic, SourceMap, UserInfo};

use super::document::{self, CLI_API_VERSION, Document, Unread};

/// Who makes the requests, and their roles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestInfo {
    /// `userInfo`.
    pub user: UserInfo,
    /// `roles` (`namespace:name`).
    pub roles: Vec<String>,
    /// `clusterRoles`.
    pub cluster_roles: Vec<String>,
}

/// Reads a UserInfo file.
pub fn load(
    path: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<RequestInfo, Unread> {
    let doc = document::read_one(path, "UserInfo", sources, diagnostics)?;
    from_document(&doc, diagnostics)
}

/// Reads a UserInfo document.
pub fn from_document(
    doc: &Document,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<RequestInfo, Unread> {
    document::read_with(doc, diagnostics, |r, node| {
        let mut obj = r.object(node, "UserInfo")?;
        document::header(r, &mut obj, CLI_API_VERSION, "UserInfo");
        let mut strings = |field: &'static str| {
            obj.field(field)
                .map(|n| r.string_list(n, field))
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.value)
                .collect()
        };
        let roles = strings("roles");
        let cluster_roles = strings("clusterRoles");
        let user = obj
            .field("userInfo")
            .and_then(|n| user(r, n))
            .unwrap_or_default();
        obj.finish(r);
        Some(RequestInfo {
            user,
            roles,
            cluster_roles,
        })
    })
}

/// `userInfo`: an `authentication.k8s.io/v1 UserInfo`.
fn user(r: &mut Reader, node: &Node) -> Option<UserInfo> {
    let mut obj = r.object(node, "userInfo")?;
    let mut text = |field: &'static str| {
        obj.field(field)
            .and_then(|n| r.string(n, field))
            .map(|s| s.value)
            .unwrap_or_default()
    };
    let username = text("username");
    let uid = text("uid");
    let groups = obj
        .field("groups")
        .map(|n| r.string_list(n, "groups"))
        .unwrap_or_default()
        .into_iter()
        .map(|g| g.value)
        .collect();
    let mut extra = BTreeMap::new();
    if let Some(entries) = obj.field("extra").and_then(|n| r.mapping(n, "extra")) {
        for (key, value) in entries {
            let values = r.string_list(value, "extra values");
            extra.insert(
                key.text.clone(),
                values.into_iter().map(|v| v.value).collect(),
            );
        }
    }
    obj.finish(r);
    Some(UserInfo {
        username,
        uid,
        groups,
        extra,
    })
}
