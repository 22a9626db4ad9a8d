//! Time-to-ready percentile curves, HdrHistogram style: the percentile on a log axis of
//! 1/(1-p), so the tail (99%, 99.9%) gets as much room as the body.

use super::{draw_legend, no_data, plot_error, render_png, time_unit, variant_colour, Area, Style};
use crate::bench::sample::{Mode, Phase, Variant};
use crate::report::hgrm::percentile_points;
use crate::report::{ReportInput, ReportOptions};
use crate::stats::SeriesKey;
use plotters::prelude::*;

/// The chart as PNG bytes: one panel per pair (columns) and mode (rows).
pub fn render(input: &ReportInput, opts: &ReportOptions) -> anyhow::Result<Vec<u8>> {
    let pairs = input.pairs();
    let modes = input.modes();
    render_png(
        opts,
        "Time to ready: percentile distribution",
        "Create request to readiness probe success, per percentile (log scale: each step right is ten times rarer).",
        |area, style| {
            if pairs.is_empty() || modes.is_empty() {
                return no_data(area, style);
            }
            let panels = area.split_evenly((modes.len(), pairs.len()));
            let cells = modes.iter().flat_map(|m| pairs.iter().map(move |p| (*p, *m)));
            for (i, (panel, (pair, mode))) in panels.iter().zip(cells).enumerate() {
                draw_panel(panel, style, input, pair, mode, i == 0)?;
            }
            Ok(())
        },
    )
}

/// (x = 1/(1-q), value in microseconds) for every percentile below 100%.
fn curve(input: &ReportInput, pair: &str, variant: Variant, mode: Mode) -> Vec<(f64, f64)> {
    let key = SeriesKey {
        pair: pair.to_string(),
        mode,
        variant,
    };
    input
        .histograms
        .get(&key)
        .map(|s| {
            percentile_points(s.phase(Phase::TimeToReady))
                .into_iter()
                .filter(|p| p.quantile < 1.0)
                .map(|p| (1.0 / (1.0 - p.quantile), p.value_us as f64))
                .collect()
        })
        .unwrap_or_default()
}

/// "90%", "99.9%"... for a power of ten of 1/(1-p); blank between them.
fn percentile_label(x: &f64) -> String {
    let exponent = x.log10();
    if (exponent - exponent.round()).abs() > 1e-6 {
        return String::new();
    }
    let nines = exponent.round() as i32;
    match nines {
        0 => "0%".to_string(),
        1 => "90%".to_string(),
        2 => "99%".to_string(),
        n => format!("99.{}%", "9".repeat((n - 2).max(0) as usize)),
    }
}

fn draw_panel(
    panel: &Area,
    style: &Style,
    input: &ReportInput,
    pair: &str,
    mode: Mode,
    legend: bool,
) -> anyhow::Result<()> {
    let curves: Vec<(Variant, Vec<(f64, f64)>)> = Variant::ALL
        .map(|v| (v, curve(input, pair, v, mode)))
        .into();
    let points = curves.iter().flat_map(|(_, c)| c);
    let max_x = points.clone().map(|p| p.0).fold(1.0, f64::max);
    let max_us = points.map(|p| p.1).fold(0.0, f64::max);
    let (div, unit) = time_unit(max_us);
    // Always show up to at least 99%, and to the next power of ten the data reaches.
    let right = 10f64.powf(max_x.log10().ceil().max(2.0));
    let top = (max_us / div * 1.1).max(1e-3);
    let mut chart = ChartBuilder::on(panel)
        .caption(format!("{pair}, {mode}"), style.bold(22.0))
        .margin(style.px(10.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(style.px(84.0))
        .build_cartesian_2d((1.0..right).log_scale(), 0.0..top)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_label_formatter(&percentile_label)
        .y_labels(6)
        .y_label_formatter(&super::tick)
        .x_desc("percentile")
        .y_desc(format!("time to ready, {unit}"))
        .axis_desc_style(style.text(18.0))
        .label_style(style.text(16.0))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(plot_error)?;
    for (variant, points) in curves {
        let colour = variant_colour(variant);
        let line = style.line(colour, 3.0);
        let scaled: Vec<(f64, f64)> = points.iter().map(|(x, y)| (*x, y / div)).collect();
        let radius = style.px(3.0);
        chart
            .draw_series(LineSeries::new(scaled.clone(), line))
            .map_err(plot_error)?
            .label(variant.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 2 * radius * 4, y)], line));
        chart
            .draw_series(
                scaled
                    .into_iter()
                    .map(|p| Circle::new(p, radius, colour.filled())),
            )
            .map_err(plot_error)?;
    }
    if legend {
        draw_legend(&mut chart, style, SeriesLabelPosition::UpperLeft)?;
    }
    Ok(())
}
