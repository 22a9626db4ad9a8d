//! Registry faults for real: a real registry behind a proxy that answers 500, serves a
//! blob whose digest does not match, or dies in the middle of a blob. Each cold pull ends
//! in an error sample naming the image (and the layer, where the daemon says), no hang.

mod common;

use common::registry_fault::{Fault, FaultProxy};
use common::*;
use imagebench::bench::record::read_samples;
use imagebench::bench::sample::Outcome;
use imagebench::engine::Engine;
use imagebench::registry::managed::ManagedRegistry;
use std::time::{Duration, Instant};

/// Pushes a fat and a distroless image straight to `registry`, so the proxy in front
/// serves them under its own address; returns the references through the proxy.
async fn publish(registry: &ManagedRegistry, proxy: &FaultProxy, tag: &str) -> Vec<String> {
    let engine = engine().await;
    let cmd = ["/bin/busybox", "sh", "-c", "echo up; sleep 60"];
    let mut refs = Vec::new();
    for (variant, padding) in [("fat", 4 << 20), ("dl", 1 << 20)] {
        let local = format!("imagebench-test/regfault:{variant}-{tag}");
        busybox_image(&engine, &local, &cmd, padding).await;
        let direct = format!("{}/{local}", registry.host());
        engine.tag_image(&local, &direct).await.unwrap();
        engine.push_image(&direct).await.unwrap();
        engine.remove_image(&direct).await.unwrap();
        engine.remove_image(&local).await.unwrap();
        refs.push(format!("{}/{local}", proxy.host()));
    }
    refs
}

/// Runs a cold scenario and injects `fault` after the run's own pull checks; returns
/// the failed samples and how long the run took from the fault on.
async fn cold_run_with(
    fault: Fault,
    needle: &str,
    skip: usize,
) -> (Vec<imagebench::bench::sample::Sample>, Duration) {
    let engine = engine().await;
    let dir = tempfile::tempdir().unwrap();
    let registry = ManagedRegistry::start(&dir.path().join("registry"))
        .await
        .unwrap();
    let proxy = FaultProxy::start(registry.addr()).await;
    let tag = format!("r{}", free_port());
    let refs = publish(&registry, &proxy, &tag).await;
    let _guard = RemoveOnDrop(refs.clone());
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"regfault\"\nruns = 1\nwarmup = 0\nmodes = [\"cold\"]\nseed = 3\n\
             [registry]\nurl = \"{}\"\n[[pair]]\nname = \"p\"\npull_timeout = \"90s\"\n\
             ready = {{ log = \"up\" }}\nfat = {{ image = \"{}\" }}\ndistroless = {{ image = \"{}\" }}\n",
            proxy.host(),
            refs[0],
            refs[1]
        ),
    )
    .unwrap();
    // The run's own check pulls both images first (a manifest and two blobs each):
    // `skip` lets those through, so the fault hits the first measured pull.
    proxy.arm(fault, needle, skip);
    let out_dir = dir.path().join("out");
    let mut child = tokio::process::Command::new(binary())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .env("IMAGEBENCH_CACHE", dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(240), child.wait())
        .await
        .expect("imagebench hung")
        .unwrap();
    let took = started.elapsed();
    assert_eq!(status.code(), Some(1));
    assert_eq!(proxy.caught(), 1);
    let samples = read_samples(&out_dir.join("samples.csv")).unwrap();
    let failed: Vec<_> = samples.iter().filter(|s| !s.is_ok()).cloned().collect();
    assert!(!failed.is_empty(), "{samples:?}");
    let run_id = results(&out_dir).meta.run_id;
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
    registry.stop().await;
    (failed, took)
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_answering_500_is_an_error_sample() {
    let (failed, took) = cold_run_with(Fault::Status500, "/manifests/", 2).await;
    assert_eq!(failed.len(), 1, "only the sample that met the fault fails");
    let sample = &failed[0];
    eprintln!("500: {took:?}: {}", sample.message);
    assert_eq!(sample.outcome, Outcome::Error);
    assert!(sample.message.contains("pull phase"), "{sample:?}");
    assert!(
        sample.message.contains(&sample.image) || sample.message.contains("regfault"),
        "{sample:?}"
    );
    assert!(sample.message.contains("500"), "{sample:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn blob_with_wrong_digest_is_an_error_sample_naming_the_layer() {
    let (failed, took) = cold_run_with(Fault::Corrupt, "/blobs/sha256:", 4).await;
    assert_eq!(failed.len(), 1, "only the sample that met the fault fails");
    let sample = &failed[0];
    eprintln!("corrupt: {took:?}: {}", sample.message);
    assert!(
        matches!(sample.outcome, Outcome::Error | Outcome::Timeout),
        "{sample:?}"
    );
    assert!(sample.message.contains("pull phase"), "{sample:?}");
    assert!(
        sample.message.contains("layers not pulled") || sample.message.contains("digest"),
        "{sample:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_dying_mid_blob_is_an_error_sample() {
    // The registry stays dead: every later cold sample fails too, each on its own.
    let (failed, took) = cold_run_with(Fault::Die, "/blobs/sha256:", 4).await;
    for sample in &failed {
        eprintln!("die: {took:?}: {}", sample.message);
        assert_eq!(sample.outcome, Outcome::Error, "{sample:?}");
        assert!(sample.message.contains("pull phase"), "{sample:?}");
        assert!(sample.message.contains("connection refused"), "{sample:?}");
    }
}
