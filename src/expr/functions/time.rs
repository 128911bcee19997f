//! Kyverno's time functions (`pkg/engine/jmespath/time.go`): RFC 3339 times, Go durations
//! and Go reference-time layouts (`2006-01-02T15:04:05Z07:00`), translated by [`parse_layout`].

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};
use serde_json::Value;

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};
use crate::duration::Duration;

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!(
        "time_since",
        [STR, STR, STR],
        false,
        "string",
        "duration from the second time to the third (now when empty), parsed with the layout (RFC 3339 when empty)",
        time_since
    ),
    spec!(
        "time_now",
        [],
        false,
        "string",
        "current time in RFC 3339",
        |c| {
            Ok(rfc3339(
                &chrono::DateTime::<chrono::Local>::from(c.clock.now()).fixed_offset(),
            ))
        }
    ),
    spec!(
        "time_now_utc",
        [],
        false,
        "string",
        "current UTC time in RFC 3339",
        |c| {
            Ok(rfc3339(
                &DateTime::<Utc>::from(c.clock.now()).fixed_offset(),
            ))
        }
    ),
    spec!(
        "time_add",
        [STR, STR],
        false,
        "string",
        "adds a duration to an RFC 3339 time",
        |c| {
            let (t, d) = (time_arg(c, 0)?, duration_arg(c, 1)?);
            let sum = t
                .checked_add_signed(chrono::Duration::nanoseconds(d.0))
                .ok_or_else(|| c.fail("time out of range"))?;
            Ok(rfc3339(&sum))
        }
    ),
    spec!(
        "time_parse",
        [STR, STR],
        false,
        "string",
        "a time in the given Go layout (or epoch seconds for a numeric layout) to RFC 3339",
        time_parse
    ),
    spec!(
        "time_to_cron",
        [STR],
        false,
        "string",
        "an RFC 3339 time as a cron expression",
        |c| {
            let t = time_arg(c, 0)?;
            Ok(Value::String(format!(
                "{} {} {} {} {}",
                t.minute(),
                t.hour(),
                t.day(),
                t.month(),
                t.weekday().num_days_from_sunday()
            )))
        }
    ),
    spec!(
        "time_utc",
        [STR],
        false,
        "string",
        "an RFC 3339 time in UTC",
        |c| { Ok(rfc3339(&time_arg(c, 0)?.with_timezone(&Utc).fixed_offset())) }
    ),
    spec!(
        "time_diff",
        [STR, STR],
        false,
        "string",
        "duration from the first to the second RFC 3339 time",
        |c| { Ok(since(&time_arg(c, 0)?, &time_arg(c, 1)?)) }
    ),
    spec!(
        "time_before",
        [STR, STR],
        false,
        "bool",
        "whether the first time is before the second",
        |c| { Ok(Value::Bool(time_arg(c, 0)? < time_arg(c, 1)?)) }
    ),
    spec!(
        "time_after",
        [STR, STR],
        false,
        "bool",
        "whether the first time is after the second",
        |c| { Ok(Value::Bool(time_arg(c, 0)? > time_arg(c, 1)?)) }
    ),
    spec!(
        "time_between",
        [STR, STR, STR],
        false,
        "bool",
        "whether the first time is strictly between the second and the third",
        |c| {
            let (t, start, end) = (time_arg(c, 0)?, time_arg(c, 1)?, time_arg(c, 2)?);
            Ok(Value::Bool(start < t && t < end))
        }
    ),
    spec!(
        "time_truncate",
        [STR, STR],
        false,
        "string",
        "rounds a time down to a multiple of the duration",
        |c| {
            let (t, d) = (time_arg(c, 0)?, duration_arg(c, 1)?);
            Ok(rfc3339(&truncate(t, d)))
        }
    ),
];

/// Go's `Format(time.RFC3339)`: whole seconds, `Z` for UTC.
fn rfc3339(t: &DateTime<FixedOffset>) -> Value {
    Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// `end - start` as a Go duration string.
fn since(start: &DateTime<FixedOffset>, end: &DateTime<FixedOffset>) -> Value {
    let nanos = (*end - *start).num_nanoseconds().unwrap_or(i64::MAX);
    Value::String(Duration(nanos).to_string())
}

fn time_arg(c: &Call<'_, '_>, i: usize) -> Result<DateTime<FixedOffset>, EvalError> {
    parse_rfc3339(c.str(i)?)
}

fn duration_arg(c: &Call<'_, '_>, i: usize) -> Result<Duration, EvalError> {
    Duration::parse(c.str(i)?).map_err(|e| EvalError::Function(e.to_string()))
}

fn parse_rfc3339(s: &str) -> Result<DateTime<FixedOffset>, EvalError> {
    parse_layout("2006-01-02T15:04:05Z07:00", s)
}

fn time_since(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let layout = match c.str(0)? {
        "" => "2006-01-02T15:04:05Z07:00",
        l => l,
    };
    let start = parse_layout(layout, c.str(1)?)?;
    let end = match c.str(2)? {
        "" => DateTime::<Utc>::from(c.clock.now()).fixed_offset(),
        s => parse_layout(layout, s)?,
    };
    Ok(since(&start, &end))
}

fn time_parse(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (layout, value) = (c.str(0)?, c.str(1)?);
    if layout.parse::<i64>().is_ok() {
        let secs: i64 = value.parse().map_err(|_| {
            EvalError::Function(format!(
                "strconv.ParseInt: parsing {value:?}: invalid syntax"
            ))
        })?;
        let t = Utc
            .timestamp_opt(secs, 0)
            .single()
            .ok_or_else(|| EvalError::Function(format!("time out of range: {secs}")))?;
        return Ok(rfc3339(&t.fixed_offset()));
    }
    Ok(rfc3339(&parse_layout(layout, value)?))
}

/// Go's `Time.Truncate`: rounds down to a multiple of `d` since Go's zero time (year 1).
fn truncate(t: DateTime<FixedOffset>, d: Duration) -> DateTime<FixedOffset> {
    if d.0 <= 0 {
        return t;
    }
    const YEAR_ONE_TO_UNIX: i128 = 62_135_596_800;
    let nanos = (i128::from(t.timestamp()) + YEAR_ONE_TO_UNIX) * 1_000_000_000
        + i128::from(t.timestamp_subsec_nanos());
    let remainder = nanos.rem_euclid(i128::from(d.0));
    #[allow(clippy::cast_possible_truncation)]
    let back = chrono::Duration::nanoseconds(remainder as i64);
    t.checked_sub_signed(back).unwrap_or(t)
}

/// The parts a Go layout can set.
#[derive(Default)]
struct Parts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    pm: Option<bool>,
    offset: Option<i32>,
}

/// Layout elements of Go's reference time, longest first where prefixes overlap.
const ELEMENTS: &[&str] = &[
    "January",
    "Jan",
    "Monday",
    "Mon",
    "MST",
    "2006",
    "-07:00:00",
    "-070000",
    "-07:00",
    "-0700",
    "-07",
    "Z07:00:00",
    "Z070000",
    "Z07:00",
    "Z0700",
    "Z07",
    "002",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "15",
    "_2",
    "PM",
    "pm",
    "1",
    "2",
    "3",
    "4",
    "5",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: &[&str] = &[
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn layout_error(layout: &str, value: &str, elem: &str, rest: &str) -> EvalError {
    EvalError::Function(format!(
        "parsing time {value:?} as {layout:?}: cannot parse {rest:?} as {elem:?}"
    ))
}

/// Parse `value` with a Go layout (`time.Parse`); no zone in the layout means UTC.
pub(crate) fn parse_layout(layout: &str, value: &str) -> Result<DateTime<FixedOffset>, EvalError> {
    let mut parts = Parts {
        month: 1,
        day: 1,
        ..Parts::default()
    };
    let mut l = layout;
    let mut v = value;
    while !l.is_empty() {
        // Fractional seconds: ".000", ",000" (fixed) or ".999" (optional) after seconds.
        if let Some(frac) = fraction_element(l) {
            let digits = frac.len() - 1;
            let optional = frac.as_bytes().get(1) == Some(&b'9');
            l = &l[frac.len()..];
            if optional && !v.starts_with(['.', ',']) {
                continue;
            }
            let taken = v
                .get(1..)
                .map_or(0, |r| r.bytes().take_while(u8::is_ascii_digit).count());
            if !v.starts_with(['.', ',']) || (!optional && taken != digits) || taken == 0 {
                return Err(layout_error(layout, value, frac, v));
            }
            parts.nanos = nanos(&v[1..=taken]);
            v = &v[1 + taken..];
            continue;
        }
        let Some(elem) = ELEMENTS.iter().find(|e| l.starts_with(**e)) else {
            // A literal character must match exactly.
            let ch = l.chars().next().unwrap_or(' ');
            if !v.starts_with(ch) {
                return Err(layout_error(layout, value, &l[..ch.len_utf8()], v));
            }
            l = &l[ch.len_utf8()..];
            v = &v[ch.len_utf8()..];
            continue;
        };
        l = &l[elem.len()..];
        let err = || layout_error(layout, value, elem, v);
        v = match *elem {
            "January" | "Jan" => {
                let (i, rest) = name(v, MONTHS, *elem == "Jan").ok_or_else(err)?;
                parts.month = u32::try_from(i + 1).map_err(|_| err())?;
                rest
            }
            "Monday" | "Mon" => name(v, DAYS, *elem == "Mon").ok_or_else(err)?.1,
            "MST" => {
                let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(err());
                }
                if &v[..n] == "UTC" || &v[..n] == "GMT" {
                    parts.offset = Some(0);
                }
                &v[n..]
            }
            "2006" => {
                let (n, rest) = digits(v, 4, 4).ok_or_else(err)?;
                parts.year = i32::try_from(n).map_err(|_| err())?;
                rest
            }
            "06" => {
                let (n, rest) = digits(v, 2, 2).ok_or_else(err)?;
                let n = i32::try_from(n).map_err(|_| err())?;
                parts.year = if n >= 69 { 1900 + n } else { 2000 + n };
                rest
            }
            "01" | "1" => {
                let (n, rest) = digits(v, if *elem == "1" { 1 } else { 2 }, 2).ok_or_else(err)?;
                parts.month = n;
                rest
            }
            "02" | "2" | "_2" => {
                let v = if *elem == "_2" {
                    v.strip_prefix(' ').unwrap_or(v)
                } else {
                    v
                };
                let (n, rest) = digits(v, if *elem == "02" { 2 } else { 1 }, 2).ok_or_else(err)?;
                parts.day = n;
                rest
            }
            "002" => digits(v, 3, 3).ok_or_else(err)?.1,
            "15" | "03" | "3" => {
                let (n, rest) = digits(v, if *elem == "3" { 1 } else { 2 }, 2).ok_or_else(err)?;
                parts.hour = n;
                rest
            }
            "04" | "4" => {
                let (n, rest) = digits(v, if *elem == "4" { 1 } else { 2 }, 2).ok_or_else(err)?;
                parts.minute = n;
                rest
            }
            "05" | "5" => {
                let (n, rest) = digits(v, if *elem == "5" { 1 } else { 2 }, 2).ok_or_else(err)?;
                parts.second = n;
                // Go accepts a fraction after seconds even when the layout has none.
                if rest.starts_with('.') && fraction_element(l).is_none() {
                    let taken = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if taken > 0 {
                        parts.nanos = nanos(&rest[1..=taken]);
                        &rest[1 + taken..]
                    } else {
                        rest
                    }
                } else {
                    rest
                }
            }
            "PM" | "pm" => {
                let word = v.get(..2).ok_or_else(err)?;
                parts.pm = match word.to_ascii_uppercase().as_str() {
                    "PM" => Some(true),
                    "AM" => Some(false),
                    _ => return Err(err()),
                };
                &v[2..]
            }
            zone => {
                let (offset, rest) = parse_offset(v, zone).ok_or_else(err)?;
                parts.offset = Some(offset);
                rest
            }
        };
    }
    if !v.is_empty() {
        return Err(EvalError::Function(format!(
            "parsing time {value:?}: extra text: {v:?}"
        )));
    }
    build(&parts)
        .ok_or_else(|| EvalError::Function(format!("parsing time {value:?}: day out of range")))
}

fn fraction_element(l: &str) -> Option<&str> {
    let b = l.as_bytes();
    let sep = *b.first()?;
    if sep != b'.' && sep != b',' {
        return None;
    }
    let digit = *b.get(1)?;
    if digit != b'0' && digit != b'9' {
        return None;
    }
    let n = b[1..].iter().take_while(|c| **c == digit).count();
    // Only a fraction when not followed by another digit (Go's rule).
    if b.get(1 + n).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    l.get(..1 + n)
}

fn nanos(digits: &str) -> u32 {
    let mut s: String = digits.chars().take(9).collect();
    while s.len() < 9 {
        s.push('0');
    }
    s.parse().unwrap_or(0)
}

fn digits(v: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = v.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((v.get(..n)?.parse().ok()?, v.get(n..)?))
}

fn name<'v>(v: &'v str, names: &[&str], short: bool) -> Option<(usize, &'v str)> {
    names.iter().enumerate().find_map(|(i, full)| {
        let want = if short { full.get(..3)? } else { full };
        let got = v.get(..want.len())?;
        got.eq_ignore_ascii_case(want)
            .then(|| (i, &v[want.len()..]))
    })
}

fn parse_offset<'v>(v: &'v str, zone: &str) -> Option<(i32, &'v str)> {
    let zulu = zone.starts_with('Z');
    if zulu && v.starts_with('Z') {
        return Some((0, &v[1..]));
    }
    let pattern = zone.trim_start_matches(['Z', '-']);
    let sign = match v.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut rest = &v[1..];
    let mut fields = [0i32; 3];
    for (i, group) in pattern.split(':').enumerate() {
        // "07", "0700", "070000": two digits per field.
        for j in 0..group.len() / 2 {
            if i > 0 && j == 0 {
                rest = rest.strip_prefix(':')?;
            }
            let (n, r) = digits(rest, 2, 2)?;
            *fields.get_mut(i + j)? = i32::try_from(n).ok()?;
            rest = r;
        }
    }
    Some((sign * (fields[0] * 3600 + fields[1] * 60 + fields[2]), rest))
}

fn build(p: &Parts) -> Option<DateTime<FixedOffset>> {
    let mut hour = p.hour;
    match p.pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let date = NaiveDate::from_ymd_opt(p.year, p.month, p.day)?;
    let naive = date.and_hms_nano_opt(hour, p.minute, p.second, p.nanos)?;
    let offset = FixedOffset::east_opt(p.offset.unwrap_or(0))?;
    offset.from_local_datetime(&naive).single()
}
