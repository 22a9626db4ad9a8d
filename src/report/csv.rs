//! `summary.csv`: one tidy row per image, mode and phase.

use super::format::ms;
use super::input::ReportInput;
use anyhow::Context;

/// The CSV bytes: statistics in milliseconds, plus the pair's fat/distroless contrast.
pub fn summary_csv(input: &ReportInput) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "pair",
        "variant",
        "mode",
        "image",
        "phase",
        "n",
        "n_failed",
        "min_ms",
        "p50_ms",
        "p90_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
        "mean_ms",
        "stddev_ms",
        "mad_ms",
        "outliers",
        "ratio_fat_over_distroless",
        "ratio_ci_low",
        "ratio_ci_high",
        "p_value",
    ])?;
    for s in &input.summary.series {
        if s.phases.is_empty() {
            // Every sample failed: keep the series visible with its failure count.
            let mut row = vec![
                s.key.pair.clone(),
                s.key.variant.to_string(),
                s.key.mode.to_string(),
                s.image.clone(),
                String::new(),
                "0".to_string(),
                s.n_failed.to_string(),
            ];
            row.resize(21, String::new());
            w.write_record(&row)?;
        }
        for st in &s.phases {
            let contrast = input.summary.contrast(&s.key.pair, s.key.mode, st.phase);
            let opt = |v: Option<f64>, digits: usize| {
                v.map(|v| format!("{v:.digits$}")).unwrap_or_default()
            };
            w.write_record([
                s.key.pair.clone(),
                s.key.variant.to_string(),
                s.key.mode.to_string(),
                s.image.clone(),
                st.phase.to_string(),
                st.n.to_string(),
                s.n_failed.to_string(),
                ms(st.min_us as f64),
                ms(st.p50_us),
                ms(st.p90_us as f64),
                ms(st.p95_us as f64),
                ms(st.p99_us as f64),
                ms(st.max_us as f64),
                ms(st.mean_us),
                ms(st.stddev_us),
                ms(st.mad_us),
                st.outliers.to_string(),
                opt(contrast.map(|c| c.ratio), 4),
                opt(contrast.and_then(|c| c.ci).map(|i| i.low), 4),
                opt(contrast.and_then(|c| c.ci).map(|i| i.high), 4),
                opt(contrast.map(|c| c.test.p_value), 6),
            ])?;
        }
    }
    w.into_inner().context("cannot finish summary.csv")
}
