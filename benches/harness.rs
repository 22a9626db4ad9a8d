//! Reporter benches on a synthetic run of 1,000,000 samples: recording histograms, computing
//! statistics, writing the CSV, rendering each chart, and the whole report.

#[path = "../tests/data/synthetic.rs"]
mod synthetic;

use criterion::{criterion_group, criterion_main, Criterion};
use imagebench::report::chart::{percentiles, phases, sizes, timeline};
use imagebench::report::{csv::summary_csv, write_report, ChartFn, ReportInput, ReportOptions};
use imagebench::stats::{RunHistograms, RunSummary};
use std::time::Duration;

/// 125,000 rounds of 2 pairs x 2 variants x 2 modes.
const ROUNDS: u32 = 125_000;

fn reporter(c: &mut Criterion) {
    let results = synthetic::synthetic_results(&synthetic::Spec {
        runs: ROUNDS,
        ..Default::default()
    });
    assert_eq!(results.samples.len(), 1_000_000);
    let mut g = c.benchmark_group("1M samples");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("record histograms", |b| {
        b.iter(|| RunHistograms::record(&results.samples))
    });
    let histograms = RunHistograms::record(&results.samples);
    g.bench_function("statistics", |b| {
        b.iter(|| RunSummary::from_histograms(&histograms))
    });
    let input = ReportInput::new(&results);
    g.bench_function("summary.csv", |b| b.iter(|| summary_csv(&input).unwrap()));
    let charts: [(&str, ChartFn); 4] = [
        ("chart phases", phases::render),
        ("chart percentiles", percentiles::render),
        ("chart sizes", sizes::render),
        ("chart timeline", timeline::render),
    ];
    let opts = ReportOptions::default();
    for (name, render) in charts {
        g.bench_function(name, |b| b.iter(|| render(&input, &opts).unwrap()));
    }
    let dir = tempfile::tempdir().unwrap();
    g.bench_function("write_report", |b| {
        b.iter(|| write_report(&results, dir.path(), &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, reporter);
criterion_main!(benches);
