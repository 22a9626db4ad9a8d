//! PNG charts drawn with plotters into an in-memory bitmap and encoded with `png`.
//!
//! The font (DejaVu Sans) is embedded in the binary and registered with plotters' `ab_glyph`
//! backend, so no system font library is needed. Fat and distroless keep one colour each.

pub mod percentiles;
pub mod phases;
pub mod sizes;
pub mod timeline;

use super::ReportOptions;
use crate::bench::sample::Variant;
use anyhow::{anyhow, Context};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// Width and height of a chart at scale 1.
pub const BASE_SIZE: (u32, u32) = (1600, 900);

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
/// The family name the embedded font is registered under.
const FAMILY: &str = "sans-serif";

/// The colour of a variant, in every chart (Okabe-Ito vermillion and blue, colour-blind safe).
pub fn variant_colour(variant: Variant) -> RGBColor {
    match variant {
        Variant::Fat => RGBColor(213, 94, 0),
        Variant::Distroless => RGBColor(0, 114, 178),
    }
}

/// A colour blended towards white (`amount` 0 = unchanged, 1 = white).
pub fn lighten(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// Where a variant's bar sits relative to its pair's category centre.
pub fn bar_offset(variant: Variant) -> f64 {
    match variant {
        Variant::Fat => -0.2,
        Variant::Distroless => 0.2,
    }
}

/// Half the width of a bar, in category units.
pub const BAR_HALF_WIDTH: f64 = 0.18;

/// Sizes and fonts of one chart, scaled.
pub struct Style {
    scale: f64,
}

impl Style {
    /// A length in pixels at this scale.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    /// Regular text of a size given at scale 1.
    pub fn text(&self, size: f64) -> TextStyle<'static> {
        (FAMILY, size * self.scale)
            .into_font()
            .color(&RGBColor(40, 40, 40))
    }

    /// Bold text of a size given at scale 1.
    pub fn bold(&self, size: f64) -> TextStyle<'static> {
        (FAMILY, size * self.scale, FontStyle::Bold)
            .into_font()
            .color(&BLACK)
    }

    /// A line style of a width given at scale 1.
    pub fn line(&self, colour: RGBColor, width: f64) -> ShapeStyle {
        colour.stroke_width(self.px(width).max(1) as u32)
    }
}

/// The area a chart draws into (the whole bitmap minus the title).
pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

fn register_fonts() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR)
                .map_err(|_| "the embedded regular font is invalid".to_string())?;
            plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD)
                .map_err(|_| "the embedded bold font is invalid".to_string())
        })
        .clone()
}

/// Pixel size of a chart at a scale (non-finite or non-positive scales count as 1).
pub fn chart_size(opts: &ReportOptions) -> (u32, u32, f64) {
    let scale = if opts.scale.is_finite() && opts.scale > 0.0 {
        f64::from(opts.scale).clamp(0.25, 8.0)
    } else {
        1.0
    };
    let w = (f64::from(BASE_SIZE.0) * scale).round() as u32;
    let h = (f64::from(BASE_SIZE.1) * scale).round() as u32;
    (w, h, scale)
}

/// Draws a titled chart with a subtitle and returns it as PNG bytes.
pub fn render_png(
    opts: &ReportOptions,
    title: &str,
    subtitle: &str,
    draw: impl FnOnce(&Area, &Style) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<u8>> {
    register_fonts().map_err(|e| anyhow!(e))?;
    let (w, h, scale) = chart_size(opts);
    let style = Style { scale };
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let (head, body) = root.split_vertically(style.px(92.0));
        head.draw(&Text::new(
            title,
            (style.px(32.0), style.px(18.0)),
            style.bold(32.0),
        ))
        .map_err(plot_error)?;
        head.draw(&Text::new(
            subtitle,
            (style.px(32.0), style.px(60.0)),
            style.text(19.0),
        ))
        .map_err(plot_error)?;
        let body = body.margin(
            style.px(4.0),
            style.px(16.0),
            style.px(16.0),
            style.px(24.0),
        );
        draw(&body, &style)?;
        root.present().map_err(plot_error)?;
    }
    encode_png(&pixels, w, h)
}

/// Any plotters error as an anyhow error.
pub fn plot_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing a chart failed: {e:?}")
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .context("cannot encode chart as PNG")?;
    writer
        .write_image_data(rgb)
        .context("cannot encode chart as PNG")?;
    writer.finish().context("cannot encode chart as PNG")?;
    Ok(out)
}

/// Writes category names under the x axis of a chart whose x values are category indices.
pub fn category_labels<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<DB, Cartesian2d<RangedCoordf64, Y>>,
    names: &[&str],
    style: &Style,
) -> anyhow::Result<()> {
    let (base_x, base_y) = area.get_base_pixel();
    for (i, name) in names.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64, 0.0));
        area.draw(&Text::new(
            name.to_string(),
            (x - base_x, y - base_y + style.px(10.0)),
            style.bold(20.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(plot_error)?;
    }
    Ok(())
}

/// Text centred above a point of a chart (a value on top of a bar).
pub fn label_above(
    text: String,
    at: (f64, f64),
    style: &Style,
) -> Text<'static, (f64, f64), String> {
    Text::new(
        text,
        at,
        style.text(16.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
    )
}

/// Adds legend entries "fat" and "distroless" as filled squares.
pub fn variant_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    style: &Style,
) -> anyhow::Result<()> {
    for variant in Variant::ALL {
        let colour = variant_colour(variant);
        let s = style.px(8.0);
        chart
            .draw_series(std::iter::empty::<Circle<CT::From, i32>>())
            .map_err(plot_error)?
            .label(variant.as_str())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - s), (x + 2 * s, y + s)], colour.filled())
            });
    }
    Ok(())
}

/// Draws the legend of a chart in its upper right corner.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    style: &Style,
    position: SeriesLabelPosition,
) -> anyhow::Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(style.px(12.0))
        .legend_area_size(style.px(28.0))
        .label_font(style.text(18.0))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(190, 190, 190))
        .draw()
        .map_err(plot_error)
}

/// A duration axis unit suited to a maximum in microseconds: (divisor, unit name).
pub fn time_unit(max_us: f64) -> (f64, &'static str) {
    if max_us >= 2_000_000.0 {
        (1_000_000.0, "s")
    } else {
        (1_000.0, "ms")
    }
}

/// A centred "no data" note, for runs without the samples a chart needs.
pub fn no_data(area: &Area, style: &Style) -> anyhow::Result<()> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        "no data in this run",
        (w as i32 / 2, h as i32 / 2),
        style.text(24.0).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(plot_error)
}

/// A chart of the x-y plane.
pub type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A bar chart panel: categories at x = 0, 1, ... (labelled by [`category_labels`]),
/// values from 0 to `top` with about `ticks` labels, horizontal grid lines only.
pub fn bar_chart<'a, 'b>(
    area: &'a Area<'b>,
    style: &Style,
    caption: &str,
    categories: usize,
    (top, ticks): (f64, usize),
    y_desc: &str,
) -> anyhow::Result<Chart<'a, 'b>> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, style.bold(24.0))
        .margin(style.px(12.0))
        .x_label_area_size(style.px(48.0))
        .y_label_area_size(style.px(84.0))
        .build_cartesian_2d(-0.5..(categories as f64 - 0.5), 0.0..top)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(ticks)
        .y_desc(y_desc)
        .y_label_formatter(&tick)
        .axis_desc_style(style.text(20.0))
        .label_style(style.text(17.0))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(plot_error)?;
    Ok(chart)
}

/// An axis tick: no decimals on whole numbers, otherwise as few as needed.
pub fn tick(v: &f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    }
}
