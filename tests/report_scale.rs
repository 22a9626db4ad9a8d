//! Scale check (ignored by default, run in release): write a 1,000,000-sample results.json,
//! read it back and write the whole report, printing the time of each step. Peak memory:
//! `/usr/bin/time -v target/release/deps/report_scale-* --ignored --nocapture`.

#[path = "data/synthetic.rs"]
mod synthetic;

use imagebench::report::{write_report, ReportOptions};
use imagebench::results::RunResults;
use std::time::Instant;

#[test]
#[ignore = "takes a few seconds and a few hundred MB; run with --release --ignored"]
fn report_on_a_million_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    {
        let results = synthetic::synthetic_results(&synthetic::Spec {
            runs: 125_000,
            ..Default::default()
        });
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        serde_json::to_writer(file, &results).unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    let t = Instant::now();
    let results = RunResults::load(&path).unwrap();
    let loaded = t.elapsed();
    assert_eq!(results.samples.len(), 1_000_000);
    // Reset the peak-RSS counter so the peak below is the report's own (Linux; best effort).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = memory_kb("VmRSS:");
    let t = Instant::now();
    let files = write_report(
        &results,
        &dir.path().join("report"),
        &ReportOptions::default(),
    )
    .unwrap();
    let reported = t.elapsed();
    println!(
        "results.json {:.0} MB: load {loaded:?}, write_report {reported:?} ({} files); \
         RSS before report {rss_before:?} kB, peak during report {:?} kB",
        size as f64 / 1e6,
        files.len(),
        memory_kb("VmHWM:")
    );
    assert!(reported.as_secs_f64() < 5.0, "report took {reported:?}");
}

/// A memory figure of this process from /proc (Linux), in kB.
fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
