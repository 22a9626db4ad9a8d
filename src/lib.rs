//! imagebench: measure what moving from a fat container image to a distroless one gains.
//!
//! Data flows one way: a [`scenario::Scenario`] drives the [`bench`](mod@bench) runner through the
//! [`engine::Engine`] trait; the runner emits samples; [`stats`] and [`report`] turn the
//! finished [`results::RunResults`] into tables and charts.

#![warn(missing_docs)]

pub mod app;
pub mod bench;
pub mod cli;
pub mod engine;
pub mod files;
pub mod http;
pub mod inspect;
pub mod registry;
pub mod report;
pub mod results;
pub mod scenario;
pub mod stats;
