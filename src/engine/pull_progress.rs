//! Turns the daemon's pull progress events into bytes, layers and the download/extract split.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

/// What a pull fetched and how long its stages took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullReport {
    /// Compressed bytes downloaded (sum of each layer's reported total).
    pub bytes: Option<u64>,
    /// Layers downloaded.
    pub layers: u32,
    /// Layers the daemon already had.
    pub layers_cached: u32,
    /// First download event to the last download-complete event.
    pub download: Option<Duration>,
    /// First extract event to the last pull-complete event.
    pub extract: Option<Duration>,
}

/// Accumulates progress events of one pull.
#[derive(Debug, Default)]
pub struct PullProgress {
    totals: HashMap<String, u64>,
    completed: HashSet<String>,
    cached: HashSet<String>,
    seen: BTreeSet<String>,
    first_download: Option<Instant>,
    last_download_done: Option<Instant>,
    first_extract: Option<Instant>,
    last_pull_done: Option<Instant>,
}

impl PullProgress {
    /// Records one event: the layer id, its status text and the reported total bytes.
    pub fn record(&mut self, layer: Option<&str>, status: &str, total: Option<i64>, at: Instant) {
        let Some(layer) = layer else { return };
        if status != "Pulling from" && !status.starts_with("Pulling from") {
            self.seen.insert(layer.to_string());
        }
        match status {
            "Downloading" => {
                self.first_download.get_or_insert(at);
                if let Some(t) = total.filter(|t| *t > 0) {
                    self.totals.insert(layer.to_string(), t as u64);
                }
            }
            "Download complete" | "Verifying Checksum" => {
                self.first_download.get_or_insert(at);
                self.last_download_done = Some(at);
            }
            "Extracting" => {
                self.first_extract.get_or_insert(at);
            }
            "Pull complete" => {
                self.first_extract.get_or_insert(at);
                self.last_pull_done = Some(at);
                self.completed.insert(layer.to_string());
            }
            "Already exists" => {
                self.cached.insert(layer.to_string());
            }
            _ => {}
        }
    }

    /// Layers the pull started but did not finish (for error messages).
    pub fn pending(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter(|l| !self.completed.contains(*l) && !self.cached.contains(*l))
            .cloned()
            .collect()
    }

    /// The report once the stream has ended.
    pub fn finish(self) -> PullReport {
        let span = |a: Option<Instant>, b: Option<Instant>| match (a, b) {
            (Some(a), Some(b)) if b >= a => Some(b - a),
            _ => None,
        };
        PullReport {
            bytes: (!self.totals.is_empty()).then(|| self.totals.values().sum()),
            layers: self.completed.len() as u32,
            layers_cached: self.cached.len() as u32,
            download: span(self.first_download, self.last_download_done),
            extract: span(self.first_extract, self.last_pull_done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_layers_and_splits_stages() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut p = PullProgress::default();
        p.record(Some("a"), "Pulling fs layer", None, ms(0));
        p.record(Some("a"), "Downloading", Some(1000), ms(1));
        p.record(Some("b"), "Downloading", Some(500), ms(2));
        p.record(Some("a"), "Downloading", Some(1000), ms(3));
        p.record(Some("a"), "Download complete", None, ms(5));
        p.record(Some("b"), "Download complete", None, ms(7));
        p.record(Some("a"), "Extracting", Some(1000), ms(8));
        p.record(Some("a"), "Pull complete", None, ms(10));
        p.record(Some("b"), "Pull complete", None, ms(12));
        p.record(Some("c"), "Already exists", None, ms(12));
        p.record(None, "Digest: sha256:x", None, ms(13));
        p.record(Some("d"), "Retrying in 5 seconds", None, ms(13));
        assert_eq!(p.pending(), vec!["d".to_string()]);
        let r = p.finish();
        assert_eq!(r.bytes, Some(1500));
        assert_eq!((r.layers, r.layers_cached), (2, 1));
        assert_eq!(r.download, Some(Duration::from_millis(6)));
        assert_eq!(r.extract, Some(Duration::from_millis(4)));
    }

    #[test]
    fn empty_pull_reports_nothing() {
        let r = PullProgress::default().finish();
        assert_eq!(r, PullReport::default());
    }
}
