//! Daemon faults for real: the Docker connection drops during a pull, a readiness wait
//! and a cleanup (a relay in front of the daemon's socket cuts it). Each ends in an error
//! sample naming the phase, the run goes on, and nothing is left behind.

mod common;

use common::relay::Relay;
use common::*;
use imagebench::bench::record::read_samples;
use imagebench::bench::sample::{Mode, Outcome};
use std::path::Path;
use std::time::Duration;

/// Runs imagebench through `relay` on `scenario_text`; returns (exit code, samples, run id,
/// stderr).
async fn run_through(
    relay: &Relay,
    dir: &Path,
    scenario_text: &str,
) -> (
    Option<i32>,
    Vec<imagebench::bench::sample::Sample>,
    String,
    String,
) {
    let path = dir.join("s.toml");
    std::fs::write(&path, scenario_text).unwrap();
    let out_dir = dir.join("out");
    let child = tokio::process::Command::new(binary())
        .args([
            "run",
            path.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .env("DOCKER_HOST", relay.docker_host())
        .env("IMAGEBENCH_CACHE", dir.join("cache"))
        .output();
    let out = tokio::time::timeout(Duration::from_secs(240), child)
        .await
        .expect("imagebench did not finish within 240s")
        .unwrap();
    eprintln!("{}", describe(&out));
    let samples = read_samples(&out_dir.join("samples.csv")).unwrap();
    let run_id = results(&out_dir).meta.run_id;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), samples, run_id, stderr)
}

fn scenario(modes: &str, registry: bool, ready: &str, fat: &str, dl: &str) -> String {
    let registry = if registry {
        "[registry]\nmanaged = true\n"
    } else {
        ""
    };
    format!(
        "name = \"faults\"\nruns = 2\nwarmup = 0\nmodes = {modes}\nseed = 1\n{registry}\
         [[pair]]\nname = \"p\"\ntimeout = \"20s\"\nready = {ready}\n\
         fat = {{ image = \"{fat}\" }}\ndistroless = {{ image = \"{dl}\" }}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_drops_during_wait_and_cleanup_are_error_samples() {
    let engine = engine().await;
    let port = free_port();
    let t = format!("w{port}");
    let http = httpd(port);
    let mut cmd = vec!["/bin/busybox", "sh", "-c"];
    let serve = format!("sleep 1; exec {}", http.join(" "));
    cmd.push(&serve);
    let fat = busybox_image(&engine, &format!("imagebench-test/wait:fat-{t}"), &cmd, 0).await;
    let dl = busybox_image(&engine, &format!("imagebench-test/wait:dl-{t}"), &cmd, 0).await;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    // The first readiness wait and the second container removal lose their connection.
    relay.trap("POST", "/wait", 0, None);
    relay.trap("DELETE", "/containers/", 1, None);
    let ready = format!("{{ http = \"http://127.0.0.1:{port}/\" }}");
    let text = scenario("[\"warm\"]", false, &ready, &fat, &dl);
    let (code, samples, run_id, _) = run_through(&relay, dir.path(), &text).await;
    assert_eq!(relay.caught(), 2);
    assert_eq!(code, Some(1));
    assert_eq!(samples.len(), 4, "the run went on after the faults");
    let errors: Vec<_> = samples
        .iter()
        .filter(|s| s.outcome == Outcome::Error)
        .collect();
    assert_eq!(errors.len(), 2, "{samples:?}");
    assert!(errors[0].message.contains("ready phase"), "{:?}", errors[0]);
    assert!(
        errors[1].message.contains("cleanup phase"),
        "{:?}",
        errors[1]
    );
    assert_eq!(samples.iter().filter(|s| s.is_ok()).count(), 2);
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_drop_during_a_cold_pull_is_an_error_sample() {
    let engine = engine().await;
    let t = format!("u{}", free_port());
    let cmd = ["/bin/busybox", "sh", "-c", "echo up; sleep 60"];
    // Large, incompressible layers: the pull is still running when the connection goes.
    let fat = busybox_image(
        &engine,
        &format!("imagebench-test/pull:fat-{t}"),
        &cmd,
        96 << 20,
    )
    .await;
    let dl = busybox_image(
        &engine,
        &format!("imagebench-test/pull:dl-{t}"),
        &cmd,
        64 << 20,
    )
    .await;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    // Let the two pulls that check the images through, then cut the first measured one.
    relay.trap(
        "POST",
        "/images/create?fromImage",
        2,
        Some(Duration::from_millis(150)),
    );
    let text = scenario("[\"cold\"]", true, "{ log = \"up\" }", &fat, &dl);
    let (code, samples, run_id, _) = run_through(&relay, dir.path(), &text).await;
    assert_eq!(relay.caught(), 1);
    assert_eq!(code, Some(1));
    assert_eq!(samples.len(), 4);
    let failed: Vec<_> = samples.iter().filter(|s| !s.is_ok()).collect();
    assert_eq!(failed.len(), 1, "{samples:?}");
    assert_eq!(failed[0].mode, Mode::Cold);
    assert!(failed[0].message.contains("pull phase"), "{:?}", failed[0]);
    assert!(samples
        .iter()
        .filter(|s| s.is_ok())
        .all(|s| s.pull_layers.unwrap() >= 1));
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
    // The user's tags are back after the cold samples removed them.
    for image in [&fat, &dl] {
        assert!(imagebench::engine::Engine::local_image(&engine, image)
            .await
            .unwrap()
            .is_some());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_samples_in_a_row_losing_the_daemon_stop_the_run() {
    let engine = engine().await;
    let port = free_port();
    let t = format!("s{port}");
    // Serves after a second: the cut wait ends the sample before it could be ready.
    let serve = format!("sleep 1; exec {}", httpd(port).join(" "));
    let cmd = ["/bin/busybox", "sh", "-c", &serve];
    let fat = busybox_image(&engine, &format!("imagebench-test/stop:fat-{t}"), &cmd, 0).await;
    let dl = busybox_image(&engine, &format!("imagebench-test/stop:dl-{t}"), &cmd, 0).await;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    // Every readiness wait of the first three samples loses its connection; a fourth would
    // get through, but the run must not get there.
    for _ in 0..3 {
        relay.trap("POST", "/wait", 0, None);
    }
    let ready = format!("{{ http = \"http://127.0.0.1:{port}/\" }}");
    let text = scenario("[\"warm\"]", false, &ready, &fat, &dl).replace("runs = 2", "runs = 4");
    let (code, samples, run_id, stderr) = run_through(&relay, dir.path(), &text).await;
    assert_eq!(relay.caught(), 3);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("stopped after 3 samples in a row lost the Docker daemon"),
        "{stderr}"
    );
    assert_eq!(
        samples.len(),
        3,
        "the run stopped at the third: {samples:?}"
    );
    assert!(samples
        .iter()
        .all(|s| s.outcome == Outcome::Error && s.message.contains("ready phase")));
    assert!(leftover_containers(&engine, Some(&run_id)).await.is_empty());
}
