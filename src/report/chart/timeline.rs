//! Sample timeline: every sample's time to ready in run order, to show drift and outliers.

use super::{
    draw_legend, no_data, plot_error, render_png, time_unit, variant_colour, Area, Chart, Style,
};
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
        "Time to ready of each start, colour by variant, shape by pair; ringed points are outliers \
         (more than 3.5 scaled MADs from their pair's median), crosses at the top are failed samples.",
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
    let pairs = input.pairs();
    let shape_of = |s: &Sample| pairs.iter().position(|p| *p == s.pair).unwrap_or(0);
    let legend_radius = style.px(5.0);
    for variant in Variant::ALL {
        let colour = variant_colour(variant);
        let points = samples()
            .filter(|s| s.variant == variant && s.is_ok())
            .filter_map(|s| {
                let v = s.time_to_ready_us?;
                Some(((s.seq as f64, v as f64 / div), shape_of(s) % MARKERS))
            });
        if radius == 0 {
            chart
                .draw_series(points.map(|(p, _)| Pixel::new(p, colour)))
                .map_err(plot_error)?;
        } else {
            let points: Vec<_> = points.collect();
            for shape in 0..MARKERS {
                let mine = points.iter().filter(|(_, s)| *s == shape).map(|(p, _)| *p);
                draw_markers(&mut chart, shape, mine, radius, colour.filled())?;
            }
        }
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(plot_error)?
            .label(variant.as_str())
            .legend(move |(x, y)| {
                Circle::new((x + legend_radius, y), legend_radius, colour.filled())
            });
    }
    if radius > 0 && pairs.len() > 1 {
        let grey = RGBColor(110, 110, 110).filled();
        for (shape, pair) in pairs.iter().enumerate() {
            let entry = chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(plot_error)?
                .label(*pair);
            // One closure per shape: legend entries take concrete element types.
            let r = legend_radius;
            match shape % MARKERS {
                0 => entry.legend(move |(x, y)| Circle::new((x + r, y), r, grey)),
                1 => entry.legend(move |(x, y)| {
                    EmptyElement::at((x + r, y)) + TriangleMarker::new((0, 0), r + 1, grey)
                }),
                2 => entry.legend(move |(x, y)| {
                    EmptyElement::at((x + r, y)) + Rectangle::new([(-r, -r), (r, r)], grey)
                }),
                _ => entry.legend(move |(x, y)| EmptyElement::at((x + r, y)) + diamond(r, grey)),
            };
        }
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

/// How many marker shapes there are before they repeat.
const MARKERS: usize = 4;

/// Draws `points` with the `shape`-th marker: circle, triangle, square, diamond.
fn draw_markers(
    chart: &mut Chart,
    shape: usize,
    points: impl Iterator<Item = (f64, f64)>,
    r: i32,
    fill: ShapeStyle,
) -> anyhow::Result<()> {
    match shape % MARKERS {
        0 => chart.draw_series(points.map(|p| Circle::new(p, r, fill))),
        1 => chart.draw_series(
            points.map(|p| EmptyElement::at(p) + TriangleMarker::new((0, 0), r + 1, fill)),
        ),
        2 => chart.draw_series(
            points.map(|p| EmptyElement::at(p) + Rectangle::new([(-r, -r), (r, r)], fill)),
        ),
        _ => chart.draw_series(points.map(|p| EmptyElement::at(p) + diamond(r, fill))),
    }
    .map_err(plot_error)?;
    Ok(())
}

/// A diamond of half-diagonal `r + 1` pixels around the origin.
fn diamond(r: i32, fill: ShapeStyle) -> Polygon<(i32, i32)> {
    let d = r + 1;
    Polygon::new(vec![(0, -d), (d, 0), (0, d), (-d, 0)], fill)
}
