//! Scenario files: the TOML schema, loading with located errors, and validation.

pub mod duration;
pub mod host_access;
pub mod limits;
pub mod reference;

use crate::bench::sample::{Mode, Variant};
pub use duration::HumanDuration;
pub use host_access::{BindMount, Capability, HostAccess, HostRequest};
pub use limits::{ByteSize, Limits};
pub use reference::{ImageRef, ProbeUrl, TcpTarget};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A benchmark: image pairs, how often to start them, and where cold pulls come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in output folder names.
    pub name: String,
    /// One line on what is compared.
    #[serde(default)]
    pub description: String,
    /// Measured rounds.
    #[serde(default = "default_runs")]
    pub runs: u32,
    /// Rounds run first and discarded.
    #[serde(default = "default_warmup")]
    pub warmup: u32,
    /// Which modes to measure.
    #[serde(default = "default_modes")]
    pub modes: Vec<Mode>,
    /// Seed of the shuffled order; random when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Where cold pulls come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryConfig>,
    /// The image pairs.
    #[serde(rename = "pair")]
    pub pairs: Vec<Pair>,
}

fn default_runs() -> u32 {
    10
}
fn default_warmup() -> u32 {
    1
}
fn default_modes() -> Vec<Mode> {
    vec![Mode::Cold, Mode::Warm]
}

/// The registry cold pulls come from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// Start a local registry on 127.0.0.1 and push the images there first.
    #[serde(default)]
    pub managed: bool,
    /// An existing registry (`host:port`) that already holds the images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Emulated link between daemon and registry (`100mbit/20ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Network mode of the benchmarked containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// The host's network: probes on 127.0.0.1 reach the app directly.
    #[default]
    Host,
    /// Docker's default bridge (only `exit` and `log` probes make sense).
    Bridge,
    /// No network at all.
    None,
}

impl Network {
    /// Docker's name for the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Host => "host",
            Network::Bridge => "bridge",
            Network::None => "none",
        }
    }
}

/// How to tell that a container is ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ready {
    /// The container exits with this code.
    Exit(i64),
    /// This text appears on stdout or stderr.
    Log(String),
    /// This regular expression matches a line of stdout or stderr.
    LogRegex(LogPattern),
    /// A GET on this loopback URL answers 2xx or 3xx.
    Http(ProbeUrl),
    /// A TCP connect to this loopback port succeeds.
    Tcp(TcpTarget),
}

impl Ready {
    /// Short kind name (`http`, `log`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Ready::Exit(_) => "exit",
            Ready::Log(_) => "log",
            Ready::LogRegex(_) => "log_regex",
            Ready::Http(_) => "http",
            Ready::Tcp(_) => "tcp",
        }
    }
}

/// A `log_regex` probe's pattern, compiled once when the scenario loads (never on the
/// measured path).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogPattern(regex::Regex);

impl LogPattern {
    /// The compiled expression.
    pub fn regex(&self) -> &regex::Regex {
        &self.0
    }
}

impl PartialEq for LogPattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl TryFrom<String> for LogPattern {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        regex::Regex::new(&text)
            .map(LogPattern)
            .map_err(|e| format!("invalid log_regex: {e}"))
    }
}

impl From<LogPattern> for String {
    fn from(p: LogPattern) -> String {
        p.0.as_str().to_string()
    }
}

/// A fat image and its distroless counterpart, run the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// Unique name within the scenario.
    pub name: String,
    /// Network mode (`host` by default, so probes stay on 127.0.0.1).
    #[serde(default)]
    pub network: Network,
    /// How long a sample may wait for readiness.
    #[serde(default = "default_timeout")]
    pub timeout: HumanDuration,
    /// How long a cold pull may take.
    #[serde(default = "default_pull_timeout")]
    pub pull_timeout: HumanDuration,
    /// The readiness probe.
    pub ready: Ready,
    /// Resource limits of the containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// Run the containers privileged (needs `--allow-host-access`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub privileged: bool,
    /// Bind mounts of host paths (need `--allow-host-access`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<BindMount>,
    /// Extra Linux capabilities (need `--allow-host-access`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<Capability>,
    /// The conventional image.
    pub fat: ImageSpec,
    /// The minimal image.
    pub distroless: ImageSpec,
}

fn default_pull_timeout() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(600))
}

fn default_timeout() -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs(60))
}

impl Pair {
    /// What the pair asks of the host beyond an ordinary container.
    pub fn host_requests(&self) -> Vec<HostRequest> {
        let request = |key, grants| HostRequest {
            pair: self.name.clone(),
            key,
            grants,
        };
        let mut out = Vec::new();
        if self.privileged {
            out.push(request("privileged", "privileged containers".to_string()));
        }
        for m in &self.mounts {
            out.push(request("mounts", format!("the host path {}", m.host)));
        }
        for c in &self.cap_add {
            out.push(request("cap_add", format!("the capability {}", c.name())));
        }
        out
    }

    /// The image spec of one variant.
    pub fn image(&self, variant: Variant) -> &ImageSpec {
        match variant {
            Variant::Fat => &self.fat,
            Variant::Distroless => &self.distroless,
        }
    }
}

/// One image and how to run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// Image reference.
    pub image: ImageRef,
    /// Overrides the image's entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Overrides the image's command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// Extra environment, `KEY=value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Overrides the user (`65532`, `nonroot`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// A scenario file that could not be read or is invalid.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: cannot read scenario file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not match the schema.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and what is expected.
        message: String,
    },
}

impl Scenario {
    /// Reads and validates a scenario file; `access` says whether pairs may reach into the
    /// host (privileged mode, mounts, capabilities).
    pub fn load(path: &Path, access: HostAccess) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Scenario::from_toml(&text, path, access)
    }

    /// Parses and validates scenario text; `path` only names the source in errors.
    pub fn from_toml(
        text: &str,
        path: &Path,
        access: HostAccess,
    ) -> Result<Scenario, ScenarioError> {
        let located = |offset: usize, message: String| {
            let (line, column) = line_column(text, offset);
            ScenarioError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let scenario: Scenario = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            located(offset, e.message().trim().to_string())
        })?;
        scenario
            .validate()
            .map_err(|(needle, message)| located(find_offset(text, &needle), message))?;
        scenario
            .check_host_access(access)
            .map_err(|(pair, key, message)| {
                let after = find_offset(text, &format!("\"{pair}\""));
                let offset = text[after..].find(key).map_or(after, |i| after + i);
                located(offset, message)
            })?;
        Ok(scenario)
    }

    /// Refuses what pairs ask of the host unless `access` allows it; allowed mounts must name
    /// existing host paths. On failure: the pair, the key and the message.
    pub fn check_host_access(
        &self,
        access: HostAccess,
    ) -> Result<(), (String, &'static str, String)> {
        for pair in &self.pairs {
            for request in pair.host_requests() {
                if access == HostAccess::Refused {
                    return Err((pair.name.clone(), request.key, request.to_string()));
                }
            }
            if let Some(m) = pair.mounts.iter().find(|m| !Path::new(&m.host).exists()) {
                return Err((
                    pair.name.clone(),
                    "mounts",
                    format!(
                        "pair {:?}: the host path {} of mount {m} does not exist (Docker would create it as an empty folder)",
                        pair.name, m.host
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Cross-field checks; on failure, a text to locate in the file and the message.
    fn validate(&self) -> Result<(), (String, String)> {
        if self.name.trim().is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err((
                "name".into(),
                format!(
                    "scenario name {:?} must be non-empty and use only letters, digits, '-', '_' or '.' (it names the output folder)",
                    self.name
                ),
            ));
        }
        if self.runs == 0 {
            return Err(("runs".into(), "runs must be at least 1".into()));
        }
        if self.runs > 100_000 || self.warmup > 10_000 {
            return Err((
                "runs".into(),
                "runs (at most 100000) or warmup (at most 10000) is too large".into(),
            ));
        }
        if self.modes.is_empty() {
            return Err((
                "modes".into(),
                "modes must name at least one of \"cold\", \"warm\"".into(),
            ));
        }
        if self.pairs.is_empty() {
            return Err((
                "name".into(),
                "the scenario has no [[pair]]: add at least one pair with fat and distroless images".into(),
            ));
        }
        if let Some(reg) = &self.registry {
            if reg.managed && reg.url.is_some() {
                return Err((
                    "managed".into(),
                    "[registry] sets both managed = true and url: choose one".into(),
                ));
            }
            if let Some(link) = &reg.link {
                crate::registry::link::LinkSpec::parse(link)
                    .map_err(|m| ("link".to_string(), m))?;
            }
        }
        let mut seen = std::collections::HashSet::new();
        for pair in &self.pairs {
            let quoted = format!("\"{}\"", pair.name);
            if pair.name.trim().is_empty() {
                return Err(("[[pair]]".into(), "a pair has an empty name".into()));
            }
            if !seen.insert(pair.name.as_str()) {
                return Err((
                    quoted,
                    format!(
                        "duplicate pair name {:?}: each [[pair]] needs its own name",
                        pair.name
                    ),
                ));
            }
            let needs_host = matches!(pair.ready, Ready::Http(_) | Ready::Tcp(_));
            if needs_host && pair.network != Network::Host {
                return Err((
                    quoted,
                    format!(
                        "pair {:?}: a {} probe reaches 127.0.0.1 only with network = \"host\"",
                        pair.name,
                        pair.ready.kind()
                    ),
                ));
            }
            if let Some(limits) = &pair.limits {
                limits
                    .check()
                    .map_err(|m| (quoted.clone(), format!("pair {:?}: {m}", pair.name)))?;
            }
            if pair.fat.image == pair.distroless.image {
                return Err((
                    quoted,
                    format!(
                        "pair {:?}: fat and distroless name the same image",
                        pair.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every (pair, variant) of the scenario, in file order.
    pub fn images(&self) -> impl Iterator<Item = (&Pair, Variant)> {
        self.pairs
            .iter()
            .flat_map(|p| Variant::ALL.into_iter().map(move |v| (p, v)))
    }
}

/// Byte offset of the first line that mentions `needle`, or 0.
fn find_offset(text: &str, needle: &str) -> usize {
    // For duplicate names, the second mention is the culprit.
    let mut hits = text.match_indices(needle).map(|(i, _)| i);
    let first = hits.next();
    if needle.starts_with('"') {
        if let Some(second) = hits.next() {
            return second;
        }
    }
    first.unwrap_or(0)
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "t"
[[pair]]
name = "a"
ready = { http = "http://127.0.0.1:8080/" }
fat = { image = "x/a:fat" }
distroless = { image = "x/a:dl" }
"#;

    #[test]
    fn defaults_apply() {
        let s = Scenario::from_toml(GOOD, Path::new("t.toml"), HostAccess::Refused).unwrap();
        assert_eq!(s.runs, 10);
        assert_eq!(s.warmup, 1);
        assert_eq!(s.modes, vec![Mode::Cold, Mode::Warm]);
        assert_eq!(s.pairs[0].network, Network::Host);
        assert_eq!(s.pairs[0].timeout.0.as_secs(), 60);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = GOOD.replace("name = \"a\"", "name = \"a\"\nbogus = 1");
        let err = Scenario::from_toml(&text, Path::new("t.toml"), HostAccess::Refused).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("t.toml:5:"), "{msg}");
        assert!(msg.contains("bogus"), "{msg}");
    }

    #[test]
    fn host_access_is_refused_where_it_is_asked_for() {
        let second = "\n[[pair]]\nname = \"b\"\nready = { exit = 0 }\nnetwork = \"none\"\n\
                      cap_add = [\"NET_ADMIN\"]\nmounts = [\"/tmp:/data:ro\"]\n\
                      fat = { image = \"x/b:fat\" }\ndistroless = { image = \"x/b:dl\" }\n";
        let text = format!("{GOOD}{second}");
        let err = Scenario::from_toml(&text, Path::new("t.toml"), HostAccess::Refused)
            .unwrap_err()
            .to_string();
        // The `mounts` key of pair "b" (line 14), not the first mention of the word.
        assert!(err.starts_with("t.toml:14:1:"), "{err}");
        assert!(err.contains("--allow-host-access"), "{err}");
        let s = Scenario::from_toml(&text, Path::new("t.toml"), HostAccess::Allowed).unwrap();
        assert_eq!(s.pairs[1].mounts[0].to_string(), "/tmp:/data:ro");
        assert_eq!(s.pairs[1].cap_add[0].name(), "NET_ADMIN");
        let missing = text.replace("/tmp:", "/no/such/imagebench/dir:");
        let err = Scenario::from_toml(&missing, Path::new("t.toml"), HostAccess::Allowed)
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
    }

    #[test]
    fn mounts_and_capabilities_are_checked() {
        assert!(BindMount::parse("/a:/b:rw").is_ok_and(|m| !m.read_only));
        for bad in [
            "a:/b",
            "/a:b",
            "/a",
            "/a:/b:rx",
            "/a/../etc:/b",
            "/a:/",
            "/a,b:/c",
        ] {
            assert!(BindMount::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Capability::parse("CAP_SYS_ADMIN").unwrap().name(),
            "SYS_ADMIN"
        );
        assert!(Capability::parse("net_admin").is_err());
        assert!(Capability::parse("").is_err());
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
