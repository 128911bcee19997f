//! The check table and the registry (upstream policy/registry.go): which checks run, in which
//! version, for a level and version.

mod baseline;
mod restricted;

use std::sync::OnceLock;

use super::field::FieldError;
use super::level::{Level, NEWEST_MINOR};
use super::pod::Pod;

/// A failed check before it becomes a [`super::CheckResult`].
pub(crate) struct Failure {
    pub(crate) reason: &'static str,
    pub(crate) detail: String,
    pub(crate) errors: Vec<FieldError>,
}

/// One implementation of a check: `None` means allowed.
pub(crate) type CheckFn = fn(&Pod) -> Option<Failure>;

/// One version of a check, applying from `min` (a v1 minor) until the next version.
struct Versioned {
    min: u64,
    check: CheckFn,
    overrides: &'static [&'static str],
}

/// A check with all its versions.
struct CheckDef {
    id: &'static str,
    level: Level,
    versions: &'static [Versioned],
}

const fn v(min: u64, check: CheckFn) -> Versioned {
    Versioned {
        min,
        check,
        overrides: &[],
    }
}

const fn v_over(min: u64, check: CheckFn, overrides: &'static [&'static str]) -> Versioned {
    Versioned {
        min,
        check,
        overrides,
    }
}

use Level::{Baseline, Restricted};
use baseline as b;
use restricted as r;

/// Every check of upstream HEAD (policy versions up to v1.37).
static CHECKS: &[CheckDef] = &[
    CheckDef {
        id: "appArmorProfile",
        level: Baseline,
        versions: &[v(0, b::app_armor_profile)],
    },
    CheckDef {
        id: "capabilities_baseline",
        level: Baseline,
        versions: &[v(0, b::capabilities_baseline)],
    },
    CheckDef {
        id: "hostNamespaces",
        level: Baseline,
        versions: &[v(0, b::host_namespaces)],
    },
    CheckDef {
        id: "hostPathVolumes",
        level: Baseline,
        versions: &[v(0, b::host_path_volumes)],
    },
    CheckDef {
        id: "hostPorts",
        level: Baseline,
        versions: &[v(0, b::host_ports)],
    },
    CheckDef {
        id: "hostProbesAndHostLifecycle",
        level: Baseline,
        versions: &[v(34, b::host_probes_and_host_lifecycle)],
    },
    CheckDef {
        id: "privileged",
        level: Baseline,
        versions: &[v(0, b::privileged)],
    },
    CheckDef {
        id: "procMount",
        level: Baseline,
        versions: &[v(0, b::proc_mount_1_0), v(35, b::proc_mount_1_35)],
    },
    CheckDef {
        id: "seLinuxOptions",
        level: Baseline,
        versions: &[
            v(0, b::se_linux_options_1_0),
            v(31, b::se_linux_options_1_31),
        ],
    },
    CheckDef {
        id: "seccompProfile_baseline",
        level: Baseline,
        versions: &[
            v(0, b::seccomp_profile_baseline_1_0),
            v(19, b::seccomp_profile_baseline_1_19),
        ],
    },
    CheckDef {
        id: "sysctls",
        level: Baseline,
        versions: &[
            v(0, b::sysctls_1_0),
            v(27, b::sysctls_1_27),
            v(29, b::sysctls_1_29),
            v(32, b::sysctls_1_32),
            v(37, b::sysctls_1_37),
        ],
    },
    CheckDef {
        id: "windowsHostProcess",
        level: Baseline,
        versions: &[v(0, b::windows_host_process)],
    },
    CheckDef {
        id: "allowPrivilegeEscalation",
        level: Restricted,
        versions: &[
            v(8, r::allow_privilege_escalation_1_8),
            v(25, r::allow_privilege_escalation_1_25),
        ],
    },
    CheckDef {
        id: "capabilities_restricted",
        level: Restricted,
        versions: &[
            v_over(
                22,
                r::capabilities_restricted_1_22,
                &["capabilities_baseline"],
            ),
            v_over(
                25,
                r::capabilities_restricted_1_25,
                &["capabilities_baseline"],
            ),
        ],
    },
    CheckDef {
        id: "procMount_restricted",
        level: Restricted,
        versions: &[v_over(35, b::proc_mount_1_0, &["procMount"])],
    },
    CheckDef {
        id: "restrictedVolumes",
        level: Restricted,
        versions: &[v_over(0, r::restricted_volumes, &["hostPathVolumes"])],
    },
    CheckDef {
        id: "runAsNonRoot",
        level: Restricted,
        versions: &[v(0, r::run_as_non_root_1_0), v(35, r::run_as_non_root_1_35)],
    },
    CheckDef {
        id: "runAsUser",
        level: Restricted,
        versions: &[v(23, r::run_as_user_1_23), v(35, r::run_as_user_1_35)],
    },
    CheckDef {
        id: "seccompProfile_restricted",
        level: Restricted,
        versions: &[
            v_over(
                19,
                r::seccomp_profile_restricted_1_19,
                &["seccompProfile_baseline"],
            ),
            v_over(
                25,
                r::seccomp_profile_restricted_1_25,
                &["seccompProfile_baseline"],
            ),
        ],
    },
];

/// A check as it runs at one level and version.
#[derive(Clone, Copy)]
pub(crate) struct Active {
    pub(crate) id: &'static str,
    pub(crate) check: CheckFn,
}

impl CheckDef {
    /// The version of this check in force at `minor`, if it applies at all.
    fn at(&self, minor: u64) -> Option<&Versioned> {
        self.versions.iter().rev().find(|v| v.min <= minor)
    }
}

/// The active checks for each level (baseline, restricted) and each minor `0..=NEWEST_MINOR`,
/// in upstream order: baseline IDs sorted, then restricted IDs sorted.
struct Registry {
    baseline: Vec<Vec<Active>>,
    restricted: Vec<Vec<Active>>,
}

fn build() -> Registry {
    let mut order: Vec<&CheckDef> = CHECKS.iter().collect();
    order.sort_by(|a, b| (a.level, a.id).cmp(&(b.level, b.id)));
    let mut baseline = Vec::new();
    let mut restricted = Vec::new();
    for minor in 0..=NEWEST_MINOR {
        let overridden: Vec<&str> = order
            .iter()
            .filter(|c| c.level == Restricted)
            .filter_map(|c| c.at(minor))
            .flat_map(|v| v.overrides.iter().copied())
            .collect();
        let active = |c: &&CheckDef| {
            c.at(minor).map(|v| Active {
                id: c.id,
                check: v.check,
            })
        };
        baseline.push(
            order
                .iter()
                .filter(|c| c.level == Baseline)
                .filter_map(active)
                .collect(),
        );
        restricted.push(
            order
                .iter()
                .filter(|c| c.level == Restricted || !overridden.contains(&c.id))
                .filter_map(active)
                .collect(),
        );
    }
    Registry {
        baseline,
        restricted,
    }
}

/// The checks to run, in order, for a level at a (clamped) minor version.
pub(crate) fn active(level: Level, minor: u64) -> &'static [Active] {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let registry = REGISTRY.get_or_init(build);
    let table = match level {
        Level::Privileged => return &[],
        Level::Baseline => &registry.baseline,
        Level::Restricted => &registry.restricted,
    };
    let minor = usize::try_from(minor.min(NEWEST_MINOR)).unwrap_or(0);
    table.get(minor).map_or(&[], Vec::as_slice)
}

/// The level a check ID belongs to, for callers that group results.
pub fn check_level(id: &str) -> Option<Level> {
    CHECKS.iter().find(|c| c.id == id).map(|c| c.level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(level: Level, minor: u64) -> Vec<&'static str> {
        active(level, minor).iter().map(|a| a.id).collect()
    }

    /// Registry invariants of upstream `NewEvaluator` validation.
    #[test]
    fn table_is_valid() {
        for (i, c) in CHECKS.iter().enumerate() {
            assert!(
                CHECKS.iter().skip(i + 1).all(|o| o.id != c.id),
                "duplicate {}",
                c.id
            );
            assert!(!c.versions.is_empty());
            assert!(
                c.versions.windows(2).all(|w| w[0].min < w[1].min),
                "{}",
                c.id
            );
            for v in c.versions {
                assert!(v.overrides.is_empty() || c.level == Restricted);
                for o in v.overrides {
                    assert_eq!(check_level(o), Some(Baseline), "{o}");
                }
            }
        }
    }

    #[test]
    fn order_and_overrides() {
        assert_eq!(
            ids(Restricted, 37),
            [
                "appArmorProfile",
                "hostNamespaces",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "seLinuxOptions",
                "sysctls",
                "windowsHostProcess",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]
        );
        assert_eq!(
            ids(Restricted, 0),
            [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPorts",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
                "restrictedVolumes",
                "runAsNonRoot",
            ]
        );
        assert_eq!(ids(Baseline, 33).len(), 11);
        assert_eq!(ids(Baseline, 34).len(), 12);
        assert!(ids(Level::Privileged, 37).is_empty());
    }
}
