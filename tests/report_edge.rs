//! Odd data never panics: no samples, a single sample, every sample failed.

#[path = "data/synthetic.rs"]
mod synthetic;

use imagebench::bench::sample::Outcome;
use imagebench::report::compare::compare;
use imagebench::report::{terminal_summary, write_report, ReportOptions};
use imagebench::results::RunResults;
use imagebench::stats::{encode_histograms, RunSummary};

fn small() -> RunResults {
    synthetic::synthetic_results(&synthetic::Spec {
        runs: 3,
        ..Default::default()
    })
}

fn report_all(results: &RunResults) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_report(results, dir.path(), &ReportOptions::default()).unwrap();
    let _ = compare(results, results, 5.0).to_markdown();
    terminal_summary(results)
}

#[test]
fn no_samples() {
    let mut r = small();
    r.samples.clear();
    assert_eq!(report_all(&r), "no samples\n");
    assert!(encode_histograms(&r.samples).is_empty());
}

#[test]
fn a_single_sample() {
    let mut r = small();
    r.samples.truncate(1);
    let text = report_all(&r);
    assert!(text.contains(&r.samples[0].pair), "{text}");
}

#[test]
fn every_sample_failed() {
    let mut r = small();
    for s in &mut r.samples {
        s.outcome = Outcome::Error;
    }
    let summary = RunSummary::from_samples(&r.samples);
    assert_eq!(summary.n_failed(), r.samples.len() as u64);
    assert!(summary.pairs.is_empty());
    let dir = tempfile::tempdir().unwrap();
    write_report(&r, dir.path(), &ReportOptions::default()).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 8,
        "one row per failed series:\n{csv}"
    );
    assert!(terminal_summary(&r).contains("  3\n") || terminal_summary(&r).contains("  3  "));
}

#[test]
fn encoded_histograms_round_trip() {
    let r = small();
    let encoded = encode_histograms(&r.samples);
    // 8 series x 5 phases, plus pull for the 4 cold ones.
    assert_eq!(encoded.len(), 8 * 5 + 4);
    let json = serde_json::to_string(&encoded).unwrap();
    let back: Vec<imagebench::stats::EncodedHistogram> = serde_json::from_str(&json).unwrap();
    for e in &back {
        let h = e.decode().unwrap();
        let n = r
            .samples
            .iter()
            .filter(|s| s.is_ok() && s.pair == e.pair && s.variant == e.variant && s.mode == e.mode)
            .filter(|s| s.phase_us(e.phase).is_some())
            .count();
        assert_eq!(
            h.len(),
            n as u64,
            "{}/{}/{}/{}",
            e.pair,
            e.variant,
            e.mode,
            e.phase
        );
    }
}
