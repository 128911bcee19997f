//! `x509_decode`: a PEM certificate or certificate request as the object Kyverno returns.
//!
//! Kyverno decodes the first PEM block (Go's `encoding/pem`), parses a `CERTIFICATE` with
//! `x509.ParseCertificate` or a `CERTIFICATE REQUEST` with `x509.ParseCertificateRequest`,
//! rejects keys that are not RSA, replaces the key by `{"N": <modulus in decimal>, "E": <exponent>}`
//! and returns the Go struct marshalled to JSON and read back into `interface{}`. The result
//! therefore has Go's exported field names, `[]byte` as base64, nil slices as null, and every
//! number as a float64 (a serial number beyond 2^53 loses precision exactly as it does in Go).
//!
//! The parsers below follow Go's (`crypto/x509/parser.go`, Go 1.24+) check by check so that the
//! accepted inputs and the error texts are Go's; see spec/differences.md for the few gaps.

mod algorithm;
mod cert;
mod csr;
mod der;
mod extensions;
mod golang;
mod name;
mod pem;
mod url;

use serde_json::Value;

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[spec!(
    "x509_decode",
    [STR],
    false,
    "object",
    "decodes a PEM x.509 certificate or certificate request (RSA keys) to an object",
    |c: &Call<'_, '_>| decode(c.str(0)?).map_err(EvalError::Function)
)];

/// The object for the first PEM block of `text`, or Kyverno's error text.
fn decode(text: &str) -> Result<Value, String> {
    let block = pem::decode(text).ok_or("failed to decode PEM block")?;
    match block.kind.as_str() {
        "CERTIFICATE" => cert::decode(&block.bytes),
        "CERTIFICATE REQUEST" => csr::decode(&block.bytes),
        _ => Err("PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST".into()),
    }
}

/// Kyverno's error for a key that is not RSA.
fn rsa_only() -> String {
    "certificate should use rsa algorithm".into()
}

#[cfg(test)]
mod tests;
