//! Exporters: each turns a finished run into one kind of file, and none touches Docker.
//!
//! [`write_report`] writes them all; [`terminal_summary`] is the short table for the terminal;
//! [`compare::compare`] is the regression gate between two runs.

pub mod chart;
pub mod compare;
pub mod csv;
pub mod format;
pub mod hgrm;
pub mod input;
pub mod markdown;
pub mod table;
pub mod terminal;

use anyhow::Context;
pub use input::ReportInput;
use std::path::{Path, PathBuf};
pub use terminal::terminal_summary;

/// A chart exporter: the run in, PNG bytes out.
pub type ChartFn = fn(&ReportInput, &ReportOptions) -> anyhow::Result<Vec<u8>>;

/// Options of a written report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// Multiplies chart pixel sizes, fonts and lines (2.0 for high-density screens).
    pub scale: f32,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { scale: 1.0 }
    }
}

/// Writes `summary.csv`, `summary.md`, `hgrm/*.hgrm` and the PNG charts into `out_dir`
/// (created if missing); returns the paths written.
pub fn write_report(
    results: &crate::results::RunResults,
    out_dir: &Path,
    opts: &ReportOptions,
) -> anyhow::Result<Vec<PathBuf>> {
    let input = ReportInput::new(results);
    let hgrm_dir = out_dir.join("hgrm");
    std::fs::create_dir_all(&hgrm_dir)
        .with_context(|| format!("cannot create report folder {}", hgrm_dir.display()))?;
    let mut written = Vec::new();
    let mut write = |path: PathBuf, bytes: &[u8]| -> anyhow::Result<()> {
        crate::files::write_atomic(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    write(out_dir.join("summary.csv"), &csv::summary_csv(&input)?)?;
    write(
        out_dir.join("summary.md"),
        markdown::summary_markdown(&input).as_bytes(),
    )?;
    for (name, text) in hgrm::hgrm_files(&input) {
        write(hgrm_dir.join(name), text.as_bytes())?;
    }
    let charts: [(&str, ChartFn); 4] = [
        ("phases.png", chart::phases::render),
        ("percentiles.png", chart::percentiles::render),
        ("sizes.png", chart::sizes::render),
        ("timeline.png", chart::timeline::render),
    ];
    for (name, render) in charts {
        let png = render(&input, opts).with_context(|| format!("cannot draw {name}"))?;
        write(out_dir.join(name), &png)?;
    }
    Ok(written)
}
