//! Golden tables on the fixed synthetic run in `tests/data/results-small.json`.
//!
//! Regenerate the fixture and the golden files with `UPDATE_GOLDEN=1 cargo test --test report_tables`.

#[path = "data/synthetic.rs"]
mod synthetic;

use imagebench::report::{
    csv::summary_csv, markdown::summary_markdown, terminal_summary, ReportInput,
};
use imagebench::results::RunResults;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

/// Compares with a golden file, or rewrites it under UPDATE_GOLDEN.
fn golden(name: &str, actual: &str) {
    let path = data(name);
    if updating() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs from the golden file (UPDATE_GOLDEN=1 to accept)"
    );
}

fn fixture() -> RunResults {
    RunResults::load(&data("results-small.json")).unwrap()
}

#[test]
fn fixture_is_the_generated_run() {
    let json =
        serde_json::to_string_pretty(&synthetic::synthetic_results(&synthetic::Spec::default()))
            .unwrap()
            + "\n";
    golden("results-small.json", &json);
}

#[test]
fn golden_summary_csv() {
    let results = fixture();
    let csv = summary_csv(&ReportInput::new(&results)).unwrap();
    golden("golden/summary.csv", &String::from_utf8(csv).unwrap());
}

#[test]
fn golden_summary_md() {
    let results = fixture();
    golden(
        "golden/summary.md",
        &summary_markdown(&ReportInput::new(&results)),
    );
}

#[test]
fn golden_terminal_summary() {
    golden("golden/terminal.txt", &terminal_summary(&fixture()));
}

#[test]
fn report_twice_gives_identical_tables() {
    let results = fixture();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let opts = imagebench::report::ReportOptions::default();
    let written: Vec<Vec<PathBuf>> = dirs
        .iter()
        .map(|d| imagebench::report::write_report(&results, d.path(), &opts).unwrap())
        .collect();
    assert_eq!(written[0].len(), written[1].len());
    for (a, b) in written[0].iter().zip(&written[1]) {
        if a.extension().is_some_and(|e| e != "png") {
            assert_eq!(
                std::fs::read(a).unwrap(),
                std::fs::read(b).unwrap(),
                "{}",
                a.display()
            );
        }
    }
    // The saved run, read back, reproduces the same tables.
    let reloaded: RunResults =
        serde_json::from_str(&serde_json::to_string(&results).unwrap()).unwrap();
    assert_eq!(
        summary_markdown(&ReportInput::new(&reloaded)),
        summary_markdown(&ReportInput::new(&results))
    );
}
