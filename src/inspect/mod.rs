//! Image inspection: size, contents and attack surface, read from the image's filesystem as
//! the Docker API streams it (never unpacked to disk, memory bounded by the directory count).

mod links;
mod packages;
pub mod render;
pub mod report;
mod scan;

pub use report::{AttackSurface, DirUsage, ImageReport, Layer, PathList, Tally};

use crate::engine::docker::DockerEngine;
use crate::engine::docker_export::{HistoryStep, ImageConfig};
use crate::engine::{EngineError, ErrorKind, OutputStream};
use futures_util::TryStreamExt;
use links::Tool;
use scan::FsScan;
use std::io::{self, BufReader};
use tokio_util::io::{StreamReader, SyncIoBridge};

/// Largest layers listed.
const LARGEST_LAYERS: usize = 5;

/// Buffer between the daemon's stream and the tar reader.
const READ_BUFFER: usize = 256 * 1024;

/// Why an image could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The daemon does not have the image.
    #[error(
        "image {image} is not on this Docker daemon: build or pull it first \
         (`docker images` lists the local ones)"
    )]
    NotFound {
        /// The image as given.
        image: String,
    },
    /// The daemon refused a request or could not be reached.
    #[error("cannot inspect image {image}: {source}")]
    Engine {
        /// The image as given.
        image: String,
        /// What the engine said.
        source: EngineError,
    },
    /// The filesystem stream broke off or was not a tar.
    #[error(
        "cannot read the filesystem of image {image}: {source}; \
         check that `docker export` works on it, then retry"
    )]
    Read {
        /// The image as given.
        image: String,
        /// What the read said.
        source: io::Error,
    },
}

/// Inspects a local image: its size and history from the daemon, its contents and attack
/// surface from one streamed pass over its filesystem.
pub async fn inspect_image(
    engine: &DockerEngine,
    image: &str,
) -> Result<ImageReport, InspectError> {
    let engine_error = |source: EngineError| match source.kind {
        ErrorKind::NotFound => InspectError::NotFound {
            image: image.to_string(),
        },
        _ => InspectError::Engine {
            image: image.to_string(),
            source,
        },
    };
    let config = engine.image_config(image).await.map_err(engine_error)?;
    let scan = engine
        .with_image_fs(image, scan_stream)
        .await
        .map_err(engine_error)?
        .map_err(|source| InspectError::Read {
            image: image.to_string(),
            source,
        })?;
    Ok(report(image, config, &scan))
}

/// Scans a tar stream on a blocking thread, reading it as it arrives.
async fn scan_stream(tar: OutputStream) -> io::Result<FsScan> {
    let reader = SyncIoBridge::new(StreamReader::new(tar.map_err(io::Error::other)));
    tokio::task::spawn_blocking(move || {
        scan::scan_tar(BufReader::with_capacity(READ_BUFFER, reader))
    })
    .await
    .map_err(io::Error::other)?
}

/// Puts the daemon's facts and the scan together.
fn report(image: &str, config: ImageConfig, scan: &FsScan) -> ImageReport {
    ImageReport {
        image: image.to_string(),
        id: config.image.id,
        size_bytes: config.image.size_bytes,
        layers: config.image.layers,
        largest_layers: largest_layers(config.history),
        totals: scan.totals(),
        top_level: scan.top_level(),
        largest_dirs: scan.largest_dirs(),
        surface: AttackSurface {
            shells: scan.tools(Tool::Shell),
            package_managers: scan.tools(Tool::PackageManager),
            setuid: scan.setuid.clone(),
            setgid: scan.setgid.clone(),
            world_writable_dirs: scan.world_writable_dirs.clone(),
            runs_as_root: runs_as_root(&config.user, scan.passwd.as_deref()),
            user: config.user,
            packages: scan.packages.installed(),
            package_databases: scan.packages.databases(),
        },
    }
}

/// The history steps that added bytes, largest first.
fn largest_layers(history: Vec<HistoryStep>) -> Vec<Layer> {
    let mut layers: Vec<Layer> = history
        .into_iter()
        .filter(|step| step.size_bytes > 0)
        .map(|step| Layer {
            size_bytes: step.size_bytes,
            created_by: step.created_by,
        })
        .collect();
    layers.sort_by_key(|layer| std::cmp::Reverse(layer.size_bytes));
    layers.truncate(LARGEST_LAYERS);
    layers
}

/// Whether `user` (`name`, `uid`, `name:group`) is root; names are looked up in `passwd`.
fn runs_as_root(user: &str, passwd: Option<&str>) -> bool {
    let name = user.split(':').next().unwrap_or_default();
    match name {
        "" | "0" | "root" => true,
        _ if name.parse::<u32>().is_ok() => false,
        _ => passwd.is_some_and(|passwd| {
            passwd.lines().any(|line| {
                let mut fields = line.split(':');
                fields.next() == Some(name) && fields.nth(1) == Some("0")
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_empty_zero_root_or_a_name_with_uid_zero() {
        let passwd = Some("root:x:0:0::/:/bin/sh\ntoor:x:0:0::/:/bin/sh\napp:x:10:10::/:/x\n");
        for user in ["", "0", "root", "0:0", "root:root", "toor"] {
            assert!(runs_as_root(user, passwd), "{user}");
        }
        for user in ["65532", "65532:65532", "app", "nobody"] {
            assert!(!runs_as_root(user, passwd), "{user}");
        }
    }

    #[test]
    fn largest_layers_skip_empty_steps() {
        let step = |size_bytes, created_by: &str| HistoryStep {
            size_bytes,
            created_by: created_by.into(),
        };
        let layers = largest_layers(vec![step(0, "CMD"), step(5, "a"), step(9, "b")]);
        assert_eq!(
            layers
                .iter()
                .map(|l| l.created_by.as_str())
                .collect::<Vec<_>>(),
            vec!["b", "a"]
        );
    }
}
