//! The regression gate: is the current run slower than the baseline, beyond a threshold and
//! beyond noise?

use super::format::{duration, p_value, ratio};
use super::table::{Align, Table};
use crate::bench::sample::Phase;
use crate::results::RunResults;
use crate::stats::rank_test::holm_adjust;
use crate::stats::summary::{Contrast, ALPHA};
use crate::stats::{RunHistograms, SeriesKey};
use serde::Serialize;

/// The phases the gate checks.
pub const GATED_PHASES: [Phase; 3] = [Phase::TimeToReady, Phase::Total, Phase::Pull];

/// What a comparison concluded for one image and phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly slower by more than the threshold.
    Regressed,
    /// Significantly faster by more than the threshold.
    Improved,
    /// Within the threshold, or not significant.
    Unchanged,
}

/// One image and phase, baseline against current.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseComparison {
    /// The image (pair, variant, mode).
    pub key: SeriesKey,
    /// The phase.
    pub phase: Phase,
    /// Baseline median, microseconds.
    pub baseline_p50_us: f64,
    /// Current median, microseconds.
    pub current_p50_us: f64,
    /// current / baseline ratio of medians, interval and test.
    pub contrast: Contrast,
    /// The test's p-value, Holm-Bonferroni adjusted over every row of the comparison.
    pub p_adjusted: f64,
    /// The conclusion.
    pub verdict: Verdict,
}

/// Every image and gated phase present in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Relative slowdown tolerated, percent.
    pub threshold_pct: f64,
    /// One row per image and phase present in both runs.
    pub rows: Vec<PhaseComparison>,
    /// Images (as `pair/variant/mode`) present in only one of the runs.
    pub unmatched: Vec<String>,
}

/// Compares `current` against `baseline`: an image and phase regressed when its median is more
/// than `threshold_pct` percent (5.0 = 5%) above the baseline's and a Mann-Whitney U test gives
/// p < 0.05 after a Holm-Bonferroni adjustment over all compared image-phases: a gate that
/// checks some twenty image-phases per run would otherwise raise a false alarm on about one run
/// in three of the very same images.
pub fn compare(baseline: &RunResults, current: &RunResults, threshold_pct: f64) -> Comparison {
    let base = RunHistograms::record(&baseline.samples);
    let cur = RunHistograms::record(&current.samples);
    let limit = threshold_pct.max(0.0) / 100.0;
    let mut rows = Vec::new();
    for c in cur.series() {
        let Some(b) = base.get(&c.key) else { continue };
        for phase in GATED_PHASES {
            let (cd, bd) = (c.distribution(phase), b.distribution(phase));
            let (Some(cm), Some(bm)) = (cd.median(), bd.median()) else {
                continue;
            };
            let Some(contrast) = Contrast::between(&cd, &bd) else {
                continue;
            };
            rows.push(PhaseComparison {
                key: c.key.clone(),
                phase,
                baseline_p50_us: bm,
                current_p50_us: cm,
                contrast,
                p_adjusted: contrast.test.p_value,
                verdict: Verdict::Unchanged,
            });
        }
    }
    let adjusted = holm_adjust(&rows.iter().map(|r| r.p_adjusted).collect::<Vec<_>>());
    for (row, p) in rows.iter_mut().zip(adjusted) {
        row.p_adjusted = p;
        let ratio = row.contrast.ratio;
        row.verdict = if p >= ALPHA {
            Verdict::Unchanged
        } else if ratio > 1.0 + limit {
            Verdict::Regressed
        } else if ratio < 1.0 / (1.0 + limit) {
            Verdict::Improved
        } else {
            Verdict::Unchanged
        };
    }
    let only = |a: &RunHistograms, b: &RunHistograms, side: &str| -> Vec<String> {
        a.series()
            .iter()
            .filter(|s| b.get(&s.key).is_none())
            .map(|s| format!("{} (only in {side})", s.key))
            .collect()
    };
    let mut unmatched = only(&base, &cur, "baseline");
    unmatched.extend(only(&cur, &base, "current"));
    Comparison {
        threshold_pct,
        rows,
        unmatched,
    }
}

impl Comparison {
    /// True when any image and phase regressed.
    pub fn has_regression(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Verdict::Regressed)
    }

    fn table(&self) -> Table {
        let mut t = Table::new(&[
            ("Image", Align::Left),
            ("Phase", Align::Left),
            ("Baseline p50", Align::Right),
            ("Current p50", Align::Right),
            ("Change", Align::Right),
            ("95% CI", Align::Right),
            ("p (Holm)", Align::Right),
            ("Verdict", Align::Left),
        ]);
        for r in &self.rows {
            let c = &r.contrast;
            t.push(vec![
                r.key.to_string(),
                r.phase.to_string(),
                duration(r.baseline_p50_us),
                duration(r.current_p50_us),
                format!("{:+.1}% ({})", (c.ratio - 1.0) * 100.0, ratio(c.ratio)),
                c.ci.map(|i| format!("{:.2}-{:.2}x", i.low, i.high))
                    .unwrap_or_else(|| "-".into()),
                p_value(r.p_adjusted),
                match r.verdict {
                    Verdict::Regressed => "REGRESSED",
                    Verdict::Improved => "improved",
                    Verdict::Unchanged if r.p_adjusted < ALPHA => "within noise or threshold",
                    Verdict::Unchanged => "no significant change",
                }
                .to_string(),
            ]);
        }
        t
    }

    fn conclusion(&self) -> String {
        let regressed = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Regressed)
            .count();
        let mut out = if regressed > 0 {
            format!(
                "{regressed} regression(s) beyond {}% (p < 0.05).\n",
                self.threshold_pct
            )
        } else {
            format!("No regression beyond {}% (p < 0.05).\n", self.threshold_pct)
        };
        for u in &self.unmatched {
            out += &format!("Not compared: {u}.\n");
        }
        out
    }

    /// The table as plain aligned text, with a concluding line.
    pub fn to_terminal(&self) -> String {
        format!("{}\n{}", self.table().to_text(), self.conclusion())
    }

    /// The table as Markdown, with a concluding paragraph.
    pub fn to_markdown(&self) -> String {
        format!(
            "## Comparison with baseline\n\n{}\n{}",
            self.table().to_markdown(),
            self.conclusion().replace(".\n", ".\n\n")
        )
    }
}
