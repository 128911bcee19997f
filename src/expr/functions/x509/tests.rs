//! `x509_decode` against certificates made with openssl for these tests (testdata/, see
//! testdata/README.md). Expected values come from openssl's and Python `cryptography`'s reading
//! of the same files, written out in the JSON shape of Go's structs; the shape and the error
//! texts follow Kyverno's `Test_x509Decode` (pkg/engine/jmespath/functions_test.go) and Go's
//! crypto/x509 parser.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::decode;
use crate::expr;

const FULL: &str = include_str!("testdata/full.pem");
const LEAF: &str = include_str!("testdata/leaf.pem");
const CSR: &str = include_str!("testdata/csr.pem");
const V1: &str = include_str!("testdata/v1.pem");
const EC: &str = include_str!("testdata/ec.pem");

/// The base64 body of a PEM text, on one line.
fn body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// The DER bytes of a PEM text.
fn der(pem: &str) -> Vec<u8> {
    STANDARD.decode(body(pem)).unwrap()
}

/// A PEM text of the given type around `bytes`.
fn pem(kind: &str, bytes: &[u8]) -> String {
    format!(
        "-----BEGIN {kind}-----\n{}\n-----END {kind}-----\n",
        STANDARD.encode(bytes)
    )
}

/// The decoded object without the fields that hold raw DER, checked separately.
fn cooked(mut v: Value) -> Value {
    let m = v.as_object_mut().unwrap();
    for raw in [
        "Raw",
        "RawTBSCertificate",
        "RawTBSCertificateRequest",
        "RawSubjectPublicKeyInfo",
        "RawSubject",
        "RawIssuer",
        "Signature",
    ] {
        m.shift_remove(raw);
    }
    v
}

fn oid(dotted: &str) -> Value {
    dotted
        .split('.')
        .map(|a| a.parse::<u64>().unwrap())
        .collect()
}

/// `pkix.Name` with the given attributes (dotted type, value), in order.
fn name(attributes: &[(&str, &str)]) -> Value {
    let mut fields: Vec<(&str, Vec<&str>)> = [
        "Country",
        "Organization",
        "OrganizationalUnit",
        "Locality",
        "Province",
        "StreetAddress",
        "PostalCode",
    ]
    .iter()
    .map(|f| (*f, Vec::new()))
    .collect();
    let (mut serial, mut common) = ("", "");
    for &(kind, value) in attributes {
        let field = match kind {
            "2.5.4.3" => {
                common = value;
                continue;
            }
            "2.5.4.5" => {
                serial = value;
                continue;
            }
            "2.5.4.6" => "Country",
            "2.5.4.10" => "Organization",
            "2.5.4.11" => "OrganizationalUnit",
            "2.5.4.7" => "Locality",
            "2.5.4.8" => "Province",
            "2.5.4.9" => "StreetAddress",
            "2.5.4.17" => "PostalCode",
            _ => continue,
        };
        if let Some((_, list)) = fields.iter_mut().find(|(f, _)| *f == field) {
            list.push(value);
        }
    }
    let mut m = serde_json::Map::new();
    for (field, list) in fields {
        m.insert(
            field.into(),
            if list.is_empty() {
                Value::Null
            } else {
                json!(list)
            },
        );
    }
    m.insert("SerialNumber".into(), json!(serial));
    m.insert("CommonName".into(), json!(common));
    let names: Vec<Value> = attributes
        .iter()
        .map(|(k, v)| json!({"Type": oid(k), "Value": v}))
        .collect();
    m.insert("Names".into(), json!(names));
    m.insert("ExtraNames".into(), Value::Null);
    Value::Object(m)
}

const FULL_SUBJECT: &[(&str, &str)] = &[
    ("2.5.4.6", "DE"),
    ("2.5.4.8", "Berlin"),
    ("2.5.4.7", "Berlin"),
    ("2.5.4.10", "Rampart Test"),
    ("2.5.4.11", "Policy"),
    ("2.5.4.11", "Engine"),
    ("2.5.4.3", "web.rampart.test"),
    ("1.2.840.113549.1.9.1", "admin@rampart.test"),
];

/// The extension-derived fields of a certificate without extensions (Go's zero values).
fn no_extensions() -> serde_json::Map<String, Value> {
    let v = json!({
        "KeyUsage": 0, "Extensions": null, "ExtraExtensions": null,
        "UnhandledCriticalExtensions": null, "ExtKeyUsage": null, "UnknownExtKeyUsage": null,
        "BasicConstraintsValid": false, "IsCA": false, "MaxPathLen": 0, "MaxPathLenZero": false,
        "SubjectKeyId": null, "AuthorityKeyId": null, "OCSPServer": null,
        "IssuingCertificateURL": null, "DNSNames": null, "EmailAddresses": null,
        "IPAddresses": null, "URIs": null, "PermittedDNSDomainsCritical": false,
        "PermittedDNSDomains": null, "ExcludedDNSDomains": null, "PermittedIPRanges": null,
        "ExcludedIPRanges": null, "PermittedEmailAddresses": null, "ExcludedEmailAddresses": null,
        "PermittedURIDomains": null, "ExcludedURIDomains": null, "CRLDistributionPoints": null,
        "PolicyIdentifiers": null, "Policies": null, "InhibitAnyPolicy": 0,
        "InhibitAnyPolicyZero": false, "InhibitPolicyMapping": 0,
        "InhibitPolicyMappingZero": false, "RequireExplicitPolicy": 0,
        "RequireExplicitPolicyZero": false, "PolicyMappings": null
    });
    v.as_object().unwrap().clone()
}

/// Merges `fields` into the zero-valued extension fields.
fn with(base: serde_json::Map<String, Value>, fields: Value) -> serde_json::Map<String, Value> {
    let mut out = base;
    for (k, v) in fields.as_object().unwrap() {
        out.insert(k.clone(), v.clone());
    }
    out
}

#[test]
fn rsa_ca_certificate_with_every_extension_go_parses() {
    let got = decode(FULL).unwrap();
    // Raw DER fields, as Python `cryptography` reads them from the same file.
    assert_eq!(got["Raw"], json!(body(FULL)));
    assert_eq!(
        got["RawSubjectPublicKeyInfo"],
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDED0NmirQo7VZZwP4tLGU8gnx/9O2kK3e8vK1IG6TQGIwm1CFTM+z27WlzTTbaE+2jioj9L2UYwr+D34/ymtzwLwf7ZB4f4LEUhG9WYq78W1oGUOBVgQl9cSNNMAw1eRmuFIqhZfPnQ0Y+xU9N4Q5KwC4eFFXCmfHhIgApG51qSwIDAQAB"
    );
    let subject = "MIGmMQswCQYDVQQGEwJERTEPMA0GA1UECAwGQmVybGluMQ8wDQYDVQQHDAZCZXJsaW4xFTATBgNVBAoMDFJhbXBhcnQgVGVzdDEPMA0GA1UECwwGUG9saWN5MQ8wDQYDVQQLDAZFbmdpbmUxGTAXBgNVBAMMEHdlYi5yYW1wYXJ0LnRlc3QxITAfBgkqhkiG9w0BCQEWEmFkbWluQHJhbXBhcnQudGVzdA==";
    assert_eq!(got["RawSubject"], subject);
    assert_eq!(got["RawIssuer"], subject);
    assert_eq!(
        got["Signature"],
        "I6WpGifiz7Gdzn6MhMt+VVCqFXmkAZdeLcF/VVqY4G2n3CxCIggEAGWS3hu5sJGIKMKzuu4MnNgSarQy2Fe7RJT9HAOQQqirXe3UKSIc5kmbH/WKD8FeMfzN9qsvyexkiiLg+AV/3SmgguuZt5w2olvH5IqyWbUjj13VkE8E0FI="
    );
    let tbs = STANDARD
        .decode(got["RawTBSCertificate"].as_str().unwrap())
        .unwrap();
    let raw = der(FULL);
    assert_eq!(raw.get(4..4 + tbs.len()), Some(tbs.as_slice()));

    let ext = |id: &str, critical: bool, value: &str| json!({"Id": oid(id), "Critical": critical, "Value": value});
    let mut expected = serde_json::Map::new();
    let head = json!({
        "SignatureAlgorithm": 4,
        "PublicKeyAlgorithm": 1,
        "PublicKey": {
            "N": "137677748771148893279987126900443760272782310191158607648706220014817669389994953313125798124629742842150813996058208773733142247693199999408404810477740181683644163856787209783326930659743645988266752361200534812773002548121774812947469491666367520133514060070313142172055022550847118877454759020455849192011",
            "E": 65537
        },
        "Version": 3,
        // 0x0123456789abcdef0123 = 5373003642731685151011, read back as a float64.
        "SerialNumber": 5.373_003_642_731_685e21,
        "Issuer": name(FULL_SUBJECT),
        "Subject": name(FULL_SUBJECT),
        "NotBefore": "2026-11-23T12:04:45Z",
        "NotAfter": "2036-11-20T12:04:45Z",
    });
    expected.extend(head.as_object().unwrap().clone());
    expected.extend(with(
        no_extensions(),
        json!({
            // digitalSignature | keyEncipherment | keyCertSign
            "KeyUsage": 1 | 4 | 32,
            "Extensions": [
                ext("2.5.29.19", true, "MAYBAf8CAQE="),
                ext("2.5.29.15", true, "AwICpA=="),
                ext("2.5.29.37", false, "MBoGCCsGAQUFBwMBBggrBgEFBQcDAgYEKgMEBQ=="),
                ext("2.5.29.14", false, "BBS7a3vqySU4kvMYyPwnAnv1M6qS3g=="),
                ext("2.5.29.17", false, "MHaCEHdlYi5yYW1wYXJ0LnRlc3SCDioucmFtcGFydC50ZXN0hwQKAAABhxAgAQ24AAAAAAAAAAAAAAABgRBvcHNAcmFtcGFydC50ZXN0hihzcGlmZmU6Ly9jbHVzdGVyLmxvY2FsL25zL2RlZmF1bHQvc2Evd2Vi"),
                ext("1.3.6.1.5.5.7.1.1", false, "MFEwJAYIKwYBBQUHMAGGGGh0dHA6Ly9vY3NwLnJhbXBhcnQudGVzdDApBggrBgEFBQcwAoYdaHR0cDovL2NhLnJhbXBhcnQudGVzdC9jYS5jcnQ="),
                ext("2.5.29.31", false, "MCYwJKAioCCGHmh0dHA6Ly9jcmwucmFtcGFydC50ZXN0L2NhLmNybA=="),
                ext("2.5.29.32", false, "MBcwCAYGZ4EMAQIBMAsGCSsGAQQBho0fAQ=="),
                ext("2.5.29.30", true, "MECgLjAPgg0ucmFtcGFydC50ZXN0MAqHCAoAAAD/AAAAMA+GDS5yYW1wYXJ0LnRlc3ShDjAMgQouZXZpbC50ZXN0"),
                ext("2.5.29.36", false, "MAaAAQCBAQI="),
                ext("2.5.29.54", false, "AgED"),
            ],
            // serverAuth, clientAuth; 1.2.3.4.5 is not one Go knows.
            "ExtKeyUsage": [1, 2],
            "UnknownExtKeyUsage": [oid("1.2.3.4.5")],
            "BasicConstraintsValid": true,
            "IsCA": true,
            "MaxPathLen": 1,
            "SubjectKeyId": "u2t76sklOJLzGMj8JwJ79TOqkt4=",
            "OCSPServer": ["http://ocsp.rampart.test"],
            "IssuingCertificateURL": ["http://ca.rampart.test/ca.crt"],
            "DNSNames": ["web.rampart.test", "*.rampart.test"],
            "EmailAddresses": ["ops@rampart.test"],
            "IPAddresses": ["10.0.0.1", "2001:db8::1"],
            "URIs": [{
                "Scheme": "spiffe", "Opaque": "", "User": null, "Host": "cluster.local",
                "Path": "/ns/default/sa/web", "RawPath": "", "OmitHost": false,
                "ForceQuery": false, "RawQuery": "", "Fragment": "", "RawFragment": ""
            }],
            "PermittedDNSDomainsCritical": true,
            "PermittedDNSDomains": [".rampart.test"],
            "PermittedIPRanges": [{"IP": "10.0.0.0", "Mask": "/wAAAA=="}],
            "ExcludedEmailAddresses": [".evil.test"],
            "PermittedURIDomains": [".rampart.test"],
            "CRLDistributionPoints": ["http://crl.rampart.test/ca.crl"],
            "PolicyIdentifiers": [oid("2.23.140.1.2.1"), oid("1.3.6.1.4.1.99999.1")],
            "Policies": ["2.23.140.1.2.1", "1.3.6.1.4.1.99999.1"],
            "InhibitAnyPolicy": 3,
            "InhibitPolicyMapping": 2,
            "RequireExplicitPolicyZero": true,
        }),
    ));
    assert_eq!(cooked(got), Value::Object(expected));
}

#[test]
fn leaf_signed_with_rsa_pss_and_an_unknown_critical_extension() {
    let got = cooked(decode(LEAF).unwrap());
    let mut expected = serde_json::Map::new();
    let head = json!({
        // SHA384WithRSAPSS: PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
        "SignatureAlgorithm": 14,
        "PublicKeyAlgorithm": 1,
        "PublicKey": {
            "N": "162798151558949797563310229683332693244681313684016653651270229711671376593242256631206510586739452138144769753708136956755781438793413708592952061029483646349210022947901477829554431421353604449511347653665652990966727522111060569854504308024971527273394871847986239974815849476875527773916876837564893293431",
            "E": 65537
        },
        "Version": 3,
        "SerialNumber": 7,
        "Issuer": name(FULL_SUBJECT),
        "Subject": name(&[
            ("2.5.4.3", "leaf.rampart.test"),
            ("2.5.4.5", "42"),
            ("2.5.4.9", "Main Street 1"),
            ("2.5.4.17", "10115"),
        ]),
        "NotBefore": "2026-11-23T12:04:55Z",
        "NotAfter": "2027-11-23T12:04:55Z",
    });
    expected.extend(head.as_object().unwrap().clone());
    let extensions = got["Extensions"].clone();
    assert_eq!(extensions.as_array().map(Vec::len), Some(5), "{extensions}");
    expected.extend(with(
        no_extensions(),
        json!({
            "KeyUsage": 1,
            "Extensions": extensions,
            "UnhandledCriticalExtensions": [oid("1.2.3.4.6")],
            // codeSigning; Microsoft individual code signing is not one Go knows.
            "ExtKeyUsage": [3],
            "UnknownExtKeyUsage": [oid("1.3.6.1.4.1.311.2.1.21")],
            "SubjectKeyId": "xu0akuRfQPq500JZHaFIR1XgXSk=",
            "AuthorityKeyId": "u2t76sklOJLzGMj8JwJ79TOqkt4=",
        }),
    ));
    assert_eq!(got, Value::Object(expected));
}

#[test]
fn version_1_certificate_has_go_zero_values() {
    let got = cooked(decode(V1).unwrap());
    assert_eq!(got["Version"], 1);
    assert_eq!(got["SerialNumber"], 1);
    assert_eq!(got["Subject"], name(&[("2.5.4.3", "v1.rampart.test")]));
    for (field, zero) in no_extensions() {
        assert_eq!(got[&field], zero, "{field}");
    }
}

#[test]
fn certificate_request_with_requested_extensions() {
    let got = decode(CSR).unwrap();
    assert_eq!(got["Raw"], json!(body(CSR)));
    assert_eq!(
        got["Signature"],
        "2ZVa3gSeVhIW21SIi6We2C5has9CqWErOpPgAiDiAxQmgoxYcSMIOxhKjXKaEYXNETV0eCuVqTcQOaXjCanCbyaSq1aUrFe2vzk2IdpjZEiVUmkr9aFOiMLd5xcHM2+zE83bnK5vo/pClEtfP1bWlTCSm6fVeZmUeyg3tS4U4Dk="
    );
    let san = "MBiCEGNzci5yYW1wYXJ0LnRlc3SHBMCoAQo=";
    assert_eq!(
        cooked(got),
        json!({
            "Version": 0,
            "SignatureAlgorithm": 4,
            "PublicKeyAlgorithm": 1,
            "PublicKey": {
                "N": "162798151558949797563310229683332693244681313684016653651270229711671376593242256631206510586739452138144769753708136956755781438793413708592952061029483646349210022947901477829554431421353604449511347653665652990966727522111060569854504308024971527273394871847986239974815849476875527773916876837564893293431",
                "E": 65537
            },
            "Subject": name(&[
                ("2.5.4.6", "US"),
                ("2.5.4.10", "Rampart CSR"),
                ("2.5.4.3", "csr.rampart.test"),
            ]),
            // challengePassword is not a set of sequences, so Go leaves it out; in the
            // extension request, the critical flag (a BOOLEAN) reads as nil.
            "Attributes": [{
                "Type": oid("1.2.840.113549.1.9.14"),
                "Value": [[
                    {"Type": oid("2.5.29.17"), "Value": san},
                    {"Type": oid("2.5.29.15"), "Value": null}
                ]]
            }],
            "Extensions": [
                {"Id": oid("2.5.29.17"), "Critical": false, "Value": san},
                {"Id": oid("2.5.29.15"), "Critical": true, "Value": "AwIHgA=="}
            ],
            "ExtraExtensions": null,
            "DNSNames": ["csr.rampart.test"],
            "EmailAddresses": null,
            "IPAddresses": ["192.168.1.10"],
            "URIs": null
        })
    );
}

#[test]
fn kyverno_errors() {
    // Kyverno's jpX509Decode texts, then Go's x509 parser's.
    let not_rsa = decode(EC).unwrap_err();
    assert_eq!(not_rsa, "certificate should use rsa algorithm");
    let full = der(FULL);
    let mutated = |at: usize, byte: u8| {
        let mut d = full.clone();
        d[at] = byte;
        pem("CERTIFICATE", &d)
    };
    let mut trailing = full.clone();
    trailing.push(0);
    let cases: Vec<(String, &str)> = vec![
        ("xyz".into(), "failed to decode PEM block"),
        (String::new(), "failed to decode PEM block"),
        (
            pem("PUBLIC KEY", b"hi"),
            "PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST",
        ),
        (pem("CERTIFICATE", b"hi"), "x509: malformed certificate"),
        (pem("CERTIFICATE", &trailing), "x509: trailing data"),
        // The version INTEGER (v3 = 2) turned into 3.
        (mutated(12, 3), "x509: invalid version"),
        // The serial number's first byte with its sign bit set.
        (mutated(15, 0x81), "x509: negative serial number"),
        // The tag of the TBS certificate.
        (mutated(4, 0x31), "x509: malformed tbs certificate"),
    ];
    for (input, message) in cases {
        assert_eq!(decode(&input).unwrap_err(), message, "{input}");
    }
    assert_eq!(
        decode(&pem("CERTIFICATE REQUEST", b"hi")).unwrap_err(),
        "asn1: structure error: malformed certificate request"
    );
}

#[test]
fn through_the_expression_language() {
    let eval = |e: &str, data: &Value| expr::parse(e).unwrap().evaluate(data);
    // Kyverno's Test_x509Decode feeds base64-encoded PEM through base64_decode.
    let data = json!({"cert": STANDARD.encode(FULL), "pem": FULL});
    assert_eq!(
        eval(
            "x509_decode(base64_decode(cert)).{cn: Subject.CommonName, ca: IsCA, sans: DNSNames}",
            &data
        ),
        Ok(
            json!({"cn": "web.rampart.test", "ca": true, "sans": ["web.rampart.test", "*.rampart.test"]})
        )
    );
    assert_eq!(
        eval("x509_decode(pem).PublicKey.E", &data),
        Ok(json!(65537))
    );
    assert_eq!(
        eval("x509_decode(`1`)", &data).unwrap_err().to_string(),
        "JMESPath function 'x509_decode': argument #1 is not of type string (got number)"
    );
    assert_eq!(
        eval("x509_decode('xyz')", &data).unwrap_err().to_string(),
        "failed to decode PEM block"
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode(&pem("CERTIFICATE", &bytes));
        let _ = decode(&pem("CERTIFICATE REQUEST", &bytes));
        let _ = decode(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn corrupted_certificates_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        for source in [FULL, LEAF, CSR] {
            let mut d = der(source);
            for &(at, byte) in &edits {
                let i = at % d.len();
                d[i] = byte;
            }
            let kind = if source == CSR { "CERTIFICATE REQUEST" } else { "CERTIFICATE" };
            let _ = decode(&pem(kind, &d));
            d.truncate(cut % d.len());
            let _ = decode(&pem(kind, &d));
        }
    }
}

/// Builds DER for hand-made certificates whose one defect pins one of Go's error texts.
mod build {
    /// One TLV with a short or long definite length.
    pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 128 {
            out.push(u8::try_from(len).unwrap());
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|&b| b == 0)
                .collect();
            out.push(0x80 | u8::try_from(bytes.len()).unwrap());
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    pub(super) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    /// An OID from its dotted form.
    pub(super) fn oid(dotted: &str) -> Vec<u8> {
        let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
        let mut content = Vec::new();
        for arc in std::iter::once(arcs[0] * 40 + arcs[1]).chain(arcs[2..].iter().copied()) {
            let mut groups = vec![u8::try_from(arc & 0x7f).unwrap()];
            let mut rest = arc >> 7;
            while rest > 0 {
                groups.push(0x80 | u8::try_from(rest & 0x7f).unwrap());
                rest >>= 7;
            }
            content.extend(groups.into_iter().rev());
        }
        tlv(0x06, &content)
    }

    pub(super) fn ext(id: &str, critical: bool, value: &[u8]) -> Vec<u8> {
        let mut parts = vec![oid(id)];
        if critical {
            parts.push(tlv(0x01, &[0xff]));
        }
        parts.push(tlv(0x04, value));
        seq(&parts)
    }

    const SPKI: &str = "305c300d06092a864886f70d0101010500034b003048024100cf0345b54543b5984a3c1f7ecb88193849bcca4629c86f1bd2787b0397fc548481476d4e3750b1f74c6ab0648a9a1aaf42775c6086441dfa584674e0c92bb0830203010001";

    pub(super) fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The parts of a certificate, each replaceable.
    pub(super) struct Cert {
        pub(super) serial: Vec<u8>,
        pub(super) inner_ai: Vec<u8>,
        pub(super) outer_ai: Vec<u8>,
        pub(super) validity: Vec<u8>,
        pub(super) spki: Vec<u8>,
        pub(super) extensions: Vec<Vec<u8>>,
    }

    impl Default for Cert {
        fn default() -> Self {
            let sha256_rsa = seq(&[oid("1.2.840.113549.1.1.11"), tlv(0x05, &[])]);
            Cert {
                serial: tlv(0x02, &[0x01]),
                inner_ai: sha256_rsa.clone(),
                outer_ai: sha256_rsa,
                validity: seq(&[tlv(0x17, b"240101000000Z"), tlv(0x18, b"20340101000000Z")]),
                spki: hex(SPKI),
                extensions: Vec::new(),
            }
        }
    }

    impl Cert {
        pub(super) fn der(&self) -> Vec<u8> {
            let name = seq(&[tlv(0x31, &seq(&[oid("2.5.4.3"), tlv(0x0c, b"built.test")]))]);
            let mut tbs = vec![
                tlv(0xa0, &tlv(0x02, &[0x02])),
                self.serial.clone(),
                self.inner_ai.clone(),
                name.clone(),
                self.validity.clone(),
                name,
                self.spki.clone(),
            ];
            if !self.extensions.is_empty() {
                tbs.push(tlv(0xa3, &seq(&self.extensions)));
            }
            seq(&[seq(&tbs), self.outer_ai.clone(), tlv(0x03, &[0x00, 0xaa])])
        }

        pub(super) fn with_extension(ext: Vec<u8>) -> Self {
            Cert {
                extensions: vec![ext],
                ..Cert::default()
            }
        }
    }
}

#[test]
fn built_certificate_decodes() {
    let got = decode(&pem("CERTIFICATE", &build::Cert::default().der())).unwrap();
    assert_eq!(got["Subject"]["CommonName"], "built.test");
    assert_eq!(got["NotBefore"], "2024-01-01T00:00:00Z");
    assert_eq!(got["NotAfter"], "2034-01-01T00:00:00Z");
    assert_eq!(got["Signature"], "qg==");
    assert_eq!(
        got["PublicKey"],
        json!({"N": "10842139162538516852283995984632162007315307419602666298329923246591813645093174771514909537619545757150069645751562578440104557593671069375736526997794947", "E": 65537})
    );
}

#[test]
fn go_parser_error_texts() {
    use build::{Cert, ext, seq, tlv};
    let san = |names: &[Vec<u8>]| ext("2.5.29.17", false, &seq(names));
    let cases: Vec<(Cert, &str)> = vec![
        (
            Cert {
                outer_ai: seq(&[build::oid("1.2.840.113549.1.1.5"), tlv(0x05, &[])]),
                ..Cert::default()
            },
            "x509: inner and outer signature algorithm identifiers don't match",
        ),
        (
            Cert {
                serial: tlv(0x02, &[0x00, 0x01]),
                ..Cert::default()
            },
            "x509: malformed serial number",
        ),
        (
            Cert {
                validity: seq(&[tlv(0x04, b"x"), tlv(0x17, b"240101000000Z")]),
                ..Cert::default()
            },
            "x509: unsupported time format",
        ),
        (
            Cert {
                validity: seq(&[tlv(0x17, b"240231000000Z"), tlv(0x17, b"240101000000Z")]),
                ..Cert::default()
            },
            "x509: malformed UTCTime",
        ),
        (
            Cert {
                spki: seq(&[
                    seq(&[build::oid("1.2.840.113549.1.1.1")]),
                    tlv(0x03, &[0x00, 0x30, 0x00]),
                ]),
                ..Cert::default()
            },
            "x509: RSA key missing NULL parameters",
        ),
        (
            Cert {
                extensions: vec![
                    ext("2.5.29.14", false, &tlv(0x04, b"a")),
                    ext("2.5.29.14", false, &tlv(0x04, b"b")),
                ],
                ..Cert::default()
            },
            "x509: certificate contains duplicate extension with OID \"2.5.29.14\"",
        ),
        (
            Cert::with_extension(ext("2.5.29.14", true, &tlv(0x04, b"a"))),
            "x509: subject key identifier incorrectly marked critical",
        ),
        (
            Cert::with_extension(ext("2.5.29.35", true, &seq(&[]))),
            "x509: authority key identifier incorrectly marked critical",
        ),
        (
            Cert::with_extension(ext("1.3.6.1.5.5.7.1.1", true, &seq(&[]))),
            "x509: authority info access incorrectly marked critical",
        ),
        (
            Cert::with_extension(ext("2.5.29.19", false, &tlv(0x04, b""))),
            "x509: invalid basic constraints",
        ),
        (
            Cert::with_extension(san(&[tlv(0x87, &[1, 2, 3])])),
            "x509: cannot parse IP address of length 3",
        ),
        (
            Cert::with_extension(san(&[tlv(0x82, "ü.test".as_bytes())])),
            "x509: SAN dNSName is malformed",
        ),
        (
            Cert::with_extension(san(&[tlv(0x86, b"https://a..b/")])),
            "x509: cannot parse URI \"https://a..b/\": invalid domain",
        ),
        (
            Cert::with_extension(san(&[tlv(0x86, b"://x")])),
            "x509: cannot parse URI \"://x\": parse \"://x\": missing protocol scheme",
        ),
        (
            Cert::with_extension(ext("2.5.29.30", true, &seq(&[]))),
            "x509: empty name constraints extension",
        ),
        (
            Cert::with_extension(ext(
                "2.5.29.30",
                true,
                &seq(&[tlv(
                    0xa0,
                    &seq(&[tlv(0x87, &[10, 0, 0, 0, 0xff, 0, 0xff, 0])]),
                )]),
            )),
            "x509: IP constraint contained invalid mask ff00ff00",
        ),
        (
            Cert::with_extension(ext(
                "2.5.29.32",
                false,
                &seq(&[seq(&[build::oid("1.2.3")]), seq(&[build::oid("1.2.3")])]),
            )),
            "x509: invalid certificate policies",
        ),
    ];
    for (cert, message) in cases {
        assert_eq!(
            decode(&pem("CERTIFICATE", &cert.der())).unwrap_err(),
            message
        );
    }
}

#[test]
fn built_extensions_go_reads() {
    use build::{Cert, ext, seq, tlv};
    let cert = Cert {
        extensions: vec![
            // Critical SAN with only an otherName: nothing parsed, so it stays unhandled.
            ext("2.5.29.17", true, &seq(&[tlv(0xa0, &[])])),
            // Policy mappings 1.2.3 -> 1.2.4.
            ext(
                "2.5.29.33",
                false,
                &seq(&[seq(&[build::oid("1.2.3"), build::oid("1.2.4")])]),
            ),
            // Basic constraints with pathLen 0.
            ext(
                "2.5.29.19",
                true,
                &seq(&[tlv(0x01, &[0xff]), tlv(0x02, &[0x00])]),
            ),
            // A critical extension outside 2.5.29 that Go does not know.
            ext("1.2.3.4", true, &tlv(0x05, &[])),
        ],
        ..Cert::default()
    };
    let got = decode(&pem("CERTIFICATE", &cert.der())).unwrap();
    assert_eq!(
        got["UnhandledCriticalExtensions"],
        json!([oid("2.5.29.17"), oid("1.2.3.4")])
    );
    assert_eq!(
        got["PolicyMappings"],
        json!([{"IssuerDomainPolicy": "1.2.3", "SubjectDomainPolicy": "1.2.4"}])
    );
    assert_eq!(got["MaxPathLen"], 0);
    assert_eq!(got["MaxPathLenZero"], true);
    assert_eq!(got["DNSNames"], Value::Null);
}
