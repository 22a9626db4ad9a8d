//! Optional per-pair resource limits applied to the benchmarked containers.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Memory, CPU and process limits of a pair's containers (recorded in results.json).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Memory limit (`"256m"`, `"1g"`, or bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// CPUs (`0.5`, `2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    /// Most processes and threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids: Option<u32>,
}

impl Limits {
    /// Checks that each limit is usable; a message otherwise.
    pub fn check(&self) -> Result<(), String> {
        if let Some(m) = self.memory {
            if m.0 < 6 << 20 {
                return Err(format!("limits.memory {m} is below Docker's minimum of 6m"));
            }
        }
        if let Some(c) = self.cpus {
            if !(c.is_finite() && c > 0.0 && c <= 1024.0) {
                return Err(format!("limits.cpus {c} must be above 0 (like 0.5 or 2)"));
            }
        }
        if self.pids == Some(0) {
            return Err("limits.pids must be at least 1".into());
        }
        Ok(())
    }
}

/// A size in bytes, written `"512k"`, `"256m"`, `"1g"` (powers of 1024) or as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// Parses `"256m"`, `"1g"`, `"512k"`, `"1048576"`.
    pub fn parse(text: &str) -> Result<ByteSize, String> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_suffix('b').unwrap_or(&t);
        let (num, scale) = match t.chars().last() {
            Some('k') => (&t[..t.len() - 1], 1u64 << 10),
            Some('m') => (&t[..t.len() - 1], 1 << 20),
            Some('g') => (&t[..t.len() - 1], 1 << 30),
            _ => (t, 1),
        };
        num.parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(scale))
            .map(ByteSize)
            .ok_or_else(|| {
                format!("size {text:?} must be a whole number with k, m or g, like \"256m\"")
            })
    }
}

impl std::fmt::Display for ByteSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            b if b % (1 << 30) == 0 => write!(f, "{}g", b >> 30),
            b if b % (1 << 20) == 0 => write!(f, "{}m", b >> 20),
            b if b % (1 << 10) == 0 => write!(f, "{}k", b >> 10),
            b => write!(f, "{b}"),
        }
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) => Ok(ByteSize(n)),
            Raw::Text(t) => ByteSize::parse(&t).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(ByteSize::parse("256m").unwrap().0, 256 << 20);
        assert_eq!(ByteSize::parse("1G").unwrap().0, 1 << 30);
        assert_eq!(ByteSize::parse("512kb").unwrap().0, 512 << 10);
        assert_eq!(ByteSize::parse("1000").unwrap().0, 1000);
        for bad in ["", "m", "1.5g", "-1m", "99999999999999g"] {
            assert!(ByteSize::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ByteSize(256 << 20).to_string(), "256m");
    }

    #[test]
    fn limits_checked() {
        let ok = Limits {
            memory: Some(ByteSize(64 << 20)),
            cpus: Some(0.5),
            pids: Some(64),
        };
        assert!(ok.check().is_ok());
        assert!(Limits {
            memory: Some(ByteSize(1 << 20)),
            ..ok
        }
        .check()
        .is_err());
        assert!(Limits {
            cpus: Some(0.0),
            ..ok
        }
        .check()
        .is_err());
        assert!(Limits {
            pids: Some(0),
            ..ok
        }
        .check()
        .is_err());
    }
}
