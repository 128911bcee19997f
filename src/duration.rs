//! Go durations: `time.ParseDuration` and `time.Duration.String()`, exactly as Go does them,
//! on a signed 64-bit nanosecond count.

use std::fmt;

/// A Go `time.Duration`: a signed count of nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

/// Why a duration string was rejected; the text is Go's error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DurationError(String);

/// Why a duration failed to parse, before it is turned into Go's message.
enum Defect<'a> {
    Invalid,
    MissingUnit,
    UnknownUnit(&'a [u8]),
}

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const LIMIT: u64 = 1 << 63;

fn unit_of(u: &str) -> Option<u64> {
    Some(match u {
        "ns" => NANOSECOND,
        "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Go's `strconv.Quote`-like rendering used in `time` error messages (ASCII input is the
/// common case; other characters are kept as they are).
fn quote(s: &str) -> String {
    format!("{s:?}")
}

impl Duration {
    /// Parses a Go duration string: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units `ns`, `us`
    /// (`µs`, `μs`), `ms`, `s`, `m`, `h`; `"0"` alone needs no unit.
    pub fn parse(orig: &str) -> Result<Duration, DurationError> {
        Duration::scan(orig).map_err(|defect| {
            DurationError(match defect {
                Defect::Invalid => format!("time: invalid duration {}", quote(orig)),
                Defect::MissingUnit => format!("time: missing unit in duration {}", quote(orig)),
                Defect::UnknownUnit(unit) => format!(
                    "time: unknown unit {} in duration {}",
                    quote(&String::from_utf8_lossy(unit)),
                    quote(orig)
                ),
            })
        })
    }

    /// Parses like [`Duration::parse`] without building an error message (no allocation).
    pub fn parse_value(s: &str) -> Option<Duration> {
        Duration::scan(s).ok()
    }

    fn scan(orig: &str) -> Result<Duration, Defect<'_>> {
        let invalid = || Defect::Invalid;
        let mut s = orig.as_bytes();
        let mut neg = false;
        if let Some(&c) = s.first() {
            if c == b'-' || c == b'+' {
                neg = c == b'-';
                s = s.get(1..).unwrap_or_default();
            }
        }
        if s == b"0" {
            return Ok(Duration(0));
        }
        if s.is_empty() {
            return Err(invalid());
        }
        let mut total: u64 = 0;
        while let Some(&first) = s.first() {
            if !(first == b'.' || first.is_ascii_digit()) {
                return Err(invalid());
            }
            // Integer part.
            let before = s.len();
            let (v, rest) = leading_int(s).ok_or_else(invalid)?;
            s = rest;
            let pre = before != s.len();
            // Fraction.
            let mut f: u64 = 0;
            let mut scale: f64 = 1.0;
            let mut post = false;
            if s.first() == Some(&b'.') {
                s = s.get(1..).unwrap_or_default();
                let before = s.len();
                let (fx, sc, rest) = leading_fraction(s);
                f = fx;
                scale = sc;
                s = rest;
                post = before != s.len();
            }
            if !pre && !post {
                return Err(invalid());
            }
            // Unit: everything up to the next '.' or digit.
            let unit_len = s
                .iter()
                .position(|c| *c == b'.' || c.is_ascii_digit())
                .unwrap_or(s.len());
            if unit_len == 0 {
                return Err(Defect::MissingUnit);
            }
            let (u, rest) = s.split_at(unit_len);
            s = rest;
            let unit = std::str::from_utf8(u)
                .ok()
                .and_then(unit_of)
                .ok_or(Defect::UnknownUnit(u))?;
            if v > LIMIT / unit {
                return Err(invalid());
            }
            let mut v = v * unit;
            if f > 0 {
                // Go computes the fractional part in float64, truncating.
                v += (f as f64 * (unit as f64 / scale)) as u64;
                if v > LIMIT {
                    return Err(invalid());
                }
            }
            total = total.checked_add(v).ok_or_else(invalid)?;
            if total > LIMIT {
                return Err(invalid());
            }
        }
        if neg {
            // total <= 2^63, so the negation always fits.
            return Ok(Duration((total as i128).wrapping_neg() as i64));
        }
        if total > LIMIT - 1 {
            return Err(invalid());
        }
        Ok(Duration(total as i64))
    }

    /// The duration in seconds as a float (Go's `Duration.Seconds()`).
    pub fn as_secs_f64(self) -> f64 {
        let sec = self.0 / SECOND as i64;
        let nsec = self.0 % SECOND as i64;
        sec as f64 + nsec as f64 / 1e9
    }
}

fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > LIMIT {
            return None;
        }
        i += 1;
    }
    Some((x, s.get(i..).unwrap_or_default()))
}

fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let mut x: u64 = 0;
    let mut scale = 1.0;
    let mut overflow = false;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        i += 1;
        if overflow {
            continue;
        }
        if x > (LIMIT - 1) / 10 {
            overflow = true;
            continue;
        }
        let y = x * 10 + u64::from(c - b'0');
        if y > LIMIT {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, s.get(i..).unwrap_or_default())
}

/// Writes the fraction `v / 10^prec` (like ".125") with trailing zeros removed, and returns
/// the integer part. Nothing is written when the fraction is zero.
fn push_frac(out: &mut Vec<u8>, mut v: u64, prec: u32) -> u64 {
    let mut digits = Vec::with_capacity(prec as usize + 1);
    let mut printed = false;
    for _ in 0..prec {
        let digit = v % 10;
        printed = printed || digit != 0;
        if printed {
            digits.push(b'0' + digit as u8);
        }
        v /= 10;
    }
    if printed {
        digits.push(b'.');
    }
    out.extend(digits.iter());
    v
}

fn push_int(out: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    while v > 0 {
        out.push(b'0' + (v % 10) as u8);
        v /= 10;
    }
}

impl fmt::Display for Duration {
    /// Go's `Duration.String()`: `72h3m0.5s`, `1.5s`, `300ms`, `2µs`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Built in reverse, like Go, then reversed once.
        let mut out: Vec<u8> = Vec::with_capacity(32);
        let neg = self.0 < 0;
        let mut u = self.0.unsigned_abs();
        if u < SECOND {
            out.push(b's');
            let prec = if u == 0 {
                out.push(b'0');
                return f.write_str("0s");
            } else if u < MICROSECOND {
                out.push(b'n');
                0
            } else if u < MILLISECOND {
                // 'µ' (U+00B5) is 0xC2 0xB5; reversed here.
                out.push(0xB5);
                out.push(0xC2);
                3
            } else {
                out.push(b'm');
                6
            };
            u = push_frac(&mut out, u, prec);
            push_int(&mut out, u);
        } else {
            out.push(b's');
            u = push_frac(&mut out, u, 9);
            push_int(&mut out, u % 60);
            u /= 60;
            if u > 0 {
                out.push(b'm');
                push_int(&mut out, u % 60);
                u /= 60;
                if u > 0 {
                    out.push(b'h');
                    push_int(&mut out, u);
                }
            }
        }
        if neg {
            out.push(b'-');
        }
        out.reverse();
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go `time` package `parseDurationTests` (time_test.go), valid inputs.
    #[test]
    fn parse_valid() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("5s", 5 * SECOND as i64),
            ("30s", 30 * SECOND as i64),
            ("1478s", 1478 * SECOND as i64),
            ("-5s", -5 * SECOND as i64),
            ("+5s", 5 * SECOND as i64),
            ("-0", 0),
            ("+0", 0),
            ("5.0s", 5 * SECOND as i64),
            ("5.6s", 5 * SECOND as i64 + 600 * MILLISECOND as i64),
            ("5.s", 5 * SECOND as i64),
            (".5s", 500 * MILLISECOND as i64),
            ("1.0s", SECOND as i64),
            ("1.00s", SECOND as i64),
            ("1.004s", SECOND as i64 + 4 * MILLISECOND as i64),
            ("1.0040s", SECOND as i64 + 4 * MILLISECOND as i64),
            ("100.00100s", 100 * SECOND as i64 + MILLISECOND as i64),
            ("10ns", 10),
            ("11us", 11 * MICROSECOND as i64),
            ("12\u{b5}s", 12 * MICROSECOND as i64),
            ("12\u{3bc}s", 12 * MICROSECOND as i64),
            ("13ms", 13 * MILLISECOND as i64),
            ("14s", 14 * SECOND as i64),
            ("15m", 15 * MINUTE as i64),
            ("16h", 16 * HOUR as i64),
            ("3h30m", 3 * HOUR as i64 + 30 * MINUTE as i64),
            (
                "10.5s4m",
                4 * MINUTE as i64 + 10 * SECOND as i64 + 500 * MILLISECOND as i64,
            ),
            (
                "-2m3.4s",
                -(2 * MINUTE as i64 + 3 * SECOND as i64 + 400 * MILLISECOND as i64),
            ),
            (
                "1h2m3s4ms5us6ns",
                (HOUR + 2 * MINUTE + 3 * SECOND + 4 * MILLISECOND + 5 * MICROSECOND + 6) as i64,
            ),
            (
                "39h9m14.425s",
                (39 * HOUR + 9 * MINUTE + 14 * SECOND + 425 * MILLISECOND) as i64,
            ),
            ("52763797000ns", 52763797000),
            ("0.3333333333333333333h", 20 * MINUTE as i64),
            ("9007199254740993ns", (1 << 53) + 1),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("-9223372036s854ms775us808ns", i64::MIN),
            ("-9223372036854775808ns", i64::MIN),
            ("-2562047h47m16.854775808s", i64::MIN),
            ("0.100000000000000000000h", 6 * MINUTE as i64),
            (
                "0.830103483285477580700h",
                49 * MINUTE as i64 + 48 * SECOND as i64 + 372539827,
            ),
        ];
        for (s, want) in cases {
            assert_eq!(Duration::parse(s), Ok(Duration(*want)), "parse({s:?})");
        }
    }

    /// Go `parseDurationErrorTests`.
    #[test]
    fn parse_errors() {
        let cases: &[(&str, &str)] = &[
            ("", "time: invalid duration \"\""),
            ("3", "time: missing unit in duration \"3\""),
            ("-", "time: invalid duration \"-\""),
            ("s", "time: invalid duration \"s\""),
            (".", "time: invalid duration \".\""),
            ("-.", "time: invalid duration \"-.\""),
            (".s", "time: invalid duration \".s\""),
            ("+.s", "time: invalid duration \"+.s\""),
            ("1d", "time: unknown unit \"d\" in duration \"1d\""),
            ("3000000h", "time: invalid duration \"3000000h\""),
            (
                "9223372036854775808ns",
                "time: invalid duration \"9223372036854775808ns\"",
            ),
            (
                "9223372036854775.808us",
                "time: invalid duration \"9223372036854775.808us\"",
            ),
            (
                "9223372036854ms775us808ns",
                "time: invalid duration \"9223372036854ms775us808ns\"",
            ),
            (
                "-9223372036854775809ns",
                "time: invalid duration \"-9223372036854775809ns\"",
            ),
            ("1 s", "time: unknown unit \" s\" in duration \"1 s\""),
            ("1Gi", "time: unknown unit \"Gi\" in duration \"1Gi\""),
        ];
        for (s, msg) in cases {
            assert_eq!(
                Duration::parse(s).map_err(|e| e.to_string()),
                Err(msg.to_string()),
                "parse({s:?})"
            );
        }
    }

    /// Go `durationTests` (time_test.go) for `Duration.String()`.
    #[test]
    fn string_form() {
        let cases: &[(&str, i64)] = &[
            ("0s", 0),
            ("1ns", 1),
            ("1.1\u{b5}s", 1100),
            ("2.2ms", 2_200_000),
            ("3.3s", 3_300_000_000),
            ("4m5s", (4 * MINUTE + 5 * SECOND) as i64),
            ("4m5.001s", (4 * MINUTE + 5001 * MILLISECOND) as i64),
            (
                "5h6m7.001s",
                (5 * HOUR + 6 * MINUTE + 7001 * MILLISECOND) as i64,
            ),
            ("8m0.000000001s", (8 * MINUTE + 1) as i64),
            ("2562047h47m16.854775807s", i64::MAX),
            ("-2562047h47m16.854775808s", i64::MIN),
            ("1h30m0s", (HOUR + 30 * MINUTE) as i64),
            ("1.5s", 1_500_000_000),
            ("300ms", 300_000_000),
            ("-1.5s", -1_500_000_000),
        ];
        for (want, d) in cases {
            assert_eq!(Duration(*d).to_string(), *want, "String({d})");
        }
    }

    #[test]
    fn round_trip_and_seconds() {
        for s in [
            "1h30m0s",
            "1.5s",
            "300ms",
            "0s",
            "-2m3.4s",
            "1h0m0.000000001s",
        ] {
            let d = Duration::parse(s).unwrap_or_default();
            assert_eq!(Duration::parse(&d.to_string()), Ok(d), "{s}");
        }
        assert_eq!(Duration(1_500_000_000).as_secs_f64(), 1.5);
    }
}
