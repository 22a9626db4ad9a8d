//! Privileged mode, host mounts and extra capabilities: refused unless the command line
//! allows them, and then really granted to the containers (and to no other pair).

mod common;

use common::*;
use imagebench::bench::record::read_samples;
use imagebench::bench::sample::Outcome;
use imagebench::engine::{run_labels, ContainerSpec, Engine};
use std::collections::BTreeMap;

/// A warm-only pair on an isolated network whose command must exit 0 to be ready.
fn pair(name: &str, grants: &str, script: &str, fat: &str, dl: &str) -> String {
    let entrypoint = format!("entrypoint = [\"/bin/busybox\", \"sh\", \"-c\", \"{script}\"]");
    format!(
        "[[pair]]\nname = \"{name}\"\nnetwork = \"none\"\ntimeout = \"20s\"\n\
         ready = {{ exit = 0 }}\n{grants}\
         fat = {{ image = \"{fat}\", {entrypoint} }}\n\
         distroless = {{ image = \"{dl}\", {entrypoint} }}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn host_access_is_refused_by_default_and_granted_by_the_flag() {
    let engine = engine().await;
    let t = format!("h{}", free_port());
    let idle = ["/bin/busybox", "true"];
    let fat = busybox_image(&engine, &format!("imagebench-test/host:fat-{t}"), &idle, 0).await;
    let dl = busybox_image(&engine, &format!("imagebench-test/host:dl-{t}"), &idle, 0).await;
    let _guard = RemoveOnDrop(vec![fat.clone(), dl.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::write(shared.join("marker"), "from the host").unwrap();
    let mount = format!("mounts = [\"{}:/data:ro\"]\n", shared.display());
    // Taking `lo` down needs NET_ADMIN; mounting a tmpfs needs privileged mode (SYS_ADMIN).
    let link_down = "ip link set lo down";
    let tmpfs = "mount -t tmpfs none /mnt";
    let pairs = [
        pair("mount", &mount, "test -f /data/marker", &fat, &dl),
        pair("cap", "cap_add = [\"NET_ADMIN\"]\n", link_down, &fat, &dl),
        pair("privileged", "privileged = true\n", tmpfs, &fat, &dl),
        pair("plain-cap", "", link_down, &fat, &dl),
        pair("plain-privileged", "", tmpfs, &fat, &dl),
        pair("plain-mount", "", "test -f /data/marker", &fat, &dl),
    ]
    .concat();
    let toml = format!("name = \"host\"\nruns = 1\nwarmup = 0\nmodes = [\"warm\"]\n{pairs}");

    // Without the flag: refused before anything runs, naming the line of the first request.
    let (refused, scenario, out_dir) = run_scenario(dir.path(), &toml, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains(&format!("{scenario}:10:1")), "{err}");
    assert!(err.contains("--allow-host-access"), "{err}");
    assert!(!out_dir.join("samples.csv").exists());
    let validated = imagebench(&["validate", &scenario], dir.path());
    assert_eq!(validated.status.code(), Some(2), "{}", describe(&validated));
    let validated = imagebench(&["validate", "--allow-host-access", &scenario], dir.path());
    assert_eq!(validated.status.code(), Some(0), "{}", describe(&validated));

    // With it: each grant reaches its own pair's containers and no other pair's.
    let extra = ["--no-inspect", "--allow-host-access"];
    let (run, _, out_dir) = run_scenario(dir.path(), &toml, &extra);
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let samples = read_samples(&out_dir.join("samples.csv")).unwrap();
    assert_eq!(samples.len(), 12);
    let mut outcomes: BTreeMap<&str, Vec<Outcome>> = BTreeMap::new();
    for s in &samples {
        outcomes.entry(&s.pair).or_default().push(s.outcome);
    }
    // Without their grant, the same commands are refused by the kernel.
    for pair in ["plain-cap", "plain-privileged", "plain-mount"] {
        assert_eq!(outcomes[pair], [Outcome::Exited; 2], "{pair}: {samples:?}");
    }
    for pair in ["mount", "cap"] {
        assert_eq!(outcomes[pair], [Outcome::Ok; 2], "{pair}: {samples:?}");
    }
    // A daemon that itself runs without every capability (like this project's CI sandbox)
    // cannot start privileged containers: then the start fails, where its plain twin started.
    for s in samples.iter().filter(|s| s.pair == "privileged") {
        let refused_by_runtime = s.outcome == Outcome::Error
            && s.message.contains("start phase")
            && s.message.contains("caps");
        assert!(s.outcome == Outcome::Ok || refused_by_runtime, "{s:?}");
    }
    let recorded = results(&out_dir).scenario;
    assert!(recorded.pairs[2].privileged);
    assert_eq!(recorded.pairs[0].mounts[0].host, shared.to_str().unwrap());
    assert_eq!(recorded.pairs[1].cap_add[0].name(), "NET_ADMIN");
    assert!(leftover_containers(&engine, None).await.is_empty());
}

/// The container spec's grants reach the daemon as written (checked with `docker inspect`,
/// since a privileged container may not start where the daemon lacks capabilities).
#[tokio::test(flavor = "multi_thread")]
async fn grants_reach_the_created_container() {
    let engine = engine().await;
    let t = format!("g{}", free_port());
    let image = format!("imagebench-test/grants:{t}");
    busybox_image(&engine, &image, &["/bin/busybox", "true"], 0).await;
    let _guard = RemoveOnDrop(vec![image.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let bind = format!("{}:/data:ro", dir.path().display());
    let spec = ContainerSpec {
        name: format!("imagebench-test-grants-{t}"),
        image,
        network: "none".into(),
        labels: run_labels(&format!("test-{t}")),
        privileged: true,
        binds: vec![bind.clone()],
        cap_add: vec!["NET_ADMIN".into()],
        ..Default::default()
    };
    let id = engine.create_container(&spec).await.unwrap();
    let inspected = std::process::Command::new("docker")
        .args(["inspect", "--format"])
        .arg("{{.HostConfig.Privileged}} {{json .HostConfig.Binds}} {{json .HostConfig.CapAdd}}")
        .arg(&id)
        .output()
        .unwrap();
    engine.remove_container(&id).await.unwrap();
    let text = String::from_utf8_lossy(&inspected.stdout);
    assert_eq!(
        text.trim(),
        format!("true [\"{bind}\"] [\"NET_ADMIN\"]"),
        "{inspected:?}"
    );
}
