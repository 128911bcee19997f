//! Kubernetes `resource.Quantity` (k8s.io/apimachinery `pkg/api/resource`): parsing of every
//! form (`100m`, `1Gi`, `1.5`, `1e3`, `2E-3`, signs, `Ki..Ei`, `n u m k M G T P E`), exact
//! comparison, conversion to `f64`, Kubernetes' canonical string form (`Quantity.String()`),
//! and the arithmetic Kyverno's JMESPath functions use.
//!
//! A quantity is an exact decimal `unscaled × 10^-scale` held in an `i128`, with the same scale
//! Kubernetes keeps (so divisions round like Kyverno's). Parsing rounds up to nano precision
//! like Kubernetes. Limitation: a value whose exact digits do not fit in 38 decimal digits is
//! rejected as out of range (Kubernetes would accept it as an arbitrary-precision decimal).

use std::cmp::Ordering;
use std::fmt;

/// How a quantity is written when printed (Kubernetes `resource.Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `1e3`, `2E-3`.
    DecimalExponent,
    /// `Ki`, `Mi`, ... `Ei`.
    BinarySI,
    /// `n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`.
    DecimalSI,
}

/// Why a quantity string was rejected; messages are Kubernetes' own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not of the form number + suffix.
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    FormatWrong,
    /// Unknown suffix.
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// The numeric part could not be represented.
    #[error("unable to parse numeric part of quantity")]
    Numeric,
}

/// A Kubernetes resource quantity.
#[derive(Debug, Clone)]
pub struct Quantity {
    /// The value is `unscaled × 10^-scale`.
    unscaled: i128,
    scale: i32,
    format: Format,
    /// The text as written, kept when Kubernetes keeps it (its parse fast path found it canonical).
    text: Option<Box<str>>,
}

const NANO_SCALE: i32 = 9;
const MAX_BINARY: i128 = i64::MAX as i128;

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// The pieces of a quantity string (apimachinery `parseQuantityString`).
struct Parts<'a> {
    positive: bool,
    /// Digits before the point, leading zeros removed; `"0"` if none are left.
    num: &'a str,
    /// Digits after the point.
    denom: &'a str,
    suffix: &'a str,
}

fn split_parts(s: &str) -> Result<Parts<'_>, QuantityError> {
    let b = s.as_bytes();
    let end = b.len();
    let mut pos = 0;
    let mut positive = true;
    match b.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    let sub = |from: usize, to: usize| s.get(from..to).unwrap_or_default();
    // Leading zeros.
    while pos < end && b.get(pos) == Some(&b'0') {
        pos += 1;
    }
    if pos >= end {
        return Ok(Parts {
            positive,
            num: "0",
            denom: "",
            suffix: "",
        });
    }
    let num_start = pos;
    while pos < end && b.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    let mut num = sub(num_start, pos);
    if num.is_empty() {
        num = "0";
    }
    let mut denom = "";
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while pos < end && b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        denom = sub(start, pos);
    }
    let suffix_start = pos;
    while pos < end && b.get(pos).is_some_and(|c| b"eEinumkKMGTP".contains(c)) {
        pos += 1;
    }
    if matches!(b.get(pos), Some(b'-' | b'+')) {
        pos += 1;
    }
    while pos < end && b.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    if pos < end {
        return Err(QuantityError::FormatWrong);
    }
    Ok(Parts {
        positive,
        num,
        denom,
        suffix: sub(suffix_start, end),
    })
}

/// Suffix → (base, exponent, format) (apimachinery `suffixHandler.interpret`).
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    let dec = match suffix {
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "" => Some(0),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(e) = dec {
        return Some((10, e, Format::DecimalSI));
    }
    let bin = match suffix {
        "Ki" => Some(10),
        "Mi" => Some(20),
        "Gi" => Some(30),
        "Ti" => Some(40),
        "Pi" => Some(50),
        "Ei" => Some(60),
        _ => None,
    };
    if let Some(e) = bin {
        return Some((2, e, Format::BinarySI));
    }
    let rest = suffix.strip_prefix(['e', 'E']).filter(|r| !r.is_empty())?;
    // Go parses an int64 and truncates it to int32.
    let parsed: i64 = rest.parse().ok()?;
    Some((10, parsed as i32, Format::DecimalExponent))
}

fn digits_value(digits: &str) -> Option<i128> {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return Some(0);
    }
    if trimmed.len() > 38 {
        return None;
    }
    trimmed.parse().ok()
}

/// Rescales `(unscaled, scale)` to `target` scale, rounding away from zero when digits are lost.
fn rescale_round_up(unscaled: i128, scale: i32, target: i32) -> Option<i128> {
    match scale.cmp(&target) {
        Ordering::Equal => Some(unscaled),
        Ordering::Less => unscaled.checked_mul(pow10(u32::try_from(target - scale).ok()?)?),
        Ordering::Greater => {
            let Some(div) = u32::try_from(scale - target).ok().and_then(pow10) else {
                // Dropping more than 38 digits: any non-zero value becomes one unit.
                return Some(unscaled.signum());
            };
            let q = unscaled / div;
            let r = unscaled % div;
            Some(if r == 0 { q } else { q + unscaled.signum() })
        }
    }
}

impl Quantity {
    /// Parses a quantity string exactly as `resource.ParseQuantity` does.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse_inner(s, true)
    }

    /// Parses like [`Quantity::parse`] but never keeps the source text, so that parsing a
    /// typical value allocates nothing (for comparisons, where the text is not printed).
    pub fn parse_value(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse_inner(s, false)
    }

    fn parse_inner(s: &str, keep_text: bool) -> Result<Quantity, QuantityError> {
        let text = |keep: bool| (keep && keep_text).then(|| s.into());
        if s.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        if s == "0" {
            return Ok(Quantity {
                unscaled: 0,
                scale: 0,
                format: Format::DecimalSI,
                text: text(true),
            });
        }
        let parts = split_parts(s)?;
        let (base, exponent, format) =
            interpret_suffix(parts.suffix).ok_or(QuantityError::Suffix)?;
        let digits_len = (parts.num.len() + parts.denom.len()) as i64;
        let denom_len = parts.denom.len() as i32;

        // Kubernetes' int64 fast path: same value, but it keeps the text when already canonical.
        let precision: i64 = match format {
            Format::DecimalExponent | Format::DecimalSI => 18 - digits_len,
            Format::BinarySI if exponent >= 0 && parts.denom.is_empty() => {
                15 - parts.num.len() as i64 - ((exponent as f32) * 3.0 / 10.0) as i64 - 1
            }
            Format::BinarySI => -1,
        };
        if precision >= 0 {
            let go_scale = if base == 10 {
                i64::from(exponent) - i64::from(denom_len)
            } else {
                -i64::from(denom_len)
            };
            if go_scale >= -i64::from(NANO_SCALE) {
                let shifted = || parts.num.bytes().chain(parts.denom.bytes());
                let value = shifted().try_fold(0i64, |acc, c| {
                    acc.checked_mul(10)?.checked_add(i64::from(c - b'0'))
                });
                let value = value.ok_or(QuantityError::Numeric)?;
                let mantissa: i64 = if base == 2 {
                    1i64.checked_shl(exponent as u32).unwrap_or(0)
                } else {
                    1
                };
                if let Some(result) = value.checked_mul(mantissa).filter(|_| mantissa != 0) {
                    let result = if parts.positive { result } else { -result };
                    let keep = match format {
                        Format::BinarySI => exponent % 10 == 0 && value & 0x07 != 0,
                        _ => {
                            let len = shifted().count();
                            let ends_000 = len >= 3 && shifted().skip(len - 3).all(|c| c == b'0');
                            go_scale % 3 == 0 && !ends_000 && shifted().next() != Some(b'0')
                        }
                    };
                    return Ok(Quantity {
                        unscaled: i128::from(result),
                        scale: i32::try_from(-go_scale).map_err(|_| QuantityError::Numeric)?,
                        format,
                        text: text(keep),
                    });
                }
            }
        }

        // Exact decimal path, then round up to nano and cap binary values.
        let digits = format!("{}{}", parts.num, parts.denom);
        let (mut unscaled, mut scale): (i128, i64) = if base == 10 {
            let scale = i64::from(denom_len) - i64::from(exponent);
            // Drop digits finer than nano before converting, rounding up.
            if scale > i64::from(NANO_SCALE) {
                let drop = usize::try_from(scale - i64::from(NANO_SCALE)).unwrap_or(usize::MAX);
                let keep_len = digits.len().saturating_sub(drop);
                let (kept, dropped) = digits.split_at(keep_len);
                let mut v = digits_value(kept).ok_or(QuantityError::Numeric)?;
                if dropped.bytes().any(|c| c != b'0') {
                    v = v.checked_add(1).ok_or(QuantityError::Numeric)?;
                }
                (v, i64::from(NANO_SCALE))
            } else {
                (digits_value(&digits).ok_or(QuantityError::Numeric)?, scale)
            }
        } else {
            let v = digits_value(&digits).ok_or(QuantityError::Numeric)?;
            let factor =
                1i128.checked_shl(u32::try_from(exponent).map_err(|_| QuantityError::Numeric)?);
            let v = factor
                .and_then(|f| v.checked_mul(f))
                .ok_or(QuantityError::Numeric)?;
            (v, i64::from(denom_len))
        };
        if unscaled != 0 {
            let s32 = i32::try_from(scale).map_err(|_| QuantityError::Numeric)?;
            unscaled = rescale_round_up(unscaled, s32, NANO_SCALE).ok_or(QuantityError::Numeric)?;
            scale = i64::from(NANO_SCALE);
        }
        let mut scale = i32::try_from(scale).map_err(|_| QuantityError::Numeric)?;
        if format == Format::BinarySI {
            let max = MAX_BINARY * pow10(scale.max(0) as u32).unwrap_or(i128::MAX);
            if unscaled > max {
                unscaled = MAX_BINARY;
                scale = 0;
            }
        }
        if !parts.positive {
            unscaled = -unscaled;
        }
        Ok(Quantity {
            unscaled,
            scale,
            format,
            text: None,
        })
    }

    /// The format this quantity prints in.
    pub fn format(&self) -> Format {
        self.format
    }

    /// True if the value is zero.
    pub fn is_zero(&self) -> bool {
        self.unscaled == 0
    }

    /// Compares values exactly (Kubernetes `Quantity.Cmp`), regardless of suffix.
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        compare(self.unscaled, self.scale, other.unscaled, other.scale)
    }

    /// The value as a float (Kubernetes `AsApproximateFloat64`).
    pub fn to_f64(&self) -> f64 {
        let base = self.unscaled as f64;
        match self.scale {
            0 => base,
            s if s < 0 => base * 10f64.powi(-s),
            s => base / 10f64.powi(s),
        }
    }

    /// `self + other` (Kubernetes `Quantity.Add`); `None` on overflow. The result keeps
    /// `self`'s format unless `self` is zero.
    pub fn add(&self, other: &Quantity) -> Option<Quantity> {
        self.combine(other, i128::checked_add)
    }

    /// `self - other` (Kubernetes `Quantity.Sub`); `None` on overflow.
    pub fn sub(&self, other: &Quantity) -> Option<Quantity> {
        self.combine(other, i128::checked_sub)
    }

    fn combine(&self, other: &Quantity, op: fn(i128, i128) -> Option<i128>) -> Option<Quantity> {
        let scale = self.scale.max(other.scale);
        let a = self
            .unscaled
            .checked_mul(pow10(u32::try_from(scale - self.scale).ok()?)?)?;
        let b = other
            .unscaled
            .checked_mul(pow10(u32::try_from(scale - other.scale).ok()?)?)?;
        let format = if self.is_zero() {
            other.format
        } else {
            self.format
        };
        Some(Quantity {
            unscaled: op(a, b)?,
            scale,
            format,
            text: None,
        })
    }

    /// `self × factor` as Kyverno's `multiply` does it: the factor is taken as the decimal that
    /// Go's `%v` prints for it, the product is exact, and the format is `self`'s.
    pub fn mul_scalar(&self, factor: f64) -> Option<Quantity> {
        let (fu, fs) = shortest_decimal(factor)?;
        Some(Quantity {
            unscaled: self.unscaled.checked_mul(fu)?,
            scale: self.scale.checked_add(fs)?,
            format: self.format,
            text: None,
        })
    }

    /// `self ÷ divisor` as Kyverno's `divide` does it for a scalar divisor: the quotient is
    /// truncated at the larger of the two scales. `None` for a zero divisor or on overflow.
    pub fn div_scalar(&self, divisor: f64) -> Option<Quantity> {
        if divisor == 0.0 {
            return None;
        }
        let (du, ds) = shortest_decimal(divisor)?;
        let scale = self.scale.max(ds);
        // self / d = (su × 10^-ss) / (du × 10^-ds); at `scale`: su × 10^(scale - ss + ds) / du.
        let shift = scale.checked_sub(self.scale)?.checked_add(ds)?;
        let (num, den) = if shift >= 0 {
            (
                self.unscaled
                    .checked_mul(pow10(u32::try_from(shift).ok()?)?)?,
                du,
            )
        } else {
            (
                self.unscaled,
                du.checked_mul(pow10(u32::try_from(-shift).ok()?)?)?,
            )
        };
        Some(Quantity {
            unscaled: num.checked_div(den)?,
            scale,
            format: self.format,
            text: None,
        })
    }

    /// `self ÷ other` as floats (Kyverno's quantity / quantity); `None` when `other` is zero.
    pub fn div_quantity(&self, other: &Quantity) -> Option<f64> {
        let d = other.to_f64();
        (d != 0.0).then(|| self.to_f64() / d)
    }

    /// A quantity holding the integer `v` in `format` (Kubernetes `NewQuantity`).
    pub fn from_i64(v: i64, format: Format) -> Quantity {
        Quantity {
            unscaled: i128::from(v),
            scale: 0,
            format,
            text: None,
        }
    }

    /// Kubernetes' canonical text for this value (`CanonicalizeBytes`), ignoring kept text.
    pub fn canonical(&self) -> String {
        if self.unscaled == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySI {
            let small = self.cmp_value(&Quantity::from_i64(-1024, format)) == Ordering::Greater
                && self.cmp_value(&Quantity::from_i64(1024, format)) == Ordering::Less;
            if small || self.integer_value().is_none() {
                format = Format::DecimalSI;
            }
        }
        match (format, self.integer_value()) {
            (Format::BinarySI, Some(mut v)) => {
                let mut times = 0;
                while v.unsigned_abs() >= 1024 && v % 1024 == 0 {
                    v /= 1024;
                    times += 1;
                }
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
                    .get(times)
                    .copied()
                    .unwrap_or("");
                format!("{v}{suffix}")
            }
            _ => {
                let mut amount = self.unscaled;
                let mut exponent = -i64::from(self.scale);
                while amount.unsigned_abs() >= 10 && amount % 10 == 0 {
                    amount /= 10;
                    exponent += 1;
                }
                let mut number = amount.to_string();
                while exponent.rem_euclid(3) != 0 {
                    number.push('0');
                    exponent -= 1;
                }
                let suffix = if format == Format::DecimalExponent {
                    if exponent == 0 {
                        String::new()
                    } else {
                        format!("e{exponent}")
                    }
                } else {
                    // Kubernetes prints no suffix for exponents outside n..E.
                    let table = [
                        (-9, "n"),
                        (-6, "u"),
                        (-3, "m"),
                        (3, "k"),
                        (6, "M"),
                        (9, "G"),
                        (12, "T"),
                        (15, "P"),
                        (18, "E"),
                    ];
                    table
                        .iter()
                        .find(|(e, _)| *e == exponent)
                        .map_or("", |(_, s)| *s)
                        .to_string()
                };
                number + &suffix
            }
        }
    }

    /// The value as an integer if it has no fractional part.
    fn integer_value(&self) -> Option<i128> {
        if self.scale <= 0 {
            return self
                .unscaled
                .checked_mul(pow10(u32::try_from(-self.scale).ok()?)?);
        }
        let div = pow10(u32::try_from(self.scale).ok()?)?;
        (self.unscaled % div == 0).then(|| self.unscaled / div)
    }
}

/// Compares `a × 10^-sa` with `b × 10^-sb` exactly.
fn compare(a: i128, sa: i32, b: i128, sb: i32) -> Ordering {
    if sa == sb {
        return a.cmp(&b);
    }
    // Scale up the operand with the smaller scale; if that overflows, it is the larger magnitude.
    let (x, y, swapped) = if sa < sb { (a, b, false) } else { (b, a, true) };
    let shift = (i64::from(sa) - i64::from(sb)).unsigned_abs();
    let scaled = u32::try_from(shift)
        .ok()
        .and_then(pow10)
        .and_then(|p| x.checked_mul(p));
    let ord = match scaled {
        Some(xs) => xs.cmp(&y),
        None if x > 0 => Ordering::Greater,
        None => Ordering::Less,
    };
    if swapped { ord.reverse() } else { ord }
}

/// The exact decimal Go's `%v` prints for `f` (shortest round-trip digits) as
/// `(unscaled, scale)`; `None` for NaN and infinities.
fn shortest_decimal(f: f64) -> Option<(i128, i32)> {
    if !f.is_finite() {
        return None;
    }
    let text = format!("{f:e}");
    let (mantissa, exp) = text.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{int_part}{frac}").parse().ok()?;
    let scale = i32::try_from(frac.len()).ok()?.checked_sub(exp)?;
    Some((if neg { -digits } else { digits }, scale))
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl fmt::Display for Quantity {
    /// Kubernetes `Quantity.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(t) => f.write_str(t),
            None => f.write_str(&self.canonical()),
        }
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        match Quantity::parse(s) {
            Ok(q) => q,
            Err(e) => panic!("parse {s:?}: {e}"),
        }
    }

    /// apimachinery `quantity_test.go` `TestQuantityParse` (valid rows: input → canonical).
    #[test]
    fn parse_and_canonical_string() {
        let cases: &[(&str, &str)] = &[
            ("0", "0"),
            ("0n", "0"),
            ("0u", "0"),
            ("0m", "0"),
            ("0Ki", "0"),
            ("0k", "0"),
            ("0Mi", "0"),
            ("0M", "0"),
            ("0Gi", "0"),
            ("0G", "0"),
            ("0Ti", "0"),
            ("0T", "0"),
            ("1n", "1n"),
            ("1u", "1u"),
            ("1m", "1m"),
            ("1Ki", "1Ki"),
            ("1k", "1k"),
            ("1Mi", "1Mi"),
            ("1M", "1M"),
            ("1Gi", "1Gi"),
            ("1G", "1G"),
            ("1Ti", "1Ti"),
            ("1T", "1T"),
            ("1Pi", "1Pi"),
            ("1P", "1P"),
            ("1Ei", "1Ei"),
            ("1E", "1E"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("1000m", "1"),
            ("1500m", "1500m"),
            ("1.5", "1500m"),
            ("0.5", "500m"),
            ("0.5Gi", "512Mi"),
            ("1.5Gi", "1536Mi"),
            ("1e3", "1e3"),
            ("1E3", "1E3"),
            ("1e6", "1e6"),
            ("1E6", "1E6"),
            ("1e9", "1e9"),
            ("1e-3", "1e-3"),
            ("1e-9", "1e-9"),
            ("1.5e3", "1500"),
            ("2E-3", "2E-3"),
            ("1e-12", "1e-9"),
            ("0.0001m", "100n"),
            ("0.0000001m", "1n"),
            ("100m", "100m"),
            ("12.34", "12340m"),
            ("-12.34", "-12340m"),
            ("12.34M", "12340k"),
            ("-1", "-1"),
            ("-1Gi", "-1Gi"),
            ("+1Gi", "+1Gi"),
            ("0100m", "0100m"),
            (".5", "500m"),
            ("5.", "5."),
            ("1.G", "1.G"),
            ("100Ki", "100Ki"),
            ("10240Ki", "10Mi"),
            ("1023", "1023"),
            ("1024", "1024"),
            ("1000", "1k"),
            ("1000000", "1M"),
            ("1.001", "1.001"),
            ("0.001", "1m"),
            ("0.0001", "100u"),
            ("5e-9", "5e-9"),
            ("-", "0"),
            (".", "0"),
        ];
        for (input, want) in cases {
            assert_eq!(q(input).to_string(), *want, "String({input:?})");
        }
    }

    /// apimachinery `TestQuantityParse` invalid inputs and their errors.
    #[test]
    fn parse_errors() {
        let cases: &[(&str, QuantityError)] = &[
            ("", QuantityError::FormatWrong),
            ("1.1.M", QuantityError::FormatWrong),
            ("1+1.0M", QuantityError::FormatWrong),
            ("0.1mi", QuantityError::Suffix),
            ("0.1am", QuantityError::FormatWrong),
            ("aoeu", QuantityError::FormatWrong),
            ("123.4Ka", QuantityError::FormatWrong),
            ("1Kb", QuantityError::FormatWrong),
            ("1Ki1", QuantityError::Suffix),
            ("1K", QuantityError::Suffix),
            ("1e", QuantityError::Suffix),
            ("12s", QuantityError::FormatWrong),
            (" 1", QuantityError::FormatWrong),
            ("1 ", QuantityError::FormatWrong),
            ("gii", QuantityError::FormatWrong),
            ("1Gi ", QuantityError::FormatWrong),
        ];
        for (input, want) in cases {
            assert_eq!(
                Quantity::parse(input).err(),
                Some(*want),
                "parse({input:?})"
            );
        }
    }

    #[test]
    fn comparisons() {
        let eq: &[(&str, &str)] = &[
            ("1Gi", "1024Mi"),
            ("1", "1000m"),
            ("0.2", "200m"),
            ("1e3", "1k"),
            ("1.0", "1"),
            ("0.5", ".5"),
            ("0", "-0"),
        ];
        for (a, b) in eq {
            assert_eq!(q(a), q(b), "{a} == {b}");
        }
        let lt: &[(&str, &str)] = &[
            ("1000Mi", "1Gi"),
            ("1G", "1Gi"),
            ("500m", "1"),
            ("-1", "0"),
            ("1n", "1u"),
            ("999", "1k"),
            ("1", "1e30"),
            ("-1e30", "-1"),
        ];
        for (a, b) in lt {
            assert_eq!(q(a).cmp_value(&q(b)), Ordering::Less, "{a} < {b}");
            assert_eq!(q(b).cmp_value(&q(a)), Ordering::Greater, "{b} > {a}");
        }
    }

    #[test]
    fn rounding_up_to_nano() {
        // apimachinery rounds away from zero at nano precision.
        assert_eq!(q("0.0000000001").to_string(), "1n");
        assert_eq!(q("-0.0000000001").to_string(), "-1n");
        assert_eq!(q("1.0000000001").to_string(), "1000000001n");
    }

    #[test]
    fn binary_cap() {
        assert_eq!(q("16Ei").to_string(), "9223372036854775807");
    }

    #[test]
    fn floats() {
        assert_eq!(q("100m").to_f64(), 0.1);
        assert_eq!(q("1Ki").to_f64(), 1024.0);
        assert_eq!(q("1e3").to_f64(), 1000.0);
    }

    /// Kyverno `pkg/engine/jmespath/arithmetic_test.go`-style results.
    #[test]
    fn arithmetic() {
        let sum = q("1Gi").add(&q("2Gi")).map(|x| x.to_string());
        assert_eq!(sum.as_deref(), Some("3Gi"));
        let sum = q("1Gi").add(&q("512Mi")).map(|x| x.to_string());
        assert_eq!(sum.as_deref(), Some("1536Mi"));
        let diff = q("1").sub(&q("250m")).map(|x| x.to_string());
        assert_eq!(diff.as_deref(), Some("750m"));
        let diff = q("0").sub(&q("1Gi")).map(|x| x.to_string());
        assert_eq!(diff.as_deref(), Some("-1Gi"));
        let prod = q("1Gi").mul_scalar(2.0).map(|x| x.to_string());
        assert_eq!(prod.as_deref(), Some("2Gi"));
        let prod = q("100m").mul_scalar(1.5).map(|x| x.to_string());
        assert_eq!(prod.as_deref(), Some("150m"));
        let quo = q("3Gi").div_scalar(3.0).map(|x| x.to_string());
        assert_eq!(quo.as_deref(), Some("1Gi"));
        let quo = q("10").div_scalar(3.0).map(|x| x.to_string());
        assert_eq!(quo.as_deref(), Some("3"));
        let quo = q("10.0").div_scalar(4.0).map(|x| x.to_string());
        assert_eq!(quo.as_deref(), Some("2500m"));
        assert_eq!(q("1").div_scalar(0.0).map(|x| x.to_string()), None);
        assert_eq!(q("1Gi").div_quantity(&q("512Mi")), Some(2.0));
        assert_eq!(q("1Gi").div_quantity(&q("0")), None);
    }
}
