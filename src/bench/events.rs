//! Events from the runner to its consumers (progress bar, CSV writer, summary).

use super::sample::Sample;

/// What the runner reports as it goes.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// A setup or teardown step, for the user to see (`pushing imagebench/node:fat`).
    Step(String),
    /// Sampling begins: how many samples in all, warm-up included.
    Started {
        /// Run id (the container label value).
        run_id: &'a str,
        /// Samples to take, warm-up included.
        total: u64,
    },
    /// A sample finished; `warmup` samples are not recorded.
    SampleFinished {
        /// The sample.
        sample: &'a Sample,
        /// Whether it belongs to a discarded warm-up round.
        warmup: bool,
    },
    /// Sampling ended, completely or not.
    Finished {
        /// True if the run was interrupted.
        interrupted: bool,
    },
}
