//! What each subcommand does, and how failures map to exit codes.

pub mod fixtures;
pub mod inspect;
pub mod registry;
pub mod report;
pub mod run;
pub mod signals;

use crate::bench::cleanup;
use crate::cli::{Cli, Command};
use crate::engine::docker::DockerEngine;
use crate::scenario::{HostAccess, Scenario};

/// A failure, with the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Bad scenario or arguments: exit 2.
    Input(anyhow::Error),
    /// No daemon, no registry binary, no fixtures tool: exit 3.
    Environment(anyhow::Error),
    /// The run found failures (exit 1) or was interrupted (exit 130).
    Run {
        /// Exit code.
        code: u8,
        /// What happened.
        error: anyhow::Error,
    },
}

impl Failure {
    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Input(_) => 2,
            Failure::Environment(_) => 3,
            Failure::Run { code, .. } => *code,
        }
    }

    /// The error to print.
    pub fn error(&self) -> &anyhow::Error {
        match self {
            Failure::Input(e) | Failure::Environment(e) => e,
            Failure::Run { error, .. } => error,
        }
    }
}

/// Runs a parsed command line.
pub async fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => run::run(&args).await,
        Command::Demo(args) => {
            fixtures::build(false, None).await?;
            run::run(&args).await
        }
        Command::Validate {
            files,
            allow_host_access,
        } => validate(&files, crate::cli::host_access(allow_host_access)),
        Command::Clean { all } => clean(all).await,
        Command::Fixtures { force, only } => fixtures::build(force, only.as_deref()).await,
        Command::Report {
            results,
            out,
            scale,
        } => report::report(&results, out.as_deref(), scale),
        Command::Compare {
            baseline,
            current,
            threshold,
            markdown,
        } => report::compare(&baseline, &current, threshold, markdown.as_deref()),
        Command::Inspect { images, json } => inspect::inspect(&images, json).await,
    }
}

fn validate(files: &[std::path::PathBuf], access: HostAccess) -> Result<(), Failure> {
    let mut errors = Vec::new();
    for file in files {
        match Scenario::load(file, access) {
            Ok(s) => println!(
                "{}: ok ({} pair(s), {} run(s))",
                file.display(),
                s.pairs.len(),
                s.runs
            ),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(anyhow::anyhow!(errors.join("\n"))))
    }
}

/// Connects to the daemon, mapping failure to exit code 3.
pub async fn connect() -> Result<DockerEngine, Failure> {
    DockerEngine::connect()
        .await
        .map_err(|e| Failure::Environment(e.into()))
}

async fn clean(all: bool) -> Result<(), Failure> {
    let engine = connect().await?;
    let (removed, live) = cleanup::clean(&engine, all)
        .await
        .map_err(|e| Failure::Environment(e.into()))?;
    println!("removed {removed} container(s) left by earlier runs");
    if live > 0 {
        println!("kept {live} container(s) of runs still going (--all removes them too)");
    }
    Ok(())
}
