//! The images of a run: where they are pulled from, cold and warm states, and the
//! user's tags, which are put back whatever happens.

use super::sample::Variant;
use crate::engine::{Engine, EngineError, EngineResult};
use crate::scenario::{ImageRef, Scenario};

/// One image of the run: as the scenario names it and as the run pulls it.
#[derive(Debug, Clone)]
pub struct RunImage {
    /// Index of the pair.
    pub pair: usize,
    /// Fat or distroless.
    pub variant: Variant,
    /// The reference in the scenario (what results are keyed on).
    pub scenario_ref: ImageRef,
    /// The reference containers are created from and cold pulls fetch.
    pub run_ref: String,
}

/// The run's images and the tags that were on the machine before the run.
#[derive(Debug, Default)]
pub struct ImageSet {
    /// Every image, pair by pair.
    pub images: Vec<RunImage>,
    /// Every tag the user had on these images before the run.
    saved_tags: Vec<SavedTag>,
}

/// A tag that was on the machine before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SavedTag {
    tag: String,
    id: String,
    /// Where the image can be pulled back from if a cold sample removed it.
    source: String,
}

impl ImageSet {
    /// Maps the scenario's images to run references under `registry` (`host:port`), if any.
    pub fn new(scenario: &Scenario, registry: Option<&str>) -> ImageSet {
        let images = scenario
            .pairs
            .iter()
            .enumerate()
            .flat_map(|(i, pair)| {
                Variant::ALL.into_iter().map(move |v| {
                    let scenario_ref = pair.image(v).image.clone();
                    let run_ref = match registry {
                        Some(host) if scenario_ref.registry_host() != Some(host) => {
                            scenario_ref.in_registry(host).to_string()
                        }
                        _ => scenario_ref.to_string(),
                    };
                    RunImage {
                        pair: i,
                        variant: v,
                        scenario_ref,
                        run_ref,
                    }
                })
            })
            .collect();
        ImageSet {
            images,
            saved_tags: Vec::new(),
        }
    }

    /// The image of a (pair, variant).
    pub fn get(&self, pair: usize, variant: Variant) -> &RunImage {
        self.images
            .iter()
            .find(|i| i.pair == pair && i.variant == variant)
            .expect("every (pair, variant) has an image")
    }

    /// Records every tag that points at the run's images now, to restore them later.
    pub async fn save_tags<E: Engine>(&mut self, engine: &E) -> EngineResult<()> {
        for image in &self.images {
            for reference in [image.scenario_ref.as_str(), image.run_ref.as_str()] {
                if let Some(local) = engine.local_image(reference).await? {
                    for tag in local.tags {
                        if !self.saved_tags.iter().any(|s| s.tag == tag) {
                            self.saved_tags.push(SavedTag {
                                tag,
                                id: local.id.clone(),
                                source: image.run_ref.clone(),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Pushes each local scenario image to the registry under its run reference.
    pub async fn push_all<E: Engine>(
        &self,
        engine: &E,
        mut step: impl FnMut(String),
    ) -> EngineResult<()> {
        for image in &self.images {
            if image.run_ref == image.scenario_ref.as_str() {
                continue;
            }
            if engine
                .local_image(image.scenario_ref.as_str())
                .await?
                .is_none()
            {
                return Err(EngineError::other(
                    "find image",
                    image.scenario_ref.as_str(),
                    "not in the local daemon, so it cannot be pushed to the managed registry: \
                     build it first (`imagebench fixtures` builds the demo images) or pull it",
                ));
            }
            step(format!(
                "pushing {} to {}",
                image.scenario_ref, image.run_ref
            ));
            engine
                .tag_image(image.scenario_ref.as_str(), &image.run_ref)
                .await?;
            engine.push_image(&image.run_ref).await?;
        }
        Ok(())
    }

    /// Refuses a cold run that could not remove its images: a local image built on one of
    /// them (not itself in the run) makes Docker refuse the removal.
    pub async fn check_removable<E: Engine>(&self, engine: &E) -> EngineResult<()> {
        let mut ours = Vec::new();
        for image in &self.images {
            if let Some(local) = engine.local_image(image.scenario_ref.as_str()).await? {
                ours.push((image.scenario_ref.as_str(), local.id));
            }
        }
        let children = engine.child_images().await?;
        for (name, id) in &ours {
            let foreign: Vec<&str> = children
                .iter()
                .filter(|c| &c.parent_id == id && !ours.iter().any(|(_, o)| *o == c.id))
                .map(|c| c.name.as_str())
                .collect();
            if !foreign.is_empty() {
                return Err(EngineError::other(
                    "prepare cold samples of",
                    *name,
                    format!(
                        "Docker cannot remove it while images built on it exist ({}); \
                         remove those (docker rmi), or run with --mode warm",
                        foreign.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Makes every image of the run absent, so the next pull fetches every layer
    /// (images of other pairs may share layers, so all go).
    pub async fn make_cold<E: Engine>(&self, engine: &E) -> EngineResult<()> {
        for image in &self.images {
            for reference in [image.run_ref.as_str(), image.scenario_ref.as_str()] {
                if let Some(local) = engine.local_image(reference).await? {
                    engine.remove_image(&local.id).await?;
                }
            }
        }
        Ok(())
    }

    /// Makes sure an image is present (pulling it, untimed, if not).
    pub async fn make_warm<E: Engine>(&self, engine: &E, image: &RunImage) -> EngineResult<()> {
        if engine.local_image(&image.run_ref).await?.is_none() {
            engine.pull(&image.run_ref).await?;
        }
        Ok(())
    }

    /// Puts back every tag recorded by [`ImageSet::save_tags`] and removes the run
    /// references the run added. Returns what could not be restored.
    pub async fn restore<E: Engine>(&self, engine: &E) -> Vec<String> {
        let mut problems = Vec::new();
        for saved in &self.saved_tags {
            if let Err(e) = restore_tag(engine, saved).await {
                problems.push(format!("could not restore tag {}: {e}", saved.tag));
            }
        }
        for image in &self.images {
            let was_there = self.saved_tags.iter().any(|s| s.tag == image.run_ref);
            if !was_there && image.run_ref != image.scenario_ref.as_str() {
                if let Err(e) = engine.remove_image(&image.run_ref).await {
                    problems.push(format!("could not remove run tag {}: {e}", image.run_ref));
                }
            }
        }
        problems
    }
}

/// Puts one saved tag back, pulling its image from the run's source if it went.
async fn restore_tag<E: Engine>(engine: &E, saved: &SavedTag) -> EngineResult<()> {
    if let Some(local) = engine.local_image(&saved.tag).await? {
        if local.id == saved.id {
            return Ok(());
        }
    }
    if engine.local_image(&saved.id).await?.is_none() {
        engine.pull(&saved.source).await?;
    }
    engine.tag_image(&saved.id, &saved.tag).await
}
