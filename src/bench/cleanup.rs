//! Removing the containers runs leave behind, found by their label.

use crate::engine::{Engine, EngineResult, RUN_LABEL};

/// Removes every container labelled by imagebench (of one run, if `run_id` is given).
/// Returns how many were removed.
pub async fn sweep<E: Engine>(engine: &E, run_id: Option<&str>) -> EngineResult<usize> {
    let ids = engine.containers_labelled(RUN_LABEL, run_id).await?;
    for id in &ids {
        engine.remove_container(id).await?;
    }
    Ok(ids.len())
}
