//! The runner: rounds, samples, cold/warm policy, cleanup.

pub mod cleanup;
pub mod events;
pub mod images;
pub mod measure;
pub mod plan;
pub mod record;
pub mod runner;
pub mod sample;
