//! The runner: rounds, samples, cold/warm policy, cleanup.

pub mod sample;
