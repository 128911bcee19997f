//! A distinguished name as Go's `pkix.Name` (after `FillFromRDNSequence`) marshals it.

use serde_json::{Map, Value};

use super::der::{Element, Reader, oid_arcs, tag};
use super::golang::{self, Time};

/// Reads a DER `Name` (the full SEQUENCE element) into `pkix.Name`'s JSON form, with the errors
/// of Go's `parseName`. With `any_value` (certificate requests, which Go reads with
/// `encoding/asn1`), a value may be any ASN.1 type `encoding/asn1` reads into `interface{}`;
/// only strings fill the named fields.
pub(super) fn parse(raw: &[u8], any_value: bool) -> Result<Value, String> {
    const INVALID: &str = "x509: invalid RDNSequence";
    let mut outer = Reader::new(raw);
    let mut rdns = Reader::new(outer.read(tag::SEQUENCE).ok_or(INVALID)?);
    let mut fields = Fields::default();
    let mut names = Vec::new();
    while !rdns.is_empty() {
        let mut set = Reader::new(rdns.read(tag::SET).ok_or(INVALID)?);
        while !set.is_empty() {
            let mut atv = Reader::new(
                set.read(tag::SEQUENCE)
                    .ok_or("x509: invalid RDNSequence: invalid attribute")?,
            );
            let kind = atv
                .read_oid()
                .ok_or("x509: invalid RDNSequence: invalid attribute type")?;
            let value = atv
                .read_any()
                .ok_or("x509: invalid RDNSequence: invalid attribute value")?;
            let value = if any_value {
                asn1_value(value).ok_or("x509: invalid RDNSequence: invalid attribute value")?
            } else {
                asn1_string(value.tag, value.content)
                    .map(Value::String)
                    .map_err(|e| {
                        format!("x509: invalid RDNSequence: invalid attribute value: {e}")
                    })?
            };
            if let Value::String(text) = &value {
                fields.set(&kind, text);
            }
            let mut entry = Map::new();
            entry.insert("Type".into(), golang::oid(&kind));
            entry.insert("Value".into(), value);
            names.push(Value::Object(entry));
        }
    }
    Ok(fields.into_json(names))
}

/// The named fields of `pkix.Name`, filled from the attributes Go knows (2.5.4.x).
#[derive(Default)]
struct Fields {
    country: Vec<String>,
    organization: Vec<String>,
    organizational_unit: Vec<String>,
    locality: Vec<String>,
    province: Vec<String>,
    street_address: Vec<String>,
    postal_code: Vec<String>,
    serial_number: String,
    common_name: String,
}

impl Fields {
    fn set(&mut self, kind: &[u64], value: &str) {
        let [2, 5, 4, attribute] = kind else {
            return;
        };
        let list = match attribute {
            3 => return self.common_name = value.to_owned(),
            5 => return self.serial_number = value.to_owned(),
            6 => &mut self.country,
            7 => &mut self.locality,
            8 => &mut self.province,
            9 => &mut self.street_address,
            10 => &mut self.organization,
            11 => &mut self.organizational_unit,
            17 => &mut self.postal_code,
            _ => return,
        };
        list.push(value.to_owned());
    }

    fn into_json(self, names: Vec<Value>) -> Value {
        let mut m = Map::new();
        m.insert("Country".into(), golang::strings(&self.country));
        m.insert("Organization".into(), golang::strings(&self.organization));
        m.insert(
            "OrganizationalUnit".into(),
            golang::strings(&self.organizational_unit),
        );
        m.insert("Locality".into(), golang::strings(&self.locality));
        m.insert("Province".into(), golang::strings(&self.province));
        m.insert(
            "StreetAddress".into(),
            golang::strings(&self.street_address),
        );
        m.insert("PostalCode".into(), golang::strings(&self.postal_code));
        m.insert("SerialNumber".into(), Value::String(self.serial_number));
        m.insert("CommonName".into(), Value::String(self.common_name));
        m.insert("Names".into(), golang::list(names));
        m.insert("ExtraNames".into(), Value::Null);
        Value::Object(m)
    }
}

/// Go's `parseASN1String`: the string types a certificate name may use.
pub(super) fn asn1_string(kind: u8, value: &[u8]) -> Result<String, String> {
    match kind {
        // T.61 read as Latin-1, as Go and BoringSSL do.
        tag::T61_STRING => Ok(value.iter().map(|&b| char::from(b)).collect()),
        tag::PRINTABLE_STRING => {
            if value.iter().all(|&b| printable(b)) {
                Ok(latin(value))
            } else {
                Err("invalid PrintableString".into())
            }
        }
        tag::UTF8_STRING => std::str::from_utf8(value)
            .map(str::to_owned)
            .map_err(|_| "invalid UTF-8 string".into()),
        tag::BMP_STRING => bmp(value).ok_or_else(|| "invalid BMPString".into()),
        tag::IA5_STRING => {
            if value.is_ascii() {
                Ok(latin(value))
            } else {
                Err("invalid IA5String".into())
            }
        }
        tag::NUMERIC_STRING => {
            if value.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                Ok(latin(value))
            } else {
                Err("invalid NumericString".into())
            }
        }
        other => Err(format!("unsupported string type: {other}")),
    }
}

/// ASCII bytes (already checked) as a string.
fn latin(value: &[u8]) -> String {
    value.iter().map(|&b| char::from(b)).collect()
}

/// The PrintableString set, plus `*` and `&` which Go tolerates.
fn printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(&b)
}

/// UCS-2 big-endian text: no surrogates or non-characters; a final NUL pair is dropped.
fn bmp(value: &[u8]) -> Option<String> {
    if value.len() % 2 != 0 {
        return None;
    }
    let value = value.strip_suffix(&[0, 0]).unwrap_or(value);
    value
        .chunks_exact(2)
        .map(|pair| {
            let point = u16::from_be_bytes([*pair.first()?, *pair.get(1)?]);
            let forbidden = point == 0xfffe
                || point == 0xffff
                || (0xfdd0..=0xfdef).contains(&point)
                || (0xd800..=0xdfff).contains(&point);
            if forbidden {
                None
            } else {
                char::from_u32(u32::from(point))
            }
        })
        .collect()
}

/// An element read by `encoding/asn1` into `interface{}`: `None` when that read fails.
pub(super) fn asn1_value(e: Element<'_>) -> Option<Value> {
    Some(match e.tag {
        tag::PRINTABLE_STRING
        | tag::NUMERIC_STRING
        | tag::IA5_STRING
        | tag::T61_STRING
        | tag::UTF8_STRING
        | tag::BMP_STRING => Value::String(asn1_string(e.tag, e.content).ok()?),
        tag::INTEGER => golang::int(Reader::new(e.full).read_i64()?),
        tag::BIT_STRING => {
            let bits = Reader::new(e.full).read_bit_string()?;
            let mut m = Map::new();
            m.insert("Bytes".into(), golang::bytes(Some(bits.bytes)));
            m.insert(
                "BitLength".into(),
                golang::int(i64::try_from(bits.bit_length).ok()?),
            );
            Value::Object(m)
        }
        tag::OID => golang::oid(&oid_arcs(e.content, 31)?),
        tag::UTC_TIME => Time::utc_time(e.content)?.to_json(),
        tag::GENERALIZED_TIME => Time::generalized_time(e.content)?.to_json(),
        tag::OCTET_STRING => golang::bytes(Some(e.content)),
        _ => Value::Null,
    })
}
