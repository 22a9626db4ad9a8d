//! A sorted, run-length encoded set of values: what every statistic is computed from.
//!
//! Built either from raw values (exact) or from an HDR histogram (one entry per recorded
//! bucket, valued at the bucket's highest equivalent value, as HdrHistogram reports
//! percentiles), so its size is bounded by the histogram's resolution, not by the sample count.

use hdrhistogram::Histogram;

/// Values with their counts, ascending, with running totals for rank look-ups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distribution {
    values: Vec<u64>,
    /// `cumulative[i]` = number of values `<= values[i]`.
    cumulative: Vec<u64>,
}

impl Distribution {
    /// From raw values in any order.
    pub fn from_values(values: &[u64]) -> Distribution {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        let mut pairs: Vec<(u64, u64)> = Vec::new();
        for v in sorted {
            match pairs.last_mut() {
                Some((last, count)) if *last == v => *count += 1,
                _ => pairs.push((v, 1)),
            }
        }
        Distribution::from_sorted_counts(pairs)
    }

    /// From the recorded buckets of an HDR histogram.
    pub fn from_histogram(histogram: &Histogram<u64>) -> Distribution {
        Distribution::from_sorted_counts(
            histogram
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value())),
        )
    }

    /// From (value, count) pairs, ascending by value; zero counts are skipped.
    fn from_sorted_counts(pairs: impl IntoIterator<Item = (u64, u64)>) -> Distribution {
        let mut d = Distribution::default();
        let mut total = 0u64;
        for (value, count) in pairs.into_iter().filter(|(_, c)| *c > 0) {
            total += count;
            d.values.push(value);
            d.cumulative.push(total);
        }
        d
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Distinct values with their counts, ascending.
    pub fn counts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let mut previous = 0;
        self.values.iter().zip(&self.cumulative).map(move |(v, c)| {
            let count = c - previous;
            previous = *c;
            (*v, count)
        })
    }

    /// Smallest value.
    pub fn min(&self) -> Option<u64> {
        self.values.first().copied()
    }

    /// Largest value.
    pub fn max(&self) -> Option<u64> {
        self.values.last().copied()
    }

    /// The `rank`-th smallest value, 1-based; clamped into `1..=len`.
    pub fn at_rank(&self, rank: u64) -> Option<u64> {
        if self.is_empty() {
            return None;
        }
        let rank = rank.clamp(1, self.len());
        let index = self.cumulative.partition_point(|c| *c < rank);
        self.values.get(index).copied()
    }

    /// Nearest-rank quantile (`q` in 0..=1): the smallest value with at least `q * len`
    /// values at or below it.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let rank = (q.clamp(0.0, 1.0) * self.len() as f64).ceil() as u64;
        self.at_rank(rank)
    }

    /// The median: the middle value, or the mean of the two middle values.
    pub fn median(&self) -> Option<f64> {
        let n = self.len();
        let lower = self.at_rank(n.div_ceil(2))?;
        let upper = self.at_rank(n / 2 + 1)?;
        Some(if n % 2 == 1 {
            lower as f64
        } else {
            (lower as f64 + upper as f64) / 2.0
        })
    }

    /// Arithmetic mean.
    pub fn mean(&self) -> Option<f64> {
        let n = self.len();
        (n > 0).then(|| self.counts().map(|(v, c)| v as f64 * c as f64).sum::<f64>() / n as f64)
    }

    /// Sample standard deviation (n - 1 in the denominator; 0 for a single value).
    pub fn stddev(&self) -> Option<f64> {
        let mean = self.mean()?;
        let n = self.len();
        if n < 2 {
            return Some(0.0);
        }
        let squares: f64 = self
            .counts()
            .map(|(v, c)| (v as f64 - mean).powi(2) * c as f64)
            .sum();
        Some((squares / (n - 1) as f64).sqrt())
    }

    /// Median absolute deviation from the median (unscaled).
    pub fn mad(&self) -> Option<f64> {
        let median = self.median()?;
        let mut deviations: Vec<(f64, u64)> = self
            .counts()
            .map(|(v, c)| ((v as f64 - median).abs(), c))
            .collect();
        deviations.sort_by(|a, b| a.0.total_cmp(&b.0));
        weighted_median(&deviations)
    }
}

/// Median of (value, count) pairs sorted by value.
fn weighted_median(sorted: &[(f64, u64)]) -> Option<f64> {
    let n: u64 = sorted.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let at = |rank: u64| {
        let mut seen = 0;
        sorted
            .iter()
            .find(|(_, c)| {
                seen += c;
                seen >= rank
            })
            .map(|(v, _)| *v)
    };
    let lower = at(n.div_ceil(2))?;
    let upper = at(n / 2 + 1)?;
    Some(if n % 2 == 1 {
        lower
    } else {
        (lower + upper) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_small_sample() {
        // Sorted: 1 2 2 3 4 7 9 -> median 3; deviations 2 1 1 0 1 4 6 -> sorted 0 1 1 1 2 4 6 -> MAD 1.
        let d = Distribution::from_values(&[7, 2, 9, 1, 3, 2, 4]);
        assert_eq!(d.len(), 7);
        assert_eq!(d.min(), Some(1));
        assert_eq!(d.max(), Some(9));
        assert_eq!(d.median(), Some(3.0));
        assert_eq!(d.mad(), Some(1.0));
        // Nearest rank: p90 -> ceil(6.3) = 7th value = 9; p50 -> ceil(3.5) = 4th = 3; p25 -> 2nd = 2.
        assert_eq!(d.quantile(0.90), Some(9));
        assert_eq!(d.quantile(0.50), Some(3));
        assert_eq!(d.quantile(0.25), Some(2));
        assert_eq!(d.quantile(0.0), Some(1));
        // Mean 28/7 = 4; squares 9+4+4+1+0+9+25 = 52 -> sqrt(52/6).
        assert_eq!(d.mean(), Some(4.0));
        assert!((d.stddev().unwrap() - (52.0f64 / 6.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn even_count_median_averages_the_middle_pair() {
        // 10 20 30 40 -> median 25; deviations 15 5 5 15 -> MAD 10.
        let d = Distribution::from_values(&[40, 10, 30, 20]);
        assert_eq!(d.median(), Some(25.0));
        assert_eq!(d.mad(), Some(10.0));
        assert_eq!(d.quantile(0.95), Some(40));
    }

    #[test]
    fn empty_and_single() {
        let empty = Distribution::from_values(&[]);
        assert_eq!(empty.median(), None);
        assert_eq!(empty.quantile(0.5), None);
        assert_eq!(empty.mad(), None);
        assert_eq!(empty.stddev(), None);
        let one = Distribution::from_values(&[5]);
        assert_eq!(one.median(), Some(5.0));
        assert_eq!(one.stddev(), Some(0.0));
        assert_eq!(one.mad(), Some(0.0));
    }

    #[test]
    fn histogram_below_2048_is_exact() {
        let values = [7u64, 2, 9, 1, 3, 2, 4, 1500, 2047];
        let mut h = Histogram::<u64>::new(3).unwrap();
        for v in values {
            h.record(v).unwrap();
        }
        assert_eq!(
            Distribution::from_histogram(&h),
            Distribution::from_values(&values)
        );
    }
}
