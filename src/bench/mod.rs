//! The runner: rounds, samples, cold/warm policy, cleanup.

pub mod sample;
pub mod events;
pub mod images;
pub mod measure;
pub mod plan;
pub mod cleanup;
pub mod runner;
pub mod record;
