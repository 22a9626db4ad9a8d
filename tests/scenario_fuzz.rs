//! Hostile scenario text: thousands of seeded mutations of valid files (bytes flipped,
//! lines dropped, duplicated or cut, values swapped for odd ones) never make the parser
//! panic; each is either a valid scenario or an error that names the file and a line.

use imagebench::bench::plan::SplitMix64;
use imagebench::scenario::{HostAccess, Scenario, ScenarioError};
use std::path::Path;

const ODD_VALUES: [&str; 12] = [
    "-1",
    "1e309",
    "\"\"",
    "[]",
    "{}",
    "\"\\u0000\"",
    "99999999999999999999",
    "true",
    "\"http://10.0.0.1/\"",
    "\"0s\"",
    "nan",
    "'''",
];

fn mutate(text: &str, rng: &mut SplitMix64) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..1 + rng.next_u64() % 4 {
        let n = lines.len().max(1) as u64;
        let i = (rng.next_u64() % n) as usize;
        match rng.next_u64() % 6 {
            0 if !lines.is_empty() => {
                lines.remove(i);
            }
            1 if !lines.is_empty() => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 if !lines.is_empty() => {
                let cut = (rng.next_u64() as usize) % (lines[i].len() + 1);
                let keep: String = lines[i].chars().take(cut).collect();
                lines[i] = keep;
            }
            3 if !lines.is_empty() => {
                if let Some((key, _)) = lines[i].split_once('=') {
                    let odd = ODD_VALUES[(rng.next_u64() % ODD_VALUES.len() as u64) as usize];
                    lines[i] = format!("{key}= {odd}");
                }
            }
            4 if !lines.is_empty() => {
                let mut bytes = lines[i].clone().into_bytes();
                if !bytes.is_empty() {
                    let j = (rng.next_u64() as usize) % bytes.len();
                    bytes[j] = (rng.next_u64() % 128) as u8;
                }
                lines[i] = String::from_utf8_lossy(&bytes).into_owned();
            }
            _ => lines.push("[[pair]]".to_string()),
        }
    }
    lines.join("\n")
}

#[test]
fn mutated_scenarios_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = vec![std::fs::read_to_string(root.join("scenarios/demo.toml")).unwrap()];
    for entry in std::fs::read_dir(root.join("tests/scenarios/bad")).unwrap() {
        seeds.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let mut rng = SplitMix64(20261203);
    let (mut valid, mut refused) = (0, 0);
    for case in 0..5000 {
        let seed = &seeds[case % seeds.len()];
        let text = mutate(seed, &mut rng);
        let result = std::panic::catch_unwind(|| {
            Scenario::from_toml(&text, Path::new("fuzz.toml"), HostAccess::Allowed)
        });
        match result {
            Err(_) => panic!("the parser panicked on:\n{text}"),
            Ok(Ok(_)) => valid += 1,
            Ok(Err(ScenarioError::Invalid { line, message, .. })) => {
                assert!(
                    line >= 1 && line <= text.lines().count().max(1) + 1,
                    "line {line} for:\n{text}"
                );
                assert!(!message.is_empty());
                refused += 1;
            }
            Ok(Err(e)) => panic!("unexpected error kind {e} for:\n{text}"),
        }
    }
    assert!(
        refused > 1000 && valid > 10,
        "valid {valid}, refused {refused}"
    );
}
