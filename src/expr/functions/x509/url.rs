//! A SAN URI as Go's `url.Parse` splits it, in the JSON form of Go's `url.URL` struct
//! (`url.URL` has no JSON methods, so every exported field appears; a user-info part marshals as
//! `{}` because `url.Userinfo` has no exported fields).

use serde_json::{Map, Value};

/// How a component is escaped (Go's `encodePath` and `encodeFragment` modes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Fragment,
}

/// Go's `url.Parse(text)` as a `url.URL` object, or Go's error text.
pub(super) fn parse(text: &str) -> Result<Value, String> {
    let (main, fragment) = match text.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (text, None),
    };
    let mut url = parse_main(main).map_err(|e| format!("parse {main:?}: {e}"))?;
    if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
        let unescaped = unescape(fragment).map_err(|e| format!("parse {text:?}: {e}"))?;
        url.raw_fragment = if escape(&unescaped, Mode::Fragment) == fragment {
            String::new()
        } else {
            fragment.to_owned()
        };
        url.fragment = unescaped;
    }
    Ok(url.to_json())
}

/// The exported fields of Go's `url.URL`.
#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: bool,
    host: String,
    path: String,
    raw_path: String,
    omit_host: bool,
    force_query: bool,
    raw_query: String,
    fragment: String,
    raw_fragment: String,
}

impl Url {
    /// The JSON of Go's `url.URL`.
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        let s = |v: &str| Value::String(v.to_owned());
        m.insert("Scheme".into(), s(&self.scheme));
        m.insert("Opaque".into(), s(&self.opaque));
        m.insert(
            "User".into(),
            if self.user {
                Value::Object(Map::new())
            } else {
                Value::Null
            },
        );
        m.insert("Host".into(), s(&self.host));
        m.insert("Path".into(), s(&self.path));
        m.insert("RawPath".into(), s(&self.raw_path));
        m.insert("OmitHost".into(), Value::Bool(self.omit_host));
        m.insert("ForceQuery".into(), Value::Bool(self.force_query));
        m.insert("RawQuery".into(), s(&self.raw_query));
        m.insert("Fragment".into(), s(&self.fragment));
        m.insert("RawFragment".into(), s(&self.raw_fragment));
        Value::Object(m)
    }
}

/// The host of a parsed URI object (empty when it has none).
pub(super) fn host(url: &Value) -> &str {
    url.get("Host").and_then(Value::as_str).unwrap_or("")
}

fn parse_main(text: &str) -> Result<Url, String> {
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if text == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = scheme(text)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = rest.get(..rest.len() - 1).unwrap_or("");
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_owned();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = rest.get(2..).unwrap_or("");
        let (authority, path) = match authority_and_path.find('/') {
            Some(i) => authority_and_path.split_at(i),
            None => (authority_and_path, ""),
        };
        let host = match authority.rfind('@') {
            Some(i) => {
                url.user = true;
                authority.get(i + 1..).unwrap_or("")
            }
            None => authority,
        };
        url.host = parse_host(host)?;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(rest)?;
    url.raw_path = if escape(&url.path, Mode::Path) == rest {
        String::new()
    } else {
        rest.to_owned()
    };
    Ok(url)
}

/// Go's `getScheme`.
fn scheme(text: &str) -> Result<(&str, &str), String> {
    for (i, c) in text.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((text.get(..i).unwrap_or(""), text.get(i + 1..).unwrap_or(""))),
            _ => return Ok(("", text)),
        }
    }
    Ok(("", text))
}

/// The host part: brackets must close, a port must be digits, an unbracketed host may only use
/// the characters Go allows there and `%` only to escape non-ASCII bytes.
fn parse_host(host: &str) -> Result<String, String> {
    let bracketed = host.starts_with('[');
    let port = if bracketed {
        let close = host.rfind(']').ok_or("missing ']' in host")?;
        host.get(close + 1..).unwrap_or("")
    } else {
        host.rfind(':').and_then(|i| host.get(i..)).unwrap_or("")
    };
    let valid_port = port.is_empty()
        || (port.starts_with(':') && port.bytes().skip(1).all(|b| b.is_ascii_digit()));
    if !valid_port {
        return Err(format!("invalid port {port:?} after host"));
    }
    if !bracketed {
        let bytes = host.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'%' {
                let escape = host.get(i..(i + 3).min(host.len())).unwrap_or("%");
                let low_ascii = bytes
                    .get(i + 1)
                    .and_then(|h| char::from(*h).to_digit(16))
                    .is_some_and(|h| h < 8);
                if low_ascii && escape != "%25" && escape.len() == 3 {
                    return Err(format!("invalid URL escape {escape:?}"));
                }
            } else if b.is_ascii() && !host_char(b) {
                return Err(format!(
                    "invalid character {:?} in host name",
                    char::from(b).to_string()
                ));
            }
        }
    }
    unescape(host)
}

/// Characters Go leaves unescaped in a host name.
fn host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&b)
}

/// Percent-decoding; a `%` must start two hex digits.
fn unescape(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    #[allow(clippy::cast_possible_truncation)]
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    let end = s.len().min(i + 3);
                    let bad = s.get(i..end).unwrap_or("%");
                    return Err(format!("invalid URL escape {bad:?}"));
                }
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `escape` for paths and fragments (upper-case hex).
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || match mode {
                Mode::Path => matches!(
                    b,
                    b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@'
                ),
                Mode::Fragment => matches!(
                    b,
                    b'$' | b'&'
                        | b'+'
                        | b','
                        | b'/'
                        | b':'
                        | b';'
                        | b'='
                        | b'?'
                        | b'@'
                        | b'!'
                        | b'('
                        | b')'
                        | b'*'
                ),
            };
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spiffe_and_https_uris() {
        assert_eq!(
            parse("spiffe://cluster.local/ns/default/sa/web").unwrap(),
            json!({"Scheme": "spiffe", "Opaque": "", "User": null, "Host": "cluster.local",
                "Path": "/ns/default/sa/web", "RawPath": "", "OmitHost": false,
                "ForceQuery": false, "RawQuery": "", "Fragment": "", "RawFragment": ""})
        );
        let u = parse("HTTPS://me@example.com:8443/a%20b?x=1#frag").unwrap();
        assert_eq!(u["Scheme"], "https");
        assert_eq!(u["User"], json!({}));
        assert_eq!(u["Host"], "example.com:8443");
        assert_eq!(u["Path"], "/a b");
        assert_eq!(u["RawPath"], "");
        assert_eq!(u["RawQuery"], "x=1");
        assert_eq!(u["Fragment"], "frag");
        let u = parse("urn:example:thing").unwrap();
        assert_eq!(
            (u["Scheme"].as_str(), u["Opaque"].as_str()),
            (Some("urn"), Some("example:thing"))
        );
        assert_eq!(parse("file:///etc/x").unwrap()["OmitHost"], false);
        assert_eq!(parse("file:/etc/x").unwrap()["OmitHost"], true);
        assert_eq!(parse("a/b!c").unwrap()["RawPath"], "a/b!c");
    }

    #[test]
    fn errors_read_like_go() {
        assert_eq!(
            parse("://x").unwrap_err(),
            "parse \"://x\": missing protocol scheme"
        );
        assert_eq!(
            parse("http://h/%zz").unwrap_err(),
            "parse \"http://h/%zz\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            parse("http://h:x/").unwrap_err(),
            "parse \"http://h:x/\": invalid port \":x\" after host"
        );
        assert_eq!(
            parse("http://a b/").unwrap_err(),
            "parse \"http://a b/\": invalid character \" \" in host name"
        );
        assert_eq!(
            parse("http://a%41/").unwrap_err(),
            "parse \"http://a%41/\": invalid URL escape \"%41\""
        );
        assert_eq!(parse("http://caf%C3%A9/").unwrap()["Host"], "café");
    }
}
