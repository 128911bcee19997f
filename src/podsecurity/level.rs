//! Levels and versions of the Pod Security Standards (`api.ParseLevel`, `api.ParseVersion`).

use std::fmt;
use std::str::FromStr;

/// A Pod Security Standards level, ordered `Privileged < Baseline < Restricted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No restrictions: no check runs.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Current pod hardening best practice (includes baseline).
    Restricted,
}

/// Error for a level string that is not `privileged`, `baseline` or `restricted`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of privileged, baseline, restricted")]
pub struct LevelError;

impl FromStr for Level {
    type Err = LevelError;
    fn from_str(s: &str) -> Result<Self, LevelError> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(LevelError),
        }
    }
}

impl Level {
    /// The level as written in labels and policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version: `latest` or `v1.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// `None` for `latest`.
    minor: Option<u64>,
}

/// Error for a version string that is neither `latest` nor `v1.<minor>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be \"latest\" or \"v1.x\"")]
pub struct VersionError;

/// The newest policy version whose checks this library knows (upstream HEAD: v1.37).
pub const NEWEST_MINOR: u64 = 37;

impl Version {
    /// The `latest` version.
    pub const LATEST: Version = Version { minor: None };

    /// Version `v1.<minor>`.
    pub const fn v1(minor: u64) -> Version {
        Version { minor: Some(minor) }
    }

    /// `true` for `latest`.
    pub fn is_latest(self) -> bool {
        self.minor.is_none()
    }

    /// The minor version the checks run at: `latest` and anything above the newest known
    /// version clamp to [`NEWEST_MINOR`].
    pub fn effective_minor(self) -> u64 {
        self.minor.map_or(NEWEST_MINOR, |m| m.min(NEWEST_MINOR))
    }
}

impl FromStr for Version {
    type Err = VersionError;
    /// Accepts `latest` or `^v1\.(0|[1-9][0-9]*)$`, as `api.ParseVersion` does.
    fn from_str(s: &str) -> Result<Self, VersionError> {
        if s == "latest" {
            return Ok(Version::LATEST);
        }
        let digits = s.strip_prefix("v1.").ok_or(VersionError)?;
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !well_formed {
            return Err(VersionError);
        }
        // Go parses the minor with strconv.Atoi: anything beyond int64 is an error.
        match digits.parse::<u64>() {
            Ok(m) if i64::try_from(m).is_ok() => Ok(Version::v1(m)),
            _ => Err(VersionError),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            None => f.write_str("latest"),
            Some(m) => write!(f, "v1.{m}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from upstream api/helpers_test.go `TestParseVersion`.
    #[test]
    fn parse_version() {
        assert_eq!("latest".parse(), Ok(Version::LATEST));
        assert_eq!("v1.0".parse(), Ok(Version::v1(0)));
        assert_eq!("v1.1".parse(), Ok(Version::v1(1)));
        assert_eq!("v1.10000".parse(), Ok(Version::v1(10000)));
        for bad in [
            "",
            "v1",
            "v1.",
            "v2.0",
            "v1.01",
            "1.1",
            "v1.1.1",
            "v1.-1",
            "vv1.1",
            "v1.99999999999999999999",
        ] {
            assert_eq!(bad.parse::<Version>(), Err(VersionError), "{bad}");
        }
        assert_eq!(Version::v1(10000).effective_minor(), NEWEST_MINOR);
        assert_eq!(Version::LATEST.effective_minor(), NEWEST_MINOR);
        assert_eq!(Version::v1(25).to_string(), "v1.25");
    }

    #[test]
    fn parse_level() {
        assert_eq!("baseline".parse(), Ok(Level::Baseline));
        assert_eq!("Baseline".parse::<Level>(), Err(LevelError));
        assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
        assert_eq!(Level::Restricted.to_string(), "restricted");
    }
}
