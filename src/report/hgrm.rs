//! `.hgrm` files: HdrHistogram's percentile distribution text, as Java's
//! `outputPercentileDistribution(out, 5, 1000.0)` writes it (values in milliseconds).

use super::input::ReportInput;
use crate::bench::sample::Phase;
use hdrhistogram::Histogram;
use std::fmt::Write as _;

/// Percentile ticks per half distance, HdrHistogram's default.
const TICKS_PER_HALF_DISTANCE: u32 = 5;
/// Microseconds per output unit (milliseconds).
const SCALE: f64 = 1000.0;

/// One point of a percentile distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PercentilePoint {
    /// Value at this percentile, microseconds (highest equivalent value of its bucket).
    pub value_us: u64,
    /// Quantile iterated to, 0..=1.
    pub quantile: f64,
    /// Values at or below `value_us`.
    pub total_count: u64,
}

/// The percentile iteration HdrHistogram's tools print and plot.
pub fn percentile_points(h: &Histogram<u64>) -> Vec<PercentilePoint> {
    let mut total = 0;
    h.iter_quantiles(TICKS_PER_HALF_DISTANCE)
        .map(|v| {
            total += v.count_since_last_iteration();
            PercentilePoint {
                value_us: v.value_iterated_to(),
                quantile: v.quantile_iterated_to(),
                total_count: total,
            }
        })
        .collect()
}

/// The `.hgrm` text of one histogram (microsecond values printed as milliseconds).
pub fn percentile_distribution(h: &Histogram<u64>) -> String {
    let digits = usize::from(h.sigfig());
    let mut out = format!(
        "{:>12} {:>14} {:>10} {:>14}\n\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    for p in percentile_points(h) {
        let value = p.value_us as f64 / SCALE;
        if p.quantile < 1.0 {
            let _ = writeln!(
                out,
                "{value:12.digits$} {:2.12} {:10} {:14.2}",
                p.quantile,
                p.total_count,
                1.0 / (1.0 - p.quantile)
            );
        } else {
            let _ = writeln!(
                out,
                "{value:12.digits$} {:2.12} {:10}",
                p.quantile, p.total_count
            );
        }
    }
    let (mean, stddev, max) = if h.is_empty() {
        (0.0, 0.0, 0.0)
    } else {
        (h.mean() / SCALE, h.stdev() / SCALE, h.max() as f64 / SCALE)
    };
    let _ = writeln!(
        out,
        "#[Mean    = {mean:12.digits$}, StdDeviation   = {stddev:12.digits$}]"
    );
    let _ = writeln!(
        out,
        "#[Max     = {max:12.digits$}, Total count    = {:12}]",
        h.len()
    );
    let _ = writeln!(
        out,
        "#[Buckets = {:12}, SubBuckets     = {:12}]",
        h.buckets(),
        sub_bucket_count(h.sigfig())
    );
    out
}

/// HdrHistogram's sub-bucket count: 2 * 10^digits rounded up to a power of two.
fn sub_bucket_count(sigfig: u8) -> u64 {
    (2 * 10u64.pow(u32::from(sigfig))).next_power_of_two()
}

/// Every non-empty histogram as (file name, text): `pair.variant.mode.phase.hgrm`.
pub fn hgrm_files(input: &ReportInput) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for s in input.histograms.series() {
        for phase in Phase::ALL {
            let h = s.phase(phase);
            if !h.is_empty() {
                let name = format!(
                    "{}.{}.{}.{}.hgrm",
                    file_safe(&s.key.pair),
                    s.key.variant,
                    s.key.mode,
                    phase
                );
                files.push((name, percentile_distribution(h)));
            }
        }
    }
    files
}

/// A pair name made safe for a file name.
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_layout() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        for v in [1000u64, 2000, 3000, 4000] {
            h.record(v).unwrap();
        }
        let text = percentile_distribution(&h);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "       Value     Percentile TotalCount 1/(1-Percentile)"
        );
        assert_eq!(lines[1], "");
        assert_eq!(
            lines[2],
            "       1.000 0.000000000000          1           1.00"
        );
        assert!(
            text.contains("       4.001 1.000000000000          4\n"),
            "{text}"
        );
        assert!(
            text.contains("#[Max     =        4.001, Total count    =            4]"),
            "{text}"
        );
        assert!(text.ends_with("SubBuckets     =         2048]\n"), "{text}");
    }
}
