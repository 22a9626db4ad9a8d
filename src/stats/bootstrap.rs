//! Seeded bootstrap confidence interval of a ratio of medians.
//!
//! Resampling n values with replacement and taking their median is the same as drawing the
//! k-th order statistic of n uniforms, which is Beta(k, n + 1 - k) distributed, and reading the
//! sample's quantile function there. So one bootstrap replicate costs O(log n) whatever the
//! sample size, and needs only the [`Distribution`] (bounded by the histogram's resolution).

use super::distribution::Distribution;
use serde::Serialize;

/// Number of bootstrap replicates.
pub const REPLICATES: usize = 2000;
/// Seed of every bootstrap, so reruns agree.
pub const SEED: u64 = 0x1a6e_be9c_4000_0001;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// 95% percentile-bootstrap interval of `median(numerator) / median(denominator)`.
///
/// `None` when a side is empty or the denominator's median is zero; replicates whose
/// denominator median is zero are dropped.
pub fn ratio_of_medians_ci(
    numerator: &Distribution,
    denominator: &Distribution,
) -> Option<Interval> {
    if numerator.is_empty() || denominator.median()? <= 0.0 {
        return None;
    }
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut ratios = Vec::with_capacity(REPLICATES);
    for _ in 0..REPLICATES {
        let top = resampled_median(numerator, &mut rng)?;
        let bottom = resampled_median(denominator, &mut rng)?;
        if bottom > 0.0 {
            ratios.push(top / bottom);
        }
    }
    if ratios.len() < REPLICATES / 2 {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let at =
        |q: f64| ratios[((q * (ratios.len() - 1) as f64).round() as usize).min(ratios.len() - 1)];
    Some(Interval {
        low: at(0.025),
        high: at(0.975),
    })
}

/// The median of one resample of `d` (same size, with replacement).
fn resampled_median(d: &Distribution, rng: &mut fastrand::Rng) -> Option<f64> {
    let n = d.len();
    let k = n.div_ceil(2);
    let u_k = beta(k as f64, (n + 1 - k) as f64, rng);
    let lower = d.at_rank(rank_of(u_k, n))? as f64;
    if n % 2 == 1 {
        return Some(lower);
    }
    // The next order statistic: the smallest of the n - k uniforms above u_k.
    let spacing = 1.0 - (1.0 - rng.f64()).powf(1.0 / (n - k) as f64);
    let u_next = u_k + (1.0 - u_k) * spacing;
    let upper = d.at_rank(rank_of(u_next, n))? as f64;
    Some((lower + upper) / 2.0)
}

/// Rank of the original value a uniform order statistic `u` lands on.
fn rank_of(u: f64, n: u64) -> u64 {
    ((u * n as f64).ceil() as u64).clamp(1, n)
}

/// A Beta(a, b) draw, a and b >= 1.
fn beta(a: f64, b: f64, rng: &mut fastrand::Rng) -> f64 {
    let x = gamma(a, rng);
    let y = gamma(b, rng);
    x / (x + y)
}

/// A Gamma(shape, 1) draw for shape >= 1 (Marsaglia and Tsang).
fn gamma(shape: f64, rng: &mut fastrand::Rng) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.f64();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A standard normal draw (Box-Muller).
fn standard_normal(rng: &mut fastrand::Rng) -> f64 {
    let u1 = 1.0 - rng.f64();
    let u2 = rng.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook bootstrap: resample indices, sort, take the median.
    fn brute_force(a: &[u64], b: &[u64]) -> Interval {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut median = |xs: &[u64]| {
            let mut r: Vec<u64> = (0..xs.len()).map(|_| xs[rng.usize(..xs.len())]).collect();
            r.sort_unstable();
            Distribution::from_values(&r).median().unwrap()
        };
        let mut ratios: Vec<f64> = (0..20_000).map(|_| median(a) / median(b)).collect();
        ratios.sort_by(f64::total_cmp);
        Interval {
            low: ratios[500],
            high: ratios[19_500],
        }
    }

    #[test]
    fn agrees_with_brute_force_resampling() {
        let a: Vec<u64> = (0..15).map(|i| 200 + (i * 37) % 61).collect();
        let b: Vec<u64> = (0..16).map(|i| 100 + (i * 23) % 41).collect();
        let fast = ratio_of_medians_ci(
            &Distribution::from_values(&a),
            &Distribution::from_values(&b),
        )
        .unwrap();
        let slow = brute_force(&a, &b);
        assert!((fast.low - slow.low).abs() < 0.03, "{fast:?} vs {slow:?}");
        assert!((fast.high - slow.high).abs() < 0.03, "{fast:?} vs {slow:?}");
    }

    #[test]
    fn deterministic_and_robust() {
        let a = Distribution::from_values(&[10, 12, 11, 13]);
        let b = Distribution::from_values(&[5, 6, 5, 7]);
        assert_eq!(ratio_of_medians_ci(&a, &b), ratio_of_medians_ci(&a, &b));
        let one = Distribution::from_values(&[4]);
        let ci = ratio_of_medians_ci(&one, &Distribution::from_values(&[2])).unwrap();
        assert_eq!((ci.low, ci.high), (2.0, 2.0));
        assert!(ratio_of_medians_ci(&a, &Distribution::from_values(&[])).is_none());
        assert!(ratio_of_medians_ci(&a, &Distribution::from_values(&[0, 0, 0])).is_none());
    }
}
