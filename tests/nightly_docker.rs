//! scripts/nightly.sh as the nightly job runs it: a fresh baseline passes, an image slowed
//! by a second fails the job.
//!
//! The slowdown is far above the noise on purpose: a CI run once saw two of six baseline
//! samples at three times their median (the daemon still busy from earlier tests), and a
//! 300 ms slowdown then overlapped the baseline enough for the rank test to call it noise.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn nightly(dir: &Path, scenario: &Path, out: &str) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/nightly.sh");
    Command::new("bash")
        .arg(script)
        .args(["--scenario", scenario.to_str().unwrap()])
        .args(["--baseline", dir.join("baseline.json").to_str().unwrap()])
        .args(["--threshold", "50%", "--runs", "10"])
        .args(["--out", dir.join(out).to_str().unwrap()])
        .env("IMAGEBENCH", binary())
        .env("IMAGEBENCH_CACHE", dir.join("cache"))
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn nightly_passes_on_its_baseline_and_fails_on_a_slowed_image() {
    let engine = engine().await;
    let port = free_port();
    let tag = format!("n{port}");
    let serve = httpd(port);
    let serve: Vec<&str> = serve.iter().map(String::as_str).collect();
    let fat = busybox_image(
        &engine,
        &format!("imagebench-test/nightly:fat-{tag}"),
        &serve,
        1 << 20,
    )
    .await;
    let dl = busybox_image(
        &engine,
        &format!("imagebench-test/nightly:dl-{tag}"),
        &serve,
        0,
    )
    .await;
    // The distroless tag is re-pointed below: its first image is removed by id.
    let first_dl = imagebench::engine::Engine::local_image(&engine, &dl)
        .await
        .unwrap()
        .unwrap()
        .id;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone(), first_dl]);
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("nightly.toml");
    std::fs::write(
        &scenario,
        format!(
            "name = \"nightly\"\nwarmup = 1\nmodes = [\"warm\"]\n[[pair]]\nname = \"svc\"\n\
             ready = {{ http = \"http://127.0.0.1:{port}/\" }}\n\
             fat = {{ image = \"{fat}\" }}\ndistroless = {{ image = \"{dl}\" }}\n"
        ),
    )
    .unwrap();

    let first = nightly(dir.path(), &scenario, "run1");
    assert_eq!(first.status.code(), Some(0), "{}", describe(&first));
    assert!(dir.path().join("baseline.json").exists());
    let second = nightly(dir.path(), &scenario, "run2");
    assert_eq!(second.status.code(), Some(0), "{}", describe(&second));
    assert!(dir.path().join("run2/compare.md").exists());

    // The same distroless tag, now sleeping a second before it serves.
    let slow_cmd = format!("sleep 1; exec {}", serve.join(" "));
    busybox_image(&engine, &dl, &["/bin/busybox", "sh", "-c", &slow_cmd], 0).await;
    let third = nightly(dir.path(), &scenario, "run3");
    assert_eq!(
        third.status.code(),
        Some(1),
        "{}\n--- the baseline run\n{}",
        describe(&third),
        describe(&first)
    );
    let text = String::from_utf8_lossy(&third.stdout);
    assert!(text.contains("REGRESSION"), "{text}");
    let compare = std::fs::read_to_string(dir.path().join("run3/compare.md")).unwrap();
    assert!(compare.contains("svc"), "{compare}");
}
