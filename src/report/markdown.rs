//! `summary.md`: the tables a blog post can take as they are.

use super::format::{bytes, contrast_sentence, duration};
use super::input::ReportInput;
use super::table::{Align, Table};
use crate::bench::sample::{Mode, Phase, Variant};

/// The Markdown document: run context, image sizes, per-mode timings, fat/distroless sentences.
pub fn summary_markdown(input: &ReportInput) -> String {
    let r = input.results;
    let n_samples = r.samples.len();
    let mut out = format!("# {}: fat vs distroless\n\n", r.scenario.name);
    if !r.scenario.description.is_empty() {
        out += &format!("{}\n\n", r.scenario.description);
    }
    out += &format!(
        "{n_samples} samples ({} failed), Docker {} ({}), {} CPUs, run `{}` started {}.\n\n",
        input.summary.n_failed(),
        or_dash(&r.meta.docker_version),
        or_dash(&r.meta.storage_driver),
        r.meta.cpus,
        or_dash(&r.meta.run_id),
        or_dash(&r.meta.started_at),
    );
    out += &images_table(input);
    for mode in [Mode::Cold, Mode::Warm] {
        out += &timings_table(input, mode);
    }
    out += &contrasts_table(input);
    out += &surface_section(input);
    out
}

/// Side-by-side attack surface per pair, when the run inspected its images.
fn surface_section(input: &ReportInput) -> String {
    let r = input.results;
    if r.inspections.is_empty() {
        return String::new();
    }
    let report_of = |pair: &str, variant: Variant| {
        let image = input.image_facts(pair, variant).map(|f| f.image.as_str())?;
        r.inspections.iter().find(|i| i.image == image)
    };
    let mut out = String::from("## Size and attack surface\n\n");
    for pair in input.pairs() {
        if let (Some(fat), Some(dl)) = (
            report_of(pair, Variant::Fat),
            report_of(pair, Variant::Distroless),
        ) {
            out += &format!("### {pair}\n\n");
            out += &crate::inspect::render::pair_table(fat, dl);
            out += &format!("\n- {}\n- {}\n\n", fat.verdict(), dl.verdict());
        }
    }
    out
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

fn images_table(input: &ReportInput) -> String {
    let mut t = Table::new(&[
        ("Pair", Align::Left),
        ("Variant", Align::Left),
        ("Image", Align::Left),
        ("Size", Align::Right),
        ("Compressed", Align::Right),
        ("Layers", Align::Right),
        ("Pulled (mean)", Align::Right),
    ]);
    for pair in input.pairs() {
        for variant in Variant::ALL {
            let facts = input.image_facts(pair, variant);
            let cold = input.summary.series.iter().find(|s| {
                s.key.pair == pair && s.key.variant == variant && s.key.mode == Mode::Cold
            });
            let image = facts
                .map(|f| f.image.clone())
                .or_else(|| {
                    input
                        .summary
                        .series
                        .iter()
                        .find(|s| s.key.pair == pair && s.key.variant == variant)
                        .map(|s| s.image.clone())
                })
                .unwrap_or_default();
            t.push(vec![
                pair.to_string(),
                variant.to_string(),
                format!("`{image}`"),
                facts
                    .map(|f| bytes(f.size_bytes))
                    .unwrap_or_else(|| "-".into()),
                facts
                    .and_then(|f| f.compressed_bytes)
                    .map(bytes)
                    .unwrap_or_else(|| "-".into()),
                facts
                    .map(|f| f.layers.to_string())
                    .unwrap_or_else(|| "-".into()),
                cold.and_then(|s| s.pull_bytes)
                    .map(bytes)
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
    }
    format!("## Images\n\n{}\n", t.to_markdown())
}

fn timings_table(input: &ReportInput, mode: Mode) -> String {
    let mut t = Table::new(&[
        ("Pair", Align::Left),
        ("Variant", Align::Left),
        ("Samples", Align::Right),
        ("Ready p50", Align::Right),
        ("Ready p95", Align::Right),
        ("Total p50", Align::Right),
        ("Total p95", Align::Right),
    ]);
    for s in input.summary.series.iter().filter(|s| s.key.mode == mode) {
        let cell = |phase: Phase, p95: bool| {
            s.phase(phase)
                .map(|st| duration(if p95 { st.p95_us as f64 } else { st.p50_us }))
                .unwrap_or_else(|| "-".into())
        };
        let failed = if s.n_failed > 0 {
            format!(" ({} failed)", s.n_failed)
        } else {
            String::new()
        };
        t.push(vec![
            s.key.pair.clone(),
            s.key.variant.to_string(),
            format!("{}{failed}", s.n_ok),
            cell(Phase::TimeToReady, false),
            cell(Phase::TimeToReady, true),
            cell(Phase::Total, false),
            cell(Phase::Total, true),
        ]);
    }
    if t.is_empty() {
        return String::new();
    }
    let title = match mode {
        Mode::Cold => "Cold start: image pulled from the registry before each start",
        Mode::Warm => "Warm start: image already on the host",
    };
    format!(
        "## {title}\n\n{}\nReady: create request to readiness probe success. Total: pull plus ready.\n\n",
        t.to_markdown()
    )
}

fn contrasts_table(input: &ReportInput) -> String {
    let phases = [Phase::TimeToReady, Phase::Total, Phase::Pull];
    let mut t = Table::new(&[
        ("Pair", Align::Left),
        ("Mode", Align::Left),
        ("Time to ready", Align::Left),
        ("Total", Align::Left),
        ("Pull", Align::Left),
    ]);
    let mut keys: Vec<(&str, Mode)> = input
        .summary
        .pairs
        .iter()
        .map(|c| (c.pair.as_str(), c.mode))
        .collect();
    keys.dedup();
    for (pair, mode) in keys {
        let mut row = vec![pair.to_string(), mode.to_string()];
        row.extend(phases.iter().map(|&phase| {
            input
                .summary
                .contrast(pair, mode, phase)
                .map(|c| contrast_sentence(phase, c))
                .unwrap_or_else(|| "-".into())
        }));
        t.push(row);
    }
    if t.is_empty() {
        return String::new();
    }
    format!(
        "## Fat vs distroless\n\n{}\nFactors are ratios of medians (fat / distroless) with 95% bootstrap \
         intervals. A difference is called significant when a Mann-Whitney U test gives p < 0.05. \
         Failed samples are counted but not timed.\n",
        t.to_markdown()
    )
}
