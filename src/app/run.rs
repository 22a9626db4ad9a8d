//! `imagebench run`: a scenario end to end, from the registry to results on disk.

use super::registry::{LinkMeter, Registry};
use super::{connect, signals, Failure};
use crate::bench::events::RunEvent;
use crate::bench::record::{read_samples, SamplesCsv};
use crate::bench::runner::Runner;
use crate::bench::sample::{Mode, Sample};
use crate::cli::{ModeArg, RunArgs};
use crate::engine::docker::DockerEngine;
use crate::engine::Engine;
use crate::files::write_atomic;
use crate::inspect::{inspect_image, ImageReport};
use crate::registry::manifest::manifest_size;
use crate::results::{ImageFacts, RunMeta, RunResults};
use crate::scenario::Scenario;
use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

/// Loads the scenario and applies the command line's overrides.
pub fn scenario_for(args: &RunArgs) -> Result<Scenario, Failure> {
    let mut scenario =
        Scenario::load(&args.scenario, args.host_access()).map_err(|e| Failure::Input(e.into()))?;
    if let Some(runs) = args.runs {
        if runs == 0 {
            return Err(Failure::Input(anyhow!("--runs must be at least 1")));
        }
        scenario.runs = runs;
    }
    if let Some(warmup) = args.warmup {
        scenario.warmup = warmup;
    }
    if let Some(mode) = args.mode {
        scenario.modes = match mode {
            ModeArg::Cold => vec![Mode::Cold],
            ModeArg::Warm => vec![Mode::Warm],
            ModeArg::Both => vec![Mode::Cold, Mode::Warm],
        };
    }
    if let Some(seed) = args.seed {
        scenario.seed = Some(seed);
    }
    if let Some(link) = &args.link {
        crate::registry::link::LinkSpec::parse(link)
            .map_err(|m| Failure::Input(anyhow!("--link: {m}")))?;
        let registry = scenario.registry.get_or_insert_with(Default::default);
        if !registry.managed {
            return Err(Failure::Input(anyhow!(
                "--link needs the managed registry: set [registry] managed = true in {}",
                args.scenario.display()
            )));
        }
        registry.link = Some(link.clone());
    }
    Ok(scenario)
}

/// What a run starts from: a fresh scenario, or an interrupted run to resume.
struct Start {
    scenario: Scenario,
    seed: u64,
    out: PathBuf,
    /// Samples already taken (resume only).
    done: Vec<Sample>,
    resumed: bool,
}

/// Reads the scenario (or the interrupted run) and prepares the output folder.
fn start(args: &RunArgs, now: chrono::DateTime<chrono::Utc>) -> Result<Start, Failure> {
    if let Some(dir) = &args.resume {
        let previous = RunResults::load(&dir.join("results.json")).map_err(|e| {
            Failure::Input(e.context(format!("--resume {}: not a run folder", dir.display())))
        })?;
        previous
            .scenario
            .check_host_access(args.host_access())
            .map_err(|(_, _, m)| Failure::Input(anyhow!("--resume {}: {m}", dir.display())))?;
        let done = read_samples(&dir.join("samples.csv")).map_err(Failure::Input)?;
        return Ok(Start {
            seed: previous.meta.seed,
            scenario: previous.scenario,
            out: dir.clone(),
            done,
            resumed: true,
        });
    }
    let mut scenario = scenario_for(args)?;
    let seed = scenario.seed.unwrap_or_else(crate::bench::plan::fresh_seed);
    scenario.seed = Some(seed);
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("results").join(format!("{}-{}", scenario.name, now.format("%Y%m%d-%H%M%S")))
    });
    std::fs::create_dir_all(&out).map_err(|e| {
        Failure::Input(anyhow!(
            "cannot create output folder {}: {e}",
            out.display()
        ))
    })?;
    Ok(Start {
        scenario,
        seed,
        out,
        done: Vec::new(),
        resumed: false,
    })
}

/// Runs a scenario; see the module doc.
pub async fn run(args: &RunArgs) -> Result<(), Failure> {
    let started = chrono::Utc::now();
    let Start {
        scenario,
        seed,
        out,
        done,
        resumed,
    } = start(args, started)?;
    let run_id = format!(
        "{}-{:04x}",
        started.format("%Y%m%d-%H%M%S"),
        crate::bench::plan::fresh_seed() & 0xffff
    );
    let cancel = signals::install();
    let engine = connect().await?;
    let info = engine
        .info()
        .await
        .map_err(|e| Failure::Environment(e.into()))?;
    let registry_cfg = scenario.registry.clone().unwrap_or_default();
    let registry = Registry::start(&registry_cfg).await?;
    let registry_host = registry.host.clone();
    let mut meta = RunMeta {
        run_id: run_id.clone(),
        imagebench_version: env!("CARGO_PKG_VERSION").to_string(),
        seed,
        docker_version: info.version,
        api_version: info.api_version,
        storage_driver: info.storage_driver,
        kernel: info.kernel,
        cpus: info.cpus,
        memory_bytes: info.memory_bytes,
        registry: registry_host.clone(),
        link: registry_cfg.link.clone(),
        started_at: started.to_rfc3339(),
        ..RunMeta::default()
    };
    // Written now, so an interrupted run can be resumed; rewritten at the end.
    let unfinished = RunResults {
        meta: meta.clone(),
        scenario: scenario.clone(),
        images: Vec::new(),
        samples: done.clone(),
        inspections: Vec::new(),
        histograms: Vec::new(),
    };
    write_results(&out, &unfinished)?;
    let mut runner = Runner::new(
        engine.clone(),
        scenario.clone(),
        registry_host.as_deref(),
        run_id,
        seed,
        cancel,
    );
    if let Some(link) = &registry.link {
        runner = runner.with_wire_meter(Box::new(LinkMeter(link.clone())));
    }
    let outcome = sample_all(&mut runner, &registry, &out, done, resumed).await;
    let images = image_facts(&engine, &runner, &scenario, registry_host.as_deref()).await;
    let inspections = if args.no_inspect {
        Vec::new()
    } else {
        inspect_all(&engine, &runner).await
    };
    for problem in runner.finish().await {
        eprintln!("warning: {problem}");
    }
    drop(runner);
    registry.stop().await;
    let outcome = outcome?;
    meta.finished_at = chrono::Utc::now().to_rfc3339();
    meta.interrupted = outcome.interrupted;
    let results = RunResults {
        meta,
        scenario,
        images,
        inspections,
        histograms: crate::stats::encode_histograms(&outcome.samples),
        samples: outcome.samples,
    };
    write_results(&out, &results)?;
    eprintln!("writing the report");
    let written = crate::report::write_report(&results, &out, &Default::default())
        .map_err(|error| Failure::Run { code: 1, error })?;
    print!("{}", crate::report::terminal_summary(&results));
    println!(
        "{} samples, {} ok; results.json, samples.csv and {} report files in {}",
        results.samples.len(),
        results.samples.iter().filter(|s| s.is_ok()).count(),
        written.len(),
        out.display()
    );
    if let Some(reason) = outcome.stopped_because {
        return Err(Failure::Run {
            code: 1,
            error: anyhow!("{reason}; samples so far are in {}", out.display()),
        });
    }
    if outcome.interrupted {
        return Err(Failure::Run {
            code: 130,
            error: anyhow!("interrupted; the samples taken are in {}", out.display()),
        });
    }
    let failed = results.samples.iter().filter(|s| !s.is_ok()).count();
    if failed > 0 {
        return Err(Failure::Run {
            code: 1,
            error: anyhow!(
                "{failed} of {} samples failed; see the message column of {}",
                results.samples.len(),
                out.join("samples.csv").display()
            ),
        });
    }
    Ok(())
}

/// Writes results.json atomically.
fn write_results(out: &Path, results: &RunResults) -> Result<(), Failure> {
    let json = serde_json::to_vec_pretty(results).expect("results serialize");
    write_atomic(&out.join("results.json"), &json).map_err(|e| Failure::Run { code: 1, error: e })
}

/// Prepares and takes every sample, writing each row of samples.csv as it finishes.
async fn sample_all(
    runner: &mut Runner<DockerEngine>,
    registry: &Registry,
    out: &Path,
    done: Vec<Sample>,
    resumed: bool,
) -> Result<crate::bench::runner::RunOutcome, Failure> {
    let csv_path = out.join("samples.csv");
    let csv = if resumed {
        SamplesCsv::append_to(&csv_path)
    } else {
        SamplesCsv::create(&csv_path)
    };
    let mut csv = csv.map_err(Failure::Input)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
            .expect("valid template"),
    );
    // A progress bar hides itself when stderr is not a terminal: lines go plainly then.
    let say = |line: String| {
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    };
    let mut write_error = None;
    let mut on_event = |event: &RunEvent| match event {
        RunEvent::Step(text) => say(format!("  {text}")),
        RunEvent::Started { run_id, total } => {
            say(format!("run {run_id}: {total} samples (warm-up included)"));
            bar.set_length(*total);
        }
        RunEvent::SampleFinished { sample, warmup } => {
            bar.inc(1);
            let ms = sample
                .total_us
                .map(|t| format!("{:.1} ms", t as f64 / 1000.0));
            bar.set_message(format!(
                "{}/{} {} {}{}",
                sample.pair,
                sample.variant,
                sample.mode,
                ms.unwrap_or_else(|| sample.outcome.to_string()),
                if *warmup { " (warm-up)" } else { "" }
            ));
            if !sample.is_ok() {
                say(format!(
                    "  {}/{} {}: {}: {}",
                    sample.pair, sample.variant, sample.mode, sample.outcome, sample.message
                ));
            }
            if !warmup && write_error.is_none() {
                if let Err(e) = csv.append(sample) {
                    write_error = Some(e);
                }
            }
        }
        RunEvent::Finished { .. } => bar.finish_and_clear(),
    };
    runner
        .prepare(registry.managed.is_some(), &mut on_event)
        .await
        .map_err(|e| Failure::Environment(e.into()))?;
    // Pushes and checks went at full speed; the samples go over the emulated link.
    registry.throttle(true);
    let outcome = runner.run(done, &mut on_event).await;
    registry.throttle(false);
    match write_error {
        Some(e) => Err(Failure::Run { code: 1, error: e }),
        None => Ok(outcome),
    }
}

/// Size, layers and compressed bytes of every image, while the run's tags still exist.
async fn image_facts(
    engine: &DockerEngine,
    runner: &Runner<DockerEngine>,
    scenario: &Scenario,
    registry: Option<&str>,
) -> Vec<ImageFacts> {
    let mut facts = Vec::new();
    for image in &runner.images().images {
        if let Err(e) = runner.images().make_warm(engine, image).await {
            eprintln!("warning: no size for {}: {e}", image.scenario_ref);
            continue;
        }
        let Ok(Some(local)) = engine.local_image(&image.run_ref).await else {
            continue;
        };
        let compressed = match registry.and_then(|h| h.parse().ok()) {
            Some(addr) => manifest_size(
                addr,
                image.scenario_ref.repository(),
                image.scenario_ref.tag(),
            )
            .await
            .ok()
            .map(|m| m.compressed_bytes),
            None => None,
        };
        facts.push(ImageFacts {
            pair: scenario.pairs[image.pair].name.clone(),
            variant: Some(image.variant),
            image: image.scenario_ref.to_string(),
            id: local.id,
            size_bytes: local.size_bytes,
            layers: local.layers,
            compressed_bytes: compressed,
        });
    }
    facts
}

/// Reads every image's filesystem for size and attack surface (the images are present:
/// [`image_facts`] made them so).
async fn inspect_all(engine: &DockerEngine, runner: &Runner<DockerEngine>) -> Vec<ImageReport> {
    let mut reports = Vec::new();
    for image in &runner.images().images {
        eprintln!("inspecting {}", image.scenario_ref);
        match inspect_image(engine, &image.run_ref).await {
            Ok(mut report) => {
                report.image = image.scenario_ref.to_string();
                reports.push(report);
            }
            Err(e) => eprintln!("warning: {e}"),
        }
    }
    reports
}
