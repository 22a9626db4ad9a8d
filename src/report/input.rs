//! What every exporter reads: the results, their histograms and statistics, computed once.

use crate::bench::sample::{Mode, Variant};
use crate::results::{ImageFacts, RunResults};
use crate::stats::{RunHistograms, RunSummary};

/// A run ready to be exported.
pub struct ReportInput<'a> {
    /// The saved run.
    pub results: &'a RunResults,
    /// Histograms of every series and phase.
    pub histograms: RunHistograms,
    /// Statistics of every series and pair.
    pub summary: RunSummary,
}

impl<'a> ReportInput<'a> {
    /// Records histograms and computes statistics in one pass over the samples.
    pub fn new(results: &'a RunResults) -> ReportInput<'a> {
        let histograms = RunHistograms::record(&results.samples);
        let summary = RunSummary::from_histograms(&histograms);
        ReportInput {
            results,
            histograms,
            summary,
        }
    }

    /// The modes the run measured, cold first.
    pub fn modes(&self) -> Vec<Mode> {
        [Mode::Cold, Mode::Warm]
            .into_iter()
            .filter(|m| self.summary.series.iter().any(|s| s.key.mode == *m))
            .collect()
    }

    /// Pair names in the order the series are sorted.
    pub fn pairs(&self) -> Vec<&str> {
        let mut pairs: Vec<&str> = self
            .summary
            .series
            .iter()
            .map(|s| s.key.pair.as_str())
            .collect();
        pairs.dedup();
        pairs
    }

    /// Static facts about one image of a pair, matched by variant, else by reference.
    pub fn image_facts(&self, pair: &str, variant: Variant) -> Option<&'a ImageFacts> {
        let image = self
            .summary
            .series
            .iter()
            .find(|s| s.key.pair == pair && s.key.variant == variant)
            .map(|s| s.image.as_str());
        self.results.images.iter().find(|f| {
            f.pair == pair
                && (f.variant == Some(variant)
                    || (f.variant.is_none() && Some(f.image.as_str()) == image))
        })
    }
}
