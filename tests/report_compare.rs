//! The regression gate on synthetic runs: an injected slowdown is caught, an A/A pair is not.

#[path = "data/synthetic.rs"]
mod synthetic;

use imagebench::bench::sample::{Phase, Variant};
use imagebench::report::compare::{compare, Verdict};
use synthetic::{synthetic_results, Spec};

#[test]
fn flags_an_injected_20_percent_slowdown_of_one_image() {
    let baseline = synthetic_results(&Spec {
        seed: 1,
        ..Spec::default()
    });
    let current = synthetic_results(&Spec {
        seed: 2,
        slowdown: Some(("node", Variant::Distroless, 1.2)),
        ..Spec::default()
    });
    let c = compare(&baseline, &current, 5.0);
    assert!(c.has_regression(), "{}", c.to_terminal());
    for row in &c.rows {
        let slowed = row.key.pair == "node" && row.key.variant == Variant::Distroless;
        if row.verdict == Verdict::Regressed {
            assert!(
                slowed,
                "false alarm on {} {}\n{}",
                row.key,
                row.phase,
                c.to_terminal()
            );
        }
        if slowed && row.phase == Phase::TimeToReady {
            assert_eq!(row.verdict, Verdict::Regressed, "{}", c.to_terminal());
        }
    }
    assert!(c.to_markdown().contains("REGRESSED"));
    assert!(c.to_terminal().contains("regression(s) beyond 5%"));
}

#[test]
fn does_not_flag_an_a_a_pair() {
    let baseline = synthetic_results(&Spec {
        seed: 1,
        ..Spec::default()
    });
    let current = synthetic_results(&Spec {
        seed: 2,
        ..Spec::default()
    });
    let c = compare(&baseline, &current, 5.0);
    assert!(!c.has_regression(), "{}", c.to_terminal());
    assert_eq!(
        c.rows.len(),
        8 * 2 + 4,
        "every image and gated phase is compared"
    );
    assert!(c.unmatched.is_empty());
    assert!(c.to_terminal().contains("No regression beyond 5%"));
}

/// Over many A/A pairs the raw test rejects about 5% of image-phases (it is calibrated) and the
/// Holm-adjusted gate raises an alarm on at most a few runs (a 5% family-wise rate).
#[test]
fn a_a_false_alarms_stay_rare() {
    let (mut rejected, mut tested, mut alarms) = (0, 0, 0);
    for i in 0..20 {
        let baseline = synthetic_results(&Spec {
            seed: 100 + 2 * i,
            ..Spec::default()
        });
        let current = synthetic_results(&Spec {
            seed: 101 + 2 * i,
            ..Spec::default()
        });
        let c = compare(&baseline, &current, 5.0);
        tested += c.rows.len();
        rejected += c
            .rows
            .iter()
            .filter(|r| r.contrast.test.p_value < 0.05)
            .count();
        alarms += usize::from(c.has_regression());
    }
    let rate = rejected as f64 / tested as f64;
    assert!((0.02..=0.08).contains(&rate), "raw rejection rate {rate}");
    assert!(alarms <= 2, "{alarms} of 20 A/A runs raised an alarm");
}

#[test]
fn improvement_is_not_a_regression() {
    let baseline = synthetic_results(&Spec {
        seed: 1,
        ..Spec::default()
    });
    let current = synthetic_results(&Spec {
        seed: 2,
        slowdown: Some(("python", Variant::Fat, 0.7)),
        ..Spec::default()
    });
    let c = compare(&baseline, &current, 5.0);
    assert!(!c.has_regression(), "{}", c.to_terminal());
    assert!(c.rows.iter().any(|r| r.verdict == Verdict::Improved));
}

#[test]
fn images_in_one_run_only_are_listed() {
    let baseline = synthetic_results(&Spec::default());
    let mut current = baseline.clone();
    current.samples.retain(|s| s.pair == "node");
    let c = compare(&baseline, &current, 5.0);
    assert_eq!(c.unmatched.len(), 4);
    assert!(!c.has_regression());
    assert!(c
        .to_markdown()
        .contains("Not compared: python/fat/cold (only in baseline)."));
}
