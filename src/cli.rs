//! Command-line definitions (clap) only; the work happens in [`crate::app`].

use crate::scenario::HostAccess;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Measure what moving from a fat container image to a distroless one really gains:
/// pull cost, time-to-ready and size, on your own images, against the real Docker daemon.
#[derive(Debug, Parser)]
#[command(name = "imagebench", version, propagate_version = true)]
#[command(
    after_help = "Start with `imagebench demo`: it builds the demo images offline, \
starts a local registry on 127.0.0.1 and runs scenarios/demo.toml cold and warm.\n\
Exit codes: 0 success, 1 failed samples or a regression, 2 bad input, 3 environment \
(no Docker daemon, no registry binary), 130 interrupted."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: pull, create, start and probe every image, cold and warm, and
    /// write samples.csv and results.json.
    Run(RunArgs),
    /// Build the demo images (if needed) and run the demo scenario.
    Demo(RunArgs),
    /// Check scenario files without touching Docker.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Accept pairs that ask for privileged mode, host mounts or capabilities (as `run
        /// --allow-host-access` would).
        #[arg(long)]
        allow_host_access: bool,
    },
    /// Remove containers left behind by earlier runs (found by their `imagebench.run` label).
    Clean {
        /// Also remove containers of runs whose imagebench process is still running.
        #[arg(long)]
        all: bool,
    },
    /// Redraw every table and chart of a saved run, without Docker.
    Report {
        /// A results.json written by `imagebench run`.
        results: PathBuf,
        /// Output folder [default: the folder of RESULTS].
        #[arg(long, short = 'o', value_name = "DIR")]
        out: Option<PathBuf>,
        /// Scale of the PNG charts (2 for high-density screens).
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
    },
    /// Is CURRENT slower than BASELINE? Exits 1 on a significant regression.
    Compare {
        /// The baseline results.json.
        baseline: PathBuf,
        /// The current results.json.
        current: PathBuf,
        /// Slowdown of the median that counts as a regression, like `5%`.
        #[arg(long, default_value = "5%", value_parser = parse_percent)]
        threshold: f64,
        /// Where to write the comparison as Markdown [default: compare.md beside CURRENT].
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
    },
    /// Inspect local images: size, layers, largest directories and attack surface (shell,
    /// package manager, setuid files, user, packages). With two images, the first is taken as
    /// the fat one and a side-by-side table follows.
    Inspect {
        /// Image references or ids (local; nothing is pulled).
        #[arg(required = true, value_name = "IMAGE")]
        images: Vec<String>,
        /// Print the reports as JSON instead of Markdown.
        #[arg(long)]
        json: bool,
    },
    /// Build the demo image pairs offline from Debian packages (cached; idempotent).
    Fixtures {
        /// Rebuild even if the images are up to date.
        #[arg(long)]
        force: bool,
        /// Build only this pair (static, node or python).
        #[arg(long, value_name = "PAIR")]
        only: Option<String>,
    },
}

/// Which modes to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Images removed first: every sample pulls.
    Cold,
    /// Images present: only container start.
    Warm,
    /// Both.
    Both,
}

/// Options of `run` (and `demo`), in hyperfine's vocabulary where it fits.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Scenario file.
    #[arg(default_value = "scenarios/demo.toml")]
    pub scenario: PathBuf,
    /// Measured rounds (overrides the scenario's `runs`).
    #[arg(long, short = 'r', value_name = "N")]
    pub runs: Option<u32>,
    /// Discarded warm-up rounds (overrides the scenario's `warmup`).
    #[arg(long, short = 'w', value_name = "N")]
    pub warmup: Option<u32>,
    /// Modes to measure (overrides the scenario's `modes`).
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Output folder [default: results/SCENARIO-TIMESTAMP/].
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seed of the shuffled order (random by default; recorded in results.json).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Skip reading each image's filesystem for its attack surface (faster).
    #[arg(long)]
    pub no_inspect: bool,
    /// Continue an interrupted run from its folder (its results.json and samples.csv);
    /// the scenario and seed are the run's own.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["runs", "warmup", "mode", "out", "seed", "link"])]
    pub resume: Option<PathBuf>,
    /// Emulated link between the daemon and the managed registry, like `100mbit/20ms`.
    #[arg(long, value_name = "BANDWIDTH/DELAY")]
    pub link: Option<String>,
    /// Let the scenario's pairs ask for privileged containers, host mounts and extra
    /// capabilities (refused otherwise: only pass it for scenario files you trust).
    #[arg(long)]
    pub allow_host_access: bool,
}

impl RunArgs {
    /// What the command line lets the scenario ask of the host.
    pub fn host_access(&self) -> HostAccess {
        host_access(self.allow_host_access)
    }
}

/// `--allow-host-access` as a [`HostAccess`].
pub fn host_access(allowed: bool) -> HostAccess {
    if allowed {
        HostAccess::Allowed
    } else {
        HostAccess::Refused
    }
}

/// Parses `5%` or `5` into 5.0.
fn parse_percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("{text:?} is not a percentage like 5%"))?;
    if value.is_finite() && (0.0..1000.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{text:?} must be between 0% and 1000%"))
    }
}
