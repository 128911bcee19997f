//! Algorithm identifiers as Go's `crypto/x509` numbers them, and the RSA public key that
//! Kyverno puts in place of Go's `*rsa.PublicKey`.

use serde_json::{Map, Value};

use super::der::{Element, Reader, int64, tag};
use super::golang;

/// An AlgorithmIdentifier: its OID and its parameters element (absent when empty).
pub(super) struct AlgorithmId<'a> {
    pub(super) oid: Vec<u64>,
    pub(super) params: Option<Element<'a>>,
}

const NULL: &[u8] = &[0x05, 0x00];

/// Go's `parseAI` over the content of the AlgorithmIdentifier SEQUENCE.
pub(super) fn parse_ai(content: &[u8]) -> Result<AlgorithmId<'_>, String> {
    let mut r = Reader::new(content);
    let oid = r.read_oid().ok_or("x509: malformed OID")?;
    let params = if r.is_empty() {
        None
    } else {
        Some(r.read_any().ok_or("x509: malformed parameters")?)
    };
    Ok(AlgorithmId { oid, params })
}

/// `x509.SignatureAlgorithm` of an identifier (0 when Go does not know it).
pub(super) fn signature(ai: &AlgorithmId<'_>) -> i64 {
    const RSA_PSS: &[u64] = &[1, 2, 840, 113_549, 1, 1, 10];
    const ED25519: &[u64] = &[1, 3, 101, 112];
    const TABLE: &[(&[u64], i64)] = &[
        (&[1, 2, 840, 113_549, 1, 1, 2], 1),    // MD2WithRSA
        (&[1, 2, 840, 113_549, 1, 1, 4], 2),    // MD5WithRSA
        (&[1, 2, 840, 113_549, 1, 1, 5], 3),    // SHA1WithRSA
        (&[1, 3, 14, 3, 2, 29], 3),             // SHA1WithRSA, ISO OID
        (&[1, 2, 840, 113_549, 1, 1, 11], 4),   // SHA256WithRSA
        (&[1, 2, 840, 113_549, 1, 1, 12], 5),   // SHA384WithRSA
        (&[1, 2, 840, 113_549, 1, 1, 13], 6),   // SHA512WithRSA
        (&[1, 2, 840, 10_040, 4, 3], 7),        // DSAWithSHA1
        (&[2, 16, 840, 1, 101, 3, 4, 3, 2], 8), // DSAWithSHA256
        (&[1, 2, 840, 10_045, 4, 1], 9),        // ECDSAWithSHA1
        (&[1, 2, 840, 10_045, 4, 3, 2], 10),    // ECDSAWithSHA256
        (&[1, 2, 840, 10_045, 4, 3, 3], 11),    // ECDSAWithSHA384
        (&[1, 2, 840, 10_045, 4, 3, 4], 12),    // ECDSAWithSHA512
        (ED25519, 16),                          // PureEd25519
    ];
    if ai.oid == ED25519 && ai.params.is_some() {
        return 0;
    }
    if ai.oid != RSA_PSS {
        return TABLE
            .iter()
            .find(|(oid, _)| *oid == ai.oid.as_slice())
            .map_or(0, |&(_, algo)| algo);
    }
    ai.params.and_then(|p| pss(p.full)).unwrap_or(0)
}

/// RSASSA-PSS parameters: Go accepts only MGF1 with the message hash, a salt as long as the
/// hash and the default trailer field (SHA256WithRSAPSS = 13, SHA384 = 14, SHA512 = 15).
fn pss(params: &[u8]) -> Option<i64> {
    const MGF1: &[u64] = &[1, 2, 840, 113_549, 1, 1, 8];
    let mut outer = Reader::new(params);
    let mut seq = Reader::new(outer.read(tag::SEQUENCE)?);
    let hash = algorithm(&mut explicit(&mut seq, 0)?)?;
    let mgf = algorithm(&mut explicit(&mut seq, 1)?)?;
    let salt = explicit(&mut seq, 2)?.read_i64()?;
    let trailer = match seq.read_optional(tag::explicit(3))? {
        Some(inner) => Reader::new(inner).read_i64()?,
        None => 1,
    };
    let mgf_hash = algorithm(&mut Reader::new(mgf.params?.full))?;
    let null_or_absent = |p: Option<Element<'_>>| p.is_none_or(|e| e.full == NULL);
    if !null_or_absent(hash.params)
        || mgf.oid != MGF1
        || mgf_hash.oid != hash.oid
        || !null_or_absent(mgf_hash.params)
        || trailer != 1
    {
        return None;
    }
    match (hash.oid.as_slice(), salt) {
        ([2, 16, 840, 1, 101, 3, 4, 2, 1], 32) => Some(13),
        ([2, 16, 840, 1, 101, 3, 4, 2, 2], 48) => Some(14),
        ([2, 16, 840, 1, 101, 3, 4, 2, 3], 64) => Some(15),
        _ => None,
    }
}

/// The content of an `[n]` EXPLICIT element read from `r`.
fn explicit<'a>(r: &mut Reader<'a>, n: u8) -> Option<Reader<'a>> {
    r.read(tag::explicit(n)).map(Reader::new)
}

/// An AlgorithmIdentifier SEQUENCE read from `r`.
fn algorithm<'a>(r: &mut Reader<'a>) -> Option<AlgorithmId<'a>> {
    parse_ai(r.read(tag::SEQUENCE)?).ok()
}

/// `x509.PublicKeyAlgorithm` of a key OID: RSA 1, DSA 2, ECDSA 3, Ed25519 4, else 0.
pub(super) fn public_key(oid: &[u64]) -> i64 {
    match oid {
        [1, 2, 840, 113_549, 1, 1, 1] => 1,
        [1, 2, 840, 10_040, 4, 1] => 2,
        [1, 2, 840, 10_045, 2, 1] => 3,
        [1, 3, 101, 112] => 4,
        _ => 0,
    }
}

/// The RSA key of a SubjectPublicKeyInfo as Kyverno renders it: `{"N": decimal string,
/// "E": number}`. Checks what Go's `parsePublicKey` checks (with its error texts), then what
/// Kyverno's second parse with `ParsePKCS1PublicKey` checks (failing with Kyverno's text).
pub(super) fn rsa_key(params: Option<Element<'_>>, key: &[u8]) -> Result<Value, String> {
    if params.map(|p| p.full) != Some(NULL) {
        return Err("x509: RSA key missing NULL parameters".into());
    }
    let mut outer = Reader::new(key);
    let mut seq = Reader::new(
        outer
            .read(tag::SEQUENCE)
            .ok_or("x509: invalid RSA public key")?,
    );
    let modulus = seq.read_integer().ok_or("x509: invalid RSA modulus")?;
    let exponent = seq
        .read_integer()
        .and_then(int64)
        .ok_or("x509: invalid RSA public exponent")?;
    let magnitude = modulus.strip_prefix(&[0]).unwrap_or(modulus);
    if modulus.first().is_some_and(|b| b & 0x80 != 0) || magnitude.iter().all(|&b| b == 0) {
        return Err("x509: RSA modulus is not a positive number".into());
    }
    if exponent <= 0 {
        return Err("x509: RSA public exponent is not a positive number".into());
    }
    // ParsePKCS1PublicKey: nothing after the key (extra SEQUENCE elements are allowed), and an
    // exponent below 2^31.
    if !outer.is_empty() || exponent > i64::from(i32::MAX) {
        return Err("failed to parse subject public key info".into());
    }
    let mut m = Map::new();
    m.insert("N".into(), Value::String(golang::decimal(magnitude)));
    m.insert("E".into(), golang::int(exponent));
    Ok(Value::Object(m))
}
