//! Encodings and digests: `base64_encode`, `base64_decode`, `sha256`, `sha1`, `md5`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha1::Digest as _;

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[
    spec!(
        "base64_decode",
        [STR],
        false,
        "string",
        "decodes a standard (padded) base64 string",
        base64_decode
    ),
    spec!(
        "base64_encode",
        [STR],
        false,
        "string",
        "encodes a string as standard base64",
        |c| { Ok(Value::String(STANDARD.encode(c.str(0)?))) }
    ),
    spec!(
        "sha256",
        [STR],
        false,
        "string",
        "hex SHA-256 digest",
        |c| { Ok(Value::String(hex(&sha2::Sha256::digest(c.str(0)?)))) }
    ),
    spec!("sha1", [STR], false, "string", "hex SHA-1 digest", |c| {
        Ok(Value::String(hex(&sha1::Sha1::digest(c.str(0)?))))
    }),
    spec!("md5", [STR], false, "string", "hex MD5 digest", |c| {
        Ok(Value::String(hex(&md5::Md5::digest(c.str(0)?))))
    }),
];

fn base64_decode(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let bytes = STANDARD.decode(c.str(0)?).map_err(|e| {
        // Go's base64 error text: "illegal base64 data at input byte N".
        let at = match e {
            base64::DecodeError::InvalidByte(at, _)
            | base64::DecodeError::InvalidLastSymbol(at, _) => at,
            _ => c.str(0).map_or(0, str::len),
        };
        EvalError::Function(format!("illegal base64 data at input byte {at}"))
    })?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
