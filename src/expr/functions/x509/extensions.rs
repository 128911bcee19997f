//! Certificate extensions, read as Go's `processExtensions` reads them (same checks, same
//! error texts), into the `x509.Certificate` fields they fill.

use serde_json::{Map, Value};

use super::der::{BitString, Reader, dotted, oid_arcs, tag};
use super::{golang, url};

/// One raw extension (`pkix.Extension`).
pub(super) struct Extension<'a> {
    pub(super) id: Vec<u64>,
    pub(super) critical: bool,
    pub(super) value: &'a [u8],
}

impl Extension<'_> {
    pub(super) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("Id".into(), golang::oid(&self.id));
        m.insert("Critical".into(), Value::Bool(self.critical));
        m.insert("Value".into(), golang::bytes(Some(self.value)));
        Value::Object(m)
    }
}

/// Go's `parseExtension` over the content of an Extension SEQUENCE.
pub(super) fn parse_extension(content: &[u8]) -> Result<Extension<'_>, String> {
    let mut r = Reader::new(content);
    let id = r.read_oid().ok_or("x509: malformed extension OID field")?;
    let critical = if r.peek_is(tag::BOOLEAN) {
        r.read_bool()
            .ok_or("x509: malformed extension critical field")?
    } else {
        false
    };
    let value = r
        .read(tag::OCTET_STRING)
        .ok_or("x509: malformed extension value field")?;
    Ok(Extension {
        id,
        critical,
        value,
    })
}

/// Subject alternative names.
#[derive(Default)]
pub(super) struct AltNames {
    pub(super) dns: Vec<String>,
    pub(super) email: Vec<String>,
    pub(super) ip: Vec<Value>,
    pub(super) uri: Vec<Value>,
}

impl AltNames {
    fn is_empty(&self) -> bool {
        self.dns.is_empty() && self.email.is_empty() && self.ip.is_empty() && self.uri.is_empty()
    }

    /// Adds `DNSNames`, `EmailAddresses`, `IPAddresses` and `URIs` to `m`.
    pub(super) fn insert_into(&self, m: &mut Map<String, Value>) {
        m.insert("DNSNames".into(), golang::strings(&self.dns));
        m.insert("EmailAddresses".into(), golang::strings(&self.email));
        m.insert("IPAddresses".into(), golang::list(self.ip.clone()));
        m.insert("URIs".into(), golang::list(self.uri.clone()));
    }
}

/// Go's `parseSANExtension`.
pub(super) fn parse_san(value: &[u8]) -> Result<AltNames, String> {
    let mut outer = Reader::new(value);
    let mut names = Reader::new(
        outer
            .read(tag::SEQUENCE)
            .ok_or("x509: invalid subject alternative names")?,
    );
    let mut out = AltNames::default();
    while !names.is_empty() {
        let name = names
            .read_any()
            .ok_or("x509: invalid subject alternative name")?;
        let ia5 = |what: &str| {
            if name.content.is_ascii() {
                Ok(String::from_utf8_lossy(name.content).into_owned())
            } else {
                Err(format!("x509: SAN {what} is malformed"))
            }
        };
        // Go compares `tag ^ 0x80`: only primitive context-specific tags match.
        match name.tag ^ 0x80 {
            1 => out.email.push(ia5("rfc822Name")?),
            2 => out.dns.push(ia5("dNSName")?),
            6 => {
                let text = ia5("uniformResourceIdentifier")?;
                let uri = url::parse(&text)
                    .map_err(|e| format!("x509: cannot parse URI {text:?}: {e}"))?;
                let host = url::host(&uri);
                if !host.is_empty() && !valid_domain(host) {
                    return Err(format!("x509: cannot parse URI {text:?}: invalid domain"));
                }
                out.uri.push(uri);
            }
            7 => match name.content.len() {
                4 | 16 => out.ip.push(golang::ip(name.content)),
                n => return Err(format!("x509: cannot parse IP address of length {n}")),
            },
            _ => {}
        }
    }
    Ok(out)
}

/// Go's `domainToReverseLabels` succeeding: empty, or non-empty labels of printable ASCII.
fn valid_domain(domain: &str) -> bool {
    domain.is_empty()
        || domain
            .split('.')
            .all(|label| !label.is_empty() && label.bytes().all(|b| (33..=126).contains(&b)))
}

/// The certificate fields filled from extensions, with Go's zero values by default.
#[derive(Default)]
pub(super) struct Fields {
    key_usage: i64,
    unhandled_critical: Vec<Value>,
    ext_key_usage: Vec<Value>,
    unknown_ext_key_usage: Vec<Value>,
    basic_constraints_valid: bool,
    is_ca: bool,
    max_path_len: i64,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    ocsp_server: Vec<String>,
    issuing_certificate_url: Vec<String>,
    alt_names: AltNames,
    constraints_critical: bool,
    permitted: Constraints,
    excluded: Constraints,
    crl_distribution_points: Vec<String>,
    /// `Some` once a certificate policies extension is seen (Go makes a non-nil slice).
    policy_identifiers: Option<Vec<Value>>,
    policies: Vec<Value>,
    inhibit_any_policy: Option<i64>,
    inhibit_policy_mapping: Option<i64>,
    require_explicit_policy: Option<i64>,
    policy_mappings: Vec<Value>,
}

/// One side of a name constraints extension.
#[derive(Default)]
struct Constraints {
    dns: Vec<String>,
    ip: Vec<Value>,
    email: Vec<String>,
    uri: Vec<String>,
}

/// Go's `processExtensions`.
pub(super) fn process(extensions: &[Extension<'_>]) -> Result<Fields, String> {
    let mut out = Fields::default();
    for e in extensions {
        let unhandled = match e.id.as_slice() {
            [2, 5, 29, n] => out.standard(*n, e)?,
            [1, 3, 6, 1, 5, 5, 7, 1, 1] => {
                out.authority_info_access(e)?;
                false
            }
            _ => true,
        };
        if e.critical && unhandled {
            out.unhandled_critical.push(golang::oid(&e.id));
        }
    }
    Ok(out)
}

impl Fields {
    /// An extension under 2.5.29; returns whether it stays unhandled.
    fn standard(&mut self, n: u64, e: &Extension<'_>) -> Result<bool, String> {
        let mut value = Reader::new(e.value);
        match n {
            15 => {
                let bits = value.read_bit_string().ok_or("x509: invalid key usage")?;
                self.key_usage = key_usage(&bits);
            }
            19 => {
                const INVALID: &str = "x509: invalid basic constraints";
                let mut seq = Reader::new(value.read(tag::SEQUENCE).ok_or(INVALID)?);
                if seq.peek_is(tag::BOOLEAN) {
                    self.is_ca = seq.read_bool().ok_or(INVALID)?;
                }
                self.max_path_len = if seq.peek_is(tag::INTEGER) {
                    seq.read_i64().ok_or(INVALID)?
                } else {
                    -1
                };
                self.basic_constraints_valid = true;
            }
            17 => {
                self.alt_names = parse_san(e.value)?;
                return Ok(self.alt_names.is_empty());
            }
            30 => return self.name_constraints(e),
            31 => self.crl_distribution_points(e.value)?,
            35 => {
                const INVALID: &str = "x509: invalid authority key identifier";
                if e.critical {
                    return Err("x509: authority key identifier incorrectly marked critical".into());
                }
                let mut akid = Reader::new(value.read(tag::SEQUENCE).ok_or(INVALID)?);
                if akid.peek_is(tag::context(0)) {
                    let id = akid.read(tag::context(0)).ok_or(INVALID)?;
                    self.authority_key_id = Some(id.to_vec());
                }
            }
            36 => {
                const INVALID: &str = "x509: invalid policy constraints extension";
                let mut seq = Reader::new(value.read(tag::SEQUENCE).ok_or(INVALID)?);
                if seq.peek_is(tag::context(0)) {
                    let v = seq
                        .read_integer_with(tag::context(0))
                        .and_then(super::der::int64);
                    self.require_explicit_policy = Some(v.ok_or(INVALID)?);
                }
                if seq.peek_is(tag::context(1)) {
                    let v = seq
                        .read_integer_with(tag::context(1))
                        .and_then(super::der::int64);
                    self.inhibit_policy_mapping = Some(v.ok_or(INVALID)?);
                }
            }
            37 => {
                const INVALID: &str = "x509: invalid extended key usages";
                let mut seq = Reader::new(value.read(tag::SEQUENCE).ok_or(INVALID)?);
                while !seq.is_empty() {
                    let oid = seq.read_oid().ok_or(INVALID)?;
                    match ext_key_usage(&oid) {
                        Some(usage) => self.ext_key_usage.push(golang::int(usage)),
                        None => self.unknown_ext_key_usage.push(golang::oid(&oid)),
                    }
                }
            }
            14 => {
                if e.critical {
                    return Err("x509: subject key identifier incorrectly marked critical".into());
                }
                let id = value
                    .read(tag::OCTET_STRING)
                    .ok_or("x509: invalid subject key identifier")?;
                self.subject_key_id = Some(id.to_vec());
            }
            32 => self.certificate_policies(e.value)?,
            33 => {
                const INVALID: &str = "x509: invalid policy mappings extension";
                let mut seq = Reader::new(value.read(tag::SEQUENCE).ok_or(INVALID)?);
                while !seq.is_empty() {
                    let mut pair = Reader::new(seq.read(tag::SEQUENCE).ok_or(INVALID)?);
                    let issuer = pair.read(tag::OID).and_then(policy_oid).ok_or(INVALID)?;
                    let subject = pair.read(tag::OID).and_then(policy_oid).ok_or(INVALID)?;
                    let mut m = Map::new();
                    m.insert("IssuerDomainPolicy".into(), issuer);
                    m.insert("SubjectDomainPolicy".into(), subject);
                    self.policy_mappings.push(Value::Object(m));
                }
            }
            54 => {
                let v = value
                    .read_i64()
                    .ok_or("x509: invalid inhibit any policy extension")?;
                self.inhibit_any_policy = Some(v);
            }
            _ => return Ok(true),
        }
        Ok(false)
    }

    fn authority_info_access(&mut self, e: &Extension<'_>) -> Result<(), String> {
        const INVALID: &str = "x509: invalid authority info access";
        if e.critical {
            return Err("x509: authority info access incorrectly marked critical".into());
        }
        let mut outer = Reader::new(e.value);
        let mut seq = Reader::new(outer.read(tag::SEQUENCE).ok_or(INVALID)?);
        while !seq.is_empty() {
            let mut access = Reader::new(seq.read(tag::SEQUENCE).ok_or(INVALID)?);
            let method = access.read_oid().ok_or(INVALID)?;
            if !access.peek_is(tag::context(6)) {
                continue;
            }
            let location = access.read(tag::context(6)).ok_or(INVALID)?;
            let location = String::from_utf8_lossy(location).into_owned();
            match method.as_slice() {
                [1, 3, 6, 1, 5, 5, 7, 48, 1] => self.ocsp_server.push(location),
                [1, 3, 6, 1, 5, 5, 7, 48, 2] => self.issuing_certificate_url.push(location),
                _ => {}
            }
        }
        Ok(())
    }

    fn crl_distribution_points(&mut self, value: &[u8]) -> Result<(), String> {
        const INVALID: &str = "x509: invalid CRL distribution point";
        let mut outer = Reader::new(value);
        let mut points = Reader::new(
            outer
                .read(tag::SEQUENCE)
                .ok_or("x509: invalid CRL distribution points")?,
        );
        while !points.is_empty() {
            let mut point = Reader::new(points.read(tag::SEQUENCE).ok_or(INVALID)?);
            let Some(name) = point.read_optional(tag::explicit(0)).ok_or(INVALID)? else {
                continue;
            };
            let mut full_name =
                Reader::new(Reader::new(name).read(tag::explicit(0)).ok_or(INVALID)?);
            while full_name.peek_is(tag::context(6)) {
                let uri = full_name.read(tag::context(6)).ok_or(INVALID)?;
                self.crl_distribution_points
                    .push(String::from_utf8_lossy(uri).into_owned());
            }
        }
        Ok(())
    }

    fn certificate_policies(&mut self, value: &[u8]) -> Result<(), String> {
        const INVALID: &str = "x509: invalid certificate policies";
        let mut outer = Reader::new(value);
        let mut seq = Reader::new(outer.read(tag::SEQUENCE).ok_or(INVALID)?);
        let mut seen: Vec<&[u8]> = Vec::new();
        let mut identifiers = Vec::new();
        while !seq.is_empty() {
            let mut info = Reader::new(seq.read(tag::SEQUENCE).ok_or(INVALID)?);
            let der = info.read(tag::OID).ok_or(INVALID)?;
            if seen.contains(&der) {
                return Err(INVALID.into());
            }
            seen.push(der);
            let arcs = oid_arcs(der, 64).ok_or(INVALID)?;
            self.policies.push(Value::String(dotted(&arcs)));
            // `PolicyIdentifiers` holds the OIDs whose arcs fit a Go int.
            if arcs.iter().all(|&a| i64::try_from(a).is_ok()) {
                identifiers.push(golang::oid(&arcs));
            }
        }
        self.policy_identifiers = Some(identifiers);
        Ok(())
    }

    /// Go's `parseNameConstraintsExtension`; returns whether it stays unhandled.
    fn name_constraints(&mut self, e: &Extension<'_>) -> Result<bool, String> {
        const INVALID: &str = "x509: invalid NameConstraints extension";
        let mut outer = Reader::new(e.value);
        let mut top = Reader::new(outer.read(tag::SEQUENCE).ok_or(INVALID)?);
        let permitted = top.read_optional(tag::explicit(0)).ok_or(INVALID)?;
        let excluded = top.read_optional(tag::explicit(1)).ok_or(INVALID)?;
        if !outer.is_empty() || !top.is_empty() {
            return Err(INVALID.into());
        }
        let (permitted, excluded) = (permitted.unwrap_or(&[]), excluded.unwrap_or(&[]));
        if permitted.is_empty() && excluded.is_empty() {
            return Err("x509: empty name constraints extension".into());
        }
        let mut unhandled = false;
        self.permitted = constraints(permitted, &mut unhandled)?;
        self.excluded = constraints(excluded, &mut unhandled)?;
        self.constraints_critical = e.critical;
        Ok(unhandled)
    }

    /// Adds every extension-derived field, in `x509.Certificate` order from `KeyUsage` on, to
    /// `m`; `extensions` is the already rendered `Extensions` list.
    pub(super) fn insert_into(self, m: &mut Map<String, Value>, extensions: Value) {
        m.insert("KeyUsage".into(), golang::int(self.key_usage));
        m.insert("Extensions".into(), extensions);
        m.insert("ExtraExtensions".into(), Value::Null);
        m.insert(
            "UnhandledCriticalExtensions".into(),
            golang::list(self.unhandled_critical),
        );
        m.insert("ExtKeyUsage".into(), golang::list(self.ext_key_usage));
        m.insert(
            "UnknownExtKeyUsage".into(),
            golang::list(self.unknown_ext_key_usage),
        );
        m.insert(
            "BasicConstraintsValid".into(),
            Value::Bool(self.basic_constraints_valid),
        );
        m.insert("IsCA".into(), Value::Bool(self.is_ca));
        m.insert("MaxPathLen".into(), golang::int(self.max_path_len));
        m.insert(
            "MaxPathLenZero".into(),
            Value::Bool(self.basic_constraints_valid && self.max_path_len == 0),
        );
        m.insert(
            "SubjectKeyId".into(),
            golang::bytes(self.subject_key_id.as_deref()),
        );
        m.insert(
            "AuthorityKeyId".into(),
            golang::bytes(self.authority_key_id.as_deref()),
        );
        m.insert("OCSPServer".into(), golang::strings(&self.ocsp_server));
        m.insert(
            "IssuingCertificateURL".into(),
            golang::strings(&self.issuing_certificate_url),
        );
        self.alt_names.insert_into(m);
        m.insert(
            "PermittedDNSDomainsCritical".into(),
            Value::Bool(self.constraints_critical),
        );
        m.insert(
            "PermittedDNSDomains".into(),
            golang::strings(&self.permitted.dns),
        );
        m.insert(
            "ExcludedDNSDomains".into(),
            golang::strings(&self.excluded.dns),
        );
        m.insert("PermittedIPRanges".into(), golang::list(self.permitted.ip));
        m.insert("ExcludedIPRanges".into(), golang::list(self.excluded.ip));
        m.insert(
            "PermittedEmailAddresses".into(),
            golang::strings(&self.permitted.email),
        );
        m.insert(
            "ExcludedEmailAddresses".into(),
            golang::strings(&self.excluded.email),
        );
        m.insert(
            "PermittedURIDomains".into(),
            golang::strings(&self.permitted.uri),
        );
        m.insert(
            "ExcludedURIDomains".into(),
            golang::strings(&self.excluded.uri),
        );
        m.insert(
            "CRLDistributionPoints".into(),
            golang::strings(&self.crl_distribution_points),
        );
        m.insert(
            "PolicyIdentifiers".into(),
            self.policy_identifiers.map_or(Value::Null, Value::Array),
        );
        m.insert("Policies".into(), golang::list(self.policies));
        for (name, value) in [
            ("InhibitAnyPolicy", self.inhibit_any_policy),
            ("InhibitPolicyMapping", self.inhibit_policy_mapping),
            ("RequireExplicitPolicy", self.require_explicit_policy),
        ] {
            m.insert(name.into(), golang::int(value.unwrap_or(0)));
            m.insert(format!("{name}Zero"), Value::Bool(value == Some(0)));
        }
        m.insert("PolicyMappings".into(), golang::list(self.policy_mappings));
    }
}

/// `x509.KeyUsage`: the first nine bits, bit i giving 1 << i.
fn key_usage(bits: &BitString<'_>) -> i64 {
    (0..9)
        .filter(|&i| bits.at(i))
        .fold(0, |acc, i| acc | (1 << i))
}

/// `x509.ExtKeyUsage` of a known purpose OID.
fn ext_key_usage(oid: &[u64]) -> Option<i64> {
    Some(match oid {
        [2, 5, 29, 37, 0] => 0,
        [1, 3, 6, 1, 5, 5, 7, 3, n @ 1..=9] => i64::try_from(*n).ok()?,
        [1, 3, 6, 1, 4, 1, 311, 10, 3, 3] => 10,
        [2, 16, 840, 1, 113_730, 4, 1] => 11,
        [1, 3, 6, 1, 4, 1, 311, 2, 1, 22] => 12,
        [1, 3, 6, 1, 4, 1, 311, 61, 1, 1] => 13,
        _ => return None,
    })
}

/// An `x509.OID` as its `MarshalText` writes it.
fn policy_oid(der: &[u8]) -> Option<Value> {
    oid_arcs(der, 64).map(|arcs| Value::String(dotted(&arcs)))
}

/// The subtrees of one side of a name constraints extension.
fn constraints(subtrees: &[u8], unhandled: &mut bool) -> Result<Constraints, String> {
    const INVALID: &str = "x509: invalid NameConstraints extension";
    let mut out = Constraints::default();
    let mut r = Reader::new(subtrees);
    while !r.is_empty() {
        let mut subtree = Reader::new(r.read(tag::SEQUENCE).ok_or(INVALID)?);
        let base = subtree.read_any().ok_or(INVALID)?;
        let text = || {
            if base.content.is_ascii() {
                Ok(String::from_utf8_lossy(base.content).into_owned())
            } else {
                Err(format!(
                    "x509: invalid constraint value: x509: {:?} cannot be encoded as an IA5String",
                    String::from_utf8_lossy(base.content)
                ))
            }
        };
        // A domain, possibly with a leading dot; `what` names it in the error.
        let domain = |what: &str| -> Result<String, String> {
            let value = text()?;
            let trimmed = value.strip_prefix('.').unwrap_or(&value);
            if valid_domain(trimmed) {
                Ok(value)
            } else {
                Err(format!("x509: failed to parse {what} constraint {value:?}"))
            }
        };
        match base.tag {
            t if t == tag::context(2) => out.dns.push(domain("dnsName")?),
            t if t == tag::context(1) => {
                // A mailbox (with '@') is not checked further here.
                let value = text()?;
                out.email.push(if value.contains('@') {
                    value
                } else {
                    domain("rfc822Name")?
                });
            }
            t if t == tag::context(6) => {
                let value = text()?;
                if value.parse::<std::net::IpAddr>().is_ok() {
                    return Err(format!(
                        "x509: failed to parse URI constraint {value:?}: cannot be IP address"
                    ));
                }
                out.uri.push(domain("URI")?);
            }
            t if t == tag::context(7) => {
                let half = match base.content.len() {
                    8 => 4,
                    32 => 16,
                    n => return Err(format!("x509: IP constraint contained value of length {n}")),
                };
                let (ip, mask) = base.content.split_at(half);
                if !contiguous_mask(mask) {
                    let hex: String = mask.iter().map(|b| format!("{b:02x}")).collect();
                    return Err(format!("x509: IP constraint contained invalid mask {hex}"));
                }
                let mut net = Map::new();
                net.insert("IP".into(), golang::ip(ip));
                net.insert("Mask".into(), golang::bytes(Some(mask)));
                out.ip.push(Value::Object(net));
            }
            _ => *unhandled = true,
        }
    }
    Ok(out)
}

/// Ones followed by zeros only.
fn contiguous_mask(mask: &[u8]) -> bool {
    let mut seen_zero = false;
    for &b in mask {
        if seen_zero && b != 0 {
            return false;
        }
        if b != 0xff {
            if b.leading_ones() + b.trailing_zeros() != 8 {
                return false;
            }
            seen_zero = true;
        }
    }
    true
}
