//! Per-series statistics and fat/distroless contrasts: the numbers every exporter prints.

use super::bootstrap::{ratio_of_medians_ci, Interval};
use super::distribution::Distribution;
use super::histograms::RunHistograms;
use super::key::SeriesKey;
use super::rank_test::{mann_whitney, MannWhitney};
use crate::bench::sample::{Mode, Phase, Sample, Variant};
use serde::Serialize;

/// Significance level of every test in the reports.
pub const ALPHA: f64 = 0.05;
/// A value is an outlier when its modified z-score (Iglewicz and Hoaglin) exceeds this.
pub const OUTLIER_Z: f64 = 3.5;
/// Scales a MAD to a standard deviation estimate for normal data (0.6745 = 1 / 1.4826).
const MAD_TO_Z: f64 = 0.6745;

/// Statistics of one phase of one series; durations in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseStats {
    /// The phase.
    pub phase: Phase,
    /// Ok samples that recorded the phase.
    pub n: u64,
    /// Smallest value.
    pub min_us: u64,
    /// Median (mean of the two middle values for an even count).
    pub p50_us: f64,
    /// 90th percentile (nearest rank).
    pub p90_us: u64,
    /// 95th percentile (nearest rank).
    pub p95_us: u64,
    /// 99th percentile (nearest rank).
    pub p99_us: u64,
    /// Largest value.
    pub max_us: u64,
    /// Mean.
    pub mean_us: f64,
    /// Sample standard deviation.
    pub stddev_us: f64,
    /// Median absolute deviation from the median.
    pub mad_us: f64,
    /// Values flagged as outliers by [`PhaseStats::is_outlier`].
    pub outliers: u64,
}

impl PhaseStats {
    /// Statistics of a distribution; `None` when it is empty.
    pub fn of(phase: Phase, d: &Distribution) -> Option<PhaseStats> {
        let mut stats = PhaseStats {
            phase,
            n: d.len(),
            min_us: d.min()?,
            p50_us: d.median()?,
            p90_us: d.quantile(0.90)?,
            p95_us: d.quantile(0.95)?,
            p99_us: d.quantile(0.99)?,
            max_us: d.max()?,
            mean_us: d.mean()?,
            stddev_us: d.stddev()?,
            mad_us: d.mad()?,
            outliers: 0,
        };
        stats.outliers = d
            .counts()
            .filter(|(v, _)| stats.is_outlier(*v))
            .map(|(_, c)| c)
            .sum();
        Some(stats)
    }

    /// Whether a value lies more than [`OUTLIER_Z`] scaled MADs from the median.
    /// Nothing is an outlier when the MAD is zero (more than half the values are equal).
    pub fn is_outlier(&self, value_us: u64) -> bool {
        self.mad_us > 0.0
            && MAD_TO_Z * (value_us as f64 - self.p50_us).abs() / self.mad_us > OUTLIER_Z
    }
}

/// Everything known about one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSummary {
    /// Which series.
    pub key: SeriesKey,
    /// Image reference.
    pub image: String,
    /// Samples that ended ok.
    pub n_ok: u64,
    /// Samples that failed (exited, timed out, errored); not in any timing.
    pub n_failed: u64,
    /// Mean compressed bytes pulled, when reported.
    pub pull_bytes: Option<u64>,
    /// Statistics of every phase that has values, in [`Phase::ALL`] order.
    pub phases: Vec<PhaseStats>,
}

impl SeriesSummary {
    /// The statistics of one phase, if it has values.
    pub fn phase(&self, phase: Phase) -> Option<&PhaseStats> {
        self.phases.iter().find(|p| p.phase == phase)
    }
}

/// How two samples of the same measure differ: a ratio of medians, its interval and a test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Contrast {
    /// median(numerator) / median(denominator).
    pub ratio: f64,
    /// 95% bootstrap interval of the ratio, when it can be computed.
    pub ci: Option<Interval>,
    /// Mann-Whitney U test of the two samples.
    pub test: MannWhitney,
}

impl Contrast {
    /// Contrasts two samples; `None` when either is empty or the denominator's median is 0.
    pub fn between(numerator: &Distribution, denominator: &Distribution) -> Option<Contrast> {
        let bottom = denominator.median()?;
        if bottom <= 0.0 {
            return None;
        }
        Some(Contrast {
            ratio: numerator.median()? / bottom,
            ci: ratio_of_medians_ci(numerator, denominator),
            test: mann_whitney(numerator, denominator)?,
        })
    }

    /// Whether the difference is statistically significant at [`ALPHA`].
    pub fn significant(&self) -> bool {
        self.test.p_value < ALPHA
    }
}

/// Fat against distroless for one pair, mode and phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairContrast {
    /// Pair name.
    pub pair: String,
    /// Cold or warm.
    pub mode: Mode,
    /// The phase compared.
    pub phase: Phase,
    /// Ratio fat / distroless (above 1: distroless is faster).
    pub contrast: Contrast,
}

/// The statistics of a whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// Every series, sorted by (pair, mode, variant).
    pub series: Vec<SeriesSummary>,
    /// Fat/distroless contrasts for every pair, mode and phase where both sides have values.
    pub pairs: Vec<PairContrast>,
}

impl RunSummary {
    /// Computes every statistic from the samples (only ok samples are timed).
    pub fn from_samples(samples: &[Sample]) -> RunSummary {
        RunSummary::from_histograms(&RunHistograms::record(samples))
    }

    /// Computes every statistic from recorded histograms.
    pub fn from_histograms(run: &RunHistograms) -> RunSummary {
        let series = run
            .series()
            .iter()
            .map(|s| SeriesSummary {
                key: s.key.clone(),
                image: s.image.clone(),
                n_ok: s.n_ok,
                n_failed: s.n_failed,
                pull_bytes: s.mean_pull_bytes(),
                phases: Phase::ALL
                    .iter()
                    .filter_map(|&p| PhaseStats::of(p, &s.distribution(p)))
                    .collect(),
            })
            .collect();
        let mut pairs = Vec::new();
        for fat in run
            .series()
            .iter()
            .filter(|s| s.key.variant == Variant::Fat)
        {
            let Some(distroless) = run.get(&fat.key.with_variant(Variant::Distroless)) else {
                continue;
            };
            for phase in Phase::ALL {
                if let Some(contrast) =
                    Contrast::between(&fat.distribution(phase), &distroless.distribution(phase))
                {
                    pairs.push(PairContrast {
                        pair: fat.key.pair.clone(),
                        mode: fat.key.mode,
                        phase,
                        contrast,
                    });
                }
            }
        }
        RunSummary { series, pairs }
    }

    /// The summary of one series.
    pub fn get(&self, key: &SeriesKey) -> Option<&SeriesSummary> {
        self.series.iter().find(|s| &s.key == key)
    }

    /// The fat/distroless contrast of one pair, mode and phase.
    pub fn contrast(&self, pair: &str, mode: Mode, phase: Phase) -> Option<&Contrast> {
        self.pairs
            .iter()
            .find(|c| c.pair == pair && c.mode == mode && c.phase == phase)
            .map(|c| &c.contrast)
    }

    /// Total failed samples.
    pub fn n_failed(&self) -> u64 {
        self.series.iter().map(|s| s.n_failed).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outliers_by_mad() {
        // median 10, deviations 0 0 1 1 90 -> MAD 1; 100 has z = 0.6745 * 90 > 3.5.
        let d = Distribution::from_values(&[10, 10, 9, 11, 100]);
        let s = PhaseStats::of(Phase::Total, &d).unwrap();
        assert_eq!(s.mad_us, 1.0);
        assert_eq!(s.outliers, 1);
        assert!(s.is_outlier(100) && !s.is_outlier(14) && s.is_outlier(16));
    }

    #[test]
    fn contrast_ratio_and_significance() {
        let slow: Vec<u64> = (0..20).map(|i| 2000 + i * 10).collect();
        let fast: Vec<u64> = (0..20).map(|i| 1000 + i * 5).collect();
        let c = Contrast::between(
            &Distribution::from_values(&slow),
            &Distribution::from_values(&fast),
        )
        .unwrap();
        assert!((c.ratio - 2095.0 / 1047.5).abs() < 1e-12);
        assert!(c.significant());
        let ci = c.ci.unwrap();
        assert!(ci.low <= c.ratio && c.ratio <= ci.high);
    }
}
