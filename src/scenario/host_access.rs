//! What a pair may ask of the host beyond an ordinary container: privileged mode, bind mounts
//! of host paths and extra capabilities. A scenario file is data someone may hand you, so none
//! of this is granted unless the command line says `--allow-host-access`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Component, Path};

/// Whether the command line lets scenarios reach into the host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HostAccess {
    /// Scenarios asking for privileged mode, mounts or capabilities are refused.
    #[default]
    Refused,
    /// `--allow-host-access`: they run as written.
    Allowed,
}

/// A bind mount of a host path into the container, written `/host:/container[:ro|rw]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BindMount {
    /// Absolute path on the host; it must exist (Docker would otherwise create it).
    pub host: String,
    /// Absolute path in the container.
    pub container: String,
    /// Mounted read-only.
    pub read_only: bool,
}

impl BindMount {
    /// Parses `/host:/container`, `/host:/container:ro` or `...:rw`.
    pub fn parse(text: &str) -> Result<BindMount, String> {
        let expected =
            "a mount is \"/host/path:/container/path\" with an optional \":ro\" or \":rw\"";
        let parts: Vec<&str> = text.split(':').collect();
        let (host, container, read_only) = match parts.as_slice() {
            [h, c] => (*h, *c, false),
            [h, c, "ro"] => (*h, *c, true),
            [h, c, "rw"] => (*h, *c, false),
            _ => return Err(format!("mount {text:?}: {expected}")),
        };
        for (side, path) in [("host", host), ("container", container)] {
            let p = Path::new(path);
            let plain = p
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
            if !p.is_absolute() || !plain || path.contains(',') {
                return Err(format!(
                    "mount {text:?}: the {side} path must be absolute, without '..' or ',' ({expected})"
                ));
            }
        }
        if container == "/" {
            return Err(format!(
                "mount {text:?}: mounting over the container's / is not supported"
            ));
        }
        Ok(BindMount {
            host: host.to_string(),
            container: container.to_string(),
            read_only,
        })
    }
}

impl fmt::Display for BindMount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.container)?;
        if self.read_only {
            write!(f, ":ro")?;
        }
        Ok(())
    }
}

impl TryFrom<String> for BindMount {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        BindMount::parse(&text)
    }
}

impl From<BindMount> for String {
    fn from(m: BindMount) -> String {
        m.to_string()
    }
}

/// A Linux capability added to the container, like `NET_ADMIN` (`CAP_` prefix optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Capability(String);

impl Capability {
    /// Parses a capability name: capital letters, digits and underscores.
    pub fn parse(text: &str) -> Result<Capability, String> {
        let name = text.strip_prefix("CAP_").unwrap_or(text);
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(format!(
                "capability {text:?} must be a name like \"NET_ADMIN\" (see capabilities(7))"
            ));
        }
        Ok(Capability(name.to_string()))
    }

    /// The name without the `CAP_` prefix.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Capability {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Capability::parse(&text)
    }
}

impl From<Capability> for String {
    fn from(c: Capability) -> String {
        c.0
    }
}

/// One thing a pair asks of the host: the scenario key that asks and what it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRequest {
    /// The pair's name.
    pub pair: String,
    /// The scenario key (`privileged`, `mounts`, `cap_add`).
    pub key: &'static str,
    /// What it grants, for the error message.
    pub grants: String,
}

impl fmt::Display for HostRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pair {:?} asks for {}: a scenario reaches into the host only when the command line allows it; if you trust this file, run again with --allow-host-access",
            self.pair, self.grants
        )
    }
}
