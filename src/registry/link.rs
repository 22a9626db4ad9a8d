//! The emulated link between the daemon and the registry: its spec.

use std::time::Duration;

/// Bandwidth and round-trip delay of an emulated link (`100mbit/20ms`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkSpec {
    /// Bandwidth, bytes per second.
    pub bytes_per_sec: f64,
    /// Round-trip delay.
    pub rtt: Duration,
}

impl LinkSpec {
    /// Parses `100mbit/20ms`, `1gbit/5ms`, `500kbit/100ms`.
    pub fn parse(text: &str) -> Result<LinkSpec, String> {
        let bad = || {
            format!(
                "link {text:?} is not bandwidth/delay: write it like \"100mbit/20ms\" (kbit, mbit or gbit; ms or s)"
            )
        };
        let (bw, delay) = text.split_once('/').ok_or_else(bad)?;
        let bw = bw.trim().to_ascii_lowercase();
        let split = bw
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let value: f64 = bw[..split].parse().map_err(|_| bad())?;
        let bits = match &bw[split..] {
            "kbit" => 1e3,
            "mbit" => 1e6,
            "gbit" => 1e9,
            _ => return Err(bad()),
        };
        let bytes_per_sec = value * bits / 8.0;
        if !(bytes_per_sec.is_finite() && bytes_per_sec >= 1000.0) {
            return Err(format!("link {text:?}: bandwidth must be at least 8kbit"));
        }
        let rtt = crate::scenario::HumanDuration::parse(delay)
            .map(|d| d.0)
            .or_else(|e| {
                if delay.trim() == "0ms" || delay.trim() == "0s" {
                    Ok(Duration::ZERO)
                } else {
                    Err(e)
                }
            })
            .map_err(|_| bad())?;
        Ok(LinkSpec { bytes_per_sec, rtt })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let l = LinkSpec::parse("100mbit/20ms").unwrap();
        assert_eq!(l.bytes_per_sec, 12_500_000.0);
        assert_eq!(l.rtt, Duration::from_millis(20));
        assert_eq!(LinkSpec::parse("1gbit/0ms").unwrap().rtt, Duration::ZERO);
        for bad in [
            "100mbit",
            "fast/20ms",
            "100mb/20ms",
            "1kbit/1ms",
            "100mbit/x",
        ] {
            assert!(LinkSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
