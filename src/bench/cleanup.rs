//! Removing the containers runs leave behind, found by their label.

use crate::engine::{Engine, EngineResult, LabelledContainer, PID_LABEL, RUN_LABEL};

/// Removes every container of run `run_id`. Returns how many were removed.
pub async fn sweep<E: Engine>(engine: &E, run_id: &str) -> EngineResult<usize> {
    let found = engine.containers_labelled(RUN_LABEL, Some(run_id)).await?;
    remove_all(engine, &found).await
}

/// Removes the containers left by imagebench processes that are gone (all of them with
/// `include_live`). Returns how many were removed and how many belong to live runs.
pub async fn clean<E: Engine>(engine: &E, include_live: bool) -> EngineResult<(usize, usize)> {
    let found = engine.containers_labelled(RUN_LABEL, None).await?;
    let (live, orphans): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|c| !include_live && owner_alive(c));
    Ok((remove_all(engine, &orphans).await?, live.len()))
}

async fn remove_all<E: Engine>(
    engine: &E,
    containers: &[LabelledContainer],
) -> EngineResult<usize> {
    for c in containers {
        engine.remove_container(&c.id).await?;
    }
    Ok(containers.len())
}

/// Whether the imagebench process that created the container still runs on this machine.
fn owner_alive(c: &LabelledContainer) -> bool {
    c.labels
        .get(PID_LABEL)
        .and_then(|pid| pid.parse::<u32>().ok())
        .is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists())
}
