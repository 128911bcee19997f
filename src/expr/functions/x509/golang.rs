//! How Go's `encoding/json` writes the value types of a parsed certificate, after Kyverno has
//! read the JSON back into `interface{}` (so every number is a float64): `[]byte` as standard
//! base64, `*big.Int` as a number, `net.IP` as text, `time.Time` as RFC 3339 with trimmed
//! nanoseconds, and ASN.1 object identifiers as arrays of numbers.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;

use crate::expr::value::number;

/// A `[]byte`: base64 text, or null for a nil slice.
pub(super) fn bytes(b: Option<&[u8]>) -> Value {
    b.map_or(Value::Null, |b| Value::String(STANDARD.encode(b)))
}

/// A slice: an array, or null when Go's slice would be nil (no element was ever appended).
pub(super) fn list(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

/// A `[]string`, null when empty.
pub(super) fn strings(items: &[String]) -> Value {
    list(items.iter().cloned().map(Value::String).collect())
}

/// A Go `int` read back as float64.
pub(super) fn int(n: i64) -> Value {
    #[allow(clippy::cast_precision_loss)]
    number(n as f64)
}

/// An `asn1.ObjectIdentifier`: an array of numbers.
pub(super) fn oid(arcs: &[u64]) -> Value {
    #[allow(clippy::cast_precision_loss)]
    Value::Array(arcs.iter().map(|&a| number(a as f64)).collect())
}

/// The decimal digits of a non-negative big-endian magnitude.
pub(super) fn decimal(magnitude: &[u8]) -> String {
    // Repeated division by 10^9 over base-2^32 limbs.
    let mut limbs: Vec<u32> = Vec::with_capacity(magnitude.len() / 4 + 1);
    let head = magnitude.len() % 4;
    let (first, chunks) = magnitude.split_at(head);
    if !first.is_empty() {
        limbs.push(first.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)));
    }
    limbs.extend(
        chunks
            .chunks_exact(4)
            .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))),
    );
    let mut groups: Vec<u32> = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut remainder: u64 = 0;
        for limb in &mut limbs {
            let current = (remainder << 32) | u64::from(*limb);
            // Both fit: current / 10^9 < 2^32 because remainder < 10^9.
            #[allow(clippy::cast_possible_truncation)]
            {
                *limb = (current / 1_000_000_000) as u32;
                remainder = current % 1_000_000_000;
            }
        }
        #[allow(clippy::cast_possible_truncation)]
        groups.push(remainder as u32);
        while limbs.first() == Some(&0) {
            limbs.remove(0);
        }
    }
    let Some((most, rest)) = groups.split_last() else {
        return "0".to_owned();
    };
    let mut out = most.to_string();
    for g in rest.iter().rev() {
        out.push_str(&format!("{g:09}"));
    }
    out
}

/// A `*big.Int` from two's-complement bytes, as Go's JSON number read back into a float64.
pub(super) fn big_number(twos_complement: &[u8]) -> Value {
    let negative = twos_complement.first().is_some_and(|b| b & 0x80 != 0);
    let digits = if negative {
        // Magnitude of a negative number: invert and add one.
        let mut magnitude: Vec<u8> = twos_complement.iter().map(|b| !b).collect();
        for b in magnitude.iter_mut().rev() {
            let (sum, carry) = b.overflowing_add(1);
            *b = sum;
            if !carry {
                break;
            }
        }
        format!("-{}", decimal(&magnitude))
    } else {
        decimal(twos_complement)
    };
    // Go's json.Unmarshal and Rust's parser both round the decimal text correctly.
    digits.parse::<f64>().map_or(Value::Null, number)
}

/// A `net.IP` as `MarshalText` writes it (IPv4-mapped IPv6 addresses in dotted form).
pub(super) fn ip(raw: &[u8]) -> Value {
    Value::String(ip_text(raw))
}

pub(super) fn ip_text(raw: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(raw) {
        return std::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(raw) {
        let addr = std::net::Ipv6Addr::from(v6);
        return match addr.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => addr.to_string(),
        };
    }
    if raw.is_empty() {
        return String::new();
    }
    // Go prints an IP of another length as '?' followed by its hex.
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    format!("?{hex}")
}

/// A time read from an ASN.1 UTCTime or GeneralizedTime, in the offset it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Time {
    at: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl Time {
    /// Reads `YYMMDDHHMMSS(Z|±hhmm)` (years before 50 are 20xx) as cryptobyte does: the text
    /// must be exactly what Go would write back.
    pub(super) fn utc_time(text: &[u8]) -> Option<Time> {
        let text = std::str::from_utf8(text).ok()?;
        let (digits, zone) = text.split_at_checked(12)?;
        let yy: i32 = two(digits, 0)?;
        let year = if yy < 50 { 2000 + yy } else { 1900 + yy };
        Time::build(year, digits.get(2..)?, "", zone)
    }

    /// Reads `YYYYMMDDHHMMSS[.fff](Z|±hhmm)` (fraction without trailing zeros).
    pub(super) fn generalized_time(text: &[u8]) -> Option<Time> {
        let text = std::str::from_utf8(text).ok()?;
        let (digits, rest) = text.split_at_checked(14)?;
        let year: i32 = digits.get(..4)?.parse().ok()?;
        if !digits.get(..4)?.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (fraction, zone) = match rest.strip_prefix('.') {
            Some(f) => {
                let end = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
                let (digits, zone) = f.split_at(end);
                if digits.is_empty() || digits.len() > 9 || digits.ends_with('0') {
                    return None;
                }
                (digits, zone)
            }
            None => ("", rest),
        };
        Time::build(year, digits.get(4..)?, fraction, zone)
    }

    /// `mmddHHMMSS` after the year, the fraction digits and the zone.
    fn build(year: i32, mdhms: &str, fraction: &str, zone: &str) -> Option<Time> {
        let date = NaiveDate::from_ymd_opt(year, two(mdhms, 0)?, two(mdhms, 2)?)?;
        let nanos: u32 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<9}").parse().ok()?
        };
        let time =
            NaiveTime::from_hms_nano_opt(two(mdhms, 4)?, two(mdhms, 6)?, two(mdhms, 8)?, nanos)?;
        let offset = match zone {
            "Z" => None,
            _ => {
                let (sign, hhmm) = match zone.split_at_checked(1)? {
                    ("+", r) => (1, r),
                    ("-", r) => (-1, r),
                    _ => return None,
                };
                if hhmm.len() != 4 {
                    return None;
                }
                let (h, m): (i32, i32) = (two(hhmm, 0)?, two(hhmm, 2)?);
                // Go writes a zero offset as "Z", so "+0000" does not survive the round trip.
                if (h == 0 && m == 0) || h > 99 || m > 59 {
                    return None;
                }
                Some(FixedOffset::east_opt(sign * (h * 3600 + m * 60))?)
            }
        };
        Some(Time {
            at: NaiveDateTime::new(date, time),
            offset,
        })
    }

    /// `time.Time.MarshalJSON`: RFC 3339 with nanoseconds, trailing zeros trimmed.
    pub(super) fn to_json(self) -> Value {
        let mut text = self.at.format("%Y-%m-%dT%H:%M:%S").to_string();
        let nanos = self.at.and_utc().timestamp_subsec_nanos();
        if nanos != 0 {
            let fraction = format!("{nanos:09}");
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        match self.offset {
            None => text.push('Z'),
            Some(offset) => {
                let secs = offset.local_minus_utc();
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.abs();
                text.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
            }
        }
        Value::String(text)
    }
}

/// Two ASCII digits at `at`.
fn two<T: From<u8>>(text: &str, at: usize) -> Option<T> {
    let pair = text.as_bytes().get(at..at + 2)?;
    let (&a, &b) = (pair.first()?, pair.get(1)?);
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| T::from((a - b'0') * 10 + (b - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn big_integers_become_float64() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0x01, 0x00, 0x01]), "65537");
        assert_eq!(
            decimal(&[0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
            "18446744073709551616"
        );
        assert_eq!(big_number(&[0x00]), json!(0));
        assert_eq!(big_number(&[0xff]), json!(-1));
        // Kyverno's Test_x509Decode serial 520089955419326249038486015063014459614455897759,
        // read back by Go as the float64 5.200899554193262e47.
        let serial = [
            0x5b, 0x19, 0xa3, 0xe3, 0x49, 0x7e, 0x4c, 0x35, 0x49, 0xab, 0xdf, 0x17, 0xcb, 0xb7,
            0x3a, 0x2d, 0xea, 0x37, 0x9e, 0x9f,
        ];
        assert_eq!(
            decimal(&serial),
            "520089955419326249038486015063014459614455897759"
        );
        assert_eq!(big_number(&serial), json!(5.200_899_554_193_262_4e47));
    }

    #[test]
    fn ips_print_like_go() {
        assert_eq!(ip_text(&[10, 0, 0, 1]), "10.0.0.1");
        let mut mapped = [0u8; 16];
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        mapped[12..].copy_from_slice(&[192, 168, 1, 1]);
        assert_eq!(ip_text(&mapped), "192.168.1.1");
        let mut loopback = [0u8; 16];
        loopback[15] = 1;
        assert_eq!(ip_text(&loopback), "::1");
    }

    #[test]
    fn times_round_trip_like_cryptobyte() {
        let t = |s: &str| Time::utc_time(s.as_bytes()).map(Time::to_json);
        assert_eq!(t("220111132643Z"), Some(json!("2022-01-11T13:26:43Z")));
        assert_eq!(t("500101000000Z"), Some(json!("1950-01-01T00:00:00Z")));
        assert_eq!(
            t("220111132643+0130"),
            Some(json!("2022-01-11T13:26:43+01:30"))
        );
        assert_eq!(t("220111132643+0000"), None);
        assert_eq!(t("221311132643Z"), None);
        assert_eq!(t("2201111326Z"), None);
        let g = |s: &str| Time::generalized_time(s.as_bytes()).map(Time::to_json);
        assert_eq!(g("20500101000000Z"), Some(json!("2050-01-01T00:00:00Z")));
        assert_eq!(
            g("20500101000000.25Z"),
            Some(json!("2050-01-01T00:00:00.25Z"))
        );
        assert_eq!(g("20500101000000.20Z"), None);
        assert_eq!(g("20500230000000Z"), None);
    }
}
