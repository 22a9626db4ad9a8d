//! The finished run as plain data: what `results.json` holds and what reports are drawn from.

use crate::bench::sample::{Sample, Variant};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Everything a run measured, plus the context needed to trust and redraw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResults {
    /// Where and how the run happened.
    pub meta: RunMeta,
    /// The scenario as it was run (after command-line overrides).
    pub scenario: Scenario,
    /// Static facts about each image of the run (size, layers, compressed bytes).
    #[serde(default)]
    pub images: Vec<ImageFacts>,
    /// Every measured sample, warm-up excluded, in run order.
    pub samples: Vec<Sample>,
    /// Size and attack surface of each image, read from its filesystem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inspections: Vec<crate::inspect::ImageReport>,
    /// HDR histograms (V2, base64) per pair, variant, mode and phase, microseconds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histograms: Vec<crate::stats::EncodedHistogram>,
}

/// Context of a run: versions, machine, seed and times.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunMeta {
    /// Unique id of the run; also the value of the `imagebench.run` container label.
    pub run_id: String,
    /// imagebench's version.
    pub imagebench_version: String,
    /// Seed of the shuffled order.
    pub seed: u64,
    /// Docker server version.
    pub docker_version: String,
    /// Negotiated API version.
    pub api_version: String,
    /// Storage driver of the daemon.
    pub storage_driver: String,
    /// Kernel version reported by the daemon.
    pub kernel: String,
    /// CPUs the daemon sees.
    pub cpus: u32,
    /// Memory the daemon sees, bytes.
    pub memory_bytes: u64,
    /// Registry cold pulls came from, if any.
    pub registry: Option<String>,
    /// Emulated link, if any (`100mbit/20ms`).
    pub link: Option<String>,
    /// Wall-clock start, RFC 3339.
    pub started_at: String,
    /// Wall-clock end, RFC 3339; empty if the run did not finish.
    pub finished_at: String,
    /// True when the run was interrupted or stopped early.
    pub interrupted: bool,
}

/// Static facts about one image of the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// Pair name.
    pub pair: String,
    /// Fat or distroless.
    pub variant: Option<Variant>,
    /// Image reference as run.
    pub image: String,
    /// Image id (config digest).
    pub id: String,
    /// Uncompressed size on disk, bytes.
    pub size_bytes: u64,
    /// Number of layers.
    pub layers: u32,
    /// Compressed bytes from the registry manifest, when the image came from one.
    pub compressed_bytes: Option<u64>,
}

impl RunResults {
    /// Reads a `results.json` file.
    pub fn load(path: &Path) -> anyhow::Result<RunResults> {
        use anyhow::Context;
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read results file {}", path.display()))?;
        serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not an imagebench results.json (written by `imagebench run`)",
                path.display()
            )
        })
    }
}
