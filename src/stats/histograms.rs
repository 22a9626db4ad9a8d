//! HDR histograms per (pair, variant, mode, phase), built in one pass over the samples, and
//! their portable encoding for `results.json`.

use super::distribution::Distribution;
use super::key::SeriesKey;
use crate::bench::sample::{Mode, Phase, Sample, Variant};
use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Significant decimal digits every histogram keeps.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// The histograms and counters of one series.
#[derive(Debug, Clone)]
pub struct SeriesHistograms {
    /// Which series.
    pub key: SeriesKey,
    /// Image reference of the series' first sample.
    pub image: String,
    /// Samples that ended `ok`.
    pub n_ok: u64,
    /// Samples that did not.
    pub n_failed: u64,
    /// Sum and count of `pull_bytes` over ok samples.
    pull_bytes: (u128, u64),
    /// One histogram per [`Phase::ALL`] entry, microseconds; empty where never recorded.
    phases: Vec<Histogram<u64>>,
}

impl SeriesHistograms {
    fn new(sample: &Sample) -> SeriesHistograms {
        SeriesHistograms {
            key: SeriesKey::of(sample),
            image: sample.image.clone(),
            n_ok: 0,
            n_failed: 0,
            pull_bytes: (0, 0),
            phases: Phase::ALL.iter().map(|_| new_histogram()).collect(),
        }
    }

    fn record(&mut self, sample: &Sample) {
        if !sample.is_ok() {
            self.n_failed += 1;
            return;
        }
        self.n_ok += 1;
        for (histogram, phase) in self.phases.iter_mut().zip(Phase::ALL) {
            if let Some(us) = sample.phase_us(phase) {
                // Auto-resizing: only values beyond i64::MAX / 2 fail, and those saturate.
                if histogram.record(us).is_err() {
                    histogram.saturating_record(us);
                }
            }
        }
        if let Some(bytes) = sample.pull_bytes {
            self.pull_bytes.0 += u128::from(bytes);
            self.pull_bytes.1 += 1;
        }
    }

    /// The histogram of one phase (empty when the phase never happened).
    pub fn phase(&self, phase: Phase) -> &Histogram<u64> {
        let index = Phase::ALL.iter().position(|p| *p == phase).unwrap_or(0);
        &self.phases[index]
    }

    /// The values of one phase, bucketed as the histogram holds them.
    pub fn distribution(&self, phase: Phase) -> Distribution {
        Distribution::from_histogram(self.phase(phase))
    }

    /// Mean compressed bytes pulled by ok samples, if any reported it.
    pub fn mean_pull_bytes(&self) -> Option<u64> {
        let (sum, n) = self.pull_bytes;
        (n > 0).then(|| (sum / u128::from(n)) as u64)
    }
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits is a valid histogram precision")
}

/// Every series of a run, sorted by key. Memory is bounded by the number of series, not samples.
#[derive(Debug, Clone, Default)]
pub struct RunHistograms {
    series: Vec<SeriesHistograms>,
}

impl RunHistograms {
    /// Records every sample (failed ones only counted) without cloning samples.
    pub fn record(samples: &[Sample]) -> RunHistograms {
        let mut series: Vec<SeriesHistograms> = Vec::new();
        let mut last = 0;
        for sample in samples {
            // Runs interleave few series: check the last one hit, then scan.
            if !series.get(last).is_some_and(|s| s.key.matches(sample)) {
                last = match series.iter().position(|s| s.key.matches(sample)) {
                    Some(index) => index,
                    None => {
                        series.push(SeriesHistograms::new(sample));
                        series.len() - 1
                    }
                };
            }
            series[last].record(sample);
        }
        series.sort_by(|a, b| a.key.cmp(&b.key));
        RunHistograms { series }
    }

    /// All series, sorted by (pair, mode, variant).
    pub fn series(&self) -> &[SeriesHistograms] {
        &self.series
    }

    /// One series, if the run has it.
    pub fn get(&self, key: &SeriesKey) -> Option<&SeriesHistograms> {
        self.series
            .binary_search_by(|s| s.key.cmp(key))
            .ok()
            .map(|i| &self.series[i])
    }
}

/// One histogram as stored in `results.json`: HdrHistogram's V2 serialization, base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodedHistogram {
    /// Pair name.
    pub pair: String,
    /// Fat or distroless.
    pub variant: Variant,
    /// Cold or warm.
    pub mode: Mode,
    /// The phase timed.
    pub phase: Phase,
    /// Unit of the recorded values (always `us`).
    pub unit: String,
    /// Base64 of the V2 (uncompressed) serialization, readable by every HdrHistogram port.
    pub hdr_v2_base64: String,
}

impl EncodedHistogram {
    /// Decodes the histogram (values in microseconds).
    pub fn decode(&self) -> anyhow::Result<Histogram<u64>> {
        use anyhow::Context;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.hdr_v2_base64)
            .with_context(|| {
                format!(
                    "histogram {}/{}/{}/{}: invalid base64",
                    self.pair, self.variant, self.mode, self.phase
                )
            })?;
        Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| {
                anyhow::anyhow!(
                    "histogram {}/{}/{}/{}: {e:?}",
                    self.pair,
                    self.variant,
                    self.mode,
                    self.phase
                )
            })
    }
}

/// Encodes one histogram per (pair, variant, mode, phase) that has values, for `results.json`.
///
/// A histogram whose counts cannot be serialized (a count above `i64::MAX`) is left out.
pub fn encode_histograms(samples: &[Sample]) -> Vec<EncodedHistogram> {
    let run = RunHistograms::record(samples);
    let mut encoded = Vec::new();
    for series in run.series() {
        for phase in Phase::ALL {
            let histogram = series.phase(phase);
            if histogram.is_empty() {
                continue;
            }
            let mut bytes = Vec::new();
            if V2Serializer::new()
                .serialize(histogram, &mut bytes)
                .is_err()
            {
                continue;
            }
            encoded.push(EncodedHistogram {
                pair: series.key.pair.clone(),
                variant: series.key.variant,
                mode: series.key.mode,
                phase,
                unit: "us".to_string(),
                hdr_v2_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            });
        }
    }
    encoded
}
