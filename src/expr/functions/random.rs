//! `random(pattern)`: a random string matching a regex, as Kyverno does with goregen.
//!
//! Unbounded repetitions (`*`, `+`, `{n,}`) repeat at most [`MAX_UNBOUNDED`] times beyond
//! their minimum; very wide classes such as `.` draw from printable ASCII. Not for secrets:
//! the generator is a xorshift seeded from the clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::Value;

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[spec!(
    "random",
    [STR],
    false,
    "string",
    "generates a random string matching the regex",
    random
)];

/// Extra repetitions allowed for an unbounded quantifier.
const MAX_UNBOUNDED: u32 = 10;

fn random(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let pattern = c.str(0)?;
    if pattern.is_empty() {
        return Err(EvalError::Function("no pattern provided".to_owned()));
    }
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| EvalError::Function(format!("error parsing regexp: {e}")))?;
    let mut rng = Rng::seeded();
    let mut out = String::new();
    generate(&hir, &mut rng, &mut out);
    Ok(Value::String(out))
}

struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
        let clock = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let salt = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        Rng((clock ^ salt) | 1)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn generate(hir: &Hir, rng: &mut Rng, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(u32, u32)> = class
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end())))
                .collect();
            out.push(pick(&ranges, rng));
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(u32, u32)> = class
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end()).min(0x7f)))
                .filter(|(a, b)| a <= b)
                .collect();
            out.push(pick(&ranges, rng));
        }
        HirKind::Repetition(rep) => {
            let max = rep.max.unwrap_or(rep.min.saturating_add(MAX_UNBOUNDED));
            let span = u64::from(max.saturating_sub(rep.min)) + 1;
            let count = u64::from(rep.min) + rng.below(span);
            for _ in 0..count {
                generate(&rep.sub, rng, out);
            }
        }
        HirKind::Capture(cap) => generate(&cap.sub, rng, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| generate(p, rng, out)),
        HirKind::Alternation(alts) => {
            let i = usize::try_from(rng.below(alts.len() as u64)).unwrap_or(0);
            if let Some(alt) = alts.get(i) {
                generate(alt, rng, out);
            }
        }
    }
}

/// A character from the ranges; wide classes draw from printable ASCII inside them.
fn pick(ranges: &[(u32, u32)], rng: &mut Rng) -> char {
    let total: u64 = ranges.iter().map(|(a, b)| u64::from(b - a) + 1).sum();
    let ranges: Vec<(u32, u32)> = if total > 0xFFFF {
        ranges
            .iter()
            .map(|&(a, b)| (a.max(0x20), b.min(0x7e)))
            .filter(|(a, b)| a <= b)
            .collect()
    } else {
        ranges.to_vec()
    };
    let total: u64 = ranges.iter().map(|(a, b)| u64::from(b - a) + 1).sum();
    let mut n = rng.below(total);
    for (a, b) in &ranges {
        let size = u64::from(b - a) + 1;
        if n < size {
            let code = u64::from(*a) + n;
            return u32::try_from(code)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('x');
        }
        n -= size;
    }
    'x'
}
