//! Size and pull cost: uncompressed size, compressed bytes pulled, layers, and the files and
//! packages of inspected images.

use super::phases::trim;
use super::{
    bar_chart, bar_offset, category_labels, draw_legend, label_above, no_data, plot_error,
    render_png, variant_colour, variant_legend, Area, Style, BAR_HALF_WIDTH,
};
use crate::bench::sample::{Mode, Variant};
use crate::report::{ReportInput, ReportOptions};
use plotters::prelude::*;

/// One panel: a title, an axis unit, and a value per (pair, variant) if known.
struct Panel {
    title: &'static str,
    axis: &'static str,
    values: Vec<(usize, Variant, Option<f64>)>,
    /// Counted things (layers, packages): ticks only at whole numbers.
    counted: bool,
}

/// The chart as PNG bytes.
pub fn render(input: &ReportInput, opts: &ReportOptions) -> anyhow::Result<Vec<u8>> {
    let pairs = input.pairs();
    let values = |f: &dyn Fn(&str, Variant) -> Option<f64>| -> Vec<(usize, Variant, Option<f64>)> {
        pairs
            .iter()
            .enumerate()
            .flat_map(|(i, p)| Variant::ALL.map(|v| (i, v, f(p, v))))
            .collect()
    };
    let mb = |b: u64| b as f64 / 1e6;
    let pulled = |pair: &str, v: Variant| {
        let facts = input.image_facts(pair, v).and_then(|f| f.compressed_bytes);
        let sampled = input
            .summary
            .series
            .iter()
            .find(|s| s.key.pair == pair && s.key.variant == v && s.key.mode == Mode::Cold)
            .and_then(|s| s.pull_bytes);
        facts.or(sampled).map(mb)
    };
    let inspected = |pair: &str, v: Variant| {
        let image = input.image_facts(pair, v)?.image.as_str();
        input.results.inspections.iter().find(|i| i.image == image)
    };
    let mut panels = vec![
        Panel {
            title: "Size on disk",
            axis: "uncompressed size, MB",
            values: values(&|p, v| input.image_facts(p, v).map(|f| mb(f.size_bytes))),
            counted: false,
        },
        Panel {
            title: "Pull cost",
            axis: "compressed bytes pulled, MB",
            values: values(&pulled),
            counted: false,
        },
        Panel {
            title: "Layers",
            axis: "layers",
            values: values(&|p, v| input.image_facts(p, v).map(|f| f64::from(f.layers))),
            counted: true,
        },
    ];
    if !input.results.inspections.is_empty() {
        panels.push(Panel {
            title: "Files",
            axis: "files in the image, thousands",
            values: values(&|p, v| inspected(p, v).map(|i| i.totals.files as f64 / 1000.0)),
            counted: false,
        });
        panels.push(Panel {
            title: "Installed packages",
            axis: "packages",
            values: values(&|p, v| inspected(p, v).map(|i| i.surface.packages.unwrap_or(0) as f64)),
            counted: true,
        });
    }
    render_png(
        opts,
        "Image size, pull cost and surface",
        "Uncompressed size on disk, compressed bytes a cold start downloads, layers, and (when inspected) files and installed packages of each image.",
        |area, style| {
            if pairs.is_empty() {
                return no_data(area, style);
            }
            let areas = area.split_evenly((1, panels.len()));
            for (i, (a, panel)) in areas.iter().zip(&panels).enumerate() {
                draw_panel(a, style, &pairs, panel, i == 0)?;
            }
            Ok(())
        },
    )
}

fn draw_panel(
    area: &Area,
    style: &Style,
    pairs: &[&str],
    panel: &Panel,
    legend: bool,
) -> anyhow::Result<()> {
    let max = panel
        .values
        .iter()
        .filter_map(|(_, _, v)| *v)
        .fold(0.0, f64::max);
    let top = if max > 0.0 { max * 1.15 } else { 1.0 };
    // Whole-number ticks for counts: at most one tick per unit.
    let ticks = if panel.counted {
        (top.floor() as usize + 1).min(8)
    } else {
        8
    };
    let mut chart = bar_chart(
        area,
        style,
        panel.title,
        pairs.len(),
        (top, ticks),
        panel.axis,
    )?;
    for (i, variant, value) in &panel.values {
        let x = *i as f64 + bar_offset(*variant);
        let Some(v) = value else {
            chart
                .draw_series(std::iter::once(label_above(
                    "n/a".to_string(),
                    (x, 0.0),
                    style,
                )))
                .map_err(plot_error)?;
            continue;
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - BAR_HALF_WIDTH, 0.0), (x + BAR_HALF_WIDTH, *v)],
                variant_colour(*variant).filled(),
            )))
            .map_err(plot_error)?;
        chart
            .draw_series(std::iter::once(label_above(
                trim(*v),
                (x, v + top * 0.01),
                style,
            )))
            .map_err(plot_error)?;
    }
    category_labels(area, &chart, pairs, style)?;
    if legend {
        variant_legend(&mut chart, style)?;
        draw_legend(&mut chart, style, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}
