//! The order of a run: rounds of shuffled (pair, variant, mode) slots from a recorded seed.

use super::sample::{Mode, Variant};
use crate::scenario::Scenario;

/// One sample to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Round number; warm-up rounds come first and have `warmup` set.
    pub round: u32,
    /// Whether the round is discarded.
    pub warmup: bool,
    /// Index of the pair in the scenario.
    pub pair: usize,
    /// Fat or distroless.
    pub variant: Variant,
    /// Cold or warm.
    pub mode: Mode,
}

/// Every slot of a run, in the order they are taken.
pub fn plan(scenario: &Scenario, seed: u64) -> Vec<Slot> {
    let mut rng = SplitMix64(seed);
    let mut slots = Vec::new();
    for round in 0..scenario.warmup + scenario.runs {
        let warmup = round < scenario.warmup;
        let mut round_slots: Vec<Slot> = (0..scenario.pairs.len())
            .flat_map(|pair| {
                Variant::ALL.into_iter().flat_map(move |variant| {
                    scenario.modes.iter().map(move |&mode| Slot {
                        round: if warmup {
                            round
                        } else {
                            round - scenario.warmup
                        },
                        warmup,
                        pair,
                        variant,
                        mode,
                    })
                })
            })
            .collect();
        // Fisher-Yates with a seeded generator: the same seed gives the same order.
        for i in (1..round_slots.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            round_slots.swap(i, j);
        }
        slots.extend(round_slots);
    }
    slots
}

/// A small, stable pseudo-random generator (SplitMix64): the order must not change
/// with a dependency's version.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A seed from the clock, for runs that did not ask for one.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    SplitMix64(nanos ^ u64::from(std::process::id())).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario() -> Scenario {
        let text = r#"
name = "t"
runs = 3
warmup = 1
[[pair]]
name = "a"
ready = { exit = 0 }
fat = { image = "x/a:fat" }
distroless = { image = "x/a:dl" }
[[pair]]
name = "b"
ready = { exit = 0 }
fat = { image = "x/b:fat" }
distroless = { image = "x/b:dl" }
"#;
        Scenario::from_toml(
            text,
            Path::new("t.toml"),
            crate::scenario::HostAccess::Refused,
        )
        .unwrap()
    }

    #[test]
    fn every_slot_once_per_round() {
        let s = scenario();
        let p = plan(&s, 42);
        assert_eq!(p.len(), 4 * 2 * 2 * 2);
        assert_eq!(p.iter().filter(|x| x.warmup).count(), 8);
        for round in 0..3 {
            let mut r: Vec<_> = p
                .iter()
                .filter(|x| !x.warmup && x.round == round)
                .map(|x| (x.pair, x.variant, x.mode))
                .collect();
            r.sort();
            r.dedup();
            assert_eq!(r.len(), 8, "round {round}");
        }
    }

    #[test]
    fn same_seed_same_order_other_seed_other_order() {
        let s = scenario();
        assert_eq!(plan(&s, 7), plan(&s, 7));
        assert_ne!(plan(&s, 7), plan(&s, 8));
    }
}
