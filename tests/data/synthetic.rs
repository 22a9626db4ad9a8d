//! Deterministic synthetic runs: realistic timings for two pairs (Node.js and Python), fat and
//! distroless, cold and warm, with noise, rare outliers and one failed sample.
//!
//! Shared by the report tests (`#[path]` module) and the bench. `results-small.json` beside
//! this file is `synthetic_results(&Spec::default())` serialized as pretty JSON.

use imagebench::bench::sample::{Mode, Outcome, Sample, Variant};
use imagebench::results::{ImageFacts, RunMeta, RunResults};
use imagebench::scenario::{HostAccess, Scenario};
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Seed of the noise and of the shuffled order.
    pub seed: u64,
    /// Measured rounds (each round runs every image once per mode).
    pub runs: u32,
    /// Multiply every phase of one (pair, variant) by a factor.
    pub slowdown: Option<(&'static str, Variant, f64)>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            seed: 42,
            runs: 20,
            slowdown: None,
        }
    }
}

/// Typical medians of one image: milliseconds, bytes and layers.
struct Profile {
    pair: &'static str,
    variant: Variant,
    image: &'static str,
    pull_ms: f64,
    create_ms: f64,
    start_ms: f64,
    ready_wait_ms: f64,
    size_bytes: u64,
    compressed_bytes: u64,
    layers: u32,
}

const PROFILES: [Profile; 4] = [
    Profile {
        pair: "node",
        variant: Variant::Fat,
        image: "127.0.0.1:5000/imagebench/node:fat",
        pull_ms: 7400.0,
        create_ms: 46.0,
        start_ms: 112.0,
        ready_wait_ms: 385.0,
        size_bytes: 1_118_000_000,
        compressed_bytes: 391_000_000,
        layers: 9,
    },
    Profile {
        pair: "node",
        variant: Variant::Distroless,
        image: "127.0.0.1:5000/imagebench/node:distroless",
        pull_ms: 1650.0,
        create_ms: 39.0,
        start_ms: 96.0,
        ready_wait_ms: 292.0,
        size_bytes: 176_000_000,
        compressed_bytes: 61_000_000,
        layers: 14,
    },
    Profile {
        pair: "python",
        variant: Variant::Fat,
        image: "127.0.0.1:5000/imagebench/python:fat",
        pull_ms: 6900.0,
        create_ms: 44.0,
        start_ms: 108.0,
        ready_wait_ms: 520.0,
        size_bytes: 1_020_000_000,
        compressed_bytes: 372_000_000,
        layers: 9,
    },
    Profile {
        pair: "python",
        variant: Variant::Distroless,
        image: "127.0.0.1:5000/imagebench/python:distroless",
        pull_ms: 820.0,
        create_ms: 38.0,
        start_ms: 94.0,
        ready_wait_ms: 431.0,
        size_bytes: 54_800_000,
        compressed_bytes: 19_900_000,
        layers: 11,
    },
];

const SCENARIO: &str = r#"
name = "runtimes"
description = "Node.js and Python HTTP services: Debian-based images against distroless ones"
runs = 20
warmup = 1
seed = 42

[registry]
managed = true

[[pair]]
name = "node"
ready = { log = "listening" }
[pair.fat]
image = "imagebench/node:fat"
[pair.distroless]
image = "imagebench/node:distroless"

[[pair]]
name = "python"
ready = { log = "listening" }
[pair.fat]
image = "imagebench/python:fat"
[pair.distroless]
image = "imagebench/python:distroless"
"#;

/// Log-normal noise around a median: `median * exp(sigma * z)`.
fn noisy(rng: &mut fastrand::Rng, median_ms: f64, sigma: f64) -> u64 {
    let z = (-2.0 * (1.0 - rng.f64()).ln()).sqrt() * (std::f64::consts::TAU * rng.f64()).cos();
    (median_ms * 1000.0 * (sigma * z).exp()).round() as u64
}

/// One synthetic run.
pub fn synthetic_results(spec: &Spec) -> RunResults {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let scenario = Scenario::from_toml(SCENARIO, Path::new("synthetic.toml"), HostAccess::Refused)
        .expect("synthetic scenario is valid");
    let mut samples = Vec::with_capacity(spec.runs as usize * 8);
    let mut order: Vec<usize> = (0..PROFILES.len()).collect();
    for round in 0..spec.runs {
        for mode in [Mode::Cold, Mode::Warm] {
            rng.shuffle(&mut order);
            for &i in &order {
                let p = &PROFILES[i];
                let factor = match spec.slowdown {
                    Some((pair, variant, f)) if pair == p.pair && variant == p.variant => f,
                    _ => 1.0,
                };
                // One start in forty hits a slow disk or a busy CPU.
                let hiccup = if rng.u32(0..40) == 0 { 2.5 } else { 1.0 };
                let seq = samples.len() as u64;
                let pull_us =
                    (mode == Mode::Cold).then(|| noisy(&mut rng, p.pull_ms * factor, 0.06));
                let create_us = noisy(&mut rng, p.create_ms * factor, 0.12);
                let start_us = noisy(&mut rng, p.start_ms * factor, 0.10);
                let ready_wait_us = noisy(&mut rng, p.ready_wait_ms * factor * hiccup, 0.08);
                let failed = p.pair == "python"
                    && p.variant == Variant::Distroless
                    && mode == Mode::Warm
                    && round == 3;
                let time_to_ready_us = create_us + start_us + ready_wait_us;
                let mut s = Sample {
                    seq,
                    round,
                    pair: p.pair.to_string(),
                    variant: p.variant,
                    mode,
                    image: p.image.to_string(),
                    outcome: Outcome::Ok,
                    pull_us,
                    create_us: Some(create_us),
                    start_us: Some(start_us),
                    ready_wait_us: Some(ready_wait_us),
                    time_to_ready_us: Some(time_to_ready_us),
                    total_us: Some(pull_us.unwrap_or(0) + time_to_ready_us),
                    pull_bytes: pull_us.map(|_| p.compressed_bytes),
                    pull_layers: pull_us.map(|_| p.layers),
                    pull_layers_cached: pull_us.map(|_| 0),
                    pull_download_us: pull_us.map(|u| u * 7 / 10),
                    pull_extract_us: pull_us.map(|u| u * 3 / 10),
                    wire_bytes: None,
                    exit_code: None,
                    started_at: format!("2025-06-01T10:{:02}:{:02}Z", (seq / 60) % 60, seq % 60),
                    message: String::new(),
                };
                if failed {
                    s.outcome = Outcome::Timeout;
                    s.ready_wait_us = None;
                    s.time_to_ready_us = None;
                    s.total_us = None;
                    s.message = "ready_wait: no \"listening\" in the logs within 60s".to_string();
                }
                samples.push(s);
            }
        }
    }
    RunResults {
        meta: RunMeta {
            run_id: format!("synthetic-{}", spec.seed),
            imagebench_version: "0.1.0".to_string(),
            seed: spec.seed,
            docker_version: "24.0.7".to_string(),
            api_version: "1.41".to_string(),
            storage_driver: "overlay2".to_string(),
            kernel: "6.1.0".to_string(),
            cpus: 2,
            memory_bytes: 25_769_803_776,
            registry: Some("127.0.0.1:5000".to_string()),
            link: None,
            started_at: "2025-06-01T10:00:00Z".to_string(),
            finished_at: "2025-06-01T10:42:00Z".to_string(),
            interrupted: false,
        },
        scenario,
        images: PROFILES
            .iter()
            .map(|p| ImageFacts {
                pair: p.pair.to_string(),
                variant: Some(p.variant),
                image: p.image.to_string(),
                id: format!("sha256:{:064x}", p.size_bytes),
                size_bytes: p.size_bytes,
                layers: p.layers,
                compressed_bytes: Some(p.compressed_bytes),
            })
            .collect(),
        samples,
        inspections: Vec::new(),
        histograms: Vec::new(),
    }
}
