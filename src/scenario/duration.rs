//! Human-readable durations in scenario files: `"500ms"`, `"30s"`, `"2m"`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A duration written as a number and a unit (`ms`, `s`, `m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// Parses `"250ms"`, `"30s"`, `"1.5s"`, `"2m"`.
    pub fn parse(text: &str) -> Result<HumanDuration, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| {
                format!("duration {text:?} has no unit: write it like \"30s\", \"500ms\" or \"2m\"")
            })?;
        let (num, unit) = t.split_at(split);
        let value: f64 = num.parse().map_err(|_| {
            format!("duration {text:?} does not start with a number: write it like \"30s\"")
        })?;
        let scale = match unit.trim() {
            "ms" => 0.001,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            other => {
                return Err(format!(
                    "duration {text:?} has unknown unit {other:?}: use ms, s, m or h"
                ))
            }
        };
        let secs = value * scale;
        if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
            return Err(format!(
                "duration {text:?} must be above zero and at most a day"
            ));
        }
        Ok(HumanDuration(Duration::from_secs_f64(secs)))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        HumanDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(
            HumanDuration::parse("250ms").unwrap().0,
            Duration::from_millis(250)
        );
        assert_eq!(
            HumanDuration::parse("1.5s").unwrap().0,
            Duration::from_millis(1500)
        );
        assert_eq!(
            HumanDuration::parse("2m").unwrap().0,
            Duration::from_secs(120)
        );
    }

    #[test]
    fn refuses_bad_text() {
        for bad in ["", "10", "s", "-1s", "0s", "10 parsecs", "1e9h"] {
            assert!(HumanDuration::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn displays_round_trip() {
        for t in ["30s", "250ms"] {
            assert_eq!(HumanDuration::parse(t).unwrap().to_string(), t);
        }
    }
}
