//! A borrowed, pre-digested view of a pod's metadata and spec.
//!
//! Every object is read with one linear pass over its entries (no hashing), so that the checks
//! can look at the same fields many times for free. Fields of the wrong JSON type are treated as
//! absent (the API server would have rejected them while decoding).

use serde_json::{Map, Value};

/// Where a container lives in the pod spec; also the visit order of upstream `visitContainers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// The field name under `spec`.
    pub(crate) fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// The kind for a `spec` field name.
    pub(crate) fn from_field(field: &str) -> Option<ContainerKind> {
        match field {
            "initContainers" => Some(ContainerKind::Init),
            "containers" => Some(ContainerKind::Regular),
            "ephemeralContainers" => Some(ContainerKind::Ephemeral),
            _ => None,
        }
    }
}

/// `seLinuxOptions` with Go's empty-string defaults.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SeLinux<'a> {
    pub(crate) type_: &'a str,
    pub(crate) user: &'a str,
    pub(crate) role: &'a str,
}

/// `capabilities` of a container security context.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Capabilities<'a> {
    pub(crate) add: &'a [Value],
    pub(crate) drop: &'a [Value],
}

/// The fields of a pod or container security context that the checks read.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SecurityContext<'a> {
    pub(crate) allow_privilege_escalation: Option<bool>,
    pub(crate) capabilities: Option<Capabilities<'a>>,
    pub(crate) privileged: Option<bool>,
    pub(crate) proc_mount: Option<&'a str>,
    pub(crate) run_as_non_root: Option<bool>,
    pub(crate) run_as_user: Option<i64>,
    pub(crate) se_linux: Option<SeLinux<'a>>,
    /// `Some(type)` when a seccompProfile is set (`""` when it has no type).
    pub(crate) seccomp_type: Option<&'a str>,
    /// `Some(type)` when an appArmorProfile is set (`""` when it has no type).
    pub(crate) app_armor_type: Option<&'a str>,
    pub(crate) host_process: Option<bool>,
    pub(crate) sysctls: &'a [Value],
}

/// One container, with its position for field paths.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Container<'a> {
    pub(crate) kind: ContainerKind,
    pub(crate) index: usize,
    pub(crate) name: &'a str,
    pub(crate) image: &'a str,
    pub(crate) sc: Option<SecurityContext<'a>>,
    pub(crate) ports: &'a [Value],
    /// livenessProbe, readinessProbe, startupProbe, lifecycle.postStart, lifecycle.preStop.
    pub(crate) handlers: [Option<&'a Value>; 5],
}

impl Container<'_> {
    /// `spec.<kind>[<index>].<suffix>`.
    pub(crate) fn path(&self, suffix: &str) -> String {
        format!("spec.{}[{}].{}", self.kind.field(), self.index, suffix)
    }
}

/// The pod as the checks see it.
#[derive(Debug, Default)]
pub(crate) struct Pod<'a> {
    pub(crate) annotations: Option<&'a Map<String, Value>>,
    pub(crate) host_network: bool,
    pub(crate) host_pid: bool,
    pub(crate) host_ipc: bool,
    pub(crate) host_users: Option<bool>,
    pub(crate) windows: bool,
    pub(crate) sc: Option<SecurityContext<'a>>,
    pub(crate) volumes: &'a [Value],
    pub(crate) containers: Vec<Container<'a>>,
}

const EMPTY: &[Value] = &[];

fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(EMPTY, Vec::as_slice)
}

fn string(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn object(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object()
}

/// The `type` of a seccomp or AppArmor profile object.
fn profile_type(v: &Value) -> Option<&str> {
    let m = object(v)?;
    Some(
        m.iter()
            .find(|(k, _)| *k == "type")
            .map_or("", |(_, t)| string(t)),
    )
}

fn security_context(v: &Value) -> Option<SecurityContext<'_>> {
    let m = object(v)?;
    let mut sc = SecurityContext::default();
    for (k, v) in m {
        match k.as_str() {
            "allowPrivilegeEscalation" => sc.allow_privilege_escalation = v.as_bool(),
            "privileged" => sc.privileged = v.as_bool(),
            "runAsNonRoot" => sc.run_as_non_root = v.as_bool(),
            "runAsUser" => sc.run_as_user = v.as_i64(),
            "procMount" => sc.proc_mount = v.as_str(),
            "capabilities" => {
                sc.capabilities = object(v).map(|caps| {
                    let mut c = Capabilities {
                        add: EMPTY,
                        drop: EMPTY,
                    };
                    for (k, v) in caps {
                        match k.as_str() {
                            "add" => c.add = array(v),
                            "drop" => c.drop = array(v),
                            _ => {}
                        }
                    }
                    c
                })
            }
            "seLinuxOptions" => {
                sc.se_linux = object(v).map(|o| {
                    let mut s = SeLinux::default();
                    for (k, v) in o {
                        match k.as_str() {
                            "type" => s.type_ = string(v),
                            "user" => s.user = string(v),
                            "role" => s.role = string(v),
                            _ => {}
                        }
                    }
                    s
                })
            }
            "seccompProfile" => sc.seccomp_type = profile_type(v),
            "appArmorProfile" => sc.app_armor_type = profile_type(v),
            "windowsOptions" => {
                sc.host_process = object(v)
                    .and_then(|o| o.iter().find(|(k, _)| *k == "hostProcess"))
                    .and_then(|(_, v)| v.as_bool())
            }
            "sysctls" => sc.sysctls = array(v),
            _ => {}
        }
    }
    Some(sc)
}

fn container(kind: ContainerKind, index: usize, v: &Value) -> Container<'_> {
    let mut c = Container {
        kind,
        index,
        name: "",
        image: "",
        sc: None,
        ports: EMPTY,
        handlers: [None; 5],
    };
    let Some(m) = object(v) else { return c };
    for (k, v) in m {
        match k.as_str() {
            "name" => c.name = string(v),
            "image" => c.image = string(v),
            "securityContext" => c.sc = security_context(v),
            "ports" => c.ports = array(v),
            "livenessProbe" => c.handlers[0] = Some(v),
            "readinessProbe" => c.handlers[1] = Some(v),
            "startupProbe" => c.handlers[2] = Some(v),
            "lifecycle" => {
                if let Some(l) = object(v) {
                    c.handlers[3] = l.get("postStart");
                    c.handlers[4] = l.get("preStop");
                }
            }
            _ => {}
        }
    }
    c
}

impl<'a> Pod<'a> {
    /// Digests `metadata` and `spec` (either may be any JSON value; non-objects are empty).
    pub(crate) fn new(metadata: &'a Value, spec: &'a Value) -> Pod<'a> {
        let mut pod = Pod {
            annotations: metadata
                .as_object()
                .and_then(|m| m.iter().find(|(k, _)| *k == "annotations"))
                .and_then(|(_, a)| a.as_object()),
            ..Pod::default()
        };
        let Some(spec) = spec.as_object() else {
            return pod;
        };
        let mut lists: [&[Value]; 3] = [EMPTY; 3];
        for (k, v) in spec {
            match k.as_str() {
                "hostNetwork" => pod.host_network = v.as_bool() == Some(true),
                "hostPID" => pod.host_pid = v.as_bool() == Some(true),
                "hostIPC" => pod.host_ipc = v.as_bool() == Some(true),
                "hostUsers" => pod.host_users = v.as_bool(),
                "os" => {
                    pod.windows = object(v)
                        .and_then(|o| o.iter().find(|(k, _)| *k == "name"))
                        .is_some_and(|(_, n)| n.as_str() == Some("windows"))
                }
                "securityContext" => pod.sc = security_context(v),
                "volumes" => pod.volumes = array(v),
                "initContainers" => lists[0] = array(v),
                "containers" => lists[1] = array(v),
                "ephemeralContainers" => lists[2] = array(v),
                _ => {}
            }
        }
        let kinds = [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ];
        pod.containers = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
        for (kind, list) in kinds.into_iter().zip(lists) {
            pod.containers
                .extend(list.iter().enumerate().map(|(i, c)| container(kind, i, c)));
        }
        pod
    }

    /// The pod-level security context, or an empty one.
    pub(crate) fn sc(&self) -> SecurityContext<'a> {
        self.sc.unwrap_or_default()
    }

    /// A metadata annotation by key.
    pub(crate) fn annotation(&self, key: &str) -> Option<&'a Value> {
        self.annotations.and_then(|a| a.get(key))
    }
}
