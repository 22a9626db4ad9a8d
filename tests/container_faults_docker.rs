//! Containers that misbehave: megabytes of output, SIGTERM ignored, a crash after a delay;
//! and interruptions by SIGTERM and by a double Ctrl-C. Each ends in bounded time with the
//! right outcome, and nothing is left behind.

mod common;

use common::*;
use imagebench::bench::record::read_samples;
use imagebench::bench::sample::Outcome;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn write_scenario(dir: &Path, runs: u32, pairs: &str) -> (String, String) {
    let path = dir.join("s.toml");
    std::fs::write(
        &path,
        format!("name = \"faults\"\nruns = {runs}\nwarmup = 0\nmodes = [\"warm\"]\n{pairs}"),
    )
    .unwrap();
    let out = dir.join("out");
    (path.to_str().unwrap().into(), out.to_str().unwrap().into())
}

fn pair(name: &str, ready: &str, timeout: &str, fat: &str, dl: &str) -> String {
    format!(
        "[[pair]]\nname = \"{name}\"\ntimeout = \"{timeout}\"\nready = {ready}\n\
         fat = {{ image = \"{fat}\" }}\ndistroless = {{ image = \"{dl}\" }}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn noisy_stubborn_and_late_crashing_containers_end_in_bounded_time() {
    let engine = engine().await;
    let port = free_port();
    let t = format!("c{port}");
    // 8 MB of output before the ready line, one line of 2 MB among them.
    let noisy =
        "yes 'imagebench log line' | head -c 6000000; head -c 2000000 /dev/zero | tr '\\0' x; \
                 echo; echo ready now; sleep 60";
    // Ignores SIGTERM and never becomes ready: only a kill stops it.
    let stubborn = "trap '' TERM; while true; do sleep 1; done";
    let late = "sleep 1; echo giving up >&2; exit 4";
    let mut images = Vec::new();
    for (name, script) in [("noisy", noisy), ("stubborn", stubborn), ("late", late)] {
        for variant in ["fat", "dl"] {
            let reference = format!("imagebench-test/{name}:{variant}-{t}");
            let cmd = ["/bin/busybox", "sh", "-c", script];
            images.push(busybox_image(&engine, &reference, &cmd, 0).await);
        }
    }
    let _guard = RemoveOnDrop(images.clone());
    let http = format!("{{ http = \"http://127.0.0.1:{port}/\" }}");
    let pairs = [
        pair(
            "noisy",
            "{ log = \"ready now\" }",
            "60s",
            &images[0],
            &images[1],
        ),
        pair(
            "stubborn",
            &format!("{{ tcp = {port} }}"),
            "2s",
            &images[2],
            &images[3],
        ),
        pair("late", &http, "30s", &images[4], &images[5]),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let (scenario, out_dir) = write_scenario(dir.path(), 1, &pairs);
    let started = Instant::now();
    let out = imagebench(
        &["run", &scenario, "--out", &out_dir, "--no-inspect"],
        dir.path(),
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(took < Duration::from_secs(90), "took {took:?}");
    let samples = read_samples(&Path::new(&out_dir).join("samples.csv")).unwrap();
    assert_eq!(samples.len(), 6);
    for s in &samples {
        match s.pair.as_str() {
            "noisy" => assert_eq!(s.outcome, Outcome::Ok, "{s:?}"),
            "stubborn" => {
                assert_eq!(s.outcome, Outcome::Timeout, "{s:?}");
                assert!(s.ready_wait_us.is_none());
            }
            _ => {
                assert_eq!(
                    (s.outcome, s.exit_code),
                    (Outcome::Exited, Some(4)),
                    "{s:?}"
                );
                assert!(s.message.contains("giving up"), "{s:?}");
            }
        }
        assert!(
            s.message.len() < 4096,
            "message not bounded: {} bytes",
            s.message.len()
        );
    }
    let run_id = results(Path::new(&out_dir)).meta.run_id;
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}

/// Starts a long run of a slow-to-ready image; returns the child once 2 samples are on disk.
async fn long_run(dir: &Path, image_tag: &str) -> (std::process::Child, String, Vec<String>) {
    let engine = engine().await;
    let cmd = ["/bin/busybox", "sh", "-c", "sleep 0.5; echo up; sleep 60"];
    let fat = busybox_image(
        &engine,
        &format!("imagebench-test/sig:fat-{image_tag}"),
        &cmd,
        0,
    )
    .await;
    let dl = busybox_image(
        &engine,
        &format!("imagebench-test/sig:dl-{image_tag}"),
        &cmd,
        0,
    )
    .await;
    let (scenario, out_dir) =
        write_scenario(dir, 50, &pair("sig", "{ log = \"up\" }", "20s", &fat, &dl));
    let child = Command::new(binary())
        .args(["run", &scenario, "--out", &out_dir])
        .env("IMAGEBENCH_CACHE", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let csv = Path::new(&out_dir).join("samples.csv");
    let deadline = Instant::now() + Duration::from_secs(60);
    while read_samples(&csv).map(|s| s.len()).unwrap_or(0) < 2 {
        assert!(Instant::now() < deadline, "no samples within 60s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // inside the next probe
    (child, out_dir, vec![fat, dl])
}

fn signal(child: &std::process::Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

async fn wait_exit(child: &mut std::process::Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "no exit within {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_run_cleanly() {
    let engine = engine().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, out_dir, images) = long_run(dir.path(), &format!("t{}", free_port())).await;
    let _guard = RemoveOnDrop(images);
    signal(&child, "TERM");
    assert_eq!(
        wait_exit(&mut child, Duration::from_secs(60)).await,
        Some(130)
    );
    let results = results(Path::new(&out_dir));
    assert!(results.meta.interrupted);
    assert!(results.samples.iter().all(|s| s.is_ok()));
    assert!(leftover_containers(&engine, Some(&results.meta.run_id))
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_ctrl_c_exits_at_once_and_clean_removes_the_rest() {
    let engine = engine().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, out_dir, images) = long_run(dir.path(), &format!("d{}", free_port())).await;
    let _guard = RemoveOnDrop(images);
    signal(&child, "INT");
    tokio::time::sleep(Duration::from_millis(20)).await;
    signal(&child, "INT");
    let started = Instant::now();
    assert_eq!(
        wait_exit(&mut child, Duration::from_secs(10)).await,
        Some(130)
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    // The rows written so far are intact.
    let rows = read_samples(&Path::new(&out_dir).join("samples.csv")).unwrap();
    assert!(rows.len() >= 2 && rows.iter().all(|s| s.is_ok()));
    let out = imagebench(&["clean"], dir.path());
    assert!(out.status.success(), "{}", describe(&out));
    let run_id = results(Path::new(&out_dir)).meta.run_id;
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}
