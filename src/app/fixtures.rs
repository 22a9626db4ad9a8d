//! `imagebench fixtures`: builds the demo image pairs by running the project's build script.

use super::Failure;
use std::path::PathBuf;

/// Where the fixture build script is: next to the sources, or under the current folder.
fn script() -> Option<PathBuf> {
    [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/build-fixtures.sh"),
        PathBuf::from("scripts/build-fixtures.sh"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Builds the demo images (cached unless `force`), all pairs or `only` one.
pub async fn build(force: bool, only: Option<&str>) -> Result<(), Failure> {
    let script = script().ok_or_else(|| {
        Failure::Environment(anyhow::anyhow!(
            "scripts/build-fixtures.sh not found: run imagebench from its source folder"
        ))
    })?;
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg(&script);
    if force {
        cmd.arg("--force");
    }
    if let Some(pair) = only {
        cmd.args(["--only", pair]);
    }
    let status = cmd.status().await.map_err(|e| {
        Failure::Environment(anyhow::anyhow!("cannot run bash {}: {e}", script.display()))
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::Environment(anyhow::anyhow!(
            "building the demo images failed ({status}); see the [fixtures] lines above"
        )))
    }
}
