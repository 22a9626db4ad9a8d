//! Every chart renders to a PNG of the expected size that decodes, at scale 1 and 2.

#[path = "data/synthetic.rs"]
mod synthetic;

use imagebench::report::chart::{percentiles, phases, sizes, timeline};
use imagebench::report::{ChartFn, ReportInput, ReportOptions};

fn decode_size(png_bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    // Not a blank canvas: some pixels are neither white nor near-white.
    assert!(buf.chunks(3).filter(|p| p.iter().any(|c| *c < 200)).count() > 1000);
    (info.width, info.height)
}

const CHARTS: [(&str, ChartFn); 4] = [
    ("phases", phases::render),
    ("percentiles", percentiles::render),
    ("sizes", sizes::render),
    ("timeline", timeline::render),
];

#[test]
fn every_chart_renders_at_the_expected_size() {
    let results = synthetic::synthetic_results(&synthetic::Spec::default());
    let input = ReportInput::new(&results);
    let out = std::env::var_os("IMAGEBENCH_CHART_DIR");
    for scale in [1.0f32, 2.0] {
        for (name, render) in CHARTS {
            let png = render(&input, &ReportOptions { scale }).unwrap();
            let expected = ((1600.0 * scale) as u32, (900.0 * scale) as u32);
            assert_eq!(decode_size(&png), expected, "{name} at scale {scale}");
            if let Some(dir) = &out {
                std::fs::write(
                    std::path::Path::new(dir).join(format!("{name}@{scale}x.png")),
                    &png,
                )
                .unwrap();
            }
        }
    }
}

#[test]
fn charts_survive_odd_runs() {
    let mut results = synthetic::synthetic_results(&synthetic::Spec {
        runs: 1,
        ..Default::default()
    });
    results.images.clear();
    results.samples.truncate(3);
    let input = ReportInput::new(&results);
    for (name, render) in CHARTS {
        let png = render(&input, &ReportOptions { scale: f32::NAN }).unwrap();
        assert_eq!(decode_size(&png), (1600, 900), "{name}");
    }
}
