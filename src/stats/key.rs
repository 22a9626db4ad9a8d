//! The identity of one measured series: an image of a pair, run in one mode.

use crate::bench::sample::{Mode, Sample, Variant};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One (pair, variant, mode) series: "the image" that rows of a report describe.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    /// Pair name from the scenario.
    pub pair: String,
    /// Cold or warm (ordered before the variant so fat and distroless of a mode sit together).
    pub mode: Mode,
    /// Fat or distroless.
    pub variant: Variant,
}

impl SeriesKey {
    /// The series a sample belongs to.
    pub fn of(sample: &Sample) -> SeriesKey {
        SeriesKey {
            pair: sample.pair.clone(),
            mode: sample.mode,
            variant: sample.variant,
        }
    }

    /// Whether a sample belongs to this series, without allocating.
    pub fn matches(&self, sample: &Sample) -> bool {
        self.pair == sample.pair && self.mode == sample.mode && self.variant == sample.variant
    }

    /// The same pair and mode, other variant.
    pub fn with_variant(&self, variant: Variant) -> SeriesKey {
        SeriesKey {
            variant,
            ..self.clone()
        }
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.pair, self.variant, self.mode)
    }
}
