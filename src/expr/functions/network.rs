//! `is_external_url`: whether a URL's host is outside the cluster's private networks.
//!
//! Kyverno parses the URL, and for an IP address answers `!(loopback || private)`; for a host
//! name it resolves the name and answers false when any address is loopback or private. The
//! engine does no I/O, so Rampart resolves only `localhost`; any other host name is an error
//! naming the host (see spec/differences.md).

use std::net::IpAddr;

use serde_json::Value;

use super::sig::STR;
use super::{Call, EvalError, FunctionSpec};

pub(super) const SPECS: &[FunctionSpec] = &[spec!(
    "is_external_url",
    [STR],
    false,
    "bool",
    "whether a URL's host is a public address (IP literals and localhost; host names are not resolved offline)",
    is_external_url
)];

fn is_external_url(c: &Call<'_, '_>) -> Result<Value, EvalError> {
    let host = hostname(c.str(0)?);
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(Value::Bool(false));
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => Ok(Value::Bool(!(ip.is_loopback() || is_private(&ip)))),
        Err(_) => Err(c.fail(format!(
            "lookup {host}: host names are not resolved offline"
        ))),
    }
}

/// Go's `url.Parse(s).Hostname()`: the host of `scheme://[user@]host[:port]/...`, without
/// brackets around IPv6; empty when there is no authority.
fn hostname(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return "";
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    host_port.split(':').next().unwrap_or("")
}

/// Go's `IP.IsPrivate`: 10/8, 172.16/12, 192.168/16 and fc00::/7.
fn is_private(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_ranges() {
        assert_eq!(hostname("https://user@10.0.0.1:8443/x?y"), "10.0.0.1");
        assert_eq!(hostname("http://[fd00::1]:80/"), "fd00::1");
        assert_eq!(hostname("10.0.0.1"), "");
        assert!(is_private(
            &"172.20.1.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
        ));
        assert!(!is_private(
            &"8.8.8.8".parse().unwrap_or(IpAddr::from([10, 0, 0, 0]))
        ));
        assert!(is_private(
            &"fd12::1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
        ));
    }
}
