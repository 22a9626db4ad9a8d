//! Mann-Whitney U test (Wilcoxon rank-sum), normal approximation with tie correction.

use super::distribution::Distribution;
use serde::Serialize;

/// Result of a two-sided Mann-Whitney U test of `a` against `b`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U statistic of the first sample (pairs where `a` is larger, ties counting one half).
    pub u: f64,
    /// Standardised statistic, with continuity correction.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Tests whether two samples come from the same distribution. `None` when either is empty.
pub fn mann_whitney(a: &Distribution, b: &Distribution) -> Option<MannWhitney> {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut ranked = 0.0;
    for (ca, cb) in merged_counts(a, b) {
        let t = (ca + cb) as f64;
        let average_rank = ranked + (t + 1.0) / 2.0;
        rank_sum_a += ca as f64 * average_rank;
        tie_term += t * t * t - t;
        ranked += t;
    }
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let n = n1 + n2;
    let mean = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if variance <= 0.0 || !variance.is_finite() {
        // Every value tied (or one value in all): no evidence of any difference.
        return Some(MannWhitney {
            u,
            z: 0.0,
            p_value: 1.0,
        });
    }
    let deviation = (u - mean).abs();
    let z = ((deviation - 0.5).max(0.0) / variance.sqrt()).copysign(u - mean);
    let p_value = (2.0 * normal_upper_tail(z.abs())).min(1.0);
    Some(MannWhitney { u, z, p_value })
}

/// For each distinct value of either sample, ascending: (count in `a`, count in `b`).
fn merged_counts(a: &Distribution, b: &Distribution) -> Vec<(u64, u64)> {
    let mut left = a.counts().peekable();
    let mut right = b.counts().peekable();
    let mut merged = Vec::new();
    loop {
        let entry = match (left.peek(), right.peek()) {
            (Some(&(va, ca)), Some(&(vb, cb))) => match va.cmp(&vb) {
                std::cmp::Ordering::Less => {
                    left.next();
                    (ca, 0)
                }
                std::cmp::Ordering::Greater => {
                    right.next();
                    (0, cb)
                }
                std::cmp::Ordering::Equal => {
                    left.next();
                    right.next();
                    (ca, cb)
                }
            },
            (Some(&(_, ca)), None) => {
                left.next();
                (ca, 0)
            }
            (None, Some(&(_, cb))) => {
                right.next();
                (0, cb)
            }
            (None, None) => return merged,
        };
        merged.push(entry);
    }
}

/// Holm-Bonferroni adjusted p-values, in the input's order: testing many image-phases at once,
/// "adjusted p < 0.05" keeps the chance of any false alarm in the whole family below 5%.
pub fn holm_adjust(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![1.0; m];
    let mut running_max: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running_max = running_max.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running_max;
    }
    adjusted
}

/// P(Z > z) for a standard normal Z.
pub fn normal_upper_tail(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Complementary error function (Chebyshev fit, fractional error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(values: &[u64]) -> Distribution {
        Distribution::from_values(values)
    }

    #[test]
    fn u_without_ties() {
        // Every b above every a: U_a = 0; U_b = 6.
        let r = mann_whitney(&d(&[1, 2, 3]), &d(&[4, 5])).unwrap();
        assert_eq!(r.u, 0.0);
        assert_eq!(mann_whitney(&d(&[4, 5]), &d(&[1, 2, 3])).unwrap().u, 6.0);
    }

    #[test]
    fn u_with_ties_by_hand() {
        // a = 1 2 2, b = 2 3. Ranks: 1 -> 1; the three 2s share ranks 2,3,4 -> 3; 3 -> 5.
        // R_a = 1 + 3 + 3 = 7, U_a = 7 - 3*4/2 = 1.
        let r = mann_whitney(&d(&[1, 2, 2]), &d(&[2, 3])).unwrap();
        assert_eq!(r.u, 1.0);
        // mean 3; tie term 3^3 - 3 = 24; var = 6/12 * (6 - 24/20) = 2.4; z = -(2 - 0.5)/sqrt(2.4).
        assert!((r.z + 1.5 / 2.4f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn p_value_against_a_table_value() {
        // Ten values each, completely separated: exact two-sided p = 2/C(20,10) ~ 1.1e-5;
        // the normal approximation gives z = (50 - 0.5)/13.229 = 3.742, p = 1.83e-4.
        let a: Vec<u64> = (1..=10).collect();
        let b: Vec<u64> = (11..=20).collect();
        let r = mann_whitney(&d(&a), &d(&b)).unwrap();
        assert!((r.z + 3.7418).abs() < 1e-3, "{r:?}");
        assert!((r.p_value - 1.827e-4).abs() < 1e-6, "{r:?}");
    }

    #[test]
    fn identical_samples_are_not_significant() {
        let r = mann_whitney(&d(&[5, 5, 5]), &d(&[5, 5])).unwrap();
        assert_eq!(r.p_value, 1.0);
        assert!(mann_whitney(&d(&[]), &d(&[1])).is_none());
    }

    #[test]
    fn holm_by_hand() {
        // Sorted 0.01, 0.02, 0.04 -> 3*0.01 = 0.03, 2*0.02 = 0.04, max(0.04, 1*0.04) = 0.04.
        assert_eq!(holm_adjust(&[0.04, 0.01, 0.02]), vec![0.04, 0.03, 0.04]);
        assert_eq!(holm_adjust(&[0.5, 0.9]), vec![1.0, 1.0]);
        assert!(holm_adjust(&[]).is_empty());
    }

    #[test]
    fn normal_tail_values() {
        assert!((normal_upper_tail(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_upper_tail(1.959_964) - 0.025).abs() < 1e-7);
        assert!((normal_upper_tail(-1.0) - 0.841_344_7).abs() < 1e-6);
    }
}
