//! The command line without a daemon: validation of malformed scenarios, help, no daemon.

mod common;

use std::path::Path;
use std::process::Command;

fn imagebench(args: &[&str]) -> std::process::Output {
    Command::new(common::binary()).args(args).output().unwrap()
}

#[test]
fn every_malformed_scenario_is_refused_with_its_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/bad");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus has {} files", files.len());
    let located = regex::Regex::new(r"\.toml:\d+:\d+: \S").unwrap();
    for file in files {
        let out = imagebench(&["validate", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
        assert!(
            stderr.contains(file.to_str().unwrap()) && located.is_match(&stderr),
            "{}: error does not name file:line:column: {stderr}",
            file.display()
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn shipped_scenarios_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let out = imagebench(&["validate", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", common::describe(&out));
    }
}

#[test]
fn missing_scenario_file_is_bad_input() {
    let out = imagebench(&["validate", "/nonexistent/scenario.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/scenario.toml"));
}

#[test]
fn no_daemon_is_an_environment_error_naming_the_socket() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo.toml");
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::binary())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out_dir.path().to_str().unwrap(),
        ])
        .env("DOCKER_HOST", "unix:///tmp/imagebench-no-such.sock")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("/tmp/imagebench-no-such.sock"), "{stderr}");
}

#[test]
fn help_explains_the_commands() {
    let out = imagebench(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["run", "demo", "validate", "clean", "fixtures", "Exit codes"] {
        assert!(text.contains(word), "help lacks {word}: {text}");
    }
    let out = imagebench(&["run", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in ["--runs", "--warmup", "--mode", "--out", "--seed"] {
        assert!(text.contains(flag), "run --help lacks {flag}");
    }
}
