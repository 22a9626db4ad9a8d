//! Validation of image references and probe targets written in scenario files.

use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::sync::LazyLock;

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    // [host[:port]/]path[:tag][@digest], after Docker's reference grammar.
    let host = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)?";
    let component = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    let tag = r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?";
    let digest = r"(?:@sha256:[a-f0-9]{64})?";
    Regex::new(&format!(
        "^{host}{component}(?:/{component})*{tag}{digest}$"
    ))
    .expect("valid regex")
});

/// An image reference (`registry:5000/team/app:1.2`), checked when read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ImageRef(String);

impl ImageRef {
    /// Checks a reference against Docker's grammar.
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        if text.len() <= 255 && REFERENCE.is_match(text) {
            Ok(ImageRef(text.to_string()))
        } else {
            Err(format!(
                "{text:?} is not a valid image reference: expected [registry[:port]/]name[:tag], \
                 lower-case, like \"imagebench/node:fat\""
            ))
        }
    }

    /// The reference as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Splits off the registry host, if the first component names one.
    pub fn registry_host(&self) -> Option<&str> {
        let (first, _) = self.0.split_once('/')?;
        (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
    }

    /// The repository path without registry, tag or digest (`team/app`).
    pub fn repository(&self) -> &str {
        let rest = match self.registry_host() {
            Some(host) => &self.0[host.len() + 1..],
            None => &self.0,
        };
        let rest = rest.split('@').next().unwrap_or(rest);
        match rest.rsplit_once(':') {
            Some((repo, _)) => repo,
            None => rest,
        }
    }

    /// The tag, `latest` when none is written.
    pub fn tag(&self) -> &str {
        let rest = match self.registry_host() {
            Some(host) => &self.0[host.len() + 1..],
            None => &self.0,
        };
        let rest = rest.split('@').next().unwrap_or(rest);
        rest.rsplit_once(':').map(|(_, t)| t).unwrap_or("latest")
    }

    /// The same repository and tag under another registry host.
    pub fn in_registry(&self, host: &str) -> ImageRef {
        ImageRef(format!("{host}/{}:{}", self.repository(), self.tag()))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ImageRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ImageRef::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Whether a host name is on this machine's loopback.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h == "localhost" {
        return true;
    }
    h.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// A probe URL: `http://127.0.0.1:8080/path`, loopback only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ProbeUrl(String);

/// The parts of a probe URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// Host as written (IP or localhost).
    pub host: String,
    /// Port (80 when absent).
    pub port: u16,
    /// Path with query, from `/`.
    pub path: String,
}

impl ProbeUrl {
    /// Checks the URL: plain http, a loopback host, a valid port.
    pub fn parse(text: &str) -> Result<ProbeUrl, String> {
        ProbeUrl(text.to_string()).parts()?;
        Ok(ProbeUrl(text.to_string()))
    }

    /// Splits the URL into host, port and path.
    pub fn parts(&self) -> Result<UrlParts, String> {
        let text = &self.0;
        let rest = text.strip_prefix("http://").ok_or_else(|| {
            format!("probe URL {text:?} must start with http:// (https is not probed)")
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => {
                let port: u16 = authority[i + 1..]
                    .parse()
                    .map_err(|_| format!("probe URL {text:?} has an invalid port"))?;
                (&authority[..i], port)
            }
            _ => (authority, 80),
        };
        if port == 0 {
            return Err(format!("probe URL {text:?} has port 0"));
        }
        if !is_loopback_host(host) {
            return Err(format!(
                "probe URL {text:?} targets {host:?}: probes only reach loopback \
                 (127.0.0.1, localhost, [::1]); run the container with network = \"host\""
            ));
        }
        Ok(UrlParts {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            path: path.to_string(),
        })
    }

    /// The URL as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ProbeUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ProbeUrl::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A TCP probe target: a port on 127.0.0.1, or `host:port` on loopback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TcpTarget(String);

impl TcpTarget {
    /// Checks `8080` or `127.0.0.1:8080`.
    pub fn parse(text: &str) -> Result<TcpTarget, String> {
        let addr = if text.chars().all(|c| c.is_ascii_digit()) {
            format!("127.0.0.1:{text}")
        } else {
            text.to_string()
        };
        let sock: std::net::SocketAddr = addr.parse().map_err(|_| {
            format!("tcp probe target {text:?} must be a port (8080) or ip:port (127.0.0.1:8080)")
        })?;
        if !sock.ip().is_loopback() || sock.port() == 0 {
            return Err(format!(
                "tcp probe target {text:?} must be a non-zero port on loopback (127.0.0.1)"
            ));
        }
        Ok(TcpTarget(addr))
    }

    /// The socket address to connect to.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.0.parse().expect("checked when parsed")
    }
}

impl<'de> Deserialize<'de> for TcpTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Port(i64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Port(p) => p.to_string(),
            Raw::Text(t) => t,
        };
        TcpTarget::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for ok in [
            "node",
            "imagebench/node:fat",
            "127.0.0.1:5000/imagebench/node:fat",
            "gcr.io/distroless/nodejs22-debian12",
            "localhost/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(ImageRef::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Node",
            "a b",
            "x:",
            "/x",
            "x//y",
            "x:tag with space",
            "-x",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reference_parts() {
        let r = ImageRef::parse("127.0.0.1:5000/team/app:1.2").unwrap();
        assert_eq!(r.registry_host(), Some("127.0.0.1:5000"));
        assert_eq!(r.repository(), "team/app");
        assert_eq!(r.tag(), "1.2");
        let r = ImageRef::parse("team/app").unwrap();
        assert_eq!(r.registry_host(), None);
        assert_eq!(r.tag(), "latest");
        assert_eq!(
            r.in_registry("127.0.0.1:9").as_str(),
            "127.0.0.1:9/team/app:latest"
        );
    }

    #[test]
    fn probe_urls() {
        let p = ProbeUrl::parse("http://127.0.0.1:8080/health?x=1").unwrap();
        let parts = p.parts().unwrap();
        assert_eq!((parts.port, parts.path.as_str()), (8080, "/health?x=1"));
        assert!(ProbeUrl::parse("http://localhost").is_ok());
        assert!(ProbeUrl::parse("http://[::1]:81/").is_ok());
        for bad in [
            "https://127.0.0.1/",
            "http://10.0.0.1/",
            "http://example.com/",
            "http://127.0.0.1:x/",
            "ftp://x",
        ] {
            assert!(ProbeUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tcp_targets() {
        assert_eq!(TcpTarget::parse("8080").unwrap().addr().port(), 8080);
        assert!(TcpTarget::parse("127.0.0.2:1").is_ok());
        for bad in ["0", "70000", "192.168.1.1:80", "x"] {
            assert!(TcpTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
