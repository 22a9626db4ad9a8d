//! The short table printed at the end of a run.

use super::format::{duration, p_value, ratio};
use super::input::ReportInput;
use super::table::{Align, Table};
use crate::bench::sample::Phase;
use crate::results::RunResults;

/// p50/p95 of every phase per image, then the fat/distroless ratio of medians of
/// time-to-ready and total for each pair and mode.
pub fn terminal_summary(results: &RunResults) -> String {
    let input = ReportInput::new(results);
    let mut columns = vec![
        ("pair", Align::Left),
        ("variant", Align::Left),
        ("mode", Align::Left),
        ("ok", Align::Right),
        ("failed", Align::Right),
    ];
    let headers: Vec<String> = Phase::ALL.iter().map(|p| format!("{p} p50/p95")).collect();
    columns.extend(headers.iter().map(|h| (h.as_str(), Align::Right)));
    let mut table = Table::new(&columns);
    for s in &input.summary.series {
        let mut row = vec![
            s.key.pair.clone(),
            s.key.variant.to_string(),
            s.key.mode.to_string(),
            s.n_ok.to_string(),
            s.n_failed.to_string(),
        ];
        row.extend(Phase::ALL.iter().map(|&p| match s.phase(p) {
            Some(st) => format!("{} / {}", duration(st.p50_us), duration(st.p95_us as f64)),
            None => "-".to_string(),
        }));
        table.push(row);
    }
    if table.is_empty() {
        return "no samples\n".to_string();
    }
    let mut out = table.to_text();
    let mut ratios = Table::new(&[
        ("pair", Align::Left),
        ("mode", Align::Left),
        ("phase", Align::Left),
        ("fat/distroless", Align::Right),
        ("95% CI", Align::Right),
        ("p", Align::Right),
        ("", Align::Left),
    ]);
    for c in input
        .summary
        .pairs
        .iter()
        .filter(|c| matches!(c.phase, Phase::TimeToReady | Phase::Total))
    {
        let k = &c.contrast;
        ratios.push(vec![
            c.pair.clone(),
            c.mode.to_string(),
            c.phase.to_string(),
            ratio(k.ratio),
            k.ci.map(|i| format!("{:.2}-{:.2}", i.low, i.high))
                .unwrap_or_else(|| "-".into()),
            p_value(k.test.p_value),
            if k.significant() {
                ""
            } else {
                "not significant"
            }
            .to_string(),
        ]);
    }
    if !ratios.is_empty() {
        out += "\n";
        out += &ratios.to_text();
    }
    out
}
