//! Statistics: HDR histograms per series and phase, summaries (percentiles, MAD outliers),
//! fat/distroless ratios with bootstrap intervals, and the Mann-Whitney U test.

pub mod bootstrap;
pub mod distribution;
pub mod histograms;
pub mod key;
pub mod rank_test;
pub mod summary;

pub use distribution::Distribution;
pub use histograms::{encode_histograms, EncodedHistogram, RunHistograms};
pub use key::SeriesKey;
pub use summary::{Contrast, PairContrast, PhaseStats, RunSummary, SeriesSummary};
