//! Human formats shared by the exporters: durations, sizes, ratios and their phrasing.

use crate::bench::sample::Phase;
use crate::stats::summary::Contrast;

/// A duration in microseconds, in the unit a reader expects (`850 us`, `12.3 ms`, `2.41 s`).
pub fn duration(us: f64) -> String {
    if !us.is_finite() {
        "-".to_string()
    } else if us < 1_000.0 {
        format!("{us:.0} us")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1_000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// Microseconds as milliseconds with three decimals (microsecond precision), for CSV.
pub fn ms(us: f64) -> String {
    format!("{:.3}", us / 1_000.0)
}

/// Bytes in decimal units (`12.3 MB`).
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = b as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A ratio with two decimals and an `x` (`2.41x`).
pub fn ratio(r: f64) -> String {
    format!("{r:.2}x")
}

/// A p-value, never printed as plain zero.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// The verb a sentence about a phase uses ("distroless *starts* 2.4x faster").
fn verb(phase: Phase) -> &'static str {
    match phase {
        Phase::Pull => "pulls",
        Phase::Create => "is created",
        Phase::Start => "starts its process",
        Phase::ReadyWait => "gets ready after start",
        Phase::TimeToReady => "starts",
        Phase::Total => "is pulled and ready",
    }
}

/// A fat/distroless contrast as a sentence: "distroless starts 2.4x faster (2.2-2.6x)",
/// or "no significant difference (1.02x, p = 0.41)".
pub fn contrast_sentence(phase: Phase, c: &Contrast) -> String {
    if !c.significant() {
        return format!(
            "no significant difference ({}, p = {})",
            ratio(c.ratio),
            p_value(c.test.p_value)
        );
    }
    // Above 1 distroless is faster; below, invert everything so the factor reads above 1.
    let (factor, interval, word) = if c.ratio >= 1.0 {
        (c.ratio, c.ci.map(|i| (i.low, i.high)), "faster")
    } else {
        (
            1.0 / c.ratio,
            c.ci.map(|i| (1.0 / i.high, 1.0 / i.low)),
            "slower",
        )
    };
    let interval = interval
        .map(|(lo, hi)| format!(" ({lo:.1}-{hi:.1}x)"))
        .unwrap_or_default();
    format!("distroless {} {factor:.1}x {word}{interval}", verb(phase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::Interval;
    use crate::stats::rank_test::MannWhitney;

    fn contrast(ratio: f64, low: f64, high: f64, p_value: f64) -> Contrast {
        Contrast {
            ratio,
            ci: Some(Interval { low, high }),
            test: MannWhitney {
                u: 0.0,
                z: 0.0,
                p_value,
            },
        }
    }

    #[test]
    fn sentences() {
        assert_eq!(
            contrast_sentence(Phase::TimeToReady, &contrast(2.41, 2.2, 2.6, 0.0001)),
            "distroless starts 2.4x faster (2.2-2.6x)"
        );
        assert_eq!(
            contrast_sentence(Phase::Pull, &contrast(0.5, 0.4, 0.625, 0.01)),
            "distroless pulls 2.0x slower (1.6-2.5x)"
        );
        assert_eq!(
            contrast_sentence(Phase::Total, &contrast(1.02, 0.95, 1.1, 0.41)),
            "no significant difference (1.02x, p = 0.410)"
        );
    }

    #[test]
    fn units() {
        assert_eq!(duration(850.0), "850 us");
        assert_eq!(duration(12_345.0), "12.3 ms");
        assert_eq!(duration(2_410_000.0), "2.41 s");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(123_456_789), "123.5 MB");
        assert_eq!(ms(1234.0), "1.234");
    }
}
