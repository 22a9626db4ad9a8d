//! `inspect` against the real daemon, on images built here whose contents are known: the
//! figures must match what was put in, and no container may be left behind.

mod common;

use common::{add_file, RemoveOnDrop};
use imagebench::engine::docker::DockerEngine;
use imagebench::engine::{Engine, RUN_LABEL};
use imagebench::inspect::render::pair_table;
use imagebench::inspect::{inspect_image, ImageReport, InspectError};
use std::process::{Command, Stdio};
use tar::{Builder, EntryType, Header};

/// Three installed packages and one removed one.
const DPKG_STATUS: &str = "Package: base-files\nStatus: install ok installed\nVersion: 12\n\n\
Package: dash\nStatus: install ok installed\nDescription: shell\n POSIX shell\n\n\
Package: old\nStatus: deinstall ok config-files\n\n\
Package: dpkg\nStatus: install ok installed\n";

/// Appends a directory or a symbolic link.
fn add_entry(tar: &mut Builder<Vec<u8>>, path: &str, kind: EntryType, mode: u32, link: &str) {
    let mut header = Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(0);
    header.set_mtime(1_700_000_000);
    if kind.is_symlink() {
        tar.append_link(&mut header, path, link).unwrap();
    } else {
        header.set_cksum();
        tar.append_data(&mut header, path, &[][..]).unwrap();
    }
}

fn busybox() -> Vec<u8> {
    std::fs::read("/bin/busybox")
        .expect("/bin/busybox missing: apt-get install busybox-static (.ci/run does)")
}

/// A fat-looking image: busybox with /bin/sh linked to it, a setuid file, a world-writable
/// directory without the sticky bit, dpkg and its status; no USER (root).
/// Holds 10 directories, 5 files, 1 symlink.
async fn fat_image(engine: &DockerEngine, reference: &str) -> Vec<u8> {
    let busybox = busybox();
    let mut tar = Builder::new(Vec::new());
    for dir in [
        "bin",
        "usr",
        "usr/bin",
        "var",
        "var/lib",
        "var/lib/dpkg",
        "etc",
        "srv",
    ] {
        add_entry(&mut tar, dir, EntryType::Directory, 0o755, "");
    }
    add_entry(&mut tar, "srv/drop", EntryType::Directory, 0o777, "");
    add_entry(&mut tar, "tmp", EntryType::Directory, 0o1777, "");
    add_file(&mut tar, "bin/busybox", &busybox, 0o755);
    add_entry(&mut tar, "bin/sh", EntryType::Symlink, 0o777, "busybox");
    add_file(&mut tar, "usr/bin/su", b"#!/bin/sh\n", 0o4755);
    add_file(&mut tar, "usr/bin/dpkg", b"#!/bin/sh\n", 0o755);
    add_file(
        &mut tar,
        "var/lib/dpkg/status",
        DPKG_STATUS.as_bytes(),
        0o644,
    );
    add_file(
        &mut tar,
        "etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\n",
        0o644,
    );
    engine
        .import_tarball(tar.into_inner().unwrap(), reference, &[])
        .await
        .expect("import the fat test image");
    busybox
}

/// A scratch image: one binary at /app, `USER 65532`.
async fn scratch_image(engine: &DockerEngine, reference: &str) {
    let mut tar = Builder::new(Vec::new());
    add_file(&mut tar, "app", &busybox(), 0o755);
    let changes = ["USER 65532".to_string(), r#"CMD ["/app"]"#.to_string()];
    engine
        .import_tarball(tar.into_inner().unwrap(), reference, &changes)
        .await
        .expect("import the scratch test image");
}

fn reference(name: &str) -> String {
    format!("imagebench-test/inspect-{name}:{}", std::process::id())
}

/// Containers the inspections of process `pid` left behind.
async fn leftovers(engine: &DockerEngine, pid: u32) -> Vec<String> {
    let run = format!("inspect-{pid}");
    let found = engine.containers_labelled(RUN_LABEL, Some(&run)).await;
    found.unwrap().into_iter().map(|c| c.id).collect()
}

#[tokio::test]
async fn figures_match_what_was_put_in() {
    let engine = common::engine().await;
    let (fat_ref, scratch_ref) = (reference("fat"), reference("scratch"));
    let _guard = RemoveOnDrop(vec![fat_ref.clone(), scratch_ref.clone()]);
    let busybox = fat_image(&engine, &fat_ref).await;
    scratch_image(&engine, &scratch_ref).await;

    let fat = inspect_image(&engine, &fat_ref).await.unwrap();
    let t = fat.totals;
    assert_eq!(
        (t.files, t.dirs, t.symlinks, t.other),
        (5, 10, 1, 0),
        "{t:?}"
    );
    let small = (10 + 10 + DPKG_STATUS.len() + 30) as u64;
    assert_eq!(t.bytes, busybox.len() as u64 + small);
    let s = &fat.surface;
    assert_eq!(s.shells, ["/bin/busybox", "/bin/sh"]);
    assert_eq!(s.package_managers, ["/usr/bin/dpkg"]);
    assert_eq!(
        (s.setuid.total, s.setuid.paths.clone()),
        (1, vec!["/usr/bin/su".into()])
    );
    assert_eq!(s.setgid.total, 0);
    assert_eq!(s.world_writable_dirs.paths, ["/srv/drop"]);
    assert_eq!(
        (s.packages, s.package_databases.clone()),
        (Some(3), vec!["dpkg".into()])
    );
    assert!(s.user.is_empty() && s.runs_as_root);
    assert_eq!(fat.layers, 1);
    assert_eq!(fat.top_level[0].path, "/bin");
    assert_eq!(
        fat.verdict(),
        "fat: shell (busybox, sh), package manager (dpkg), root, 3 packages, \
         1 setuid file, 1 world-writable dir"
    );

    let scratch = inspect_image(&engine, &scratch_ref).await.unwrap();
    let t = scratch.totals;
    assert_eq!(
        (t.files, t.dirs, t.symlinks, t.bytes),
        (1, 0, 0, busybox.len() as u64)
    );
    assert_eq!(scratch.surface.user, "65532");
    assert!(!scratch.surface.runs_as_root);
    assert_eq!(scratch.surface.packages, None);
    assert_eq!(
        scratch.verdict(),
        "distroless: no shell, no package manager, non-root, no package database"
    );
    let table = pair_table(&fat, &scratch);
    assert!(table.contains("| shell | yes | no |"), "{table}");
    assert!(table.contains("| packages | 3 | - |"), "{table}");

    assert!(leftovers(&engine, std::process::id()).await.is_empty());
}

#[tokio::test]
async fn a_missing_image_is_named() {
    let engine = common::engine().await;
    let missing = reference("missing");
    match inspect_image(&engine, &missing).await {
        Err(e @ InspectError::NotFound { .. }) => {
            assert!(e.to_string().contains(&missing), "{e}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Runs `imagebench inspect args...`; returns its output and pid.
fn inspect_cli(args: &[&str]) -> (std::process::Output, u32) {
    let child = Command::new(common::binary())
        .arg("inspect")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    (child.wait_with_output().unwrap(), pid)
}

#[tokio::test]
async fn cli_prints_the_verdict_or_names_the_missing_image() {
    let engine = common::engine().await;
    let image = reference("cli");
    let _guard = RemoveOnDrop(vec![image.clone()]);
    scratch_image(&engine, &image).await;

    let (out, pid) = inspect_cli(&[&image]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", common::describe(&out));
    assert!(
        stdout.contains("distroless: no shell, no package manager, non-root"),
        "{stdout}"
    );
    assert!(leftovers(&engine, pid).await.is_empty());

    let (out, _) = inspect_cli(&[&image, "--json"]);
    let reports: Vec<ImageReport> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0].totals.files, 1);

    let missing = reference("missing-cli");
    let (out, _) = inspect_cli(&[&image, &missing]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", common::describe(&out));
    assert!(
        stderr.contains(&missing) && stderr.contains("docker images"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
