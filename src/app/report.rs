//! `imagebench report` and `imagebench compare`: saved results in, tables and charts out.

use super::Failure;
use crate::files::write_atomic;
use crate::report::{
    compare::compare as compare_runs, terminal_summary, write_report, ReportOptions,
};
use crate::results::RunResults;
use anyhow::anyhow;
use std::path::Path;

/// Redraws the report of a saved run into `out` (default: beside the results file).
pub fn report(results: &Path, out: Option<&Path>, scale: f32) -> Result<(), Failure> {
    let run = RunResults::load(results).map_err(Failure::Input)?;
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| results.parent().unwrap_or(Path::new(".")).to_path_buf());
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::Input(anyhow!("cannot create {}: {e}", dir.display())))?;
    let written = write_report(&run, &dir, &ReportOptions { scale })
        .map_err(|error| Failure::Run { code: 1, error })?;
    print!("{}", terminal_summary(&run));
    println!("{} files written to {}", written.len(), dir.display());
    Ok(())
}

/// Compares two saved runs; a significant regression is exit code 1.
pub fn compare(
    baseline: &Path,
    current: &Path,
    threshold_pct: f64,
    markdown: Option<&Path>,
) -> Result<(), Failure> {
    let base = RunResults::load(baseline).map_err(Failure::Input)?;
    let cur = RunResults::load(current).map_err(Failure::Input)?;
    let comparison = compare_runs(&base, &cur, threshold_pct);
    print!("{}", comparison.to_terminal());
    let md_path = markdown.map(Path::to_path_buf).unwrap_or_else(|| {
        current
            .parent()
            .unwrap_or(Path::new("."))
            .join("compare.md")
    });
    write_atomic(&md_path, comparison.to_markdown().as_bytes()).map_err(Failure::Input)?;
    println!("comparison written to {}", md_path.display());
    if comparison.has_regression() {
        Err(Failure::Run {
            code: 1,
            error: anyhow!(
                "regression: {} is slower than {} by more than {threshold_pct}% (significant)",
                current.display(),
                baseline.display()
            ),
        })
    } else {
        Ok(())
    }
}
