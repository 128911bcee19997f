//! Where "now" comes from. The `time_*` functions and report timestamps read the time through a
//! [`Clock`], so that tests, the REPL and embedders can fix it.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time. `Send + Sync`: one clock serves every evaluation.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's clock (the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant.
///
/// ```
/// use rampart::clock::FixedClock;
/// let clock = FixedClock::from_rfc3339("2026-01-02T03:04:05Z").unwrap();
/// assert_eq!(clock.unix_seconds(), 1_767_323_045);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(SystemTime);

impl FixedClock {
    /// A clock stopped at `time`.
    pub fn at(time: SystemTime) -> Self {
        FixedClock(time)
    }

    /// A clock stopped at an RFC 3339 time (`2026-01-02T03:04:05Z`, offsets allowed).
    pub fn from_rfc3339(text: &str) -> Result<Self, String> {
        let t = chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"))?;
        Ok(FixedClock(SystemTime::from(t)))
    }

    /// Seconds since the Unix epoch (negative before it).
    pub fn unix_seconds(&self) -> i64 {
        unix_seconds(self.0)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Seconds since the Unix epoch of a time (negative before it, saturating).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs())
            .map(|s| -s)
            .unwrap_or(i64::MIN),
    }
}

/// A time from seconds since the Unix epoch.
pub fn from_unix_seconds(seconds: i64) -> SystemTime {
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}
