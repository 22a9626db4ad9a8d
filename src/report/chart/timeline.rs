//! Sample timeline: every sample's time to ready in run order, to show drift and outliers.

use super::{draw_legend, no_data, plot_error, render_png, time_unit, variant_colour, Area, Style};
use crate::bench::sample::{Mode, Phase, Sample, Variant};
use crate::report::{ReportInput, ReportOptions};
use plotters::prelude::*;

/// Above this many samples in a panel, points are drawn as single pixels.
const DOT_LIMIT: usize = 20_000;

/// The chart as PNG bytes: one panel per mode, stacked.
pub fn render(input: &ReportInput, opts: &ReportOptions) -> anyhow::Result<Vec<u8>> {
    let modes: Vec<Mode> = [Mode::Cold, Mode::Warm]
        .into_iter()
        .filter(|m| input.results.samples.iter().any(|s| s.mode == *m))
        .collect();
    render_png(
        opts,
        "Every sample in run order",
        "Time to ready of each start; ringed points are outliers (more than 3.5 scaled MADs from their median), \
         crosses at the top are failed samples.",
        |area, style| {
            if modes.is_empty() {
                return no_data(area, style);
            }
            let panels = area.split_evenly((modes.len(), 1));
            for (i, (panel, mode)) in panels.iter().zip(&modes).enumerate() {
                draw_panel(panel, style, input, *mode, i == 0)?;
            }
            Ok(())
        },
    )
}

fn draw_panel(
    panel: &Area,
    style: &Style,
    input: &ReportInput,
    mode: Mode,
    legend: bool,
) -> anyhow::Result<()> {
    let samples = || input.results.samples.iter().filter(move |s| s.mode == mode);
    let count = samples().count();
    let last_seq = samples().map(|s| s.seq).max().unwrap_or(0);
    let first_seq = samples().map(|s| s.seq).min().unwrap_or(0);
    let max_us = samples()
        .filter_map(|s| s.time_to_ready_us)
        .max()
        .unwrap_or(0) as f64;
    let (div, unit) = time_unit(max_us);
    let top = (max_us / div * 1.12).max(1e-3);
    let mut chart = ChartBuilder::on(panel)
        .caption(
            match mode {
                Mode::Cold => "Cold starts",
                Mode::Warm => "Warm starts",
            },
            style.bold(22.0),
        )
        .margin(style.px(10.0))
        .x_label_area_size(style.px(48.0))
        .y_label_area_size(style.px(84.0))
        .build_cartesian_2d(first_seq as f64 - 0.5..last_seq as f64 + 0.5, 0.0..top)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_labels(10)
        .y_labels(6)
        .y_label_formatter(&super::tick)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc("sample number (run order)")
        .y_desc(format!("time to ready, {unit}"))
        .axis_desc_style(style.text(18.0))
        .label_style(style.text(16.0))
        .light_line_style(RGBColor(242, 242, 242))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(plot_error)?;
    let radius = if count > DOT_LIMIT { 0 } else { style.px(4.0) };
    let outlier = |s: &Sample| {
        input.summary.series.iter().any(|ss| {
            ss.key.matches(s)
                && ss
                    .phase(Phase::TimeToReady)
                    .zip(s.time_to_ready_us)
                    .is_some_and(|(st, v)| st.is_outlier(v))
        })
    };
    for variant in Variant::ALL {
        let colour = variant_colour(variant);
        let points = samples()
            .filter(|s| s.variant == variant && s.is_ok())
            .filter_map(|s| s.time_to_ready_us.map(|v| (s.seq as f64, v as f64 / div)));
        let legend_radius = style.px(5.0);
        if radius == 0 {
            chart
                .draw_series(points.map(|p| Pixel::new(p, colour)))
                .map_err(plot_error)?
        } else {
            chart
                .draw_series(points.map(|p| Circle::new(p, radius, colour.filled())))
                .map_err(plot_error)?
        }
        .label(variant.as_str())
        .legend(move |(x, y)| Circle::new((x + legend_radius, y), legend_radius, colour.filled()));
    }
    if radius > 0 {
        let ring = style.line(BLACK, 1.5);
        chart
            .draw_series(
                samples()
                    .filter(|s| s.is_ok() && outlier(s))
                    .filter_map(|s| s.time_to_ready_us.map(|v| (s.seq as f64, v as f64 / div)))
                    .map(|p| Circle::new(p, radius + style.px(3.0), ring)),
            )
            .map_err(plot_error)?;
    }
    let cross = style.line(BLACK, 2.0);
    let size = style.px(6.0);
    chart
        .draw_series(
            samples()
                .filter(|s| !s.is_ok())
                .map(|s| Cross::new((s.seq as f64, top * 0.96), size, cross)),
        )
        .map_err(plot_error)?
        .label("failed")
        .legend(move |(x, y)| Cross::new((x + size, y), size, cross));
    if legend {
        draw_legend(&mut chart, style, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}
