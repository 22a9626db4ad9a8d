//! Reading an image without running it: its configuration, its history, and its filesystem
//! as a tar stream exported from a created, never started, container.

use super::docker::{classify, local_image_of, DockerEngine};
use super::{run_labels, ContainerSpec, Engine, EngineResult, LocalImage, OutputStream};
use futures_util::{StreamExt, TryStreamExt};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

/// What the daemon knows about an image without opening its filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageConfig {
    /// Id, tags, uncompressed size and layer count.
    pub image: LocalImage,
    /// The configured `USER` (empty when unset).
    pub user: String,
    /// The history steps, newest first, as `docker history` lists them.
    pub history: Vec<HistoryStep>,
}

/// One step of an image's history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryStep {
    /// Bytes the step added (0 for metadata-only steps).
    pub size_bytes: u64,
    /// The command that made it (`/bin/sh -c apt-get install ...`).
    pub created_by: String,
}

/// Numbers the export containers of this process, so their names never collide.
static EXPORTS: AtomicU32 = AtomicU32::new(0);

impl DockerEngine {
    /// The configuration, size, layer count and history of a local image.
    pub async fn image_config(&self, image: &str) -> EngineResult<ImageConfig> {
        let inspected = self
            .docker
            .inspect_image(image)
            .await
            .map_err(|e| classify("inspect image", image, e))?;
        let history = self
            .docker
            .image_history(image)
            .await
            .map_err(|e| classify("read the history of", image, e))?;
        Ok(ImageConfig {
            image: local_image_of(&inspected),
            user: inspected.config.and_then(|c| c.user).unwrap_or_default(),
            history: history
                .into_iter()
                .map(|h| HistoryStep {
                    size_bytes: h.size.max(0) as u64,
                    created_by: h.created_by,
                })
                .collect(),
        })
    }

    /// Streams the filesystem of `image` as an uncompressed tar to `consume`, through a
    /// container that is created (labelled `imagebench.run=inspect-<pid>`), never started,
    /// and removed once `consume` returns, whatever it returned.
    pub async fn with_image_fs<T, F, Fut>(&self, image: &str, consume: F) -> EngineResult<T>
    where
        F: FnOnce(OutputStream) -> Fut,
        Fut: Future<Output = T>,
    {
        let run = format!("inspect-{}", std::process::id());
        let spec = ContainerSpec {
            name: format!(
                "imagebench-{run}-{}",
                EXPORTS.fetch_add(1, Ordering::Relaxed)
            ),
            image: image.to_string(),
            // Never run; an entrypoint only satisfies images that have no command.
            entrypoint: Some(vec!["/imagebench-never-started".into()]),
            network: "none".into(),
            labels: run_labels(&run),
            ..Default::default()
        };
        let id = self.create_container(&spec).await?;
        let target = image.to_string();
        let tar = self
            .docker
            .export_container(&id)
            .map_err(move |e| classify("export the filesystem of", &target, e))
            .boxed();
        let consumed = consume(tar).await;
        self.remove_container(&id).await?;
        Ok(consumed)
    }
}
