//! One sample: pull (cold), create, start, wait for readiness, each phase timed.

use super::sample::{Mode, Outcome};
use crate::engine::probe::{wait_ready, ProbeEnd};
use crate::engine::{ContainerSpec, Engine, PullReport};
use crate::scenario::Ready;
use std::time::Duration;
use tokio::time::Instant;

/// Lines of a failed container's output kept in the sample's message.
const LOG_TAIL_LINES: u32 = 10;

/// What one sample measured, before it is labelled with pair, variant and round.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measured {
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// Pull duration.
    pub pull: Option<Duration>,
    /// What the pull fetched.
    pub pull_report: Option<PullReport>,
    /// Bytes counted on the wire by the link emulator during the sample.
    pub wire_bytes: Option<u64>,
    /// Create request duration.
    pub create: Option<Duration>,
    /// Start request duration.
    pub start: Option<Duration>,
    /// Start returned to probe success.
    pub ready_wait: Option<Duration>,
    /// Create request to probe success.
    pub time_to_ready: Option<Duration>,
    /// Exit code, if the container exited.
    pub exit_code: Option<i64>,
    /// What went wrong, naming the phase.
    pub message: String,
    /// The container id, once created (the caller removes it).
    pub container: Option<String>,
}

impl Measured {
    fn fail(mut self, outcome: Outcome, message: String) -> Measured {
        self.outcome = Some(outcome);
        self.message = message;
        self
    }
}

/// How long each waiting phase may take.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// The cold pull.
    pub pull: Duration,
    /// Start to readiness.
    pub ready: Duration,
}

/// Takes one sample. The image must already be absent (cold) or present (warm).
/// The container is left for the caller to remove, its id in [`Measured::container`].
pub async fn measure<E: Engine>(
    engine: &E,
    spec: &ContainerSpec,
    ready: &Ready,
    timeouts: Timeouts,
    mode: Mode,
) -> Measured {
    let mut m = Measured::default();
    if mode == Mode::Cold {
        let t = Instant::now();
        match tokio::time::timeout(timeouts.pull, engine.pull(&spec.image)).await {
            Ok(Ok(report)) => {
                m.pull = Some(t.elapsed());
                m.pull_report = Some(report);
            }
            Ok(Err(e)) => return m.fail(Outcome::Error, format!("pull phase: {e}")),
            Err(_) => {
                let limit = timeouts.pull.as_secs_f64();
                let what = format!("pull phase: {} not pulled within {limit:.1}s", spec.image);
                return m.fail(Outcome::Timeout, what);
            }
        }
    }
    let t_create = Instant::now();
    let id = match engine.create_container(spec).await {
        Ok(id) => id,
        Err(e) => return m.fail(Outcome::Error, format!("create phase: {e}")),
    };
    m.create = Some(t_create.elapsed());
    m.container = Some(id.clone());
    let output = if matches!(ready, Ready::Log(_) | Ready::LogRegex(_)) {
        match engine.attach_output(&id).await {
            Ok(o) => Some(o),
            Err(e) => return m.fail(Outcome::Error, format!("attach phase: {e}")),
        }
    } else {
        None
    };
    let t_start = Instant::now();
    if let Err(e) = engine.start_container(&id).await {
        return m.fail(Outcome::Error, format!("start phase: {e}"));
    }
    let started = Instant::now();
    m.start = Some(started - t_start);
    let end = wait_ready(
        ready,
        output,
        engine.wait_exit(&id),
        started + timeouts.ready,
    )
    .await;
    let now = Instant::now();
    match end {
        ProbeEnd::Ready => {
            m.ready_wait = Some(now - started);
            m.time_to_ready = Some(now - t_create);
            m.outcome = Some(Outcome::Ok);
            if let Ready::Exit(code) = ready {
                m.exit_code = Some(*code);
            }
            m
        }
        ProbeEnd::Exited(code) => {
            m.exit_code = Some(code);
            let tail = last_lines(engine, &id).await;
            let expected = match ready {
                Ready::Exit(want) => format!("exited with code {code}, expected {want}"),
                _ => format!("exited with code {code} before it was ready"),
            };
            m.fail(
                Outcome::Exited,
                format!("ready phase: container {expected}{tail}"),
            )
        }
        ProbeEnd::TimedOut => {
            let tail = last_lines(engine, &id).await;
            let what = format!(
                "ready phase: {} probe did not succeed within {:.1}s{tail}",
                ready.kind(),
                timeouts.ready.as_secs_f64()
            );
            m.fail(Outcome::Timeout, what)
        }
        ProbeEnd::Failed(e) => m.fail(Outcome::Error, format!("ready phase: {e}")),
    }
}

/// The container's last output lines, formatted for a message (empty if none).
async fn last_lines<E: Engine>(engine: &E, id: &str) -> String {
    match engine.logs_tail(id, LOG_TAIL_LINES).await {
        Ok(text) if !text.trim().is_empty() => {
            let mut text = text.trim_end().replace('\n', " | ");
            if text.len() > 2000 {
                let cut = (0..=2000)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                text.truncate(cut);
                text.push('…');
            }
            format!("; last output: {text}")
        }
        _ => String::new(),
    }
}
