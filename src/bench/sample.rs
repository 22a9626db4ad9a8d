//! One measured sample: the plain data the runner produces and every exporter reads.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which side of a pair an image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// The conventional, full-distribution image.
    Fat,
    /// The minimal image.
    Distroless,
}

impl Variant {
    /// Both variants, fat first.
    pub const ALL: [Variant; 2] = [Variant::Fat, Variant::Distroless];

    /// Lower-case name, as used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Fat => "fat",
            Variant::Distroless => "distroless",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the image was absent (cold) or present (warm) before the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Image removed first: the sample pulls every layer.
    Cold,
    /// Image already present: only a fresh container.
    Warm,
}

impl Mode {
    /// Lower-case name, as used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cold => "cold",
            Mode::Warm => "warm",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a sample ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The readiness probe succeeded.
    Ok,
    /// The container exited before it was ready (or with the wrong code).
    Exited,
    /// The probe did not succeed within the pair's timeout.
    Timeout,
    /// Docker, the registry or the harness failed.
    Error,
}

impl Outcome {
    /// Lower-case name, as used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Exited => "exited",
            Outcome::Timeout => "timeout",
            Outcome::Error => "error",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The phases a sample times, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Pulling the image (cold samples only).
    Pull,
    /// The create-container request.
    Create,
    /// The start-container request.
    Start,
    /// From start returning to the probe's success.
    ReadyWait,
    /// From the create request to the probe's success.
    TimeToReady,
    /// Pull plus time-to-ready.
    Total,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 6] = [
        Phase::Pull,
        Phase::Create,
        Phase::Start,
        Phase::ReadyWait,
        Phase::TimeToReady,
        Phase::Total,
    ];

    /// snake_case name, as used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pull => "pull",
            Phase::Create => "create",
            Phase::Start => "start",
            Phase::ReadyWait => "ready_wait",
            Phase::TimeToReady => "time_to_ready",
            Phase::Total => "total",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One measured (pair, variant, mode) start. Flat so that it is one CSV row.
///
/// Durations are microseconds from a monotonic clock; `None` where the phase
/// did not happen (no pull in warm samples) or did not finish (a failed sample).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Position of the sample in the run, from 0, warm-up excluded.
    pub seq: u64,
    /// Measured round, from 0.
    pub round: u32,
    /// Pair name from the scenario.
    pub pair: String,
    /// Fat or distroless.
    pub variant: Variant,
    /// Cold or warm.
    pub mode: Mode,
    /// The image reference the container was created from.
    pub image: String,
    /// How the sample ended.
    pub outcome: Outcome,
    /// Pull duration (cold only).
    pub pull_us: Option<u64>,
    /// Create request duration.
    pub create_us: Option<u64>,
    /// Start request duration.
    pub start_us: Option<u64>,
    /// Start returned to probe success.
    pub ready_wait_us: Option<u64>,
    /// Create request to probe success.
    pub time_to_ready_us: Option<u64>,
    /// Pull plus time-to-ready.
    pub total_us: Option<u64>,
    /// Compressed bytes the daemon downloaded, from its progress events.
    pub pull_bytes: Option<u64>,
    /// Layers the daemon downloaded.
    pub pull_layers: Option<u32>,
    /// Layers the daemon already had (a cold pull should have none).
    pub pull_layers_cached: Option<u32>,
    /// First download event to last download-complete event.
    pub pull_download_us: Option<u64>,
    /// First extract event to last pull-complete event.
    pub pull_extract_us: Option<u64>,
    /// Bytes counted on the wire by the link emulator, when one sits in between.
    pub wire_bytes: Option<u64>,
    /// Exit code, when the container exited.
    pub exit_code: Option<i64>,
    /// Wall-clock time the sample started, RFC 3339.
    pub started_at: String,
    /// What went wrong, with the phase; empty when ok.
    pub message: String,
}

impl Sample {
    /// The duration of one phase, if it was recorded.
    pub fn phase_us(&self, phase: Phase) -> Option<u64> {
        match phase {
            Phase::Pull => self.pull_us,
            Phase::Create => self.create_us,
            Phase::Start => self.start_us,
            Phase::ReadyWait => self.ready_wait_us,
            Phase::TimeToReady => self.time_to_ready_us,
            Phase::Total => self.total_us,
        }
    }

    /// Whether the sample succeeded.
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }
}
