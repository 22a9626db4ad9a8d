//! The runner: takes every planned sample in order, keeps cold and warm states, cleans up.

use super::events::RunEvent;
use super::images::ImageSet;
use super::measure::{measure, Measured, Timeouts};
use super::plan::{plan, Slot};
use super::sample::{Mode, Outcome, Sample};
use crate::engine::{run_labels, ContainerSpec, Engine, EngineError, CONNECTION_MARK};
use crate::scenario::Scenario;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Consecutive samples that lost the daemon before the run stops.
const MAX_CONNECTION_FAILURES: u32 = 3;

/// Counts the bytes that crossed the link to the registry (the link emulator does).
pub trait WireMeter: Send + Sync {
    /// Bytes received from the registry since the last call.
    fn take_bytes(&self) -> u64;
}

/// Drives one run of a scenario against an engine.
pub struct Runner<E: Engine> {
    engine: E,
    wire: Option<Box<dyn WireMeter>>,
    scenario: Scenario,
    images: ImageSet,
    run_id: String,
    seed: u64,
    cancel: CancellationToken,
}

/// What the sampling loop ended with.
#[derive(Debug, Default)]
pub struct RunOutcome {
    /// Recorded samples (warm-up excluded), in order.
    pub samples: Vec<Sample>,
    /// True if the run was interrupted (Ctrl-C) or stopped early.
    pub interrupted: bool,
    /// Why it stopped early, if it did for a reason other than an interruption.
    pub stopped_because: Option<String>,
}

impl<E: Engine> Runner<E> {
    /// A runner for `scenario`, pulling cold images from `registry` (`host:port`) if given.
    pub fn new(
        engine: E,
        scenario: Scenario,
        registry: Option<&str>,
        run_id: String,
        seed: u64,
        cancel: CancellationToken,
    ) -> Runner<E> {
        let images = ImageSet::new(&scenario, registry);
        Runner {
            engine,
            wire: None,
            scenario,
            images,
            run_id,
            seed,
            cancel,
        }
    }

    /// Records the bytes `meter` counts during each cold pull as the sample's `wire_bytes`.
    pub fn with_wire_meter(mut self, meter: Box<dyn WireMeter>) -> Runner<E> {
        self.wire = Some(meter);
        self
    }

    /// The run's images.
    pub fn images(&self) -> &ImageSet {
        &self.images
    }

    /// Saves the user's tags, pushes to a managed registry (`push`), and checks that
    /// every image can be pulled back before any cold sample removes it.
    pub async fn prepare(
        &mut self,
        push: bool,
        on_event: &mut (dyn FnMut(&RunEvent) + Send),
    ) -> Result<(), EngineError> {
        self.images.save_tags(&self.engine).await?;
        if self.scenario.modes.contains(&Mode::Cold) {
            // Before pushing: a run that cannot go cold should not spend minutes first.
            self.images.check_removable(&self.engine).await?;
        }
        if push {
            self.images
                .push_all(&self.engine, |m| on_event(&RunEvent::Step(m)))
                .await?;
        }
        if self.scenario.modes.contains(&Mode::Cold) {
            for image in &self.images.images {
                on_event(&RunEvent::Step(format!(
                    "checking that {} can be pulled",
                    image.run_ref
                )));
                self.engine
                    .pull(&image.run_ref)
                    .await
                    .map_err(|e| EngineError {
                        message: format!(
                            "{}. Cold samples remove the image and pull it again, so it must come \
                         from a registry: set [registry] managed = true in the scenario, or run \
                         with --mode warm",
                            e.message
                        ),
                        ..e
                    })?;
            }
        }
        Ok(())
    }

    /// Takes every sample of the plan, emitting events; stops early on cancellation.
    ///
    /// `done` are the samples an interrupted run of the same scenario and seed already
    /// took: their slots (and the warm-up) are skipped, and they open the outcome.
    pub async fn run(
        &mut self,
        done: Vec<Sample>,
        on_event: &mut (dyn FnMut(&RunEvent) + Send),
    ) -> RunOutcome {
        let resuming = !done.is_empty();
        let slots: Vec<Slot> = plan(&self.scenario, self.seed)
            .into_iter()
            .filter(|s| !(resuming && s.warmup))
            .skip(done.len())
            .collect();
        on_event(&RunEvent::Started {
            run_id: &self.run_id,
            total: slots.len() as u64,
        });
        let mut outcome = RunOutcome {
            samples: done,
            ..RunOutcome::default()
        };
        let mut connection_failures = 0;
        for (n, slot) in slots.iter().enumerate() {
            if self.cancel.is_cancelled() {
                outcome.interrupted = true;
                break;
            }
            let started_at = chrono::Utc::now().to_rfc3339();
            let taken = tokio::select! {
                m = self.take(n, slot) => m,
                _ = self.cancel.cancelled() => None,
            };
            let Some(measured) = taken else {
                outcome.interrupted = true;
                break;
            };
            let sample = self.sample(outcome.samples.len() as u64, slot, measured, started_at);
            if sample.outcome == Outcome::Error && sample.message.contains(CONNECTION_MARK) {
                connection_failures += 1;
            } else {
                connection_failures = 0;
            }
            on_event(&RunEvent::SampleFinished {
                sample: &sample,
                warmup: slot.warmup,
            });
            if !slot.warmup {
                outcome.samples.push(sample);
            }
            if connection_failures >= MAX_CONNECTION_FAILURES {
                outcome.interrupted = true;
                outcome.stopped_because = Some(format!(
                    "stopped after {MAX_CONNECTION_FAILURES} samples in a row lost the Docker daemon"
                ));
                break;
            }
        }
        on_event(&RunEvent::Finished {
            interrupted: outcome.interrupted,
        });
        outcome
    }

    /// Prepares the image state, measures, and removes the container.
    async fn take(&self, n: usize, slot: &Slot) -> Option<Measured> {
        let image = self.images.get(slot.pair, slot.variant);
        let prepared = match slot.mode {
            Mode::Cold => self.images.make_cold(&self.engine).await,
            Mode::Warm => self.images.make_warm(&self.engine, image).await,
        };
        if let Err(e) = prepared {
            return Some(Measured {
                outcome: Some(Outcome::Error),
                message: format!("prepare {} phase: {}", slot.mode, e),
                ..Measured::default()
            });
        }
        let pair = &self.scenario.pairs[slot.pair];
        let spec = pair.image(slot.variant);
        let limits = pair.limits.unwrap_or_default();
        let container = ContainerSpec {
            name: format!("imagebench-{}-{n}", self.run_id),
            image: image.run_ref.clone(),
            entrypoint: spec.entrypoint.clone(),
            cmd: spec.cmd.clone(),
            env: spec.env.clone(),
            user: spec.user.clone(),
            network: pair.network.as_str().to_string(),
            labels: run_labels(&self.run_id),
            memory_bytes: limits.memory.map(|m| m.0),
            nano_cpus: limits.cpus.map(|c| (c * 1e9) as u64),
            pids_limit: limits.pids,
            privileged: pair.privileged,
            binds: pair.mounts.iter().map(|m| m.to_string()).collect(),
            cap_add: pair.cap_add.iter().map(|c| c.name().to_string()).collect(),
        };
        let timeouts = Timeouts {
            pull: pair.pull_timeout.0,
            ready: pair.timeout.0,
        };
        if let Some(meter) = &self.wire {
            meter.take_bytes();
        }
        let mut m = measure(&self.engine, &container, &pair.ready, timeouts, slot.mode).await;
        if let (Some(meter), Mode::Cold) = (&self.wire, slot.mode) {
            m.wire_bytes = Some(meter.take_bytes());
        }
        if let Some(id) = &m.container {
            if let Err(e) = self.engine.remove_container(id).await {
                m.message = join(&m.message, &format!("cleanup phase: {}", e));
                if m.outcome == Some(Outcome::Ok) {
                    m.outcome = Some(Outcome::Error);
                }
            }
        }
        Some(m)
    }

    fn sample(&self, seq: u64, slot: &Slot, m: Measured, started_at: String) -> Sample {
        let us = |d: Option<Duration>| d.map(|d| d.as_micros() as u64);
        let pair = &self.scenario.pairs[slot.pair];
        let report = m.pull_report.unwrap_or_default();
        let pulled = m.pull.is_some();
        let total_us = match (slot.mode, us(m.pull), us(m.time_to_ready)) {
            (Mode::Cold, Some(p), Some(t)) => Some(p + t),
            (Mode::Warm, _, Some(t)) => Some(t),
            _ => None,
        };
        let mut message = m.message;
        if pulled && report.layers_cached > 0 {
            message = join(
                &message,
                &format!(
                    "pull phase: {} layer(s) were already on the machine (shared with another \
                     local image), so this cold pull was not fully cold",
                    report.layers_cached
                ),
            );
        }
        Sample {
            seq,
            round: slot.round,
            pair: pair.name.clone(),
            variant: slot.variant,
            mode: slot.mode,
            image: pair.image(slot.variant).image.to_string(),
            outcome: m.outcome.unwrap_or(Outcome::Error),
            pull_us: us(m.pull),
            create_us: us(m.create),
            start_us: us(m.start),
            ready_wait_us: us(m.ready_wait),
            time_to_ready_us: us(m.time_to_ready),
            total_us,
            pull_bytes: report.bytes.filter(|_| pulled),
            pull_layers: pulled.then_some(report.layers),
            pull_layers_cached: pulled.then_some(report.layers_cached),
            pull_download_us: us(report.download),
            pull_extract_us: us(report.extract),
            wire_bytes: m.wire_bytes,
            exit_code: m.exit_code,
            started_at,
            message,
        }
    }

    /// Removes every container of this run still there, and puts the user's tags back.
    /// Returns what could not be done.
    pub async fn finish(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(e) = super::cleanup::sweep(&self.engine, &self.run_id).await {
            problems.push(format!("could not remove this run's containers: {e}"));
        }
        problems.extend(self.images.restore(&self.engine).await);
        problems
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}; {b}")
    }
}
