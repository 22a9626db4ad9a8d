//! End-to-end runs of the imagebench binary against the real daemon and a real registry.

mod common;

use common::*;
use imagebench::bench::record::read_samples;
use imagebench::bench::sample::{Mode, Outcome};
use imagebench::engine::Engine;

/// A two-pair scenario (HTTP and log probes), cold and warm, through the managed registry.
#[tokio::test(flavor = "multi_thread")]
async fn two_pairs_cold_and_warm_end_to_end() {
    let engine = engine().await;
    let port = free_port();
    let tag = format!("t{port}");
    let http = httpd(port);
    let http: Vec<&str> = http.iter().map(String::as_str).collect();
    let log_cmd = [
        "/bin/busybox",
        "sh",
        "-c",
        "echo starting; echo ready to serve; sleep 60",
    ];
    let images = [
        busybox_image(
            &engine,
            &format!("imagebench-test/web:fat-{tag}"),
            &http,
            3 << 20,
        )
        .await,
        busybox_image(&engine, &format!("imagebench-test/web:dl-{tag}"), &http, 0).await,
        busybox_image(
            &engine,
            &format!("imagebench-test/logger:fat-{tag}"),
            &log_cmd,
            1 << 20,
        )
        .await,
        busybox_image(
            &engine,
            &format!("imagebench-test/logger:dl-{tag}"),
            &log_cmd,
            0,
        )
        .await,
    ];
    let _guard = RemoveOnDrop(images.to_vec());
    let ids_before: Vec<String> = {
        let mut ids = Vec::new();
        for i in &images {
            ids.push(engine.local_image(i).await.unwrap().unwrap().id);
        }
        ids
    };
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        r#"
name = "two-pairs"
runs = 2
warmup = 1
modes = ["cold", "warm"]
seed = 7
[registry]
managed = true

[[pair]]
name = "web"
timeout = "20s"
ready = {{ http = "http://127.0.0.1:{port}/" }}
fat = {{ image = "{}" }}
distroless = {{ image = "{}" }}

[[pair]]
name = "logger"
timeout = "20s"
ready = {{ log = "ready to serve" }}
fat = {{ image = "{}" }}
distroless = {{ image = "{}" }}
"#,
        images[0], images[1], images[2], images[3]
    );
    let (out, _, out_dir) = run_scenario(dir.path(), &toml, &[]);
    assert!(out.status.success(), "{}", describe(&out));

    let samples = read_samples(&out_dir.join("samples.csv")).unwrap();
    assert_eq!(
        samples.len(),
        2 * 2 * 2 * 2,
        "rounds x pairs x variants x modes"
    );
    for s in &samples {
        assert_eq!(s.outcome, Outcome::Ok, "{s:?}");
        for phase in [
            s.create_us,
            s.start_us,
            s.ready_wait_us,
            s.time_to_ready_us,
            s.total_us,
        ] {
            assert!(phase.is_some(), "missing phase in {s:?}");
        }
        assert!(s.time_to_ready_us.unwrap() >= s.create_us.unwrap() + s.start_us.unwrap());
        match s.mode {
            Mode::Cold => {
                assert!(s.pull_us.unwrap() > 0, "{s:?}");
                assert!(
                    s.pull_layers.unwrap() >= 1,
                    "cold pull fetched no layer: {s:?}"
                );
                assert_eq!(s.pull_layers_cached, Some(0), "{s:?}");
                assert!(s.pull_bytes.unwrap() > 0, "{s:?}");
                assert_eq!(
                    s.total_us.unwrap(),
                    s.pull_us.unwrap() + s.time_to_ready_us.unwrap()
                );
            }
            Mode::Warm => {
                assert_eq!(s.pull_us, None, "{s:?}");
                assert_eq!(s.total_us, s.time_to_ready_us);
            }
        }
    }
    // The fat image pulls more bytes than its distroless twin.
    let cold_bytes = |image: &str| {
        samples
            .iter()
            .filter(|s| s.mode == Mode::Cold && s.image == image)
            .map(|s| s.pull_bytes.unwrap())
            .max()
            .unwrap()
    };
    assert!(cold_bytes(&images[0]) > cold_bytes(&images[1]) + (2 << 20));

    let results = results(&out_dir);
    assert_eq!(results.samples, samples);
    assert_eq!(results.meta.seed, 7);
    assert!(!results.meta.docker_version.is_empty());
    assert!(!results.meta.kernel.is_empty());
    assert!(results.meta.cpus >= 1);
    assert!(!results.meta.finished_at.is_empty());
    assert_eq!(results.images.len(), 4);
    for facts in &results.images {
        assert!(facts.compressed_bytes.unwrap() > 0, "{facts:?}");
        assert!(facts.size_bytes > 0);
    }

    // Every image was inspected, and the report was written beside the results.
    assert_eq!(results.inspections.len(), 4);
    for report in &results.inspections {
        assert!(images.contains(&report.image), "{}", report.image);
        assert!(
            !report.surface.shells.is_empty(),
            "busybox images have a shell"
        );
    }
    let summary = std::fs::read_to_string(out_dir.join("summary.md")).unwrap();
    assert!(summary.contains("Size and attack surface"), "{summary}");
    for chart in ["phases.png", "percentiles.png", "sizes.png", "timeline.png"] {
        assert!(out_dir.join(chart).exists(), "{chart} missing");
    }

    // Nothing left behind, and the user's tags are back on the same images.
    assert!(leftover_containers(&engine, Some(&results.meta.run_id))
        .await
        .is_empty());
    for (image, id) in images.iter().zip(&ids_before) {
        let now = engine.local_image(image).await.unwrap();
        assert_eq!(
            now.map(|i| i.id).as_ref(),
            Some(id),
            "tag {image} not restored"
        );
    }
}

/// Cold pulls over an emulated 40mbit/20ms link: the bytes cross the emulator, and the
/// pull cannot beat the link's bandwidth.
#[tokio::test(flavor = "multi_thread")]
async fn cold_pulls_over_an_emulated_link() {
    let engine = engine().await;
    let tag = format!("k{}", free_port());
    let cmd = ["/bin/busybox", "sh", "-c", "echo up; sleep 60"];
    let fat = busybox_image(
        &engine,
        &format!("imagebench-test/link:fat-{tag}"),
        &cmd,
        6 << 20,
    )
    .await;
    let dl = busybox_image(&engine, &format!("imagebench-test/link:dl-{tag}"), &cmd, 0).await;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "name = \"link\"\nruns = 1\nwarmup = 0\nmodes = [\"cold\"]\n[registry]\nmanaged = true\n\
         [[pair]]\nname = \"p\"\nready = {{ log = \"up\" }}\n\
         fat = {{ image = \"{fat}\" }}\ndistroless = {{ image = \"{dl}\" }}\n"
    );
    let extra = ["--link", "40mbit/20ms", "--no-inspect"];
    let (out, _, out_dir) = run_scenario(dir.path(), &toml, &extra);
    assert!(out.status.success(), "{}", describe(&out));
    let results = results(&out_dir);
    assert_eq!(results.meta.link.as_deref(), Some("40mbit/20ms"));
    for s in &results.samples {
        let pulled = s.pull_bytes.unwrap();
        let wire = s.wire_bytes.unwrap();
        assert!(wire >= pulled, "wire {wire} < pulled {pulled}: {s:?}");
        let floor_us = pulled as f64 * 8.0 / 40e6 * 1e6 + 20_000.0;
        let pull_us = s.pull_us.unwrap() as f64;
        eprintln!(
            "{}: {pulled} bytes, pull {pull_us:.0} us, link floor {floor_us:.0} us",
            s.image
        );
        assert!(
            pull_us >= floor_us,
            "pull faster than the link allows: {s:?}"
        );
    }
}

/// Runs the docker CLI; returns its trimmed stdout, panicking with stderr on failure.
fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cold_run_refuses_images_that_other_images_are_built_on() {
    let engine = engine().await;
    let t = format!("c{}", free_port());
    let cmd = ["/bin/busybox", "sh", "-c", "echo up; sleep 60"];
    let fat = busybox_image(&engine, &format!("imagebench-test/parent:fat-{t}"), &cmd, 0).await;
    let dl = busybox_image(&engine, &format!("imagebench-test/parent:dl-{t}"), &cmd, 0).await;
    // A container of `dl` committed: a child image, as `docker build` or `docker commit` make.
    let child = format!("imagebench-test/parent:child-{t}");
    let container = docker(&["create", "--pull", "never", &dl]);
    docker(&["commit", &container, &child]);
    docker(&["rm", &container]);
    let _guard = RemoveOnDrop(vec![child.clone(), fat.clone(), dl.clone()]);
    let ids_before = docker(&["image", "inspect", "--format", "{{.Id}}", &fat, &dl, &child]);
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "name = \"parent\"\nruns = 1\nwarmup = 0\nmodes = [\"cold\"]\n[registry]\nmanaged = true\n\
         [[pair]]\nname = \"p\"\nready = {{ log = \"up\" }}\n\
         fat = {{ image = \"{fat}\" }}\ndistroless = {{ image = \"{dl}\" }}\n"
    );
    let (out, _, out_dir) = run_scenario(dir.path(), &toml, &["--no-inspect"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&dl) && err.contains(&child), "{err}");
    assert!(err.contains("--mode warm"), "{err}");
    let rows = std::fs::read_to_string(out_dir.join("samples.csv")).unwrap_or_default();
    assert!(rows.lines().count() <= 1, "no sample was taken: {rows}");
    // Every image is still there, under its tag, with its id; nothing is left running.
    let ids_after = docker(&["image", "inspect", "--format", "{{.Id}}", &fat, &dl, &child]);
    assert_eq!(ids_after, ids_before);
    assert!(leftover_containers(&engine, None).await.is_empty());
}
