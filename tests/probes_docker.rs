//! Probes, failing containers, Ctrl-C and `clean`, against the real daemon (warm samples).

mod common;

use common::*;
use imagebench::bench::record::read_samples;
use imagebench::bench::sample::Outcome;
use imagebench::engine::{ContainerSpec, Engine, RUN_LABEL};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Writes a warm-only scenario with the given pairs; returns (dir, scenario path, out dir).
fn scenario(pairs: &str, runs: u32) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(
        &path,
        format!("name = \"probes\"\nruns = {runs}\nwarmup = 0\nmodes = [\"warm\"]\n{pairs}"),
    )
    .unwrap();
    let out = dir.path().join("out");
    (
        dir,
        path.to_str().unwrap().into(),
        out.to_str().unwrap().into(),
    )
}

/// Builds a fat and a distroless busybox image for each (name, command); returns
/// their references, fat then distroless, in order.
async fn pair_images(
    engine: &imagebench::engine::docker::DockerEngine,
    tag: &str,
    pairs: &[(&str, &[&str])],
) -> Vec<String> {
    let mut names = Vec::new();
    for (name, cmd) in pairs {
        for variant in ["fat", "dl"] {
            let reference = format!("imagebench-test/{name}:{variant}-{tag}");
            names.push(busybox_image(engine, &reference, cmd, 0).await);
        }
    }
    names
}

fn pair(name: &str, ready: &str, timeout: &str, fat: &str, distroless: &str) -> String {
    format!(
        "[[pair]]\nname = \"{name}\"\ntimeout = \"{timeout}\"\nready = {ready}\nfat = {{ image = \"{fat}\" }}\ndistroless = {{ image = \"{distroless}\" }}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn each_probe_kind_sees_its_container_ready() {
    let engine = engine().await;
    let port = free_port();
    let t = format!("p{port}");
    let http = httpd(port);
    let http: Vec<&str> = http.iter().map(String::as_str).collect();
    let exit0 = ["/bin/busybox", "true"];
    let regex_cmd = [
        "/bin/busybox",
        "sh",
        "-c",
        "sleep 0.2; echo 'ready in 42ms'; sleep 60",
    ];
    let names = pair_images(
        &engine,
        &t,
        &[("tcp", &http), ("exit", &exit0), ("rx", &regex_cmd)],
    )
    .await;
    let _guard = RemoveOnDrop(names.clone());
    let pairs = [
        pair(
            "tcp",
            &format!("{{ tcp = {port} }}"),
            "20s",
            &names[0],
            &names[1],
        ),
        pair("exit", "{ exit = 0 }", "20s", &names[2], &names[3]),
        pair(
            "rx",
            r#"{ log_regex = '^ready in \d+ms$' }"#,
            "20s",
            &names[4],
            &names[5],
        ),
    ]
    .concat();
    let (dir, path, out_dir) = scenario(&pairs, 1);
    let out = imagebench(&["run", &path, "--out", &out_dir], dir.path());
    assert!(out.status.success(), "{}", describe(&out));
    let samples = read_samples(&std::path::Path::new(&out_dir).join("samples.csv")).unwrap();
    assert_eq!(samples.len(), 6);
    for s in &samples {
        assert_eq!(s.outcome, Outcome::Ok, "{s:?}");
    }
    // The regex pair prints its line after 200 ms: the probe cannot be ready before.
    for s in samples.iter().filter(|s| s.pair == "rx") {
        assert!(
            s.start_us.unwrap() + s.ready_wait_us.unwrap() >= 200_000,
            "{s:?}"
        );
    }
    let run_id = results(std::path::Path::new(&out_dir)).meta.run_id;
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn crash_wrong_exit_and_timeout_end_the_sample_in_bounded_time() {
    let engine = engine().await;
    let port = free_port();
    let t = format!("f{port}");
    let crash = [
        "/bin/busybox",
        "sh",
        "-c",
        "echo boom-before-ready >&2; exit 3",
    ];
    let wrong = ["/bin/busybox", "sh", "-c", "exit 2"];
    let hang = ["/bin/busybox", "sleep", "60"];
    let names = pair_images(
        &engine,
        &t,
        &[("crash", &crash), ("wrong", &wrong), ("hang", &hang)],
    )
    .await;
    let _guard = RemoveOnDrop(names.clone());
    let pairs = [
        pair(
            "crash",
            &format!("{{ http = \"http://127.0.0.1:{port}/\" }}"),
            "30s",
            &names[0],
            &names[1],
        ),
        pair("wrong", "{ exit = 0 }", "30s", &names[2], &names[3]),
        pair(
            "hang",
            &format!("{{ tcp = {port} }}"),
            "1s",
            &names[4],
            &names[5],
        ),
    ]
    .concat();
    let (dir, path, out_dir) = scenario(&pairs, 1);
    let started = Instant::now();
    let out = imagebench(&["run", &path, "--out", &out_dir], dir.path());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let samples = read_samples(&std::path::Path::new(&out_dir).join("samples.csv")).unwrap();
    assert_eq!(samples.len(), 6);
    for s in &samples {
        match s.pair.as_str() {
            "crash" => {
                assert_eq!(
                    (s.outcome, s.exit_code),
                    (Outcome::Exited, Some(3)),
                    "{s:?}"
                );
                assert!(s.message.contains("boom-before-ready"), "{s:?}");
                assert!(s.message.contains("ready phase"), "{s:?}");
            }
            "wrong" => {
                assert_eq!(
                    (s.outcome, s.exit_code),
                    (Outcome::Exited, Some(2)),
                    "{s:?}"
                );
                assert!(s.message.contains("expected 0"), "{s:?}");
            }
            _ => {
                assert_eq!(s.outcome, Outcome::Timeout, "{s:?}");
                assert!(s.message.contains("within 1.0s"), "{s:?}");
            }
        }
    }
    let run_id = results(std::path::Path::new(&out_dir)).meta.run_id;
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_run_keeps_finished_rows_and_leaks_nothing() {
    let engine = engine().await;
    let t = format!("i{}", free_port());
    let cmd = ["/bin/busybox", "sh", "-c", "sleep 0.3; echo up; sleep 60"];
    let fat = busybox_image(&engine, &format!("imagebench-test/int:fat-{t}"), &cmd, 0).await;
    let dl = busybox_image(&engine, &format!("imagebench-test/int:dl-{t}"), &cmd, 0).await;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone()]);
    let (dir, path, out_dir) = scenario(&pair("int", "{ log = \"up\" }", "20s", &fat, &dl), 6);
    let mut child = std::process::Command::new(binary())
        .args(["run", &path, "--out", &out_dir])
        .env("IMAGEBENCH_CACHE", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let csv = std::path::Path::new(&out_dir).join("samples.csv");
    let deadline = Instant::now() + Duration::from_secs(60);
    while read_samples(&csv).map(|s| s.len()).unwrap_or(0) < 3 {
        assert!(Instant::now() < deadline, "no samples within 60s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Interrupt in the middle of a sample (the probe waits 300 ms for its line).
    tokio::time::sleep(Duration::from_millis(150)).await;
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "no exit within 60s of SIGINT");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(code, Some(130));
    let rows = read_samples(&csv).unwrap();
    assert!(rows.len() >= 3 && rows.len() < 12, "{} rows", rows.len());
    assert!(rows.iter().all(|s| s.outcome == Outcome::Ok), "{rows:?}");
    let first = results(std::path::Path::new(&out_dir));
    assert!(first.meta.interrupted);
    assert_eq!(first.samples, rows);
    assert!(leftover_containers(&engine, Some(&first.meta.run_id))
        .await
        .is_empty());

    // --resume takes the remaining samples and no more: 6 rounds x 2 variants in all.
    let out = imagebench(&["run", "--resume", &out_dir], dir.path());
    assert!(out.status.success(), "{}", describe(&out));
    let all = read_samples(&csv).unwrap();
    assert_eq!(all.len(), 12);
    assert_eq!(&all[..rows.len()], &rows[..]);
    let seqs: Vec<u64> = all.iter().map(|s| s.seq).collect();
    assert_eq!(seqs, (0..12).collect::<Vec<u64>>());
    let resumed = results(std::path::Path::new(&out_dir));
    assert!(!resumed.meta.interrupted);
    assert_eq!(resumed.samples, all);
    assert_eq!(resumed.meta.seed, first.meta.seed);
}

#[tokio::test(flavor = "multi_thread")]
async fn clean_removes_labelled_leftovers() {
    let engine = engine().await;
    let t = format!("c{}", free_port());
    let image = busybox_image(
        &engine,
        &format!("imagebench-test/clean:{t}"),
        &["/bin/busybox", "sleep", "60"],
        0,
    )
    .await;
    let _guard = RemoveOnDrop(vec![image.clone()]);
    let run_id = format!("test-clean-{t}");
    let spec = ContainerSpec {
        name: format!("imagebench-{run_id}"),
        image,
        network: "none".into(),
        labels: HashMap::from([(RUN_LABEL.to_string(), run_id.clone())]),
        ..ContainerSpec::default()
    };
    let id = engine.create_container(&spec).await.unwrap();
    engine.start_container(&id).await.unwrap();
    assert_eq!(leftover_containers(&engine, Some(&run_id)).await, vec![id]);
    let dir = tempfile::tempdir().unwrap();
    let out = imagebench(&["clean"], dir.path());
    assert!(out.status.success(), "{}", describe(&out));
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn resource_limits_reach_the_container() {
    let engine = engine().await;
    let t = format!("l{}", free_port());
    // The container prints the limits its cgroup sees (v1 or v2); the log probe waits for them.
    let show = "m=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max); \
        p=$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max); \
        c=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max); \
        echo \"limits mem=$m pids=$p cpu=$c\"; sleep 60";
    let cmd = ["/bin/busybox", "sh", "-c", show];
    let names = pair_images(&engine, &t, &[("limits", &cmd)]).await;
    let _guard = RemoveOnDrop(names.clone());
    let pairs = pair(
        "limits",
        "{ log = \"limits mem=67108864 pids=64 cpu=50000\" }",
        "10s",
        &names[0],
        &names[1],
    )
    .replace(
        "ready =",
        "limits = { memory = \"64m\", pids = 64, cpus = 0.5 }\nready =",
    );
    let (dir, path, out_dir) = scenario(&pairs, 1);
    let out = imagebench(&["run", &path, "--out", &out_dir], dir.path());
    assert!(out.status.success(), "{}", describe(&out));
    let results = results(std::path::Path::new(&out_dir));
    let limits = results.scenario.pairs[0].limits.unwrap();
    assert_eq!(
        (limits.memory.unwrap().0, limits.pids, limits.cpus),
        (64 << 20, Some(64), Some(0.5))
    );
}
