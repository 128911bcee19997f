//! A DER certificate request as Go's `x509.ParseCertificateRequest` reads it, rendered as
//! Kyverno renders it: the JSON of Go's `x509.CertificateRequest` with the RSA key as `{N, E}`.
//!
//! Go reads requests with `encoding/asn1`, whose structure errors describe Go types; a request
//! whose structure does not parse fails here with one fixed text instead.

use serde_json::{Map, Value};

use super::algorithm::{self, parse_ai};
use super::der::{Element, Reader, tag};
use super::extensions::{self, AltNames, Extension, parse_extension};
use super::golang;
use super::{name, rsa_only};

const MALFORMED: &str = "asn1: structure error: malformed certificate request";

/// Parses a certificate request; only RSA keys are accepted (Kyverno's rule).
pub(super) fn decode(der: &[u8]) -> Result<Value, String> {
    let mut input = Reader::new(der);
    let raw = input.read_element(tag::SEQUENCE).ok_or(MALFORMED)?;
    if !input.is_empty() {
        return Err("asn1: syntax error: trailing data".into());
    }
    let mut csr = Reader::new(raw.content);
    let tbs_element = csr.read_element(tag::SEQUENCE).ok_or(MALFORMED)?;
    let sig_ai = csr
        .read(tag::SEQUENCE)
        .and_then(|ai| parse_ai(ai).ok())
        .ok_or(MALFORMED)?;
    let signature = csr.read_bit_string().ok_or(MALFORMED)?;

    let mut tbs = Reader::new(tbs_element.content);
    let version = tbs.read_i64().ok_or(MALFORMED)?;
    let subject_raw = tbs.read_any().ok_or(MALFORMED)?.full;
    let spki = tbs.read_element(tag::SEQUENCE).ok_or(MALFORMED)?;
    let attributes = tbs.read(tag::explicit(0)).ok_or(MALFORMED)?;
    let mut raw_attributes = Vec::new();
    let mut r = Reader::new(attributes);
    while !r.is_empty() {
        raw_attributes.push(r.read_any().ok_or(MALFORMED)?);
    }

    let mut spki_reader = Reader::new(spki.content);
    let pk_ai = spki_reader
        .read(tag::SEQUENCE)
        .and_then(|ai| parse_ai(ai).ok())
        .ok_or(MALFORMED)?;
    let key_bits = spki_reader.read_bit_string().ok_or(MALFORMED)?;
    let public_key_algorithm = algorithm::public_key(&pk_ai.oid);
    let public_key = if public_key_algorithm == 1 {
        Some(algorithm::rsa_key(pk_ai.params, &key_bits.right_align())?)
    } else {
        None
    };

    let subject = name::parse(subject_raw, true).map_err(|_| MALFORMED)?;
    let extensions = requested_extensions(&raw_attributes)?;
    let mut alt_names = AltNames::default();
    for e in &extensions {
        if e.id == [2, 5, 29, 17] {
            alt_names = extensions::parse_san(e.value)?;
        }
    }
    let public_key = public_key.ok_or_else(rsa_only)?;

    let mut m = Map::new();
    m.insert("Raw".into(), golang::bytes(Some(raw.full)));
    m.insert(
        "RawTBSCertificateRequest".into(),
        golang::bytes(Some(tbs_element.full)),
    );
    m.insert(
        "RawSubjectPublicKeyInfo".into(),
        golang::bytes(Some(spki.full)),
    );
    m.insert("RawSubject".into(), golang::bytes(Some(subject_raw)));
    m.insert("Version".into(), golang::int(version));
    m.insert(
        "Signature".into(),
        golang::bytes(Some(&signature.right_align())),
    );
    m.insert(
        "SignatureAlgorithm".into(),
        golang::int(algorithm::signature(&sig_ai)),
    );
    m.insert(
        "PublicKeyAlgorithm".into(),
        golang::int(public_key_algorithm),
    );
    m.insert("PublicKey".into(), public_key);
    m.insert("Subject".into(), subject);
    m.insert(
        "Attributes".into(),
        golang::list(raw_attributes.iter().filter_map(attribute).collect()),
    );
    m.insert(
        "Extensions".into(),
        golang::list(extensions.iter().map(Extension::to_json).collect()),
    );
    m.insert("ExtraExtensions".into(), Value::Null);
    alt_names.insert_into(&mut m);
    Ok(Value::Object(m))
}

/// Go's `parseCSRExtensions`: the extensions of every extensionRequest attribute.
fn requested_extensions<'a>(attributes: &[Element<'a>]) -> Result<Vec<Extension<'a>>, String> {
    const EXTENSION_REQUEST: &[u64] = &[1, 2, 840, 113_549, 1, 9, 14];
    let mut out: Vec<Extension<'a>> = Vec::new();
    for attribute in attributes {
        let Some((id, first_value)) = attribute_head(attribute) else {
            continue;
        };
        if id != EXTENSION_REQUEST {
            continue;
        }
        let mut value = Reader::new(first_value.full);
        let mut list = Reader::new(value.read(tag::SEQUENCE).ok_or(MALFORMED)?);
        let mut these: Vec<Extension<'a>> = Vec::new();
        while !list.is_empty() {
            let ext = list
                .read(tag::SEQUENCE)
                .and_then(|e| parse_extension(e).ok())
                .ok_or(MALFORMED)?;
            if these.iter().chain(&out).any(|e| e.id == ext.id) {
                return Err(
                    "x509: certificate request contains duplicate requested extensions".into(),
                );
            }
            these.push(ext);
        }
        out.extend(these);
    }
    Ok(out)
}

/// An attribute's type and first value, when it parses as `pkcs10Attribute`.
fn attribute_head<'a>(attribute: &Element<'a>) -> Option<(Vec<u64>, Element<'a>)> {
    if attribute.tag != tag::SEQUENCE {
        return None;
    }
    let mut r = Reader::new(attribute.content);
    let id = r.read_oid()?;
    let mut values = Reader::new(r.read(tag::SET)?);
    let first = values.read_any()?;
    Some((id, first))
}

/// An attribute as `pkix.AttributeTypeAndValueSET`, if it parses as one: `{Type, Value}` where
/// Value is a set of sequences of `{Type, Value}` pairs.
fn attribute(attribute: &Element<'_>) -> Option<Value> {
    if attribute.tag != tag::SEQUENCE {
        return None;
    }
    let mut r = Reader::new(attribute.content);
    let id = r.read_oid()?;
    let mut set = Reader::new(r.read(tag::SET)?);
    let mut values = Vec::new();
    while !set.is_empty() {
        let mut seq = Reader::new(set.read(tag::SEQUENCE)?);
        let mut pairs = Vec::new();
        while !seq.is_empty() {
            let mut pair = Reader::new(seq.read(tag::SEQUENCE)?);
            let kind = pair.read_oid()?;
            // Go ignores further elements of a SEQUENCE read into a struct.
            let value = name::asn1_value(pair.read_any()?)?;
            let mut m = Map::new();
            m.insert("Type".into(), golang::oid(&kind));
            m.insert("Value".into(), value);
            pairs.push(Value::Object(m));
        }
        values.push(Value::Array(pairs));
    }
    let mut m = Map::new();
    m.insert("Type".into(), golang::oid(&id));
    m.insert("Value".into(), Value::Array(values));
    Some(Value::Object(m))
}
