//! `semver_compare(version, range)` with blang/semver v4 semantics: strict `MAJOR.MINOR.PATCH`
//! versions (an unparsable version counts as `0.0.0`), ranges of space-separated comparators
//! joined by `||`, and `x` wildcards in range versions.

use std::cmp::Ordering;

use serde_json::Value;

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[spec!(
    "semver_compare",
    [STR, STR],
    false,
    "bool",
    "whether the version (first) satisfies the range (second), e.g. '>=1.2.0 <2.0.0'",
    |c: &Call<'_, '_>| {
        let version = Version::parse(c.str(0)?).unwrap_or_default();
        let range = parse_range(c.str(1)?).map_err(EvalError::Function)?;
        Ok(Value::Bool(
            range
                .iter()
                .any(|all| all.iter().all(|cmp| cmp.matches(&version))),
        ))
    }
)];

/// A semantic version; build metadata is ignored in comparisons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<String>,
}

fn number(s: &str) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let s = s.split_once('+').map_or(s, |(v, _)| v);
        let (core, pre) = match s.split_once('-') {
            Some((core, pre)) => (core, pre.split('.').map(str::to_owned).collect()),
            None => (s, Vec::new()),
        };
        let mut parts = core.split('.');
        let v = Version {
            major: number(parts.next()?)?,
            minor: number(parts.next()?)?,
            patch: number(parts.next()?)?,
            pre,
        };
        let valid_pre = v.pre.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && (!p.bytes().all(|b| b.is_ascii_digit()) || number(p).is_some())
        });
        (parts.next().is_none() && valid_pre).then_some(v)
    }

    fn bump(&self, field: usize) -> Version {
        match field {
            0 => Version {
                major: self.major + 1,
                ..Version::default()
            },
            _ => Version {
                major: self.major,
                minor: self.minor + 1,
                ..Version::default()
            },
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let o = match (number(a), number(b)) {
                            (Some(x), Some(y)) => x.cmp(&y),
                            (Some(_), None) => Ordering::Less,
                            (None, Some(_)) => Ordering::Greater,
                            (None, None) => a.cmp(b),
                        };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

struct Comparator {
    op: Op,
    version: Version,
    /// For `!=` with a wildcard: the end of the excluded range `[version, upper)`.
    upper: Option<Version>,
}

impl Comparator {
    fn matches(&self, v: &Version) -> bool {
        if let Some(upper) = &self.upper {
            return *v < self.version || v >= upper;
        }
        let o = v.cmp(&self.version);
        match self.op {
            Op::Eq => o == Ordering::Equal,
            Op::Ne => o != Ordering::Equal,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
        }
    }
}

/// `a || b` of `c d` (all of); each comparator an operator and a version.
fn parse_range(s: &str) -> Result<Vec<Vec<Comparator>>, String> {
    s.split("||")
        .map(|alternative| {
            let mut all = Vec::new();
            for part in alternative.split_whitespace() {
                all.extend(parse_comparator(part)?);
            }
            if all.is_empty() {
                return Err(format!("Could not get version from string: {s:?}"));
            }
            Ok(all)
        })
        .collect()
}

fn parse_comparator(part: &str) -> Result<Vec<Comparator>, String> {
    let split = part
        .find(|c: char| c.is_ascii_alphanumeric())
        .unwrap_or(part.len());
    let (op_text, version_text) = part.split_at(split);
    let op = match op_text {
        "" | "=" | "==" => Op::Eq,
        "!" | "!=" => Op::Ne,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "<" => Op::Lt,
        "<=" => Op::Le,
        _ => {
            return Err(format!(
                "Could not parse comparator {op_text:?} in {part:?}"
            ));
        }
    };
    let fields: Vec<&str> = version_text.split('.').collect();
    let wildcard = fields.iter().position(|f| matches!(*f, "x" | "X" | "*"));
    let Some(at) = wildcard else {
        let version = Version::parse(version_text)
            .ok_or_else(|| format!("Could not parse Range {part:?}: invalid version"))?;
        return Ok(vec![Comparator {
            op,
            version,
            upper: None,
        }]);
    };
    // "1.2.x" → the range [1.2.0, 1.3.0); "1.x" → [1.0.0, 2.0.0).
    let mut base = Version::default();
    for (i, f) in fields.iter().take(at).enumerate() {
        let n = number(f).ok_or_else(|| format!("Could not parse Range {part:?}"))?;
        match i {
            0 => base.major = n,
            _ => base.minor = n,
        }
    }
    if at == 0 || at > 2 {
        return Err(format!("Could not parse Range {part:?}"));
    }
    let upper = base.bump(at - 1);
    let cmp = |op, version| Comparator {
        op,
        version,
        upper: None,
    };
    Ok(match op {
        Op::Eq => vec![cmp(Op::Ge, base), cmp(Op::Lt, upper)],
        Op::Ne => vec![Comparator {
            op,
            version: base,
            upper: Some(upper),
        }],
        Op::Gt | Op::Le => vec![cmp(if op == Op::Gt { Op::Ge } else { Op::Lt }, upper)],
        Op::Ge | Op::Lt => vec![cmp(op, base)],
    })
}
