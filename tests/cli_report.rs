//! `imagebench report` and `imagebench compare` as a user runs them, on saved results.

#[path = "data/synthetic.rs"]
mod synthetic;

use imagebench::bench::sample::Variant;
use std::path::Path;
use std::process::Command;
use synthetic::{synthetic_results, Spec};

fn save(dir: &Path, name: &str, spec: &Spec) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&synthetic_results(spec)).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn imagebench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_imagebench"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn report_redraws_tables_and_charts_without_docker() {
    let dir = tempfile::tempdir().unwrap();
    let results = save(dir.path(), "results.json", &Spec::default());
    let out = dir.path().join("report");
    let run = imagebench(&["report", &results, "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for file in [
        "summary.csv",
        "summary.md",
        "phases.png",
        "percentiles.png",
        "sizes.png",
        "timeline.png",
    ] {
        let meta = std::fs::metadata(out.join(file)).unwrap_or_else(|_| panic!("{file} missing"));
        assert!(meta.len() > 100, "{file} is nearly empty");
    }
    let first = std::fs::read(out.join("summary.md")).unwrap();
    let again = imagebench(&["report", &results, "--out", out.to_str().unwrap()]);
    assert!(again.status.success());
    assert_eq!(std::fs::read(out.join("summary.md")).unwrap(), first);
}

#[test]
fn compare_exits_1_on_a_slowdown_and_0_on_an_a_a_pair() {
    let dir = tempfile::tempdir().unwrap();
    let base = save(
        dir.path(),
        "base.json",
        &Spec {
            seed: 11,
            ..Spec::default()
        },
    );
    let same = save(
        dir.path(),
        "same.json",
        &Spec {
            seed: 12,
            ..Spec::default()
        },
    );
    let slow = save(
        dir.path(),
        "slow.json",
        &Spec {
            seed: 13,
            slowdown: Some(("python", Variant::Fat, 1.2)),
            ..Spec::default()
        },
    );
    let aa = imagebench(&["compare", &base, &same, "--threshold", "5%"]);
    assert_eq!(
        aa.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&aa.stdout)
    );
    let regressed = imagebench(&["compare", &base, &slow, "--threshold", "5%"]);
    assert_eq!(
        regressed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&regressed.stdout)
    );
    assert!(String::from_utf8_lossy(&regressed.stderr).contains("regression"));
    assert!(dir.path().join("compare.md").exists());
}

#[test]
fn report_of_a_file_that_is_not_results_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("results.json");
    std::fs::write(&bogus, "{\"not\": \"results\"}").unwrap();
    let run = imagebench(&["report", bogus.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("results.json"));
}
