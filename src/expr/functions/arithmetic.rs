//! Kyverno's arithmetic (`pkg/engine/jmespath/arithmetic.go`): `add`, `subtract`,
//! `multiply`, `divide`, `modulo`, `sum` and `round`, over plain numbers, Kubernetes
//! quantities (`'10Mi'`) and Go durations (`'1h30m'`).
//!
//! An operand is a number, or a string read first as a quantity and then as a duration; so
//! `'10'` is a quantity and a bare number must be a backtick literal. Quantities come back as
//! their canonical string, durations as Go's duration string, numbers as numbers.

use serde_json::Value;

use super::sig::{ANY, ARR, NUM};
use super::{Call, EvalError, FunctionSpec};
use crate::duration::Duration;
use crate::expr::value::number;
use crate::quantity::Quantity;

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!(
        "add",
        [ANY, ANY],
        false,
        "any",
        "adds two numbers, quantities or durations",
        |c| { binary(c, add) }
    ),
    spec!(
        "subtract",
        [ANY, ANY],
        false,
        "any",
        "subtracts two numbers, quantities or durations",
        |c| { binary(c, subtract) }
    ),
    spec!(
        "multiply",
        [ANY, ANY],
        false,
        "any",
        "multiplies a number, quantity or duration by a number",
        |c| { binary(c, multiply) }
    ),
    spec!(
        "divide",
        [ANY, ANY],
        false,
        "any",
        "divides numbers, quantities or durations; divisor must be non zero",
        |c| { binary(c, divide) }
    ),
    spec!(
        "modulo",
        [ANY, ANY],
        false,
        "any",
        "remainder of integral numbers, quantities or durations; divisor must be non-zero",
        |c| { binary(c, modulo) }
    ),
    spec!(
        "sum",
        [ARR],
        false,
        "any",
        "adds an array of numbers, quantities or durations",
        sum
    ),
    spec!(
        "round",
        [NUM, NUM],
        false,
        "number",
        "rounds to the given number of decimal places",
        round
    ),
];

/// One arithmetic operand.
enum Operand {
    Scalar(f64),
    Quantity(Quantity),
    Duration(Duration),
}

fn operand(v: &Value) -> Option<Operand> {
    match v {
        Value::Number(n) => n.as_f64().map(Operand::Scalar),
        Value::String(s) => Quantity::parse(s)
            .map(Operand::Quantity)
            .ok()
            .or_else(|| Duration::parse(s).ok().map(Operand::Duration)),
        _ => None,
    }
}

type Op = fn(&str, Operand, Operand) -> Result<Value, EvalError>;

fn binary(c: &Call<'_, '_>, op: Op) -> Result<Value, EvalError> {
    apply(c.spec.name, c.value(0)?, c.value(1)?, op)
}

fn apply(name: &str, a: &Value, b: &Value, op: Op) -> Result<Value, EvalError> {
    match (operand(a), operand(b)) {
        (Some(x), Some(y)) => op(name, x, y),
        _ => Err(EvalError::function(name, "invalid operands")),
    }
}

fn mismatch(name: &str) -> EvalError {
    EvalError::function(name, "Types mismatch")
}

fn zero(name: &str) -> EvalError {
    EvalError::function(name, "Zero divisor passed")
}

fn overflow(name: &str) -> EvalError {
    EvalError::function(name, "quantity overflow")
}

fn quantity(q: &Quantity) -> Value {
    Value::String(q.canonical())
}

fn duration(d: Duration) -> Value {
    Value::String(d.to_string())
}

/// Go's `time.Duration(seconds * float64(time.Second))` (saturating like a Go conversion on
/// amd64 is not guaranteed; out-of-range values clamp).
fn duration_from_secs(seconds: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation)]
    Duration((seconds * 1e9) as i64)
}

fn add(name: &str, a: Operand, b: Operand) -> Result<Value, EvalError> {
    match (a, b) {
        (Operand::Scalar(x), Operand::Scalar(y)) => Ok(number(x + y)),
        (Operand::Quantity(x), Operand::Quantity(y)) => x
            .add(&y)
            .map(|q| quantity(&q))
            .ok_or_else(|| overflow(name)),
        (Operand::Duration(x), Operand::Duration(y)) => {
            Ok(duration(Duration(x.0.wrapping_add(y.0))))
        }
        _ => Err(mismatch(name)),
    }
}

fn subtract(name: &str, a: Operand, b: Operand) -> Result<Value, EvalError> {
    match (a, b) {
        (Operand::Scalar(x), Operand::Scalar(y)) => Ok(number(x - y)),
        (Operand::Quantity(x), Operand::Quantity(y)) => x
            .sub(&y)
            .map(|q| quantity(&q))
            .ok_or_else(|| overflow(name)),
        (Operand::Duration(x), Operand::Duration(y)) => {
            Ok(duration(Duration(x.0.wrapping_sub(y.0))))
        }
        _ => Err(mismatch(name)),
    }
}

fn multiply(name: &str, a: Operand, b: Operand) -> Result<Value, EvalError> {
    match (a, b) {
        (Operand::Scalar(x), Operand::Scalar(y)) => Ok(number(x * y)),
        (Operand::Quantity(q), Operand::Scalar(f)) | (Operand::Scalar(f), Operand::Quantity(q)) => {
            q.mul_scalar(f)
                .map(|q| quantity(&q))
                .ok_or_else(|| overflow(name))
        }
        (Operand::Duration(d), Operand::Scalar(f)) | (Operand::Scalar(f), Operand::Duration(d)) => {
            Ok(duration(duration_from_secs(d.as_secs_f64() * f)))
        }
        _ => Err(mismatch(name)),
    }
}

fn divide(name: &str, a: Operand, b: Operand) -> Result<Value, EvalError> {
    match (a, b) {
        (Operand::Scalar(x), Operand::Scalar(y)) => {
            if y == 0.0 {
                return Err(zero(name));
            }
            Ok(number(x / y))
        }
        (Operand::Quantity(x), Operand::Quantity(y)) => {
            x.div_quantity(&y).map(number).ok_or_else(|| zero(name))
        }
        (Operand::Quantity(x), Operand::Scalar(y)) => {
            if y == 0.0 {
                return Err(zero(name));
            }
            x.div_scalar(y)
                .map(|q| quantity(&q))
                .ok_or_else(|| overflow(name))
        }
        (Operand::Duration(x), Operand::Duration(y)) => {
            if y.0 == 0 {
                return Err(zero(name));
            }
            Ok(number(x.as_secs_f64() / y.as_secs_f64()))
        }
        (Operand::Duration(x), Operand::Scalar(y)) => {
            if y == 0.0 {
                return Err(zero(name));
            }
            Ok(duration(duration_from_secs(x.as_secs_f64() / y)))
        }
        _ => Err(mismatch(name)),
    }
}

/// The float as an int64 when it is integral (Go: `f == float64(int64(f))`).
fn integral(name: &str, f: f64) -> Result<i64, EvalError> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let i = f as i64;
    #[allow(clippy::cast_precision_loss)]
    if f == i as f64 {
        Ok(i)
    } else {
        Err(EvalError::function(
            name,
            "Non-integer argument(s) passed for modulo",
        ))
    }
}

fn modulo(name: &str, a: Operand, b: Operand) -> Result<Value, EvalError> {
    match (a, b) {
        (Operand::Scalar(x), Operand::Scalar(y)) => {
            let (x, y) = (integral(name, x)?, integral(name, y)?);
            let r = x.checked_rem(y).ok_or_else(|| zero(name))?;
            #[allow(clippy::cast_precision_loss)]
            Ok(number(r as f64))
        }
        (Operand::Quantity(x), Operand::Quantity(y)) => {
            let (i, j) = (integral(name, x.to_f64())?, integral(name, y.to_f64())?);
            let r = i.checked_rem(j).ok_or_else(|| zero(name))?;
            Ok(quantity(&Quantity::from_i64(r, x.format())))
        }
        (Operand::Duration(x), Operand::Duration(y)) => {
            let r = x.0.checked_rem(y.0).ok_or_else(|| zero(name))?;
            Ok(duration(Duration(r)))
        }
        _ => Err(mismatch(name)),
    }
}

fn sum(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let items = c.array(0)?;
    let Some((first, rest)) = items.split_first() else {
        return Err(c.fail("at least one element in the array is required"));
    };
    let mut total = first.clone();
    for item in rest {
        total = apply(c.spec.name, &total, item, add)?;
    }
    Ok(total)
}

fn round(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let (value, places) = (c.num(0)?, c.num(1)?);
    if places.fract() != 0.0 {
        return Err(c.fail("Non-integer argument(s) passed for round off"));
    }
    if places < 0.0 {
        #[allow(clippy::cast_possible_truncation)]
        return Err(c.fail(format!("2 argument is out of bounds ({})", places as i64)));
    }
    let shift = 10f64.powf(places);
    Ok(number((value * shift).round() / shift))
}
