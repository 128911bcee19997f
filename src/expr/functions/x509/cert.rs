//! A DER certificate as Go's `x509.ParseCertificate` reads it (same order of checks, same
//! error texts), rendered as Kyverno renders it: the JSON of Go's `x509.Certificate` with the RSA
//! key as `{N, E}`.

use serde_json::{Map, Value};

use super::algorithm::{self, parse_ai};
use super::der::{Reader, dotted, tag};
use super::extensions::{self, Extension, parse_extension};
use super::golang::{self, Time};
use super::{name, rsa_only};

/// Parses a certificate; only RSA keys are accepted (Kyverno's rule).
pub(super) fn decode(der: &[u8]) -> Result<Value, String> {
    const MALFORMED: &str = "x509: malformed certificate";
    let mut input = Reader::new(der);
    let raw = input.read_element(tag::SEQUENCE).ok_or(MALFORMED)?;
    let (certificate, rsa) = parse(raw.full, raw.content)?;
    if !input.is_empty() {
        return Err("x509: trailing data".into());
    }
    if !rsa {
        return Err(rsa_only());
    }
    Ok(certificate)
}

/// The certificate's JSON and whether its key is RSA (`PublicKey` is null otherwise).
fn parse(raw: &[u8], content: &[u8]) -> Result<(Value, bool), String> {
    let mut input = Reader::new(content);
    const MALFORMED_TBS: &str = "x509: malformed tbs certificate";
    let tbs_element = input.read_element(tag::SEQUENCE).ok_or(MALFORMED_TBS)?;
    let mut tbs = Reader::new(tbs_element.content);

    let version = read_version(&mut tbs)?;

    let serial = tbs.read_integer().ok_or("x509: malformed serial number")?;
    if serial.first().is_some_and(|b| b & 0x80 != 0) {
        return Err("x509: negative serial number".into());
    }

    let sig_ai = tbs
        .read(tag::SEQUENCE)
        .ok_or("x509: malformed signature algorithm identifier")?;
    let outer_ai = input
        .read(tag::SEQUENCE)
        .ok_or("x509: malformed algorithm identifier")?;
    if outer_ai != sig_ai {
        return Err("x509: inner and outer signature algorithm identifiers don't match".into());
    }
    let signature_algorithm = algorithm::signature(&parse_ai(sig_ai)?);

    let issuer_raw = tbs
        .read_element(tag::SEQUENCE)
        .ok_or("x509: malformed issuer")?
        .full;
    let issuer = name::parse(issuer_raw, false)?;

    let mut validity = Reader::new(tbs.read(tag::SEQUENCE).ok_or("x509: malformed validity")?);
    let not_before = time(&mut validity)?;
    let not_after = time(&mut validity)?;

    // Go reports a malformed subject with the issuer's text.
    let subject_raw = tbs
        .read_element(tag::SEQUENCE)
        .ok_or("x509: malformed issuer")?
        .full;
    let subject = name::parse(subject_raw, false)?;

    let spki = tbs
        .read_element(tag::SEQUENCE)
        .ok_or("x509: malformed spki")?;
    let mut spki_reader = Reader::new(spki.content);
    let pk_ai = spki_reader
        .read(tag::SEQUENCE)
        .ok_or("x509: malformed public key algorithm identifier")?;
    let pk_ai = parse_ai(pk_ai)?;
    let public_key_algorithm = algorithm::public_key(&pk_ai.oid);
    let key_bits = spki_reader
        .read_bit_string()
        .ok_or("x509: malformed subjectPublicKey")?;
    let public_key = if public_key_algorithm == 1 {
        Some(algorithm::rsa_key(pk_ai.params, &key_bits.right_align())?)
    } else {
        None
    };

    let extensions = read_extensions(&mut tbs, version)?;
    let fields = extensions::process(&extensions)?;

    let signature = input.read_bit_string().ok_or("x509: malformed signature")?;

    let rsa = public_key.is_some();
    let mut m = Map::new();
    m.insert("Raw".into(), golang::bytes(Some(raw)));
    m.insert(
        "RawTBSCertificate".into(),
        golang::bytes(Some(tbs_element.full)),
    );
    m.insert(
        "RawSubjectPublicKeyInfo".into(),
        golang::bytes(Some(spki.full)),
    );
    m.insert("RawSubject".into(), golang::bytes(Some(subject_raw)));
    m.insert("RawIssuer".into(), golang::bytes(Some(issuer_raw)));
    m.insert(
        "Signature".into(),
        golang::bytes(Some(&signature.right_align())),
    );
    m.insert(
        "SignatureAlgorithm".into(),
        golang::int(signature_algorithm),
    );
    m.insert(
        "PublicKeyAlgorithm".into(),
        golang::int(public_key_algorithm),
    );
    m.insert("PublicKey".into(), public_key.unwrap_or(Value::Null));
    m.insert("Version".into(), golang::int(version));
    m.insert("SerialNumber".into(), golang::big_number(serial));
    m.insert("Issuer".into(), issuer);
    m.insert("Subject".into(), subject);
    m.insert("NotBefore".into(), not_before.to_json());
    m.insert("NotAfter".into(), not_after.to_json());
    let rendered = golang::list(extensions.iter().map(Extension::to_json).collect());
    fields.insert_into(&mut m, rendered);
    Ok((Value::Object(m), rsa))
}

/// The one-based version (`[0] EXPLICIT INTEGER`, default v1).
fn read_version(tbs: &mut Reader<'_>) -> Result<i64, String> {
    const MALFORMED: &str = "x509: malformed version";
    let version = match tbs.read_optional(tag::explicit(0)).ok_or(MALFORMED)? {
        Some(inner) => {
            let mut r = Reader::new(inner);
            let v = r.read_i64().ok_or(MALFORMED)?;
            if !r.is_empty() {
                return Err(MALFORMED.into());
            }
            v
        }
        None => 0,
    };
    if version < 0 {
        return Err(MALFORMED.into());
    }
    if version > 2 {
        return Err("x509: invalid version".into());
    }
    Ok(version + 1)
}

/// The unique identifiers (skipped) and the extensions of a v2/v3 certificate.
fn read_extensions<'a>(tbs: &mut Reader<'a>, version: i64) -> Result<Vec<Extension<'a>>, String> {
    let mut extensions: Vec<Extension<'a>> = Vec::new();
    if version == 1 {
        return Ok(extensions);
    }
    if tbs.read_optional(tag::context(1)).is_none() {
        return Err("x509: malformed issuerUniqueID".into());
    }
    if tbs.read_optional(tag::context(2)).is_none() {
        return Err("x509: malformed subjectUniqueID".into());
    }
    if version < 3 {
        return Ok(extensions);
    }
    let Some(wrapped) = tbs
        .read_optional(tag::explicit(3))
        .ok_or("x509: malformed extensions")?
    else {
        return Ok(extensions);
    };
    let mut wrapped = Reader::new(wrapped);
    let mut list = Reader::new(
        wrapped
            .read(tag::SEQUENCE)
            .ok_or("x509: malformed extensions")?,
    );
    while !list.is_empty() {
        let ext = list
            .read(tag::SEQUENCE)
            .ok_or("x509: malformed extension")?;
        let ext = parse_extension(ext)?;
        if extensions.iter().any(|e| e.id == ext.id) {
            return Err(format!(
                "x509: certificate contains duplicate extension with OID {:?}",
                dotted(&ext.id)
            ));
        }
        extensions.push(ext);
    }
    Ok(extensions)
}

/// Go's `parseTime`.
fn time(r: &mut Reader<'_>) -> Result<Time, String> {
    match r.peek_tag() {
        Some(tag::UTC_TIME) => r
            .read(tag::UTC_TIME)
            .and_then(Time::utc_time)
            .ok_or_else(|| "x509: malformed UTCTime".into()),
        Some(tag::GENERALIZED_TIME) => r
            .read(tag::GENERALIZED_TIME)
            .and_then(Time::generalized_time)
            .ok_or_else(|| "x509: malformed GeneralizedTime".into()),
        _ => Err("x509: unsupported time format".into()),
    }
}
