//! The project's view of a container engine: the [`Engine`] trait and its plain types.
//!
//! Only [`docker`] talks to the Docker daemon (through bollard); the runner sees this trait.

pub mod docker;
pub mod docker_export;
pub mod probe;
pub mod pull_progress;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use std::collections::HashMap;
use std::future::Future;

pub use pull_progress::PullReport;

/// The label every container of a run carries, with the run id as value.
pub const RUN_LABEL: &str = "imagebench.run";
/// The label with the process id of the imagebench that created the container.
pub const PID_LABEL: &str = "imagebench.pid";

/// The labels of a container created by this process for `run_id`.
pub fn run_labels(run_id: &str) -> HashMap<String, String> {
    HashMap::from([
        (RUN_LABEL.to_string(), run_id.to_string()),
        (PID_LABEL.to_string(), std::process::id().to_string()),
    ])
}

/// A container found by its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledContainer {
    /// Container id.
    pub id: String,
    /// All its labels.
    pub labels: HashMap<String, String>,
}

/// What went wrong talking to the engine.
#[derive(Debug, Clone)]
pub struct EngineError {
    /// The operation (`pull`, `create container`, ...).
    pub op: &'static str,
    /// The image or container it was about.
    pub target: String,
    /// What the daemon or the connection said.
    pub message: String,
    /// Broad kind, for callers that react differently.
    pub kind: ErrorKind,
}

/// Broad classes of engine failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The image or container does not exist.
    NotFound,
    /// The daemon could not be reached or the connection dropped.
    Connection,
    /// Anything else the daemon refused.
    Other,
}

/// Marks messages of errors that lost the daemon, so samples and logs show it.
pub const CONNECTION_MARK: &str = "(connection to the Docker daemon lost)";

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.op, self.target, self.message)?;
        if self.kind == ErrorKind::Connection {
            write!(f, " {CONNECTION_MARK}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EngineError {}

impl EngineError {
    /// Builds an error of kind `Other`.
    pub fn other(op: &'static str, target: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError {
            op,
            target: target.into(),
            message: message.into(),
            kind: ErrorKind::Other,
        }
    }
}

/// Facts about the daemon, for the run's metadata.
#[derive(Debug, Clone, Default)]
pub struct DaemonInfo {
    /// Server version.
    pub version: String,
    /// Negotiated API version.
    pub api_version: String,
    /// Storage driver.
    pub storage_driver: String,
    /// Kernel version.
    pub kernel: String,
    /// CPUs.
    pub cpus: u32,
    /// Memory, bytes.
    pub memory_bytes: u64,
}

/// A local image: its id, tags and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalImage {
    /// Image id (`sha256:...`).
    pub id: String,
    /// Every `repo:tag` that points at it.
    pub tags: Vec<String>,
    /// Uncompressed size, bytes.
    pub size_bytes: u64,
    /// Number of layers.
    pub layers: u32,
}

/// A local image and the image it was built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildImage {
    /// Its id.
    pub id: String,
    /// The id of the image it was built on.
    pub parent_id: String,
    /// Its first tag, or its id when it has none.
    pub name: String,
}

/// How to create one benchmarked container.
#[derive(Debug, Clone, Default)]
pub struct ContainerSpec {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Entrypoint override.
    pub entrypoint: Option<Vec<String>>,
    /// Command override.
    pub cmd: Option<Vec<String>>,
    /// Environment, `KEY=value`.
    pub env: Vec<String>,
    /// User override.
    pub user: Option<String>,
    /// Docker network mode (`host`, `bridge`, `none`).
    pub network: String,
    /// Labels, including [`RUN_LABEL`].
    pub labels: HashMap<String, String>,
    /// Memory limit, bytes.
    pub memory_bytes: Option<u64>,
    /// CPU limit, in billionths of a CPU.
    pub nano_cpus: Option<u64>,
    /// Most processes.
    pub pids_limit: Option<u32>,
    /// Privileged mode.
    pub privileged: bool,
    /// Bind mounts, Docker's `host:container[:ro]` form.
    pub binds: Vec<String>,
    /// Extra capabilities.
    pub cap_add: Vec<String>,
}

/// Output of a container: raw chunks of stdout and stderr, in order.
pub type OutputStream = BoxStream<'static, Result<Bytes, EngineError>>;

/// Result type of engine calls.
pub type EngineResult<T> = Result<T, EngineError>;

/// The operations the runner needs from a container engine.
pub trait Engine: Clone + Send + Sync + 'static {
    /// Daemon facts for the run metadata.
    fn info(&self) -> impl Future<Output = EngineResult<DaemonInfo>> + Send;
    /// Pulls an image to completion, reading the progress stream.
    fn pull(&self, image: &str) -> impl Future<Output = EngineResult<PullReport>> + Send;
    /// The local image a reference or id names, if present.
    fn local_image(
        &self,
        image: &str,
    ) -> impl Future<Output = EngineResult<Option<LocalImage>>> + Send;
    /// Every local image built on another one (`docker build`, `docker commit`): Docker
    /// cannot remove an image while such children exist.
    fn child_images(&self) -> impl Future<Output = EngineResult<Vec<ChildImage>>> + Send;
    /// Removes an image by id or reference; with an id, every tag goes with it.
    fn remove_image(&self, image: &str) -> impl Future<Output = EngineResult<()>> + Send;
    /// Tags `source` as `target` (`repo:tag`).
    fn tag_image(
        &self,
        source: &str,
        target: &str,
    ) -> impl Future<Output = EngineResult<()>> + Send;
    /// Pushes an image to its registry.
    fn push_image(&self, image: &str) -> impl Future<Output = EngineResult<()>> + Send;
    /// Creates a container; returns its id.
    fn create_container(
        &self,
        spec: &ContainerSpec,
    ) -> impl Future<Output = EngineResult<String>> + Send;
    /// Attaches to stdout and stderr; call before starting so no early line is missed.
    fn attach_output(&self, id: &str) -> impl Future<Output = EngineResult<OutputStream>> + Send;
    /// Starts a created container.
    fn start_container(&self, id: &str) -> impl Future<Output = EngineResult<()>> + Send;
    /// Waits until the container is not running; returns its exit code.
    fn wait_exit(&self, id: &str) -> impl Future<Output = EngineResult<i64>> + Send;
    /// The last `lines` lines of the container's output.
    fn logs_tail(&self, id: &str, lines: u32) -> impl Future<Output = EngineResult<String>> + Send;
    /// Stops (at once) and removes a container and its anonymous volumes.
    fn remove_container(&self, id: &str) -> impl Future<Output = EngineResult<()>> + Send;
    /// Every container, running or not, with label `key` (and `value`, if given).
    fn containers_labelled(
        &self,
        key: &str,
        value: Option<&str>,
    ) -> impl Future<Output = EngineResult<Vec<LabelledContainer>>> + Send;
}
