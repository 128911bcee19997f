//! Kubernetes API paths (`/api/v1/namespaces/prod/configmaps/settings`) as a test's cluster
//! answers them: the GET of one object or of a list, with resources named the way Kyverno's
//! fake client names them (the kind, lower-cased and guessed into a plural).

/// What a path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPath<'a> {
    /// The API group (`""` for the core group, `/api`).
    pub group: &'a str,
    /// The API version.
    pub version: &'a str,
    /// The namespace (`None`: every namespace, or a cluster-scoped resource).
    pub namespace: Option<&'a str>,
    /// The resource (`configmaps`).
    pub resource: &'a str,
    /// The object's name (`None`: the list).
    pub name: Option<&'a str>,
}

impl<'a> ApiPath<'a> {
    /// Parses `/api/<version>/...` or `/apis/<group>/<version>/...` followed by
    /// `[namespaces/<namespace>/]<resource>[/<name>]` (the leading `/` may be left out).
    pub fn parse(path: &'a str) -> Result<Self, String> {
        if let Some((_, query)) = path.split_once('?') {
            return Err(format!(
                "query parameters (`{query}`) are not supported by the test's cluster"
            ));
        }
        let segments: Vec<&str> = path
            .trim_start_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let (group, version, rest) = match segments.as_slice() {
            ["api", version, rest @ ..] => ("", *version, rest),
            ["apis", group, version, rest @ ..] => (*group, *version, rest),
            _ => {
                return Err(format!(
                    "`{path}` is not a Kubernetes API path (`/api/<version>/...` or `/apis/<group>/<version>/...`)"
                ));
            }
        };
        let (namespace, rest) = match rest {
            ["namespaces", namespace, rest @ ..] if !rest.is_empty() => (Some(*namespace), rest),
            rest => (None, rest),
        };
        match rest {
            [resource] => Ok(ApiPath {
                group,
                version,
                namespace,
                resource,
                name: None,
            }),
            [resource, name] => Ok(ApiPath {
                group,
                version,
                namespace,
                resource,
                name: Some(name),
            }),
            [] => Err(format!("`{path}` names no resource")),
            _ => Err(format!(
                "`{path}` names a subresource, which the test's cluster does not serve"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_objects_and_lists() {
        let cases: &[(&str, Option<ApiPath>)] = &[
            (
                "/api/v1/namespaces/default/configmaps/app",
                Some(ApiPath {
                    group: "",
                    version: "v1",
                    namespace: Some("default"),
                    resource: "configmaps",
                    name: Some("app"),
                }),
            ),
            (
                "api/v1/namespaces/default/configmaps",
                Some(ApiPath {
                    group: "",
                    version: "v1",
                    namespace: Some("default"),
                    resource: "configmaps",
                    name: None,
                }),
            ),
            (
                "/api/v1/namespaces/prod",
                Some(ApiPath {
                    group: "",
                    version: "v1",
                    namespace: None,
                    resource: "namespaces",
                    name: Some("prod"),
                }),
            ),
            (
                "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                Some(ApiPath {
                    group: "rbac.authorization.k8s.io",
                    version: "v1",
                    namespace: None,
                    resource: "clusterroles",
                    name: None,
                }),
            ),
            ("/api/v1", None),
            ("/healthz", None),
            ("/api/v1/namespaces/a/pods/p/status", None),
            ("/api/v1/pods?labelSelector=app=web", None),
        ];
        for (path, want) in cases {
            assert_eq!(ApiPath::parse(path).ok().as_ref(), want.as_ref(), "{path}");
        }
    }
}
