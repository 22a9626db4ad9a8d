//! Phase breakdown: stacked medians of pull, create, start and ready-wait, fat beside
//! distroless for each pair, one panel per mode.

use super::{
    bar_chart, bar_offset, category_labels, draw_legend, label_above, lighten, plot_error,
    render_png, time_unit, variant_colour, variant_legend, Area, Style, BAR_HALF_WIDTH,
};
use crate::bench::sample::{Mode, Phase, Variant};
use crate::report::{ReportInput, ReportOptions};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The stacked phases, bottom to top, with how much each is lightened.
const STACK: [(Phase, f64, &str); 4] = [
    (Phase::Pull, 0.0, "pull"),
    (Phase::Create, 0.3, "create"),
    (Phase::Start, 0.5, "start"),
    (Phase::ReadyWait, 0.7, "ready wait"),
];

/// The chart as PNG bytes.
pub fn render(input: &ReportInput, opts: &ReportOptions) -> anyhow::Result<Vec<u8>> {
    let modes = input.modes();
    render_png(
        opts,
        "Where the time goes: median of each phase",
        "Each bar stacks the phase medians, dark to light: pull, create, start, ready wait. \
         Cold: image pulled first (the pull dwarfs the rest); warm: image present, the rest at its own scale.",
        |area, style| {
            if modes.is_empty() {
                return super::no_data(area, style);
            }
            let panels = area.split_evenly((1, modes.len()));
            for (panel, mode) in panels.iter().zip(&modes) {
                draw_panel(panel, style, input, *mode, mode == &modes[0])?;
            }
            Ok(())
        },
    )
}

/// Median of each stacked phase of one bar, microseconds (0 where the phase has no value).
fn stack(input: &ReportInput, pair: &str, variant: Variant, mode: Mode) -> Vec<f64> {
    let series = input
        .summary
        .series
        .iter()
        .find(|s| s.key.pair == pair && s.key.variant == variant && s.key.mode == mode);
    STACK
        .iter()
        .map(|(phase, _, _)| {
            series
                .and_then(|s| s.phase(*phase))
                .map_or(0.0, |p| p.p50_us)
        })
        .collect()
}

fn draw_panel(
    panel: &Area,
    style: &Style,
    input: &ReportInput,
    mode: Mode,
    legend: bool,
) -> anyhow::Result<()> {
    let pairs = input.pairs();
    let bars: Vec<(usize, Variant, Vec<f64>)> = pairs
        .iter()
        .enumerate()
        .flat_map(|(i, pair)| Variant::ALL.map(|v| (i, v, stack(input, pair, v, mode))))
        .collect();
    let max_us = bars
        .iter()
        .map(|(_, _, s)| s.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let (div, unit) = time_unit(max_us);
    let top = (max_us / div * 1.15).max(1e-3);
    let caption = match mode {
        Mode::Cold => "Cold start (pull included)",
        Mode::Warm => "Warm start (image present)",
    };
    let mut chart = bar_chart(
        panel,
        style,
        caption,
        pairs.len(),
        (top, 8),
        &format!("median, {unit}"),
    )?;
    let label_height = style.px(22.0);
    for (i, variant, values) in &bars {
        let x = *i as f64 + bar_offset(*variant);
        let colour = variant_colour(*variant);
        let mut base = 0.0;
        for ((_, shade, name), value) in STACK.iter().zip(values) {
            let height = value / div;
            if height <= 0.0 {
                continue;
            }
            let fill = lighten(colour, *shade);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (x - BAR_HALF_WIDTH, base),
                        (x + BAR_HALF_WIDTH, base + height),
                    ],
                    fill.filled(),
                )))
                .map_err(plot_error)?;
            let (_, y0) = chart.backend_coord(&(x, base));
            let (_, y1) = chart.backend_coord(&(x, base + height));
            if (y0 - y1) >= label_height {
                let text_colour = if *shade < 0.4 { WHITE } else { BLACK };
                chart
                    .draw_series(std::iter::once(Text::new(
                        *name,
                        (x, base + height / 2.0),
                        style
                            .text(16.0)
                            .color(&text_colour)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(plot_error)?;
            }
            base += height;
        }
        if base > 0.0 {
            chart
                .draw_series(std::iter::once(label_above(
                    format!("{} {unit}", trim(base)),
                    (x, base + top * 0.01),
                    style,
                )))
                .map_err(plot_error)?;
        }
    }
    category_labels(panel, &chart, &pairs, style)?;
    if legend {
        variant_legend(&mut chart, style)?;
        draw_legend(&mut chart, style, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// A value with three significant digits, as a bar label.
pub fn trim(v: f64) -> String {
    if v.fract() == 0.0 || v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 0.01 || v <= 0.0 {
        format!("{v:.2}")
    } else {
        // Tiny values keep their first digit: 0.005, not 0.00.
        format!("{v:.*}", (-v.log10()).ceil() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn bar_labels_keep_three_digits_and_tiny_values_their_first() {
        assert_eq!(trim(823.8), "824");
        assert_eq!(trim(38.46), "38.5");
        assert_eq!(trim(1.742), "1.74");
        assert_eq!(trim(3.0), "3");
        assert_eq!(trim(0.005), "0.005");
        assert_eq!(trim(0.0012), "0.001");
    }
}
