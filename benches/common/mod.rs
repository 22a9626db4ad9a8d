//! Shared by the Docker benches: the daemon, the demo images, one measured sample.

use imagebench::bench::measure::{measure, Measured, Timeouts};
use imagebench::bench::sample::Mode;
use imagebench::engine::docker::DockerEngine;
use imagebench::engine::{run_labels, ContainerSpec, Engine};
use imagebench::scenario::{HostAccess, Pair, Scenario};
use std::path::Path;
use std::time::Duration;

/// The daemon and the demo scenario, or the one-line reason the Docker benches skip.
pub async fn setup() -> Result<(DockerEngine, Scenario), String> {
    let engine = DockerEngine::connect()
        .await
        .map_err(|e| format!("no Docker daemon ({e})"))?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo.toml");
    let scenario = Scenario::load(&path, HostAccess::Refused).map_err(|e| e.to_string())?;
    for (pair, variant) in scenario.images() {
        let image = pair.image(variant).image.as_str();
        if !matches!(engine.local_image(image).await, Ok(Some(_))) {
            return Err(format!(
                "demo image {image} missing (run `imagebench fixtures`)"
            ));
        }
    }
    Ok((engine, scenario))
}

/// The container spec of one demo image, labelled so `imagebench clean` finds leftovers.
pub fn spec(pair: &Pair, image: &str, n: u64) -> ContainerSpec {
    ContainerSpec {
        name: format!("imagebench-bench-{}-{n}", std::process::id()),
        image: image.to_string(),
        network: pair.network.as_str().to_string(),
        labels: run_labels("bench"),
        ..ContainerSpec::default()
    }
}

/// Takes one sample and removes its container (outside the returned timing).
pub async fn sample(
    engine: &DockerEngine,
    pair: &Pair,
    spec: &ContainerSpec,
    mode: Mode,
) -> Measured {
    let timeouts = Timeouts {
        pull: pair.pull_timeout.0,
        ready: pair.timeout.0,
    };
    let m = measure(engine, spec, &pair.ready, timeouts, mode).await;
    if let Some(id) = &m.container {
        engine
            .remove_container(id)
            .await
            .expect("remove bench container");
    }
    assert!(m.message.is_empty(), "sample failed: {}", m.message);
    m
}

/// The measured part of a sample: pull (cold) plus time-to-ready.
pub fn measured(m: &Measured) -> Duration {
    m.pull.unwrap_or_default() + m.time_to_ready.unwrap_or_default()
}
