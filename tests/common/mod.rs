//! Shared helpers of the integration tests: a real daemon, images built from busybox,
//! the imagebench binary, and leak checks.
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod registry_fault;
pub mod relay;

use imagebench::engine::docker::DockerEngine;
use imagebench::engine::{Engine, RUN_LABEL};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Connects to the real daemon. Fails loudly in CI; elsewhere too, with the reason.
pub async fn engine() -> DockerEngine {
    match DockerEngine::connect().await {
        Ok(e) => e,
        Err(e) => panic!(
            "these tests need a running Docker daemon ({e}); start one (`.ci/run` does) and retry"
        ),
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Deterministic incompressible bytes, to make a "fat" image really larger.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = imagebench::bench::plan::SplitMix64(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Builds a one-layer image from the static busybox binary (plus `padding` bytes of noise),
/// with `cmd` as its command. Returns the reference.
pub async fn busybox_image(
    engine: &DockerEngine,
    reference: &str,
    cmd: &[&str],
    padding: usize,
) -> String {
    let busybox = std::fs::read("/bin/busybox")
        .expect("/bin/busybox missing: apt-get install busybox-static (.ci/run does)");
    let mut tar = tar::Builder::new(Vec::new());
    add_file(&mut tar, "bin/busybox", &busybox, 0o755);
    add_file(
        &mut tar,
        "www/index.html",
        b"<h1>imagebench test</h1>\n",
        0o644,
    );
    // A file naming the image keeps its layer its own: no two test images share a layer.
    add_file(&mut tar, "etc/imagebench-test", reference.as_bytes(), 0o644);
    add_file(&mut tar, "etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n", 0o644);
    if padding > 0 {
        add_file(
            &mut tar,
            "opt/padding.bin",
            &noise(padding, padding as u64),
            0o644,
        );
    }
    let tarball = tar.into_inner().unwrap();
    let cmd_json = serde_json::to_string(cmd).unwrap();
    engine
        .import_tarball(tarball, reference, &[format!("CMD {cmd_json}")])
        .await
        .expect("import test image");
    reference.to_string()
}

/// Appends a regular file with `mode` to a tar being built.
pub fn add_file(tar: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(mode);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    tar.append_data(&mut header, path, data).unwrap();
}

/// The command of an httpd serving on 127.0.0.1:`port`.
pub fn httpd(port: u16) -> Vec<String> {
    vec![
        "/bin/busybox".into(),
        "httpd".into(),
        "-f".into(),
        "-p".into(),
        format!("127.0.0.1:{port}"),
        "-h".into(),
        "/www".into(),
    ]
}

/// Runs the imagebench binary with `args`, with the cache in `cache`.
pub fn imagebench(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_imagebench"))
        .args(args)
        .env("IMAGEBENCH_CACHE", cache)
        .output()
        .expect("run imagebench")
}

/// Writes `toml` to `dir/scenario.toml` and runs it into `dir/out` with `extra` arguments (the
/// cache in `dir/cache`). Returns the command's output, the scenario's path and the folder.
pub fn run_scenario(dir: &Path, toml: &str, extra: &[&str]) -> (Output, String, PathBuf) {
    let scenario = dir.join("scenario.toml");
    std::fs::write(&scenario, toml).unwrap();
    let scenario = scenario.to_str().unwrap().to_string();
    let out_dir = dir.join("out");
    let args = [
        &["run", &scenario, "--out", out_dir.to_str().unwrap()],
        extra,
    ]
    .concat();
    (imagebench(&args, &dir.join("cache")), scenario, out_dir)
}

/// The imagebench binary's path.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_imagebench"))
}

/// Containers labelled by imagebench for `run_id` (any run if `None`).
pub async fn leftover_containers(engine: &DockerEngine, run_id: Option<&str>) -> Vec<String> {
    let found = engine.containers_labelled(RUN_LABEL, run_id).await.unwrap();
    found.into_iter().map(|c| c.id).collect()
}

/// Text of a finished command's output, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Reads results.json of a run.
pub fn results(out_dir: &Path) -> imagebench::results::RunResults {
    imagebench::results::RunResults::load(&out_dir.join("results.json")).unwrap()
}

/// Removes the listed images when dropped, so a failed test leaves none behind.
pub struct RemoveOnDrop(pub Vec<String>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let _ = Command::new("docker")
                .arg("rmi")
                .arg("-f")
                .args(&self.0)
                .output();
        }
    }
}
