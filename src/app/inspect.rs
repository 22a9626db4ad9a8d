//! `imagebench inspect`: reports on local images, in Markdown or JSON.

use super::{connect, Failure};
use crate::inspect::render::{image_markdown, pair_table};
use crate::inspect::{inspect_image, InspectError};

/// Inspects `images` in order and prints their reports; a pair also gets its table.
pub async fn inspect(images: &[String], json: bool) -> Result<(), Failure> {
    let engine = connect().await?;
    let mut reports = Vec::with_capacity(images.len());
    for image in images {
        reports.push(inspect_image(&engine, image).await.map_err(failure)?);
    }
    if json {
        let text = serde_json::to_string_pretty(&reports)
            .map_err(|e| Failure::Environment(anyhow::anyhow!("cannot write JSON: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    for report in &reports {
        println!("{}", image_markdown(report));
    }
    if let [fat, distroless] = reports.as_slice() {
        println!(
            "## {} vs {}\n\n{}",
            fat.image,
            distroless.image,
            pair_table(fat, distroless)
        );
    }
    Ok(())
}

/// A missing image is bad input (exit 2); a daemon that fails is the environment (exit 3).
fn failure(error: InspectError) -> Failure {
    match error {
        InspectError::NotFound { .. } => Failure::Input(error.into()),
        _ => Failure::Environment(error.into()),
    }
}
